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

// winoGeom is the tiling of one Winograd convolution.
type winoGeom struct {
	th, tw, T int // tile rows and columns of an image, and their number
	G         int // images per group
	plane     int // floats of one phase plane of the split source
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
// convolution s: "winograd" or "direct". filter asks about the weight
// gradient (always direct), data about the input gradient, else the
// forward pass.
func ConvAlgorithm(s ConvShape, filter, data bool) string {
	if data {
		s.C, s.K = s.K, s.C
	}
	if !filter && s.Validate() == nil && winoFits(s, bestKernels) {
		return "winograd"
	}
	return "direct"
}

// winoRows reports whether the transforms of g read and write the planes
// in place, without phases.
func winoRows(g winoGeom, impl *convKernels) bool {
	return impl.winoInRows != nil && g.tw >= 8
}

// winoBudget sets the images of a group: as many as have 16·(C+K) floats
// per tile in this many bytes (one image of 16 channels at 32×32, four of
// 32 at 16×16, four of 64 at 8×8). A group's split sources and output
// tiles, a quarter of that, stay in the core's L2 cache.
const winoBudget = 512 << 10

// winoBlock is how many tiles the transforms and products run at a time:
// of 32, 64, 128 and 256, 128 was the fastest on the 16- and 32-channel
// layers of a ResNet and as fast as any on the 64-channel ones.
const winoBlock = 128

func winoGeometry(s ConvShape) winoGeom {
	g := winoGeom{th: s.H / 2, tw: s.W / 2}
	g.T = g.th * g.tw
	g.G = max(1, min(s.N, winoBudget/(16*(s.C+s.K)*g.T*4)))
	g.plane = g.T + 2*g.tw + 2
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
func packWino(up, w []float32, s ConvShape, data bool) {
	ko, ci := s.K, s.C
	if data {
		ko, ci = s.C, s.K
	}
	var g [9]float32
	var u [16]float32
	for o := 0; o < ko; o++ {
		for i := 0; i < ci; i++ {
			if data {
				src := w[(i*s.C+o)*9 : (i*s.C+o+1)*9]
				for t := range g {
					g[t] = src[8-t]
				}
			} else {
				copy(g[:], w[(o*s.C+i)*9:(o*s.C+i+1)*9])
			}
			winoFilter(&u, g[:])
			at := (o/8*ci+i)*8 + o%8
			for pos, v := range u {
				up[pos*ko*ci+at] = v
			}
		}
	}
}

// winoInGo is the input transform of nvec vectors of 16 tiles of each of
// nch channels, the i-th at v[i·vc:] and ph[i·pc:]. For one channel, ph holds the four phases of the channel's plane (even rows' even
// and odd columns, then odd rows'), each plane floats long with its data at
// tw+1, after a zero and a zero row and before a zero row and a zero. It
// writes V at position pos to v[pos·vs + tile].
func winoInGo(v []float32, vs, vc int, ph []float32, plane, pc, tw, nvec, nch int) {
	for i := 0; i < nch; i++ {
		winoIn1(v[i*vc:], vs, ph[i*pc:], plane, tw, nvec)
	}
}

func winoIn1(v []float32, vs int, ph []float32, plane, tw, nvec int) {
	left, right := winoMasks(tw)
	o := tw + 1
	e0, o0, e1, o1 := o, plane+o, 2*plane+o, 3*plane+o
	// The patch of tile row ty spans source rows 2ty-1 .. 2ty+2: odd row
	// ty-1, even row ty, odd row ty, even row ty+1; its columns likewise
	// odd tx-1, even tx, odd tx, even tx+1.
	rowE := [4]int{e1 - tw, e0, e1, e0 + tw}
	rowO := [4]int{o1 - tw, o0, o1, o0 + tw}
	for t := 0; t < 16*nvec; t++ {
		l := t % 16
		var c [4][4]float32 // d B, row by row
		for i := 0; i < 4; i++ {
			var d0, d3 float32
			if left>>l&1 != 0 {
				d0 = ph[rowO[i]+t-1]
			}
			d1, d2 := ph[rowE[i]+t], ph[rowO[i]+t]
			if right>>l&1 != 0 {
				d3 = ph[rowE[i]+t+1]
			}
			c[i] = [4]float32{d0 - d2, d1 + d2, d2 - d1, d1 - d3}
		}
		for j := 0; j < 4; j++ { // Bᵀ (d B)
			v[j*vs+t] = c[0][j] - c[2][j]
			v[(4+j)*vs+t] = c[1][j] + c[2][j]
			v[(8+j)*vs+t] = c[2][j] - c[1][j]
			v[(12+j)*vs+t] = c[1][j] - c[3][j]
		}
	}
}

// winoOutGo is the output transform of nvec vectors of 16 tiles of each
// of nch output channels, the i-th at q[i·qc:] and m[i·mc:]. For one, from the products at m[pos·ms + tile] it writes the four
// phases of the 2×2 tiles (even rows' even and odd columns, then odd rows')
// to q, T floats apart.
func winoOutGo(q []float32, T, qc int, m []float32, ms, mc, nvec, nch int) {
	for i := 0; i < nch; i++ {
		winoOut1(q[i*qc:], T, m[i*mc:], ms, nvec)
	}
}

func winoOut1(q []float32, T int, m []float32, ms, nvec int) {
	for t := 0; t < 16*nvec; t++ {
		var r [2][4]float32 // Aᵀ M
		for j := 0; j < 4; j++ {
			m0, m1, m2, m3 := m[j*ms+t], m[(4+j)*ms+t], m[(8+j)*ms+t], m[(12+j)*ms+t]
			r[0][j] = m0 + m1 + m2
			r[1][j] = m1 - m2 - m3
		}
		for a := 0; a < 2; a++ { // (Aᵀ M) A
			q[2*a*T+t] = r[a][0] + r[a][1] + r[a][2]
			q[(2*a+1)*T+t] = r[a][1] - r[a][2] - r[a][3]
		}
	}
}

// winoF32 runs the Winograd convolution s, as a forward convolution from
// src into dst, or as the input gradient (data set: dy into dx) with the
// filters flipped and transposed.
func (c *convCore) winoF32(dst, src, w []float32, s ConvShape, data bool, nw int) {
	so := s
	if data {
		so.C, so.K = s.K, s.C
	}
	g := winoGeometry(so)
	c.wpack = grow(c.wpack, 16*so.K*so.C)
	packWino(c.wpack, w, s, data)
	if c.winoG != g || len(c.winoOffs) != so.C {
		c.winoG = g
		c.winoOffs = c.winoOffs[:0]
		for i := 0; i < so.C; i++ {
			c.winoOffs = append(c.winoOffs, i*winoBlock)
		}
		c.winoRange = offsRange(c.winoOffs)
		c.winoCls = [1]int{so.C}
		c.winoMask = c.winoMask[:0]
		for i := 0; i < winoBlock/16; i++ {
			c.winoMask = append(c.winoMask, 0xffff)
		}
	}
	groups := (s.N + g.G - 1) / g.G
	nw = min(nw, groups)
	// The workers' scratch comes from the free list the weight gradients
	// share, so that a deep network holds one set, not one per layer.
	c.ensureBufs(nw)
	nph, nv, nm, nq := g.G*so.C*4*g.plane, 16*(so.C*winoBlock+16), 16*(so.K*winoBlock+16), g.G*so.K*4*g.T
	if winoRows(g, c.impl) {
		nph, nq = 0, 0 // no phases
	}
	per := nph + nv + nm + nq
	scratch := takeScratch(nw * per)
	for i := 0; i < nw; i++ {
		b, f := &c.bufs[i], scratch[i*per:(i+1)*per]
		b.wph, f = f[:nph], f[nph:]
		b.wv, f = f[:nv], f[nv:]
		b.wm, b.wq = f[:nm], f[nm:]
	}
	c.op, c.s, c.nw, c.out, c.in = opWino, so, nw, dst[:so.N*so.K*so.H*so.W], src[:so.N*so.C*so.H*so.W]
	c.next.Store(0)
	c.run(nw)
	giveScratch(scratch)
	for i := 0; i < nw; i++ {
		b := &c.bufs[i]
		b.wph, b.wv, b.wm, b.wq = nil, nil, nil, nil
	}
	c.out, c.in = nil, nil
}

// winoWork computes the groups of images worker w takes, in blocks of
// winoBlock tiles: the input transform of the block's tiles, the 16
// products and the output transform, whose data stay in L1 or near it.
// The source rows a block needs are split into their phases just before
// it, and the output rows it completes are merged into their planes (with
// the forward call's epilogue, if any) right after it, so that reading the
// sources and writing the outputs spread over the computation.
func (c *convCore) winoWork(w int) {
	s, g, b, impl := c.s, c.winoG, &c.bufs[w], c.impl
	hw, pl, o, T, tw := s.H*s.W, g.plane, g.tw+1, g.T, g.tw
	nb := winoBlock
	// The positions' planes are a cache line longer than their data, so
	// that the 16 streams of a transform do not fall in one cache set.
	vps, mps := s.C*nb+16, s.K*nb+16
	rows := winoRows(g, impl)
	// The zero margins of the phase planes, which split never writes.
	for p := 0; p < len(b.wph)/pl; p++ {
		clear(b.wph[p*pl : p*pl+o])
		clear(b.wph[p*pl+o+T : (p+1)*pl])
	}
	for gi := c.take(); gi*g.G < s.N; gi = c.take() {
		n0 := gi * g.G
		ng := min(g.G, s.N-n0)
		split, merged := 0, 0 // source and output rows done, over the group
		nt := ng * T
		for t0 := 0; t0 < nt; t0 += nb {
			n := min(nb, nt-t0)
			// The last tile row of the block reads the even row below it.
			need := min(ng*s.H, 2*((t0+n-1)/tw+1)+2)
			for split < need && !rows {
				gg, r := split/s.H, split%s.H
				nr := min(need-split, s.H-r)
				nr += nr % 2 // whole row pairs: the images have an even height
				img := c.in[(n0+gg)*s.C*hw : (n0+gg+1)*s.C*hw]
				for ch := 0; ch < s.C; ch++ {
					ph := b.wph[(gg*s.C+ch)*4*pl+o+r/2*tw:]
					impl.split(ph, ph[pl:], ph[2*pl:], ph[3*pl:], img[ch*hw+r*s.W:], nr, tw)
				}
				split += nr
			}
			// Runs of tiles within one image, whole vectors each.
			for t := t0; t < t0+n; {
				gg, lt := t/T, t%T
				run := min(T-lt, t0+n-t)
				if rows {
					impl.winoInRows(b.wv[t-t0:], vps, nb, c.in[(n0+gg)*s.C*hw:(n0+gg+1)*s.C*hw], hw, s.H, s.W, lt/16, run/16, s.C)
				} else {
					impl.winoIn(b.wv[t-t0:], vps, nb, b.wph[gg*s.C*4*pl+lt:], pl, 4*pl, tw, run/16, s.C)
				}
				t += run
			}
			nblk := roundUp(n, impl.fwdPix) / impl.fwdPix
			for pos := 0; pos < 16; pos++ {
				impl.fwd(b.wm[pos*mps:], nb, b.wv, pos*vps, c.winoOffs, c.winoRange, c.wpack[pos*s.K*s.C:], s.C, nblk, s.K/8, c.winoCls[:], c.winoMask, 0)
			}
			for t := t0; t < t0+n; {
				gg, lt := t/T, t%T
				run := min(T-lt, t0+n-t)
				if rows {
					impl.winoOutRows(c.out[(n0+gg)*s.K*hw:(n0+gg+1)*s.K*hw], hw, s.H, s.W, b.wm[t-t0:], mps, nb, lt/16, run/16, s.K)
				} else {
					impl.winoOut(b.wq[gg*s.K*4*T+lt:], T, 4*T, b.wm[t-t0:], mps, nb, run/16, s.K)
				}
				t += run
			}
			done := 2 * ((t0 + n) / tw) // output rows complete, over the group
			for merged < done {
				gg, r := merged/s.H, merged%s.H
				nr := min(done-merged, s.H-r)
				y := c.out[(n0+gg)*s.K*hw : (n0+gg+1)*s.K*hw]
				for k := 0; k < s.K; k++ {
					p := y[k*hw+r*s.W : k*hw+(r+nr)*s.W]
					if !rows {
						q := b.wq[(gg*s.K+k)*4*T+r/2*tw:]
						impl.merge(p, q, q[T:], q[2*T:], q[3*T:], nr, tw)
					}
					if e := c.epi; e != nil {
						c.bnImpl.apply(p, p, len(p), 1, len(p), e.Scale[k], e.Shift[k], e.ReLU)
					}
				}
				merged += nr
			}
		}
	}
}

// winoInRowsGo is the input transform read straight from the source planes,
// for images whose tile rows are 8 or 16 tiles wide (a vector holds one or
// two whole tile rows): the nvec vectors of 16 tiles from vector v0 of an
// image of h rows of w floats, for nch channels, planes xc floats apart in x
// and transforms vc apart in v. It computes what winoInGo computes from the
// phases, in the same order.
func winoInRowsGo(v []float32, vs, vc int, x []float32, xc, h, w, v0, nvec, nch int) {
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

// winoOutRowsGo is the output transform written straight into the output
// planes (h rows of w floats, yc apart, for nch channels), for the nvec
// vectors of 16 tiles from vector v0, from the products at m (positions ms
// apart, channels mc apart). It computes what winoOutGo computes, in the
// same order.
func winoOutRowsGo(y []float32, yc, h, w int, m []float32, ms, mc, v0, nvec, nch int) {
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
