package kernel

// The weight gradient of a stride-1 3×3 convolution of few source channels
// (the CIFAR networks' stem: 3 channels in, 16 out) as lane sums. The tap
// broadcasts of dwtap.go need each image's output gradients transposed
// pixel-major, and with 16 output channels a transposed gradient feeds only
// 27 FMAs, so the transpose costs a quarter of the layer. Here the vectors
// run over the output pixels of a row (16 on AVX-512, 8 on AVX2), as the
// gradients lie: each output channel's gradient vector times the source
// vector of a tap, the same pixels shifted by the tap, accumulates into a
// vector of lane sums per (output channel, source channel, tap), and the
// lanes are added once, at the end of the batch. Each image's source is
// copied zero-padded first, so the shifted vectors need no lane masks.

// opLaneFilter sums the chunks of a lane-sum weight gradient.
const opLaneFilter = opTapFilterSum + 1

// laneBudget bounds the bytes a dwLane call keeps in L1: one image's
// padded source planes and a tile's output channels' gradients.
const laneBudget = 32 << 10

// dwLaneFits reports whether the weight gradient of s runs as lane sums
// with kernel set impl: stride-1 3×3 filters on a set that has the kernel,
// output channels in whole tiles (laneK), output rows in whole vectors
// (laneW), and the padded source of an image small enough to stay in L1
// beside a tile's output channels' gradients.
func dwLaneFits(s ConvShape, impl *convKernels) bool {
	if impl.dwLane == nil || s.R != 3 || s.S != 3 || s.Stride != 1 || s.K%impl.laneK != 0 || s.OutW()%impl.laneW != 0 {
		return false
	}
	oh, ow := s.OutH(), s.OutW()
	return 4*(s.C*(oh+2)*(ow+2)+impl.laneK*oh*ow) <= laneBudget
}

// laneFilterF32 is backwardFilterF32 as lane sums (dwLaneFits): the batch
// in chunks, each summed on its own into vectors of lane sums, then the
// chunks added in chunk order and the lanes in lane order, so that the
// result does not depend on the workers.
func (c *convCore) laneFilterF32(dw, x, dy []float32, s ConvShape, nw int) {
	chunks := min(dwChunks, s.N)
	nw = min(nw, chunks)
	g := tapGeom{c: s.C, k: s.K, oh: s.OutH(), ow: s.OutW(), cg: s.C}
	g.npix = g.oh * g.ow
	g.hp, g.wp = g.oh+2, g.ow+2
	g.plane = g.hp * g.wp
	g.ximg = s.C * g.plane
	c.tap = g
	c.ensureBufs(nw)
	for i := 0; i < nw; i++ {
		b := &c.bufs[i]
		// G 0 marks this layout: one image's planes
		if key := (tapKey{s.C, s.H, s.W, s.K, s.Stride, s.Pad, 0}); b.tapKey != key {
			// the padding, zeroed here, stays zero: padSource writes only
			// the rest
			b.tapKey = key
			b.tx = grow(b.tx, g.ximg)
			clear(b.tx)
		}
	}
	L := c.impl.laneW
	stride := s.K * s.C * 9 * L
	c.bfChunks, c.bfStride = chunks, stride
	c.bfPart = takeScratch(chunks * stride)
	c.op, c.s, c.nw, c.out, c.in = opLaneFilter, s, nw, dy[:s.N*s.K*g.npix], x[:s.N*s.C*s.H*s.W]
	c.next.Store(0)
	c.run(nw)
	// a few thousand vectors: not worth handing to the workers
	sum := c.bfPart[:stride]
	for ch := 1; ch < chunks; ch++ {
		c.eltImpl(eltAdd, sum, sum, c.bfPart[ch*stride:(ch+1)*stride])
	}
	for i := range dw[:s.K*s.C*9] {
		var v float32
		for _, l := range sum[L*i : L*i+L] {
			v += l
		}
		dw[i] = v
	}
	giveScratch(c.bfPart)
	c.out, c.in, c.bfPart = nil, nil, nil
}

// laneFilterWork sums the chunks of the batch that worker w takes, each
// into its own vectors of lane sums, image by image.
func (c *convCore) laneFilterWork(w int) {
	s, g, b, impl := c.s, &c.tap, &c.bufs[w], c.impl
	inSz, dySz := s.C*s.H*s.W, s.K*g.npix
	a := dwLaneArgs{wp: g.wp, plane: g.plane, c: s.C, k: s.K, oh: g.oh, ow: g.ow}
	for ch := c.take(); ch < c.bfChunks; ch = c.take() {
		part := c.bfPart[ch*c.bfStride : (ch+1)*c.bfStride]
		clear(part)
		n0, n1 := split(s.N, c.bfChunks, ch)
		for n := n0; n < n1; n++ {
			g.padSource(b.tx, c.in[n*inSz:(n+1)*inSz], 0, s, impl)
			// the call prefetches the next image's gradients and source:
			// in this chunk, or the first of the chunk this worker is
			// likely to take next (the workers take turns)
			a.pf, a.pfx = nil, nil
			nx := n + 1
			if nx == n1 {
				nx = -1
				if nc := ch + c.nw; nc < c.bfChunks {
					nx, _ = split(s.N, c.bfChunks, nc)
				}
			}
			if nx >= 0 {
				a.pf = c.out[nx*dySz : (nx+1)*dySz]
				a.pfx = c.in[nx*inSz : (nx+1)*inSz]
			}
			impl.dwLane(part, b.tx, a, c.out[n*dySz:(n+1)*dySz])
		}
	}
}
