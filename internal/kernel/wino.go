package kernel

// Winograd's minimal filtering F(2×2, 3×3) (Lavin and Gray, "Fast
// Algorithms for Convolutional Neural Networks", CVPR 2016) for the 3×3,
// stride-1, pad-1 convolutions that make up most of a CIFAR ResNet. An
// output tile of 2×2 pixels is
//
//	Y = Aᵀ [ (G g Gᵀ) ⊙ (Bᵀ d B) ] A
//
// for the 4×4 input patch d around it and the 3×3 filter g, which takes 16
// multiplications where the direct sum takes 36. Over the channels the
// elementwise products become 16 independent matrix products, one per
// position of the 4×4 tile,
//
//	M[pos][k][tile] = Σ_c U[pos][k][c] · V[pos][c][tile],
//
// which the forward kernel computes as a GEMM whose taps are channels
// (every lane valid, so no masks). The transforms only add and subtract,
// in a fixed order, so their results do not depend on the kernel set; the
// products are summed over the channels in order, like the direct kernel's
// taps. The input gradient of such a convolution is the same convolution of
// dy with the filters flipped and transposed, and runs here too.
//
// Tiles are numbered row by row over an image (th×tw of them) and then over
// the images of a group, so that small maps still fill whole vectors.

// The pool's operations of the Winograd convolutions: a forward
// convolution (or input gradient), the filter transform before it, and a
// weight gradient's chunk sums and their total (wino_filter.go).
const (
	opWino = opElt + 1 + iota
	opWinoPack
	opWinoFilter
	opWinoFilterSum
	opWinoFilterGrad
)

// winoGeom is the tiling of one Winograd convolution.
type winoGeom struct {
	ts, P     int // tile size (2 or 4) and positions of a transformed tile (16 or 36)
	th, tw, T int // tile rows and columns of an image, and their number
	G         int // images per group
	NB        int // tiles per block: winoBlock, or a group's tiles if fewer
}

// winoFits reports whether s runs as Winograd F(2×2, 3×3) with kernel set
// impl. The tile columns of an image must divide a 16-lane vector, or be
// 16, so that every vector sees the same pattern of row ends; the output
// channels must fill whole 8-channel blocks.
func winoFits(s ConvShape, impl *convKernels) bool {
	if impl.winoIn == nil || s.R != 3 || s.S != 3 || s.Stride != 1 || s.Pad != 1 {
		return false
	}
	if s.H%2 != 0 || s.W%2 != 0 || s.K%8 != 0 || s.C < 8 {
		return false
	}
	tw := s.W / 2
	return (tw == 4 || tw == 8 || tw == 16) && (s.H/2*tw)%16 == 0
}

// ConvAlgorithm names how the float32 kernels of this machine run the
// convolution s: "winograd-4x4" (F(4×4, 3×3)), "winograd-2x2" or "direct".
// filter asks about the weight gradient, data about the input gradient,
// else the forward pass.
func ConvAlgorithm(s ConvShape, filter, data bool) string {
	if data {
		s = s.transposed()
	}
	switch {
	case s.Validate() != nil:
	case filter && winoFilterFits4(s, bestKernels):
		return "winograd-4x4"
	case filter && winoFilterFits(s, bestKernels):
		return "winograd-2x2"
	case !filter && (winoFits4(s, bestKernels) || winoFitsOut4x8(s, bestKernels)):
		return "winograd-4x4"
	case !filter && winoFits(s, bestKernels):
		return "winograd-2x2"
	}
	return "direct"
}

// winoBudget sets the images of a group: as many as have 16·(C+K) floats
// per tile (36·(C+K) for F(4×4)) in this many bytes (one image of 16 channels at 32×32, four of
// 32 at 16×16, four of 64 at 8×8), so that the blocks of tiles span
// several small images.
const winoBudget = 512 << 10

