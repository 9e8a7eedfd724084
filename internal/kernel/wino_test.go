package kernel

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

func TestWinoFits(t *testing.T) {
	for _, c := range []struct {
		s    ConvShape
		want bool
	}{
		{ConvShape{N: 128, C: 16, H: 32, W: 32, K: 16, R: 3, S: 3, Stride: 1, Pad: 1}, true},
		{ConvShape{N: 128, C: 32, H: 16, W: 16, K: 32, R: 3, S: 3, Stride: 1, Pad: 1}, true},
		{ConvShape{N: 1, C: 64, H: 8, W: 8, K: 64, R: 3, S: 3, Stride: 1, Pad: 1}, true},
		{ConvShape{N: 128, C: 3, H: 32, W: 32, K: 16, R: 3, S: 3, Stride: 1, Pad: 1}, false},  // the stem: too few channels
		{ConvShape{N: 128, C: 16, H: 32, W: 32, K: 32, R: 3, S: 3, Stride: 2, Pad: 1}, false}, // strided
		{ConvShape{N: 128, C: 16, H: 28, W: 28, K: 16, R: 3, S: 3, Stride: 1, Pad: 1}, false}, // 14 tile columns
		{ConvShape{N: 128, C: 16, H: 6, W: 8, K: 16, R: 3, S: 3, Stride: 1, Pad: 1}, false},   // 12 tiles per image
		{ConvShape{N: 128, C: 16, H: 8, W: 8, K: 12, R: 3, S: 3, Stride: 1, Pad: 1}, false},   // K not whole blocks
		{ConvShape{N: 128, C: 16, H: 8, W: 8, K: 16, R: 1, S: 1, Stride: 1, Pad: 0}, false},   // 1×1
		{ConvShape{N: 128, C: 16, H: 8, W: 8, K: 16, R: 3, S: 3, Stride: 1, Pad: 0}, false},   // no padding
		{ConvShape{N: 128, C: 16, H: 64, W: 64, K: 16, R: 3, S: 3, Stride: 1, Pad: 1}, false}, // 32 tile columns
	} {
		if got := winoFits(c.s, goKernels); got != c.want {
			t.Errorf("winoFits(%+v) = %v, want %v", c.s, got, c.want)
		}
		if winoFits(c.s, goCopyKernels) {
			t.Errorf("winoFits(%+v) with a set without transforms", c.s)
		}
	}
}

// TestWinoFilter checks U = G g Gᵀ against its definition in float64.
func TestWinoFilter(t *testing.T) {
	G := [4][3]float64{{1, 0, 0}, {0.5, 0.5, 0.5}, {0.5, -0.5, 0.5}, {0, 0, 1}}
	rng := rand.New(rand.NewPCG(5, 6))
	g := randSlice(rng, 9)
	var u [16]float32
	winoFilter(&u, g)
	for i := 0; i < 4; i++ {
		for j := 0; j < 4; j++ {
			var want float64
			for r := 0; r < 3; r++ {
				for s := 0; s < 3; s++ {
					want += G[i][r] * float64(g[3*r+s]) * G[j][s]
				}
			}
			if d := math.Abs(float64(u[4*i+j]) - want); d > 1e-6*(1+math.Abs(want)) {
				t.Errorf("U[%d][%d] = %v, want %v", i, j, u[4*i+j], want)
			}
		}
	}
}

func sameBits(t *testing.T, what string, want, got []float32) {
	t.Helper()
	for i := range want {
		if math.Float32bits(want[i]) != math.Float32bits(got[i]) {
			t.Fatalf("%s[%d] = %v, want %v", what, i, got[i], want[i])
		}
	}
}

func TestWinoMasks(t *testing.T) {
	for _, tw := range []int{4, 8, 16} {
		var left, right uint16
		for l := 0; l < 16; l++ {
			if l%tw != 0 {
				left |= 1 << l
			}
			if l%tw != tw-1 {
				right |= 1 << l
			}
		}
		if l, r := winoMasks(tw); l != left || r != right {
			t.Errorf("winoMasks(%d) = %#x, %#x, want %#x, %#x", tw, l, r, left, right)
		}
	}
}

