package kernel

// Winograd F(4×4, 3×3) for the maps 16 and 32 wide: an output tile of 4×4
// pixels is Y = Aᵀ [ (G g Gᵀ) ⊙ (Bᵀ d B) ] A for the 6×6 patch d around it,
// 36 products where F(2×2, 3×3) takes 64 for the same 16 outputs and the
// direct sum 144 (Lavin and Gray 2016; the matrices are theirs). The 36
// elementwise products become 36 GEMMs over the channels, as in wino.go.
// The transforms multiply only by powers of two, and by 5 in one rounded
// product, so that every kernel set computes the same bits; the filter
// transform, with its sixths, runs in float64.
//
// Its rounding error is larger than F(2×2)'s (the transforms' entries reach
// 8 and 1/24 in magnitude), as in the Winograd convolutions of cuDNN and
// oneDNN, which train with it in float32; the tests against float64 bound
// it. On maps 8 wide the forward pass and input gradient keep F(2×2), and
// the weight gradient runs F(4×4) with vectors that span four images (see
// winoLane8).

// winoBlock4 is how many tiles the F(4×4) transforms and products run at a
// time: one 32×32 image, whose 36 transformed planes of 16 channels take
// 147 KiB.
const winoBlock4 = 64

// winoFits4 reports whether s, which winoFits admits, runs as F(4×4, 3×3)
// with kernel set impl: maps 16 or 32 wide, rows a multiple of 4, whole
// vectors of 16 tiles.
func winoFits4(s ConvShape, impl *convKernels) bool {
	if impl.winoIn4 == nil || !winoFits(s, impl) || (s.W != 16 && s.W != 32) || s.H%4 != 0 {
		return false
	}
	return (s.H/4*s.W/4)%16 == 0
}

// winoGeometry4 is the tiling of an F(4×4) convolution on maps 16 or 32
// wide: as many images a group as winoBudget holds, rounded down to whole
// blocks of 32 tiles where an image has fewer (three images of 16 tiles,
// 48, filled two blocks of products and wasted a quarter of the second:
// two images a group ran the 32-channel 16×16 layers 10 to 30% faster in
// the kernel benchmark, paired training steps +2 to +4%).
func winoGeometry4(s ConvShape) winoGeom {
	g := winoGeom{th: s.H / 4, tw: s.W / 4, ts: 4, P: 36}
	g.T = g.th * g.tw
	g.G = max(1, min(s.N, winoBudget/(36*(s.C+s.K)*g.T*4)))
	if q := 32 / g.T; q > 1 && g.G > q {
		g.G -= g.G % q
	}
	g.NB = min(winoBlock4, roundUp(g.G*g.T, 32))
	return g
}

// winoG4 is G, 6×3.
var winoG4 = [6][3]float64{
	{1.0 / 4, 0, 0},
	{-1.0 / 6, -1.0 / 6, -1.0 / 6},
	{-1.0 / 6, 1.0 / 6, -1.0 / 6},
	{1.0 / 24, 1.0 / 12, 1.0 / 6},
	{1.0 / 24, -1.0 / 12, 1.0 / 6},
	{0, 0, 1},
}

// winoFilter4 returns U = G g Gᵀ, position 6i+j at u[6i+j], for the 3×3
// filter g (row major), computed in float64 and rounded once.
func winoFilter4(u *[36]float32, g []float32) {
	_ = g[8]
	var t [18]float64 // G g, 6 rows of 3: G's rows as sums
	for s := 0; s < 3; s++ {
		a, b, c := float64(g[s]), float64(g[3+s]), float64(g[6+s])
		ac := a + c
		t[s] = a * 0.25
		t[3+s] = -(ac + b) * sixth
		t[6+s] = -(ac - b) * sixth
		t[9+s] = a*twentyFourth + b*twelfth + c*sixth
		t[12+s] = a*twentyFourth - b*twelfth + c*sixth
		t[15+s] = c
	}
	for i := 0; i < 6; i++ {
		a, b, c := t[3*i], t[3*i+1], t[3*i+2]
		ac := a + c
		o := (*[6]float32)(u[6*i : 6*i+6])
		o[0] = float32(a * 0.25)
		o[1] = float32(-(ac + b) * sixth)
		o[2] = float32(-(ac - b) * sixth)
		o[3] = float32(a*twentyFourth + b*twelfth + c*sixth)
		o[4] = float32(a*twentyFourth - b*twelfth + c*sixth)
		o[5] = float32(c)
	}
}