// winoBlock is how many tiles the transforms and products run at a time,
// or fewer when a group has fewer (the transformed data are laid out for a
// block, and a sparse layout costs cache): of 32, 64, 128 and 256, 64 and
// 128 were the fastest, 32 a third slower on the 16- and 32-channel layers.
const winoBlock = 128

func winoGeometry(s ConvShape) winoGeom {
	g := winoGeom{th: s.H / 2, tw: s.W / 2, ts: 2, P: 16}
	g.T = g.th * g.tw
	g.G = max(1, min(s.N, winoBudget/(16*(s.C+s.K)*g.T*4)))
	g.NB = min(winoBlock, roundUp(g.G*g.T, 32))
	return g
}

// winoMasks are the lanes of a vector of tiles whose left (tile column 0)
// and right (last tile column) neighbours lie in the same tile row.
func winoMasks(tw int) (left, right uint16) {
	switch tw { // the widths winoFits admits, without the loop
	case 4:
		return 0xeeee, 0x7777
	case 8:
		return 0xfefe, 0x7f7f
	case 16:
		return 0xfffe, 0x7fff
	}
	for l := 0; l < 16; l++ {
		if l%tw != 0 {
			left |= 1 << l
		}
		if l%tw != tw-1 {
			right |= 1 << l
		}
	}
	return left, right
}

// winoFilter returns U = G g Gᵀ, position 4i+j at u[4i+j], for the 3×3
// filter g (row major).
func winoFilter(u *[16]float32, g []float32) {
	var t [4][3]float32 // G g
	for s := 0; s < 3; s++ {
		g0, g1, g2 := g[s], g[3+s], g[6+s]
		t[0][s] = g0
		t[1][s] = (g0 + g1 + g2) * 0.5
		t[2][s] = (g0 - g1 + g2) * 0.5
		t[3][s] = g2
	}
	for i := 0; i < 4; i++ {
		r0, r1, r2 := t[i][0], t[i][1], t[i][2]
		u[4*i+0] = r0
		u[4*i+1] = (r0 + r1 + r2) * 0.5
		u[4*i+2] = (r0 - r1 + r2) * 0.5
		u[4*i+3] = r2
	}
}

// packWino stores the transformed filters in the forward kernel's layout,
// one matrix per position: up[pos·ko·ci + (kb·ci + i)·8 + j] = U[8kb+j][i][pos].
// For the forward pass ko, ci = K, C and the filter of (o, i) is w[o][i];
// for the input gradient ko, ci = C, K and it is w[i][o] turned by 180°.
// It packs the output channels o0 ≤ o < o1.
func packWino(up, w []float32, s ConvShape, data bool, o0, o1, npos int, impl *convKernels, g8 *[72]float32) {
	ko, ci := s.K, s.C
	if data {
		ko, ci = s.C, s.K
	}
	if npos == 36 && o1-o0 == 8 && impl.winoFilter4x8 != nil {
		// the block's 8 filters of each input channel at once, their taps
		// gathered tap by tap into g8
		for i := 0; i < ci; i++ {
			for l := 0; l < 8; l++ {
				if o := o0 + l; data {
					src := w[(i*s.C+o)*9 : (i*s.C+o+1)*9]
					for t := range 9 {
						g8[8*t+l] = src[8-t]
					}
				} else {
					src := w[(o*s.C+i)*9 : (o*s.C+i+1)*9]
					for t := range 9 {
						g8[8*t+l] = src[t]
					}
				}
			}
			impl.winoFilter4x8(up[(o0/8*ci+i)*8:], ko*ci, g8)
		}
		return
	}
	var g [9]float32
	var u4 [36]float32
	u := u4[:npos]
	for o := o0; o < o1; o++ {
		for i := 0; i < ci; i++ {
			if data {
				src := w[(i*s.C+o)*9 : (i*s.C+o+1)*9]
				for t := range g {
					g[t] = src[8-t]
				}
			} else {
				copy(g[:], w[(o*s.C+i)*9:(o*s.C+i+1)*9])
			}
			if npos == 36 {
				winoFilter4(&u4, g[:])
			} else {
				winoFilter((*[16]float32)(u), g[:])
			}
			at := (o/8*ci+i)*8 + o%8
			for pos, v := range u {
				up[pos*ko*ci+at] = v
			}
		}
	}
}

