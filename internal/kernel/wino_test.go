package kernel

import (
	"fmt"
	"math"
	"math/rand/v2"
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

// TestWinoTransformsSameBits checks every kernel set's transforms against
// the plain-Go ones bit for bit, a NaN product included.
func TestWinoTransformsSameBits(t *testing.T) {
	for _, impl := range kernelSets() {
		if impl.winoIn == nil {
			continue
		}
		for _, tw := range []int{4, 8, 16} {
			t.Run(fmt.Sprintf("%s/tw%d", impl.name, tw), func(t *testing.T) {
				rng := rand.New(rand.NewPCG(uint64(tw), 9))
				T := 4 * tw * max(1, 16/tw) // whole vectors
				plane := T + 2*tw + 2
				ph := randSlice(rng, 4*plane)
				for p := 0; p < 4; p++ { // the zero margins winoWork keeps
					clear(ph[p*plane : p*plane+tw+1])
					clear(ph[p*plane+tw+1+T : (p+1)*plane])
				}
				// Two channels: the second's phases follow the first's, and
				// its transformed tiles lie T floats after the first's.
				ph = append(ph, ph...)
				for i := 4 * plane; i < len(ph); i++ {
					if ph[i] != 0 {
						ph[i] = float32(rng.NormFloat64())
					}
				}
				vs := 2*T + 16
				v0, v1 := make([]float32, 16*vs), make([]float32, 16*vs)
				winoInGo(v0, vs, T, ph, plane, 4*plane, tw, T/16, 2)
				impl.winoIn(v1, vs, T, ph, plane, 4*plane, tw, T/16, 2)
				sameBits(t, "V", v0, v1)

				m := randSlice(rng, 16*vs)
				m[3] = float32(math.NaN())
				q0, q1 := make([]float32, 8*T), make([]float32, 8*T)
				winoOutGo(q0, T, 4*T, m, vs, T, T/16, 2)
				impl.winoOut(q1, T, 4*T, m, vs, T, T/16, 2)
				sameBits(t, "Y", q0, q1)
			})
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

// TestWinoRowsSameBits checks the transforms that read and write the planes
// in place against the ones on the phases, bit for bit, over whole images
// and over runs of vectors that start and end inside them (the first and
// last vectors of an image mask the rows outside it).
func TestWinoRowsSameBits(t *testing.T) {
	for _, tw := range []int{8, 16} {
		w := 2 * tw
		h := w
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
		winoInGo(want, vs, T, ph, plane, 4*plane, tw, nv, nch)
		m := randSlice(rng, 16*vs)
		q := make([]float32, 4*T)
		wantY := make([]float32, nch*h*w)
		for c := 0; c < nch; c++ {
			winoOutGo(q, T, 4*T, m[c*T:], vs, T, nv, 1)
			mergeGo(wantY[c*h*w:(c+1)*h*w], q, q[T:], q[2*T:], q[3*T:], h, tw)
		}
		for _, impl := range kernelSets() {
			if impl.winoInRows == nil {
				continue
			}
			for _, run := range [][2]int{{0, nv}, {0, 1}, {1, nv - 2}, {nv - 1, 1}, {1, nv - 1}} {
				v0, n := run[0], run[1]
				got := make([]float32, 16*vs)
				impl.winoInRows(got[16*v0:], vs, T, x, h*w, h, w, v0, n, nch)
				gotY := make([]float32, nch*h*w)
				impl.winoOutRows(gotY, h*w, h, w, m[16*v0:], vs, T, v0, n, nch)
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