// TestWinoRowsSameBits checks every kernel set's transforms, which read
// and write the planes in place, against a second implementation that works
// on the planes' even/odd phases instead, bit for bit, over whole images and
// over runs of vectors that start and end inside them (the first and last
// vectors of an image mask the rows outside it).
func TestWinoRowsSameBits(t *testing.T) {
	for _, tw := range []int{4, 8, 16} {
		w, h := 2*tw, 32 // at least 4 vectors an image
		T := h / 2 * tw
		nv := T / 16
		const nch = 3
		rng := rand.New(rand.NewPCG(uint64(tw), 10))
		x := randSlice(rng, nch*h*w)
		plane := T + 2*tw + 2
		ph := make([]float32, nch*4*plane)
		for c := 0; c < nch; c++ {
			p := ph[c*4*plane:]
			o := tw + 1
			splitGo(p[o:o+T], p[plane+o:plane+o+T], p[2*plane+o:2*plane+o+T], p[3*plane+o:3*plane+o+T], x[c*h*w:(c+1)*h*w], h, tw)
		}
		vs := nch*T + 16
		want := make([]float32, 16*vs)
		winoInPhases(want, vs, T, ph, plane, 4*plane, tw, nv, nch)
		m := randSlice(rng, 16*vs)
		q := make([]float32, 4*T)
		wantY := make([]float32, nch*h*w)
		for c := 0; c < nch; c++ {
			winoOutPhases(q, T, 4*T, m[c*T:], vs, T, nv, 1)
			mergeGo(wantY[c*h*w:(c+1)*h*w], q, q[T:], q[2*T:], q[3*T:], h, tw)
		}
		for _, impl := range kernelSets() {
			if impl.winoIn == nil {
				continue
			}
			for _, run := range [][2]int{{0, nv}, {0, 1}, {1, nv - 2}, {nv - 1, 1}, {1, nv - 1}} {
				v0, n := run[0], run[1]
				got := make([]float32, 16*vs)
				impl.winoIn(got[16*v0:], vs, T, x, h*w, h, w, v0, n, nch)
				gotY := make([]float32, nch*h*w)
				impl.winoOut(gotY, h*w, h, w, m[16*v0:], vs, T, v0, n, nch)
				for c := 0; c < nch; c++ {
					for pos := 0; pos < 16; pos++ {
						o := pos*vs + c*T + 16*v0
						sameBits(t, fmt.Sprintf("%s tw %d run %v: V[%d] channel %d", impl.name, tw, run, pos, c), want[o:o+16*n], got[o:o+16*n])
					}
					lo, hi := c*h*w+64*v0, c*h*w+64*(v0+n) // 64 output floats per vector
					sameBits(t, fmt.Sprintf("%s tw %d run %v: Y channel %d", impl.name, tw, run, c), wantY[lo:hi], gotY[lo:hi])
				}
			}
		}
	}
}

// winoInPhases is winoInGo computed from the phases of the source planes
// (as split gives them), the reference TestWinoRowsSameBits holds the
// transforms to: nvec vectors of 16 tiles of each of nch channels, the
// i-th at v[i·vc:] and ph[i·pc:]. For one channel, ph holds the four
// phases of its plane (even rows' even and odd columns, then odd rows'),
// each plane floats long with its data at tw+1, after a zero and a zero
// row and before a zero row and a zero. It writes V at position pos to
// v[pos·vs + tile].
func winoInPhases(v []float32, vs, vc int, ph []float32, plane, pc, tw, nvec, nch int) {
	for i := 0; i < nch; i++ {
		winoInPhases1(v[i*vc:], vs, ph[i*pc:], plane, tw, nvec)
	}
}