// winoF32 runs the Winograd convolution s, as a forward convolution from
// src into dst, or as the input gradient (data set: dy into dx) with the
// filters flipped and transposed.
func (c *convCore) winoF32(dst, src, w []float32, s ConvShape, data bool, nw int) {
	so := s
	if data {
		so = s.transposed()
	}
	g := winoGeometry(so)
	switch {
	case winoFits4(so, c.impl):
		g = winoGeometry4(so)
	case winoFitsOut4x8(so, c.impl):
		g = winoGeometry4x8(so)
	}
	c.winoG = g
	c.wpack = grow(c.wpack, g.P*so.K*so.C)
	// The workers transform the filters, 8 output channels at a time.
	c.op, c.s, c.winoW, c.winoData = opWinoPack, s, w, data
	c.next.Store(0)
	c.ensureBufs(min(nw, so.K/8))
	c.run(min(nw, so.K/8))
	c.winoW = nil
	c.winoOffs = c.winoOffs[:0]
	for i := 0; i < so.C; i++ {
		c.winoOffs = append(c.winoOffs, i*g.NB)
	}
	c.winoRange = offsRange(c.winoOffs)
	c.winoCls = [1]int{so.C}
	nw = min(nw, (s.N+g.G-1)/g.G)
	scratch := c.winoScratch(g, so, nw)
	c.op, c.s, c.nw, c.out, c.in = opWino, so, nw, dst[:so.N*so.K*so.H*so.W], src[:so.N*so.C*so.H*so.W]
	c.next.Store(0)
	c.run(nw)
	c.winoDone(scratch, nw)
	c.out, c.in = nil, nil
}

// winoScratch sets up the call's geometry g (of s as a forward
// convolution), its all-lanes mask and the block buffers of nw workers,
// from the free list the weight gradients share, so that a deep network
// holds one set, not one per layer. winoDone gives them back.
func (c *convCore) winoScratch(g winoGeom, s ConvShape, nw int) []float32 {
	c.winoG = g
	c.winoMask = c.winoMask[:0]
	for i := 0; i <= g.NB/16; i++ { // one more: the AVX2 kernel reads mask words as 32 bits
		c.winoMask = append(c.winoMask, 0xffff)
	}
	c.ensureBufs(nw)
	nv, nm := g.P*(s.C*g.NB+16), g.P*(s.K*g.NB+16)
	scratch := takeScratch(nw * (nv + nm))
	for i := 0; i < nw; i++ {
		b, f := &c.bufs[i], scratch[i*(nv+nm):(i+1)*(nv+nm)]
		b.wv, b.wm = f[:nv], f[nv:]
	}
	return scratch
}

func (c *convCore) winoDone(scratch []float32, nw int) {
	giveScratch(scratch)
	for i := 0; i < nw; i++ {
		c.bufs[i].wv, c.bufs[i].wm = nil, nil
	}
}

// winoPackWork transforms the filters of the output-channel blocks worker
// w takes.
func (c *convCore) winoPackWork(w int) {
	ko := c.s.K
	if c.winoData {
		ko = c.s.C
	}
	for kb := c.take(); 8*kb < ko; kb = c.take() {
		packWino(c.wpack, c.winoW, c.s, c.winoData, 8*kb, min(ko, 8*kb+8), c.winoG.P, c.impl, &c.bufs[w].taps)
	}
}

