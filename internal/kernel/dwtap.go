package kernel

// The weight gradient of a 3×3 convolution that the Winograd adjoint does
// not take (the stem, the strided layers) as tap broadcasts. For a source
// channel c, tap (r, q) and output channel k,
//
//	dw[k][c][r][q] = Σ_n Σ_p x[n][c][stride·oy + r − pad][stride·ox + q − pad] · dy[n][k][p]
//
// over the output pixels p = (oy, ox). The sum runs as outer products: each
// pixel's nine source values of a channel, broadcast one at a time, times
// the vector of its output gradients, so that the accumulators hold the
// taps × output channels block of dw itself and no vector is reduced
// across its lanes. The kernel reads each image's source zero-padded (any
// stride then reads at fixed offsets, with no lane masks) and its output
// gradients transposed, pixel-major.

const (
	opTapFilter = opBNPlanes + 1 + iota
	opTapFilterSum
)

// tapGeom is the layout of a tap-broadcast weight gradient.
type tapGeom struct {
	c, k         int // source and output channels
	oh, ow, npix int
	hp, wp       int // a padded source plane: rows and their length
	plane        int // floats per padded plane
	cg           int // source channels padded at a time: the most any tile takes, which divides C
	calls        int // kernel calls per group of images
	ximg, dimg   int // floats per image of padded source (cg planes) and transposed gradients
	G            int // images per kernel call
	tiles        []tapTile
}

// tapKey names the shape a worker's padded copies were laid out for.
type tapKey struct{ c, h, w, k, stride, pad, g int }

// dwTapFits reports whether the weight gradient of s runs as tap
// broadcasts with kernel set impl: 3×3 filters on a set that has them,
// with output channels and output pixels in multiples of 16, which winoTr
// transposes whole and the tiles cover. Elsewhere (the 28×28 demo's maps
// of 8 channels, or of 14×14 and 7×7 pixels) the lane kernel measured
// faster: the tiles would sum padding, and the transpose run in Go.
func dwTapFits(s ConvShape, impl *convKernels) bool {
	return impl.dwTap != nil && s.R == 3 && s.S == 3 && s.Stride > 0 && s.K%16 == 0 && s.OutH()*s.OutW()%16 == 0
}

// tapBudget is how many bytes of transposed output gradients a call reads.
const tapBudget = 32 << 10

// tapGeometry lays out s's tap-broadcast weight gradient with kernel set
// impl over chunks of perChunk images.
func tapGeometry(s ConvShape, impl *convKernels, perChunk int) tapGeom {
	g := tapGeom{c: s.C, oh: s.OutH(), ow: s.OutW(), tiles: impl.tapTiles}
	g.npix = g.oh * g.ow
	g.hp, g.wp = s.Stride*(g.oh-1)+3, s.Stride*(g.ow-1)+3
	g.plane = g.hp * g.wp
	g.k = s.K
	g.cg = 1
	for k := 0; k < g.k; k += g.tile(k).nk {
		g.cg = max(g.cg, g.tile(k).nch)
		g.calls += s.C / g.tile(k).nch
	}
	g.ximg, g.dimg = g.cg*g.plane, g.npix*g.k
	// As many images a call as keep its output gradients in L1 (each
	// call reads them all, and one channel's source planes): the calls
	// meanwhile prefetch the next group's data, which the smaller groups
	// spread more evenly.
	g.G = max(1, min(perChunk, tapBudget/(4*g.dimg)))
	return g
}

// tile is the tile that sums output channels from k on: the first of the
// set's that fits below K and takes whole groups of the source channels.
func (g *tapGeom) tile(k int) tapTile {
	for _, t := range g.tiles {
		if k+t.nk <= g.k && g.c%t.nch == 0 {
			return t
		}
	}
	panic("kernel: no tap tile fits")
}

// padSource writes the planes c0..c0+cg of one image (C planes of H×W)
// into the geometry's zero-padded planes in dst. It writes only what the
// source covers: the padding must be zero already (tapFilterF32 clears a
// worker's copies when the shape changes).
func (g *tapGeom) padSource(dst, src []float32, c0 int, s ConvShape, impl *convKernels) {
	rows, w := min(s.H, g.hp-s.Pad), min(s.W, g.wp-s.Pad)
	if rows <= 0 || w <= 0 {
		return
	}
	copyRows := impl.copyRows
	if copyRows == nil {
		copyRows = copyRowsGo
	}
	for ch := c0; ch < c0+g.cg; ch++ {
		copyRows(dst[(ch-c0)*g.plane+s.Pad*g.wp+s.Pad:], g.wp, src[ch*s.H*s.W:], s.W, w, rows)
	}
}