func winoInPhases1(v []float32, vs int, ph []float32, plane, tw, nvec int) {
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

// winoOutPhases is winoOutGo writing the phases of the output planes (which
// merge interleaves): nvec vectors of 16 tiles of each of nch output
// channels, the i-th at q[i·qc:] and m[i·mc:]. For one channel, from the
// products at m[pos·ms + tile] it writes the four phases of the 2×2 tiles
// (even rows' even and odd columns, then odd rows') to q, T floats apart.
func winoOutPhases(q []float32, T, qc int, m []float32, ms, mc, nvec, nch int) {
	for i := 0; i < nch; i++ {
		winoOutPhases1(q[i*qc:], T, m[i*mc:], ms, nvec)
	}
}

func winoOutPhases1(q []float32, T int, m []float32, ms, nvec int) {
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

// TestWinoDySameBits checks every kernel set's output-gradient transform
// against the plain-Go one, bit for bit, on runs of vectors.
func TestWinoDySameBits(t *testing.T) {
	for _, tw := range []int{4, 8, 16} {
		w, h := 2*tw, 32
		T := h / 2 * tw
		nv := T / 16
		const nch = 3
		rng := rand.New(rand.NewPCG(uint64(tw), 11))
		dy := randSlice(rng, nch*h*w)
		dy[5] = 0 // 0 - 0 must stay +0
		ms := nch*T + 16
		want := make([]float32, 16*ms)
		winoDyGo(want, ms, T, dy, h*w, h, w, 0, nv, nch)
		for _, impl := range kernelSets() {
			if impl.winoDy == nil {
				continue
			}
			for _, run := range [][2]int{{0, nv}, {1, nv - 2}, {nv - 1, 1}} {
				v0, n := run[0], run[1]
				got := make([]float32, 16*ms)
				impl.winoDy(got[16*v0:], ms, T, dy, h*w, h, w, v0, n, nch)
				for c := 0; c < nch; c++ {
					for pos := 0; pos < 16; pos++ {
						o := pos*ms + c*T + 16*v0
						sameBits(t, fmt.Sprintf("%s tw %d run %v: dM[%d] channel %d", impl.name, tw, run, pos, c), want[o:o+16*n], got[o:o+16*n])
					}
				}
			}
		}
	}
}

// TestWino4SameBits holds every kernel set's F(4×4) transforms to winoIn4Go,
// winoOut4Go and winoDy4Go (here of x, standing in for dy), bit for bit, over whole images and over runs of vectors
// that start and end inside them, on maps 16 and 32 wide and 3 channels.
func TestWino4SameBits(t *testing.T) {
	for _, w := range []int{16, 32} {
		h := 32 // 2 vectors an image 16 wide, 4 an image 32 wide
		if w == 16 {
			h = 16
		}
		tw := w / 4
		T := h / 4 * tw
		nv := T / 16
		const nch = 3
		rng := rand.New(rand.NewPCG(uint64(w), 12))
		x := randSlice(rng, nch*h*w)
		vs := nch*T + 16
		want := make([]float32, 36*vs)
		winoIn4Go(want, vs, T, x, h*w, h, w, 0, nv, nch)
		m := randSlice(rng, 36*vs)
		wantY := make([]float32, nch*h*w)
		winoOut4Go(wantY, h*w, h, w, m, vs, T, 0, nv, nch)
		wantM := make([]float32, 36*vs)
		winoDy4Go(wantM, vs, T, x, h*w, h, w, 0, nv, nch)
		runs := [][2]int{{0, nv}, {0, 1}, {nv - 1, 1}}
		if nv > 2 {
			runs = append(runs, [2]int{1, nv - 2}, [2]int{1, nv - 1})
		}
		for _, impl := range kernelSets() {
			if impl.winoIn4 == nil || impl.winoDy4 == nil {
				continue
			}
			for _, run := range runs {
				v0, n := run[0], run[1]
				got := make([]float32, 36*vs)
				impl.winoIn4(got[16*v0:], vs, T, x, h*w, h, w, v0, n, nch)
				gotY := make([]float32, nch*h*w)
				impl.winoOut4(gotY, h*w, h, w, m[16*v0:], vs, T, v0, n, nch)
				gotM := make([]float32, 36*vs)
				impl.winoDy4(gotM[16*v0:], vs, T, x, h*w, h, w, v0, n, nch)
				for c := 0; c < nch; c++ {
					for pos := 0; pos < 36; pos++ {
						o := pos*vs + c*T + 16*v0
						sameBits(t, fmt.Sprintf("%s w %d run %v: V[%d] channel %d", impl.name, w, run, pos, c), want[o:o+16*n], got[o:o+16*n])
						sameBits(t, fmt.Sprintf("%s w %d run %v: dM[%d] channel %d", impl.name, w, run, pos, c), wantM[o:o+16*n], gotM[o:o+16*n])
					}
					lo, hi := c*h*w+256*v0, c*h*w+256*(v0+n) // 256 output floats a vector
					sameBits(t, fmt.Sprintf("%s w %d run %v: Y channel %d", impl.name, w, run, c), wantY[lo:hi], gotY[lo:hi])
				}
			}
		}
	}
}

// TestWino4x8SameBits checks each kernel set's F(4×4) transforms of maps
// 8×8 (vectors of four images) against the plain-Go ones, bit for bit, for
// one to three vectors, with image and channel strides apart from the
// planes' sizes; and the plain-Go ones against the 16-wide transforms of
// each image laid out on its own (tiles apart, one vector per tile
// position), which they must equal tile by tile.
func TestWino4x8SameBits(t *testing.T) {
	const nch, xc = 3, 70
	img := nch*xc + 5
	for nvec := 1; nvec <= 3; nvec++ {
		rng := rand.New(rand.NewPCG(uint64(nvec), 14))
		x := randSlice(rng, 4*nvec*img)
		T := 16 * nvec
		vs := nch*T + 16
		want, wantM := make([]float32, 36*vs), make([]float32, 36*vs)
		winoIn4x8Go(want, vs, T, x, xc, img, nvec, nch)
		winoDy4x8Go(wantM, vs, T, x, xc, img, nvec, nch)
		// each tile against the direct definition through winoIn41 and
		// winoDy41, on a padded copy of its image
		for l := 0; l < T; l++ {
			im, ty, tx := winoLane8(l % 16)
			for c := 0; c < nch; c++ {
				p := x[(4*(l/16)+im)*img+c*xc:]
				var d [6][6]float32
				for i := 0; i < 6; i++ {
					for j := 0; j < 6; j++ {
						if r, col := 4*ty-1+i, 4*tx-1+j; r >= 0 && r < 8 && col >= 0 && col < 8 {
							d[i][j] = p[r*8+col]
						}
					}
				}
				var bd [6][6]float32 // Bᵀ d, then (Bᵀ d) B
				for j := 0; j < 6; j++ {
					col := winoIn41([6]float32{d[0][j], d[1][j], d[2][j], d[3][j], d[4][j], d[5][j]})
					for k := range col {
						bd[k][j] = col[k]
					}
				}
				for k := 0; k < 6; k++ {
					row := winoIn41(bd[k])
					for j, e := range row {
						if g := want[(6*k+j)*vs+c*T+l]; math.Float32bits(g) != math.Float32bits(e) {
							t.Fatalf("nvec %d lane %d channel %d V[%d]: %v, want %v", nvec, l, c, 6*k+j, g, e)
						}
					}
				}
			}
		}
		for _, impl := range kernelSets() {
			if impl.winoIn4x8 == nil {
				continue
			}
			got, gotM := make([]float32, 36*vs), make([]float32, 36*vs)
			impl.winoIn4x8(got, vs, T, x, xc, img, nvec, nch)
			impl.winoDy4x8(gotM, vs, T, x, xc, img, nvec, nch)
			if impl.winoOut4x8 != nil {
				// the output transform of V read as products, into planes
				// holding stale values, against the plain-Go one
				wantY, gotY := randSlice(rng, len(x)), make([]float32, len(x))
				copy(gotY, wantY)
				winoOut4x8Go(wantY, xc, img, want, vs, T, nvec, nch)
				impl.winoOut4x8(gotY, xc, img, want, vs, T, nvec, nch)
				sameBits(t, fmt.Sprintf("%s nvec %d: Y", impl.name, nvec), wantY, gotY)
			}
			for c := 0; c < nch; c++ {
				for pos := 0; pos < 36; pos++ {
					o := pos*vs + c*T
					sameBits(t, fmt.Sprintf("%s nvec %d: V[%d] channel %d", impl.name, nvec, pos, c), want[o:o+T], got[o:o+T])
					sameBits(t, fmt.Sprintf("%s nvec %d: dM[%d] channel %d", impl.name, nvec, pos, c), wantM[o:o+T], gotM[o:o+T])
				}
			}
		}
	}
}

// TestWinoFilter4 holds the F(4×4) filter transform to G g Gᵀ and checks the
// transforms' algebra: Aᵀ [U ⊙ (Bᵀ d B)] A is the 4×4 correlation of the
// 6×6 patch d with g, in float64.
func TestWinoFilter4(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 5))
	g := randSlice(rng, 9)
	var u [36]float32
	winoFilter4(&u, g)
	var d [6][6]float32
	for i := range d {
		for j := range d[i] {
			d[i][j] = randSlice(rng, 1)[0]
		}
	}
	// V = Bᵀ d B by columns then rows, as winoIn4Go
	var c [6][6]float32
	for j := 0; j < 6; j++ {
		var col [6]float32
		for i := range col {
			col[i] = d[i][j]
		}
		for k, e := range winoIn41(col) {
			c[k][j] = e
		}
	}
	var prod [6][6]float32
	for k := 0; k < 6; k++ {
		for j, e := range winoIn41(c[k]) {
			prod[k][j] = e * u[6*k+j]
		}
	}
	var r [4][6]float32
	for j := 0; j < 6; j++ {
		var col [6]float32
		for i := range col {
			col[i] = prod[i][j]
		}
		for a, e := range winoOut41(col) {
			r[a][j] = e
		}
	}
	for a := 0; a < 4; a++ {
		y := winoOut41(r[a])
		for b := 0; b < 4; b++ {
			var want float64
			for i := 0; i < 3; i++ {
				for j := 0; j < 3; j++ {
					want += float64(d[a+i][b+j]) * float64(g[3*i+j])
				}
			}
			if diff := math.Abs(float64(y[b]) - want); diff > 1e-5 {
				t.Errorf("Y[%d][%d] = %v, want %v", a, b, y[b], want)
			}
		}
	}
}