// winoWork computes the groups of images worker w takes, in blocks of
// winoBlock tiles: the input transform of the block's tiles, read straight
// from the source planes, the 16 products, and the output transform,
// written straight into the output planes, with data in between that stay
// in L1 or near it. The output rows a block completes then get the forward
// call's epilogue, if any, while they are in cache.
func (c *convCore) winoWork(w int) {
	s, g, b, impl := c.s, c.winoG, &c.bufs[w], c.impl
	hw, T, tw := s.H*s.W, g.T, g.tw
	nb := g.NB
	in, out := impl.winoIn, impl.winoOut
	if g.ts == 4 {
		in, out = impl.winoIn4, impl.winoOut4
	}
	// The positions' planes are a cache line longer than their data, so
	// that the 16 streams of a transform do not fall in one cache set.
	vps, mps := s.C*nb+16, s.K*nb+16
	regPro := c.proInRegisters(g)
	for gi := c.take(); gi*g.G < s.N; gi = c.take() {
		n0 := gi * g.G
		ng := min(g.G, s.N-n0)
		src, base := c.in, 0
		if !regPro {
			src, base = c.proImages(b, n0, n0+ng)
		}
		done := 0 // output rows finished, over the group
		nt := ng * T
		for t0 := 0; t0 < nt; t0 += nb {
			n := min(nb, nt-t0)
			if T < 16 { // maps 8×8 under F(4×4): vectors of four whole images
				img := n0 + t0/T - base
				c.winoInput4x8(regPro, b.wv, vps, nb, src[img*s.C*hw:], n/16)
			} else {
				// Runs of tiles within one image, whole vectors each.
				for t := t0; t < t0+n; {
					gg, lt := t/T, t%T
					run := min(T-lt, t0+n-t)
					img := n0 + gg - base
					c.winoInput(regPro, in, b.wv[t-t0:], vps, nb, src[img*s.C*hw:(img+1)*s.C*hw], lt/16, run/16)
					t += run
				}
			}
			nblk := roundUp(n, impl.fwdPix) / impl.fwdPix
			if impl.winoGemm != nil {
				impl.winoGemm(b.wm, nb, mps, b.wv, vps, c.wpack, s.K*s.C, s.C, nblk, s.K/8, g.P)
			} else {
				for pos := 0; pos < g.P; pos++ {
					impl.fwd(b.wm[pos*mps:], nb, b.wv, pos*vps, c.winoOffs, c.winoRange, c.wpack[pos*s.K*s.C:], s.C, nblk, s.K/8, c.winoCls[:], c.winoMask, 0)
				}
			}
			if T < 16 {
				img := n0 + t0/T
				impl.winoOut4x8(c.out[img*s.K*hw:], hw, s.K*hw, b.wm, mps, nb, n/16, s.K)
			} else {
				for t := t0; t < t0+n; {
					gg, lt := t/T, t%T
					run := min(T-lt, t0+n-t)
					out(c.out[(n0+gg)*s.K*hw:(n0+gg+1)*s.K*hw], hw, s.H, s.W, b.wm[t-t0:], mps, nb, lt/16, run/16, s.K)
					t += run
				}
			}
			e, ge := c.epi, c.gepi
			for end := g.ts * ((t0 + n) / tw); (e != nil || ge.on()) && done < end; {
				gg, r := done/s.H, done%s.H
				nr := min(end-done, s.H-r)
				at := (n0 + gg) * s.K * hw
				y := c.out[at : at+s.K*hw]
				if ge.on() && r == 0 && nr == s.H {
					ge.apply(c.eltImpl, y, at) // whole images at once
				} else {
					for k := 0; k < s.K; k++ {
						p := y[k*hw+r*s.W : k*hw+(r+nr)*s.W]
						if e != nil {
							c.bnImpl.apply(p, p, len(p), 1, len(p), e.Scale[k], e.Shift[k], e.ReLU, false)
						} else {
							ge.apply(c.eltImpl, p, at+k*hw+r*s.W)
						}
					}
				}
				done += nr
			}
		}
		if c.planes != nil {
			// the group's output planes, still in cache: their sums
			for p := n0 * s.K; p < (n0+ng)*s.K; p++ {
				c.bnImpl.planeSum(c.planes, c.out, hw, p)
			}
		}
	}
}

