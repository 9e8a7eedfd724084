package kernel

// The weight gradient of a Winograd convolution is the adjoint of its
// forward pass: with dM = A dY Aᵀ, the 4×4 transform of a 2×2 tile of the
// output gradient,
//
//	dU[pos][k][c] = Σ_tiles dM[pos][k][tile] · V[pos][c][tile],
//	dw[k][c]      = Gᵀ dU[k][c] G,
//
// which is the weight gradient of the direct convolution, summed in another
// order. The 16 reductions over the tiles run on the weight-gradient
// kernel. As in the direct path, each of 16 fixed chunks of the batch sums
// into its own dU, and the chunks are added in order, so the bits depend
// neither on timing nor on the worker count.

// winoFilterFits reports whether the weight gradient of s runs as the
// adjoint of a Winograd convolution with kernel set impl: where the forward
// pass does, with whole tiles of the weight-gradient kernel.
func winoFilterFits(s ConvShape, impl *convKernels) bool {
	return impl.winoDy != nil && impl.dwT == 4 && s.C%4 == 0 && s.K%impl.dwK == 0 && winoFits(s, impl)
}

// winoFilterFits4 reports whether that adjoint is F(4×4, 3×3)'s: where
// the forward pass runs F(4×4), and on maps 8×8 (winoFits4x8).
func winoFilterFits4(s ConvShape, impl *convKernels) bool {
	return impl.winoDy4 != nil && winoFilterFits(s, impl) && (winoFits4(s, impl) || winoFits4x8(s, impl))
}

// winoDyGo is the output-gradient transform dM = A dY Aᵀ, read straight
// from the dy planes (h rows of w floats, yc apart, nch channels): the nvec
// vectors of 16 tiles from vector v0, written to m[pos·ms + tile] (channels
// mc apart).
func winoDyGo(m []float32, ms, mc int, dy []float32, yc, h, w, v0, nvec, nch int) {
	tw := w / 2
	for ch := 0; ch < nch; ch++ {
		p := dy[ch*yc : ch*yc+h*w]
		for t := 16 * v0; t < 16*(v0+nvec); t++ {
			ty, tx := t/tw, t%tw
			o := ch*mc + t - 16*v0
			r0, r1 := p[2*ty*w+2*tx:], p[(2*ty+1)*w+2*tx:]
			y00, y01, y10, y11 := r0[0], r0[1], r1[0], r1[1]
			rows := [4][2]float32{ // A dY
				{y00, y01},
				{y00 + y10, y01 + y11},
				{y00 - y10, y01 - y11},
				{0 - y10, 0 - y11},
			}
			for i, r := range rows { // (A dY) Aᵀ
				a, b := r[0], r[1]
				m[(4*i)*ms+o] = a
				m[(4*i+1)*ms+o] = a + b
				m[(4*i+2)*ms+o] = a - b
				m[(4*i+3)*ms+o] = 0 - b
			}
		}
	}
}

// winoFilterGrad writes dw = Gᵀ u G (3×3, row major) for the 4×4 u.
func winoFilterGrad(dw []float32, u *[16]float32) {
	var t [3][4]float32 // Gᵀ u
	for j := 0; j < 4; j++ {
		u0, u1, u2, u3 := u[j], u[4+j], u[8+j], u[12+j]
		t[0][j] = u0 + (u1+u2)*0.5
		t[1][j] = (u1 - u2) * 0.5
		t[2][j] = (u1+u2)*0.5 + u3
	}
	for r := 0; r < 3; r++ {
		u0, u1, u2, u3 := t[r][0], t[r][1], t[r][2], t[r][3]
		dw[3*r] = u0 + (u1+u2)*0.5
		dw[3*r+1] = (u1 - u2) * 0.5
		dw[3*r+2] = (u1+u2)*0.5 + u3
	}
}