func TestWinoFits4(t *testing.T) {
	for _, c := range []struct {
		s    ConvShape
		want bool
	}{
		{ConvShape{N: 128, C: 16, H: 32, W: 32, K: 16, R: 3, S: 3, Stride: 1, Pad: 1}, true},
		{ConvShape{N: 128, C: 32, H: 16, W: 16, K: 32, R: 3, S: 3, Stride: 1, Pad: 1}, true},
		{ConvShape{N: 3, C: 16, H: 8, W: 32, K: 16, R: 3, S: 3, Stride: 1, Pad: 1}, true},     // two tile rows of 8
		{ConvShape{N: 128, C: 64, H: 8, W: 8, K: 64, R: 3, S: 3, Stride: 1, Pad: 1}, false},   // 8 wide: F(2×2)
		{ConvShape{N: 128, C: 16, H: 30, W: 32, K: 16, R: 3, S: 3, Stride: 1, Pad: 1}, false}, // rows not a multiple of 4
		{ConvShape{N: 128, C: 16, H: 4, W: 32, K: 16, R: 3, S: 3, Stride: 1, Pad: 1}, false},  // 8 tiles an image
		{ConvShape{N: 128, C: 16, H: 32, W: 32, K: 32, R: 3, S: 3, Stride: 2, Pad: 1}, false}, // strided
	} {
		if got := winoFits4(c.s, goKernels); got != c.want {
			t.Errorf("winoFits4(%v) = %v, want %v", c.s, got, c.want)
		}
	}
	if winoFits4(ConvShape{N: 1, C: 16, H: 32, W: 32, K: 16, R: 3, S: 3, Stride: 1, Pad: 1}, goCopyKernels) {
		t.Errorf("a set without F(4×4) transforms fits F(4×4)")
	}
}