// winoInput runs the input transform in of the call in progress on the
// tiles of one image x from vector v0, or, with regPro, winoIn4Pro, which
// applies the call's prologue in registers (see proInRegisters).
func (c *convCore) winoInput(regPro bool, in func(v []float32, vs, vc int, x []float32, xc, h, w, v0, nvec, nch int), v []float32, vs, vc int, x []float32, v0, nvec int) {
	s := c.s
	if regPro {
		c.impl.winoIn4Pro(v, vs, vc, x, s.H*s.W, s.H, s.W, v0, nvec, s.C, c.pro)
		return
	}
	in(v, vs, vc, x, s.H*s.W, s.H, s.W, v0, nvec, s.C)
}

// winoInput4x8 is winoInput for maps 8×8 under F(4×4): nvec vectors of
// four images each from x.
func (c *convCore) winoInput4x8(regPro bool, v []float32, vs, vc int, x []float32, nvec int) {
	s := c.s
	if regPro {
		c.impl.winoIn4x8Pro(v, vs, vc, x, s.H*s.W, s.C*s.H*s.W, nvec, s.C, c.pro)
		return
	}
	c.impl.winoIn4x8(v, vs, vc, x, s.H*s.W, s.C*s.H*s.W, nvec, s.C)
}

// winoInGo is the input transform, read straight from the source planes:
// the nvec vectors of 16 tiles from vector v0 of an image of h rows of w
// floats, for nch channels, planes xc floats apart in x and transforms vc
// apart in v. It writes V at position pos to v[pos·vs + tile].
func winoInGo(v []float32, vs, vc int, x []float32, xc, h, w, v0, nvec, nch int) {
	tw := w / 2
	for ch := 0; ch < nch; ch++ {
		img := x[ch*xc : ch*xc+h*w]
		for t := 16 * v0; t < 16*(v0+nvec); t++ {
			ty, tx := t/tw, t%tw
			var c [4][4]float32 // d B, row by row
			for i := 0; i < 4; i++ {
				var d [4]float32
				if r := 2*ty - 1 + i; r >= 0 && r < h {
					for j := range d {
						if col := 2*tx - 1 + j; col >= 0 && col < w {
							d[j] = img[r*w+col]
						}
					}
				}
				c[i] = [4]float32{d[0] - d[2], d[1] + d[2], d[2] - d[1], d[1] - d[3]}
			}
			o := ch*vc + t - 16*v0
			for j := 0; j < 4; j++ { // Bᵀ (d B)
				v[j*vs+o] = c[0][j] - c[2][j]
				v[(4+j)*vs+o] = c[1][j] + c[2][j]
				v[(8+j)*vs+o] = c[2][j] - c[1][j]
				v[(12+j)*vs+o] = c[1][j] - c[3][j]
			}
		}
	}
}

// winoOutGo is the output transform, written straight into the output
// planes (h rows of w floats, yc apart, for nch channels): the nvec
// vectors of 16 tiles from vector v0, from the products at m (positions ms
// apart, channels mc apart).
func winoOutGo(y []float32, yc, h, w int, m []float32, ms, mc, v0, nvec, nch int) {
	tw := w / 2
	for ch := 0; ch < nch; ch++ {
		p := y[ch*yc : ch*yc+h*w]
		for t := 16 * v0; t < 16*(v0+nvec); t++ {
			ty, tx := t/tw, t%tw
			o := ch*mc + t - 16*v0
			var r [2][4]float32 // Aᵀ M
			for j := 0; j < 4; j++ {
				m0, m1, m2, m3 := m[j*ms+o], m[(4+j)*ms+o], m[(8+j)*ms+o], m[(12+j)*ms+o]
				r[0][j] = m0 + m1 + m2
				r[1][j] = m1 - m2 - m3
			}
			for a := 0; a < 2; a++ { // (Aᵀ M) A
				row := p[(2*ty+a)*w+2*tx:]
				row[0] = r[a][0] + r[a][1] + r[a][2]
				row[1] = r[a][1] - r[a][2] - r[a][3]
			}
		}
	}
}