// winoFilterF32 computes the weight gradient of the Winograd convolution s.
func (c *convCore) winoFilterF32(dw, x, dy []float32, s ConvShape, nw int) {
	g := winoGeometry(s)
	if winoFilterFits4(s, c.impl) {
		g = winoGeometry4(s)
	}
	// The blocks run over a chunk's images, not a group's. Longer ones
	// spread the kernel's final sums over more tiles: 256 tiles were 10%
	// faster than 128 on 16 channels, slower on 32 and 64.
	g.NB = max(winoBlock, roundUp(4096/s.C, 32))
	chunks, ksplit := min(dwChunks, s.N), 1
	if g.ts == 4 && g.tw == 2 {
		// Maps 8×8 under F(4×4) sum chunks of 32 images, long enough for
		// the kernel's sums; the workers then also split the output
		// channels of a chunk (each transforms the chunk's input anew),
		// which changes no sum.
		chunks = winoChunks4x8(s.N)
		ksplit = max(1, min(s.K/winoFilterKQ(s, c.impl), (nw+chunks-1)/chunks))
	}
	c.bfKSplit = ksplit
	nw = min(nw, chunks*ksplit)
	// tile records of the weight-gradient kernel: 4 channels' offsets in
	// the transformed inputs, the mask offset (all lanes), the column
	c.winoTiles = c.winoTiles[:0]
	for ch := 0; ch+4 <= s.C; ch += 4 {
		c.winoTiles = append(c.winoTiles, ch*g.NB, (ch+1)*g.NB, (ch+2)*g.NB, (ch+3)*g.NB, 0, ch)
	}
	scratch := c.winoScratch(g, s, nw)
	c.bfChunks, c.bfStride = chunks, g.P*s.K*s.C
	c.bfPart = takeScratch(chunks * c.bfStride)
	c.op, c.s, c.nw, c.out, c.in = opWinoFilter, s, nw, dy[:s.N*s.K*s.H*s.W], x[:s.N*s.C*s.H*s.W]
	c.next.Store(0)
	c.run(nw)
	c.op, c.bfDw = opWinoFilterSum, dw[:s.K*s.C*9]
	c.next.Store(0)
	c.run(min(nw, (c.bfStride+winoSumPiece-1)/winoSumPiece))
	c.op = opWinoFilterGrad
	c.next.Store(0)
	c.run(min(nw, s.K))
	giveScratch(c.bfPart)
	c.winoDone(scratch, nw)
	c.out, c.in, c.bfPart, c.bfDw = nil, nil, nil, nil
}

// winoOuterFits reports whether the weight gradient of s runs its
// products as outer products (dwOuter): where the kernel set has them and
// the channels are a multiple of its outerC. On data in cache, transpose
// and products together against the lane-sum kernel (GFLOP/s): AVX-512
// 125-138 against 91-98 with 64 channels, 131-133 against 91-97 with 32,
// but 89-95 against 110 with 16; AVX2 66-70 against 45-48 with 32 and 64
// channels, 61-62 against 54-57 with 16.
func winoOuterFits(s ConvShape, impl *convKernels) bool {
	return impl.dwOuter != nil && impl.outerC > 0 && s.C%impl.outerC == 0 && s.K%8 == 0
}

// winoFilterKQ is the multiple of output channels in which the weight
// gradient of s splits a chunk's channels among workers: the tile height
// of the kernel that runs its products.
func winoFilterKQ(s ConvShape, impl *convKernels) int {
	if winoOuterFits(s, impl) {
		return 8
	}
	return impl.dwK
}