// TestWinoFilterTransforms4 holds winoFilter4 and winoFilterGrad4 to the
// products with winoG4, in float64.
func TestWinoFilterTransforms4(t *testing.T) {
	rng := rand.New(rand.NewPCG(6, 6))
	g := randSlice(rng, 9)
	var u [36]float32
	winoFilter4(&u, g)
	for i := 0; i < 6; i++ {
		for j := 0; j < 6; j++ {
			var want float64
			for r := 0; r < 3; r++ {
				for s := 0; s < 3; s++ {
					want += winoG4[i][r] * float64(g[3*r+s]) * winoG4[j][s]
				}
			}
			if d := math.Abs(float64(u[6*i+j]) - want); d > 1e-6*(1+math.Abs(want)) {
				t.Errorf("U[%d][%d] = %v, want %v", i, j, u[6*i+j], want)
			}
		}
	}
	uu := [36]float32(randSlice(rng, 36))
	dw := make([]float32, 9)
	winoFilterGrad4(dw, &uu)
	for r := 0; r < 3; r++ {
		for s := 0; s < 3; s++ {
			var want float64
			for i := 0; i < 6; i++ {
				for j := 0; j < 6; j++ {
					want += winoG4[i][r] * float64(uu[6*i+j]) * winoG4[j][s]
				}
			}
			if d := math.Abs(float64(dw[3*r+s]) - want); d > 1e-6*(1+math.Abs(want)) {
				t.Errorf("dw[%d][%d] = %v, want %v", r, s, dw[3*r+s], want)
			}
		}
	}
}