// The fractions of G, rounded to float64 once: multiplying by them instead
// of dividing makes the filter transforms several times faster, and their
// float64 rounding stays far below the float32 result's.
const (
	sixth        = 1.0 / 6
	twelfth      = 1.0 / 12
	twentyFourth = 1.0 / 24
)

// winoIn41 is Bᵀ d for one line of 6 (a column of a patch, then a row of
// the result), in the order the assembly adds:
//
//	Bᵀ = [4 0 -5 0 1 0; 0 -4 -4 1 1 0; 0 4 -4 -1 1 0;
//	      0 -2 -1 2 1 0; 0 2 -1 -2 1 0; 0 4 0 -5 0 1].
func winoIn41(d [6]float32) (t [6]float32) {
	a := d[4] - 4*d[2]
	b := d[3] - 4*d[1]
	t[1], t[2] = a+b, a-b
	c := d[4] - d[2]
	e := d[3] - d[1]
	e += e
	t[3], t[4] = c+e, c-e
	// 5x is rounded on its own (the conversion keeps it out of an FMA)
	t[0] = (d[4] - float32(5*d[2])) + 4*d[0]
	t[5] = (d[5] - float32(5*d[3])) + 4*d[1]
	return t
}

// winoOut41 is Aᵀ m for one line of 6:
//
//	Aᵀ = [1 1 1 1 1 0; 0 1 -1 2 -2 0; 0 1 1 4 4 0; 0 1 -1 8 -8 1].
func winoOut41(m [6]float32) (o [4]float32) {
	s12, d12 := m[1]+m[2], m[1]-m[2]
	s34, d34 := m[3]+m[4], m[3]-m[4]
	o[0] = (m[0] + s12) + s34
	o[1] = d12 + 2*d34
	o[2] = s12 + 4*s34
	o[3] = (d12 + 8*d34) + m[5]
	return o
}

// winoIn4Go is the F(4×4) input transform, read straight from the source
// planes, with the arguments of winoInGo: V = Bᵀ d B, the columns of d
// first, position pos at v[pos·vs + tile].
func winoIn4Go(v []float32, vs, vc int, x []float32, xc, h, w, v0, nvec, nch int) {
	tw := w / 4
	for ch := 0; ch < nch; ch++ {
		img := x[ch*xc : ch*xc+h*w]
		for t := 16 * v0; t < 16*(v0+nvec); t++ {
			winoIn4Tile(v, vs, ch*vc+t-16*v0, img, h, w, t/tw, t%tw)
		}
	}
}

// winoIn4Tile writes V = Bᵀ d B, the columns of d first, of the tile at
// tile row ty, column tx of the h×w plane p (zero outside it) to
// v[pos·vs + o].
func winoIn4Tile(v []float32, vs, o int, p []float32, h, w, ty, tx int) {
	var c [6][6]float32 // Bᵀ d
	for j := 0; j < 6; j++ {
		var d [6]float32
		if col := 4*tx - 1 + j; col >= 0 && col < w {
			for i := range d {
				if r := 4*ty - 1 + i; r >= 0 && r < h {
					d[i] = p[r*w+col]
				}
			}
		}
		for k, e := range winoIn41(d) {
			c[k][j] = e
		}
	}
	for k := 0; k < 6; k++ {
		for j, e := range winoIn41(c[k]) {
			v[(6*k+j)*vs+o] = e
		}
	}
}

// winoOut4Go is the F(4×4) output transform, written straight into the
// output planes, with the arguments of winoOutGo: Y = Aᵀ M A, the columns
// of M first.
func winoOut4Go(y []float32, yc, h, w int, m []float32, ms, mc, v0, nvec, nch int) {
	tw := w / 4
	for ch := 0; ch < nch; ch++ {
		p := y[ch*yc : ch*yc+h*w]
		for t := 16 * v0; t < 16*(v0+nvec); t++ {
			winoOut4Tile(p, w, m, ms, ch*mc+t-16*v0, t/tw, t%tw)
		}
	}
}