// tapFilterF32 is backwardFilterF32 as tap broadcasts (dwTapFits): the
// batch in chunks summed on their own, then added in chunk order, so that
// the result does not depend on the workers.
func (c *convCore) tapFilterF32(dw, x, dy []float32, s ConvShape, nw int) {
	chunks := min(dwChunks, s.N)
	nw = min(nw, chunks)
	g := tapGeometry(s, c.impl, (s.N+chunks-1)/chunks)
	c.tap = g
	c.ensureBufs(nw)
	for i := 0; i < nw; i++ {
		b := &c.bufs[i]
		if key := (tapKey{s.C, s.H, s.W, s.K, s.Stride, s.Pad, g.G}); b.tapKey != key {
			// the padding, zeroed here, stays zero: padSource writes only
			// the rest
			b.tapKey = key
			b.tx = grow(b.tx, g.G*g.ximg)
			clear(b.tx)
		}
		b.tdy = grow(b.tdy, g.G*g.dimg)
		b.scratch = grow(b.scratch, s.K)
	}
	c.bfChunks, c.bfStride = chunks, 9*s.C*g.k
	c.bfPart = takeScratch(chunks * c.bfStride)
	c.op, c.s, c.nw, c.out, c.in = opTapFilter, s, nw, dy[:s.N*s.K*g.npix], x[:s.N*s.C*s.H*s.W]
	c.next.Store(0)
	c.run(nw)
	c.op, c.bfDw = opTapFilterSum, dw[:s.K*s.C*9]
	c.next.Store(0)
	c.run(min(nw, s.C))
	giveScratch(c.bfPart)
	c.out, c.in, c.bfPart, c.bfDw = nil, nil, nil, nil
}

// tapFilterWork sums the chunks of the batch that worker w takes, each
// into its own partial sums: rows c·9 + 3r + q of K output channels.
func (c *convCore) tapFilterWork(w int) {
	s, g, b, impl := c.s, &c.tap, &c.bufs[w], c.impl
	inSz, dySz := s.C*s.H*s.W, s.K*g.npix
	for ch := c.take(); ch < c.bfChunks; ch = c.take() {
		part := c.bfPart[ch*c.bfStride : (ch+1)*c.bfStride]
		clear(part)
		n0, n1 := split(s.N, c.bfChunks, ch)
		for g0 := n0; g0 < n1; g0 += g.G {
			ng := min(g.G, n1-g0)
			for i := 0; i < ng; i++ {
				// the gradients pixel-major, rows of K (dwTapFits: whole
				// 16×16 blocks)
				n := g0 + i
				impl.winoTr(b.tdy[i*g.dimg:(i+1)*g.dimg], s.K, c.out[n*dySz:(n+1)*dySz], g.npix, s.K, g.npix)
			}
			// The calls prefetch the next group's sources and gradients: in
			// this chunk, or after its last group in the chunk this worker
			// is likely to take next (the workers take turns).
			nx0, nx1 := g0+ng, min(g0+ng+g.G, n1)
			if nx0 == n1 {
				if nc := ch + c.nw; nc < c.bfChunks {
					lo, hi := split(s.N, c.bfChunks, nc)
					nx0, nx1 = lo, min(lo+g.G, hi)
				}
			}
			xr, dr := c.in[nx0*inSz:nx1*inSz], c.out[nx0*dySz:nx1*dySz]
			a := dwTapArgs{wp: g.wp, stride: s.Stride, plane: g.plane, ldk: g.k, oh: g.oh, ow: g.ow, nimg: ng, ximg: g.ximg, dimg: g.dimg}
			call := 0
			// cg source channels at a time, padded into copies that stay in
			// L1 while every output-channel tile reads them.
			for c0 := 0; c0 < s.C; c0 += g.cg {
				for i := 0; i < ng; i++ {
					n := g0 + i
					g.padSource(b.tx[i*g.ximg:(i+1)*g.ximg], c.in[n*inSz:(n+1)*inSz], c0, s, impl)
				}
				for k := 0; k < g.k; k += a.nk {
					a.tapTile = g.tile(k)
					for j := 0; j < g.cg; j += a.nch {
						a.pf = prefetchShare(xr, dr, call, g.calls)
						impl.dwTap(part[9*(c0+j)*g.k+k:], g.k, b.tx[j*g.plane:], a, b.tdy[k:])
						call++
					}
				}
			}
		}
	}
}

// prefetchShare is the part of the memory a and b that call i of n
// prefetches: a's calls first, then b's, in proportion to their lengths
// (the longer of the two where there is one call).
func prefetchShare(a, b []float32, i, n int) []float32 {
	if n == 1 {
		if len(a) > len(b) {
			return a
		}
		return b
	}
	na := n * len(a) / max(1, len(a)+len(b))
	if len(a) > 0 {
		na = max(na, 1)
	}
	if i < na {
		lo, hi := split(len(a), na, i)
		return a[lo:hi]
	}
	lo, hi := split(len(b), n-na, i-na)
	return b[lo:hi]
}

// tapFilterSum adds the chunks' partial sums in chunk order into dw, for
// the source channels the worker takes one at a time.
func (c *convCore) tapFilterSum(w int) {
	s, g := c.s, &c.tap
	acc := c.bufs[w].scratch[:s.K]
	for src := c.take(); src < s.C; src = c.take() {
		for t := 9 * src; t < 9*(src+1); t++ {
			copy(acc, c.bfPart[t*g.k:t*g.k+s.K])
			for ch := 1; ch < c.bfChunks; ch++ {
				c.eltImpl(eltAdd, acc, acc, c.bfPart[ch*c.bfStride+t*g.k:ch*c.bfStride+t*g.k+s.K])
			}
			for k, v := range acc {
				c.bfDw[k*9*s.C+t] = v
			}
		}
	}
}