// TestWinoGemm checks that a kernel set's one-call Winograd products give
// the bits of its fwd kernel called per position, for odd and even channel
// counts, several blocks and output-channel blocks, and positions apart.
func TestWinoGemm(t *testing.T) {
	ran := false
	for _, impl := range kernelSets() {
		if impl.winoGemm == nil {
			continue
		}
		ran = true
		for _, c := range []struct{ c, nblk, nkb, npos int }{{16, 2, 2, 36}, {9, 1, 1, 3}, {32, 4, 4, 16}, {1, 3, 2, 2}, {64, 2, 8, 2}} {
			t.Run(fmt.Sprintf("%s/%+v", impl.name, c), func(t *testing.T) {
				rng := rand.New(rand.NewPCG(uint64(c.c), 12))
				ld := 32*c.nblk + 16 // a row longer than the blocks read
				vps, mps, wps := c.c*ld+16, 8*c.nkb*ld+16, 8*c.nkb*c.c
				v := randSlice(rng, c.npos*vps)
				w := randSlice(rng, c.npos*wps)
				offs := make([]int, c.c)
				for i := range offs {
					offs[i] = i * ld
				}
				mask := make([]uint16, 2*c.nblk+1)
				for i := range mask {
					mask[i] = 0xffff
				}
				want := make([]float32, c.npos*mps)
				for i := range want {
					want[i] = -1 // lanes the calls leave alone stay -1
				}
				got := slices.Clone(want)
				for p := 0; p < c.npos; p++ {
					impl.fwd(want[p*mps:], ld, v, p*vps, offs, offsRange(offs), w[p*wps:], c.c, c.nblk, c.nkb, []int{c.c}, mask, 0)
				}
				impl.winoGemm(got, ld, mps, v, vps, w, wps, c.c, c.nblk, c.nkb, c.npos)
				sameBits(t, "m", want, got)
			})
		}
	}
	if !ran {
		t.Skip("no kernel set of this machine has one-call Winograd products")
	}
}