// winoFilterWork sums the chunks of the batch (or the parts of chunks, a
// range of output channels each) worker w takes, each chunk into its own
// dU, block by block of tiles.
func (c *convCore) winoFilterWork(w int) {
	s, g, b, impl := c.s, c.winoG, &c.bufs[w], c.impl
	hw, T, nb := s.H*s.W, g.T, g.NB
	vps, mps := s.C*nb+16, s.K*nb+16
	in, dyt := impl.winoIn, impl.winoDy
	if g.ts == 4 {
		in, dyt = impl.winoIn4, impl.winoDy4
	}
	outer, kq := winoOuterFits(s, impl), winoFilterKQ(s, impl)
	regPro := c.proInRegisters(g)
	if outer {
		b.wt = grow(b.wt, nb*s.C)
	}
	for it := c.take(); it < c.bfChunks*c.bfKSplit; it = c.take() {
		ch := it / c.bfKSplit
		// output channels [k0, k1) of the chunk
		k0, k1 := split(s.K/kq, c.bfKSplit, it%c.bfKSplit)
		k0, k1 = k0*kq, k1*kq
		part := c.bfPart[ch*c.bfStride : (ch+1)*c.bfStride]
		if impl.dwStore == nil && !outer {
			for pos := 0; pos < g.P; pos++ {
				clear(part[pos*s.K*s.C+k0*s.C : pos*s.K*s.C+k1*s.C])
			}
		}
		c0, c1 := split(s.N, c.bfChunks, ch)
		nt := (c1 - c0) * T
		for t0 := 0; t0 < nt; t0 += nb {
			n := min(nb, nt-t0)
			src, base := c.in, 0
			if !regPro {
				src, base = c.proImages(b, c0+t0/T, c0+(t0+n+T-1)/T)
			}
			if T < 16 { // maps 8×8 under F(4×4): vectors of four images
				img := c0 + t0/T
				c.winoInput4x8(regPro, b.wv, vps, nb, src[(img-base)*s.C*hw:], n/16)
				impl.winoDy4x8(b.wm, mps, nb, c.out[(img*s.K+k0)*hw:], hw, s.K*hw, n/16, k1-k0)
			} else {
				for t := t0; t < t0+n; { // runs of tiles within one image
					img, lt := c0+t/T, t%T
					run := min(T-lt, t0+n-t)
					c.winoInput(regPro, in, b.wv[t-t0:], vps, nb, src[(img-base)*s.C*hw:(img-base+1)*s.C*hw], lt/16, run/16)
					dyt(b.wm[t-t0:], mps, nb, c.out[(img*s.K+k0)*hw:(img+1)*s.K*hw], hw, s.H, s.W, lt/16, run/16, k1-k0)
					t += run
				}
			}
			if outer {
				// per position: its transformed inputs transposed into
				// wt, n tiles by C channels, then the products
				for pos := 0; pos < g.P; pos++ {
					impl.winoTr(b.wt, s.C, b.wv[pos*vps:], nb, s.C, n)
					impl.dwOuter(part[pos*s.K*s.C+k0*s.C:], s.C, b.wm[pos*mps:], nb, b.wt, s.C, n, k1-k0, s.C, t0 == 0)
				}
				continue
			}
			dw := impl.dw
			if t0 == 0 && impl.dwStore != nil {
				dw = impl.dwStore // the chunk's first block: part is not cleared
			}
			for pos := 0; pos < g.P; pos++ {
				dw(part[pos*s.K*s.C+k0*s.C:], s.C, b.wm, pos*mps, nb, 0, b.wv, pos*vps, 0, c.winoTiles, (k1-k0)/impl.dwK, n/16, 1, c.winoMask)
			}
		}
	}
}

// winoSumPiece is how many floats of the chunks' dU a worker adds at a time.
const winoSumPiece = 4096

// winoFilterSum adds the chunks' dU into chunk 0's, in chunk order, a piece
// of winoSumPiece floats at a time.
func (c *convCore) winoFilterSum() {
	n := c.bfStride
	for p := c.take() * winoSumPiece; p < n; p = c.take() * winoSumPiece {
		e := min(p+winoSumPiece, n)
		d := c.bfPart[p:e]
		for ch := 1; ch < c.bfChunks; ch++ {
			c.eltImpl(eltAdd, d, d, c.bfPart[ch*n+p:ch*n+e])
		}
	}
}

// winoFilterGrad transforms the summed dU into dw, for the output channels
// the worker takes one at a time.
func (c *convCore) winoFilterGrad(w int) {
	s, npos := c.s, c.winoG.P
	kc := s.K * s.C
	var u4 [36]float32
	var blk [36][16]float32 // 16 input channels' dU at every position
	for k := c.take(); k < s.K; k = c.take() {
		c0 := 0
		if npos == 36 && c.impl.winoFilterGrad4x8 != nil {
			// 8 input channels at a time, read in place
			taps := &c.bufs[w].taps
			for ; c0+8 <= s.C; c0 += 8 {
				c.impl.winoFilterGrad4x8(taps, c.bfPart[k*s.C+c0:], kc)
				d := c.bfDw[(k*s.C+c0)*9 : (k*s.C+c0+8)*9]
				for l := 0; l < 8; l++ {
					for t := 0; t < 9; t++ {
						d[9*l+t] = taps[8*t+l]
					}
				}
			}
		}
		for ; c0 < s.C; c0 += 16 {
			n := min(16, s.C-c0)
			for pos := 0; pos < npos; pos++ {
				copy(blk[pos][:n], c.bfPart[pos*kc+k*s.C+c0:])
			}
			for i := 0; i < n; i++ {
				for pos := 0; pos < npos; pos++ {
					u4[pos] = blk[pos][i]
				}
				at := k*s.C + c0 + i
				if npos == 36 {
					winoFilterGrad4(c.bfDw[at*9:at*9+9], &u4)
				} else {
					winoFilterGrad(c.bfDw[at*9:at*9+9], (*[16]float32)(u4[:16]))
				}
			}
		}
	}
}