// winoOut4Tile writes Y = Aᵀ M A, the columns of M first, of the products
// at m[pos·ms + o] to the tile at tile row ty, column tx of the plane p, w
// floats wide.
func winoOut4Tile(p []float32, w int, m []float32, ms, o, ty, tx int) {
	var r [4][6]float32 // Aᵀ M
	for j := 0; j < 6; j++ {
		var col [6]float32
		for i := range col {
			col[i] = m[(6*i+j)*ms+o]
		}
		for a, e := range winoOut41(col) {
			r[a][j] = e
		}
	}
	for a := 0; a < 4; a++ {
		q := winoOut41(r[a])
		copy(p[(4*ty+a)*w+4*tx:(4*ty+a)*w+4*tx+4], q[:])
	}
}

// winoDy41 is A y for one line of 4 (a column of a tile of the output
// gradient, then a row of the result), A = (Aᵀ)ᵀ, in the order the
// assembly adds.
func winoDy41(y [4]float32) (m [6]float32) {
	s02, s13 := y[0]+y[2], y[1]+y[3]
	t02 := y[0] + 4*y[2]
	u13 := y[1] + 4*y[3]
	u13 += u13
	m[0] = y[0]
	m[1], m[2] = s02+s13, s02-s13
	m[3], m[4] = t02+u13, t02-u13
	m[5] = y[3]
	return m
}

// winoDy4Go is the F(4×4) output-gradient transform dM = A dY Aᵀ, read
// straight from the dy planes, with the arguments of winoDyGo.
func winoDy4Go(m []float32, ms, mc int, dy []float32, yc, h, w, v0, nvec, nch int) {
	tw := w / 4
	for ch := 0; ch < nch; ch++ {
		p := dy[ch*yc : ch*yc+h*w]
		for t := 16 * v0; t < 16*(v0+nvec); t++ {
			winoDy4Tile(m, ms, ch*mc+t-16*v0, p, w, t/tw, t%tw)
		}
	}
}

// winoDy4Tile writes dM = A dY Aᵀ of the tile at tile row ty, column tx of
// the plane p, w floats wide, to m[pos·ms + o].
func winoDy4Tile(m []float32, ms, o int, p []float32, w, ty, tx int) {
	var c [6][4]float32 // A dY
	for b := 0; b < 4; b++ {
		var col [4]float32
		for a := range col {
			col[a] = p[(4*ty+a)*w+4*tx+b]
		}
		for k, e := range winoDy41(col) {
			c[k][b] = e
		}
	}
	for k := 0; k < 6; k++ {
		for j, e := range winoDy41(c[k]) {
			m[(6*k+j)*ms+o] = e
		}
	}
}

// winoFilterGrad4 writes dw = Gᵀ u G (3×3, row major) for the 6×6 u, in
// float64.
func winoFilterGrad4(dw []float32, u *[36]float32) {
	var t [18]float64 // Gᵀ u, 3 rows of 6: Gᵀ's rows as sums
	for j := 0; j < 6; j++ {
		v0, v1, v2 := float64(u[j]), float64(u[6+j]), float64(u[12+j])
		v3, v4, v5 := float64(u[18+j]), float64(u[24+j]), float64(u[30+j])
		t[j] = v0*0.25 - (v1+v2)*sixth + (v3+v4)*twentyFourth
		t[6+j] = (v2-v1)*sixth + (v3-v4)*twelfth
		t[12+j] = (v3+v4-v1-v2)*sixth + v5
	}
	_ = dw[8]
	for r := 0; r < 3; r++ {
		v := (*[6]float64)(t[6*r : 6*r+6])
		dw[3*r] = float32(v[0]*0.25 - (v[1]+v[2])*sixth + (v[3]+v[4])*twentyFourth)
		dw[3*r+1] = float32((v[2]-v[1])*sixth + (v[3]-v[4])*twelfth)
		dw[3*r+2] = float32((v[3]+v[4]-v[1]-v[2])*sixth + v[5])
	}
}

// The F(4×4) weight gradient also runs on maps 8×8 (the third stage of the
// CIFAR networks, where its kernel benchmark runs a third faster than
// F(2×2)'s): an image has 2×2 tiles, so a vector of 16 spans four images.
// The forward pass and the input gradient run it there too when the batch
// is a multiple of four (groups of 8 images, one block of 32 tiles):
// 64-64@8 forward 219-241 -> 270-310 GFLOP/s per core, input gradient
// 218-239 -> 296-310, against F(2×2), in the kernel benchmark.
// Lane l of a vector is slot l/4, tile l%4 of the slot: slot s holds tile
// row s%2 of images 2(s/2) and 2(s/2)+1 side by side, tiles 0 and 1 of the
// first, 2 and 3 of the second; the transforms are those of the 16-wide
// maps on these slots.