// TestWinoFilterLongChunks runs Winograd weight gradients whose chunks of
// the batch span several blocks of tiles, so that a chunk's partial sums
// take the first block's products and then add the others': 80 images of
// 16 channels at 32×32 are 5 images a chunk, in blocks of 4 (F(4×4)), and
// 144 of 64 channels at 8×8 are 9 a chunk, in blocks of 8 (F(2×2)); and
// F(4×4) on maps 8×8, whose vectors span four images and whose chunks are
// 32 images: 128 images are 4 chunks, 64 of 32 channels 2; with 8 workers
// those split their output channels.
func TestWinoFilterLongChunks(t *testing.T) {
	if testing.Short() {
		t.Skip("float64 references of whole batches")
	}
	for i, s := range []ConvShape{
		{N: 80, C: 16, H: 32, W: 32, K: 16, R: 3, S: 3, Stride: 1, Pad: 1},
		{N: 144, C: 64, H: 8, W: 8, K: 64, R: 3, S: 3, Stride: 1, Pad: 1},
		{N: 128, C: 16, H: 8, W: 8, K: 16, R: 3, S: 3, Stride: 1, Pad: 1},
		{N: 64, C: 32, H: 8, W: 8, K: 32, R: 3, S: 3, Stride: 1, Pad: 1},
	} {
		rng := rand.New(rand.NewPCG(uint64(i), 13))
		x, dy := randSlice(rng, s.N*s.C*s.H*s.W), randSlice(rng, s.N*s.K*s.H*s.W)
		want, mag := make([]float64, s.K*s.C*9), make([]float64, s.K*s.C*9)
		convBackwardFilterRef(want, to64(x), to64(dy), s)
		convBackwardFilterRef(mag, abs64(to64(x)), abs64(to64(dy)), s)
		for _, impl := range kernelSets() {
			if !winoFilterFits(s, impl) {
				continue
			}
			if s.W == 8 && s.N%64 == 0 && impl.winoIn4x8 != nil && !winoFilterFits4(s, impl) {
				t.Errorf("%v: %s does not run it as F(4×4)", s, impl.name)
			}
			t.Run(fmt.Sprintf("%v/%s", s, impl.name), func(t *testing.T) {
				// 8 workers split the output channels of F(4×4)'s chunks
				// on maps 8×8 too: the same bits
				var first []float32
				for _, workers := range []int{2, 1, 8} {
					ws := workspaceFor(impl, workers)
					dw := make([]float32, len(want))
					for rep := 0; rep < 2; rep++ { // stale partial sums the second time
						ConvBackwardFilter(dw, x, dy, s, ws)
					}
					checkClose(t, "dw", dw, want, mag, s.N*s.H*s.W)
					if first == nil {
						first = dw
					}
					sameBits(t, fmt.Sprintf("dw, %d workers", workers), first, dw)
				}
			})
		}
	}
}

// TestDwOuter checks every kernel set's outer-product weight-gradient
// products against float64 sums, for tiles of 32 columns and a last one of
// 16, several row counts and both the adding and the storing form, and
// that nothing outside the product's rows and columns is written; and its
// transpose against the plain-Go one, with the same care for what lies
// outside.
func TestDwOuter(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for _, impl := range kernelSets() {
		if impl.dwOuter == nil {
			continue
		}
		for _, sh := range []struct{ nk, nc, nt int }{{8, 16, 1}, {8, 32, 16}, {16, 48, 37}, {24, 64, 128}, {8, 96, 5}} {
			for _, store := range []bool{false, true} {
				ldp, ldm, ldv := sh.nc+5, sh.nt+3, sh.nc+16
				part := randSlice(rng, sh.nk*ldp)
				dm := randSlice(rng, sh.nk*ldm)
				vt := randSlice(rng, sh.nt*ldv)
				want, mag := make([]float64, sh.nk*sh.nc), make([]float64, sh.nk*sh.nc)
				for k := 0; k < sh.nk; k++ {
					for c := 0; c < sh.nc; c++ {
						i := k*sh.nc + c
						if !store {
							want[i], mag[i] = float64(part[k*ldp+c]), math.Abs(float64(part[k*ldp+c]))
						}
						for tt := 0; tt < sh.nt; tt++ {
							p := float64(dm[k*ldm+tt]) * float64(vt[tt*ldv+c])
							want[i] += p
							mag[i] += math.Abs(p)
						}
					}
				}
				before := append([]float32(nil), part...)
				impl.dwOuter(part, ldp, dm, ldm, vt, ldv, sh.nt, sh.nk, sh.nc, store)
				got := make([]float32, 0, len(want))
				for k := 0; k < sh.nk; k++ {
					got = append(got, part[k*ldp:k*ldp+sh.nc]...)
					sameBits(t, fmt.Sprintf("%s %v: part past column %d", impl.name, sh, sh.nc), before[k*ldp+sh.nc:(k+1)*ldp], part[k*ldp+sh.nc:(k+1)*ldp])
				}
				checkClose(t, fmt.Sprintf("%s %v store=%v", impl.name, sh, store), got, want, mag, sh.nt)
			}
		}
		for _, sh := range []struct{ nc, nt int }{{16, 16}, {32, 48}, {64, 128}} {
			ldd, lds := sh.nc+16, sh.nt+7
			src := randSlice(rng, sh.nc*lds)
			got, want := randSlice(rng, sh.nt*ldd), make([]float32, sh.nt*ldd)
			copy(want, got)
			winoTrGo(want, ldd, src, lds, sh.nc, sh.nt)
			impl.winoTr(got, ldd, src, lds, sh.nc, sh.nt)
			sameBits(t, fmt.Sprintf("%s winoTr %v", impl.name, sh), want, got)
			for c := 0; c < sh.nc; c++ { // the reference itself
				if want[5*ldd+c] != src[c*lds+5] {
					t.Fatalf("winoTrGo: dst[5][%d] = %v, want %v", c, want[5*ldd+c], src[c*lds+5])
				}
			}
		}
	}
}