// winoLane8 is the image (of four) and tile row and column of lane l.
func winoLane8(l int) (img, ty, tx int) {
	s, q := l/4, l%4
	return 2*(s/2) + q/2, s % 2, q % 2
}

// winoPlane8 is the 8×8 plane of channel ch (planes xc floats apart) of the
// image tile t lies in, vectors of four images img floats apart from x[0],
// and the tile's row and column.
func winoPlane8(x []float32, img, xc, ch, t int) (p []float32, ty, tx int) {
	im, ty, tx := winoLane8(t % 16)
	o := (4*(t/16)+im)*img + ch*xc
	return x[o : o+64], ty, tx
}

// winoFitsOut4x8 reports whether the forward pass (or input gradient) s
// runs as F(4×4) on maps 8×8 with kernel set impl: vectors of four whole
// images, so the batch must be a multiple of four.
func winoFitsOut4x8(s ConvShape, impl *convKernels) bool {
	return impl.winoOut4x8 != nil && impl.winoIn4x8 != nil && winoFits(s, impl) && s.H == 8 && s.W == 8 && s.N%4 == 0
}

// winoGeometry4x8 is the tiling of such a convolution: groups of 8 images
// (fewer in a smaller batch), 32 tiles, one block. On 64 channels, in the
// kernel benchmark, groups of 8 ran 10 to 40% faster than groups of 4, 12,
// 16 or 32.
func winoGeometry4x8(s ConvShape) winoGeom {
	g := winoGeom{th: 2, tw: 2, ts: 4, P: 36, T: 4}
	g.G = min(s.N, 8)
	g.NB = min(winoBlock4, roundUp(g.G*g.T, 32))
	return g
}

// winoFits4x8 reports whether the weight gradient of s, which
// winoFilterFits admits, runs as F(4×4) on maps 8×8 with kernel set impl:
// every chunk of the batch (dwChunks of them) whole vectors of 16 tiles.
func winoFits4x8(s ConvShape, impl *convKernels) bool {
	if impl.winoIn4x8 == nil || s.H != 8 || s.W != 8 {
		return false
	}
	chunks := winoChunks4x8(s.N)
	for ch := 0; ch < chunks; ch++ {
		if c0, c1 := split(s.N, chunks, ch); (c1-c0)%4 != 0 {
			return false
		}
	}
	return true
}

// winoIn4x8Go is the F(4×4) input transform of maps 8×8: the nvec vectors
// of four images each from image 0 of x (images img floats apart, nch
// channels xc apart), written as winoIn4Go writes them.
func winoIn4x8Go(v []float32, vs, vc int, x []float32, xc, img, nvec, nch int) {
	for ch := 0; ch < nch; ch++ {
		for t := 0; t < 16*nvec; t++ {
			p, ty, tx := winoPlane8(x, img, xc, ch, t)
			winoIn4Tile(v, vs, ch*vc+t, p, 8, 8, ty, tx)
		}
	}
}

// winoDy4x8Go is winoDy4Go for maps 8×8, with the vectors of winoIn4x8Go.
func winoDy4x8Go(m []float32, ms, mc int, dy []float32, yc, img, nvec, nch int) {
	for ch := 0; ch < nch; ch++ {
		for t := 0; t < 16*nvec; t++ {
			p, ty, tx := winoPlane8(dy, img, yc, ch, t)
			winoDy4Tile(m, ms, ch*mc+t, p, 8, ty, tx)
		}
	}
}

// winoOut4x8Go is winoOut4Go for maps 8×8, with the vectors of
// winoIn4x8Go: the nvec vectors of four images each, from image 0 of y
// (images img floats apart, nch channels yc apart).
func winoOut4x8Go(y []float32, yc, img int, m []float32, ms, mc, nvec, nch int) {
	for ch := 0; ch < nch; ch++ {
		for t := 0; t < 16*nvec; t++ {
			p, ty, tx := winoPlane8(y, img, yc, ch, t)
			winoOut4Tile(p, 8, m, ms, ch*mc+t, ty, tx)
		}
	}
}

// winoChunks4x8 is how many chunks the batch of an F(4×4) weight gradient
// on maps 8×8 is summed in: 32 images each (128 tiles: 16 would be 2
// vectors a sum, 3-8% slower training steps), fewer only for a small batch.
func winoChunks4x8(n int) int { return max(1, min(dwChunks, n/32)) }