// TestPackWino4x8 checks that packing the F(4×4) filters 8 at a time
// (winoFilter4x8) gives the bits of packing them one by one (winoFilter4),
// for the forward pass and the input gradient, on weights of every
// magnitude.
func TestPackWino4x8(t *testing.T) {
	ran := false
	for _, impl := range kernelSets() {
		if impl.winoFilter4x8 == nil {
			continue
		}
		ran = true
		s := ConvShape{N: 1, C: 24, H: 16, W: 16, K: 16, R: 3, S: 3, Stride: 1, Pad: 1}
		rng := rand.New(rand.NewPCG(4, 8))
		w := randSlice(rng, s.K*s.C*9)
		for i := range w {
			w[i] *= float32(math.Exp2(float64(rng.IntN(60) - 30)))
		}
		for _, data := range []bool{false, true} {
			ko := s.K
			if data {
				ko = s.C
			}
			got := make([]float32, 36*s.K*s.C)
			want := make([]float32, len(got))
			var taps [72]float32
			for o := 0; o < ko; o += 8 {
				packWino(got, w, s, data, o, o+8, 36, impl, &taps)
				packWino(want, w, s, data, o, o+8, 36, goKernels, &taps)
			}
			for i := range want {
				if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
					t.Fatalf("%s data=%v: up[%d] = %v, want %v", impl.name, data, i, got[i], want[i])
				}
			}
		}
	}
	if !ran {
		t.Skip("no kernel set packs 8 filters at once here")
	}
}

// TestWinoFilterGrad4x8 checks that the adjoint filter transform of 8
// filters at once (winoFilterGrad4x8) gives winoFilterGrad4's bits, on dU
// of every magnitude read at a position stride.
func TestWinoFilterGrad4x8(t *testing.T) {
	ran := false
	for _, impl := range kernelSets() {
		if impl.winoFilterGrad4x8 == nil {
			continue
		}
		ran = true
		rng := rand.New(rand.NewPCG(5, 9))
		const us = 40
		for rep := 0; rep < 50; rep++ {
			u := randSlice(rng, 35*us+8)
			for i := range u {
				u[i] *= float32(math.Exp2(float64(rng.IntN(60) - 30)))
			}
			var taps [72]float32
			impl.winoFilterGrad4x8(&taps, u, us)
			for l := 0; l < 8; l++ {
				var u4 [36]float32
				for pos := range u4 {
					u4[pos] = u[pos*us+l]
				}
				want := make([]float32, 9)
				winoFilterGrad4(want, &u4)
				for tp, v := range want {
					if math.Float32bits(taps[8*tp+l]) != math.Float32bits(v) {
						t.Fatalf("%s: filter %d tap %d = %v, want %v", impl.name, l, tp, taps[8*tp+l], v)
					}
				}
			}
		}
	}
	if !ran {
		t.Skip("no kernel set transforms 8 filters at once here")
	}
}
