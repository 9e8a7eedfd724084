package kernel

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestConvSmallMapsFromModel holds shapes the model's tests met that once
// broke a fast path: small maps whose pixel count is not a multiple of 16
// (a 12x12 input after two stride-2 stages is 6x6, then 3x3).
func TestConvSmallMapsFromModel(t *testing.T) {
	shapes := []ConvShape{
		{N: 16, C: 32, H: 6, W: 6, K: 32, R: 3, S: 3, Stride: 1, Pad: 1},
		{N: 16, C: 16, H: 12, W: 12, K: 32, R: 3, S: 3, Stride: 2, Pad: 1},
		{N: 16, C: 32, H: 6, W: 6, K: 64, R: 3, S: 3, Stride: 2, Pad: 1},
		{N: 16, C: 64, H: 3, W: 3, K: 64, R: 3, S: 3, Stride: 1, Pad: 1},
		{N: 16, C: 3, H: 12, W: 12, K: 16, R: 3, S: 3, Stride: 1, Pad: 1},
	}
	r := rand.New(rand.NewPCG(3, 3))
	for _, s := range shapes {
		x := make([]float32, s.N*s.C*s.H*s.W)
		dy := make([]float32, s.N*s.K*s.OutH()*s.OutW())
		w := make([]float32, s.K*s.C*s.R*s.S)
		for _, v := range [][]float32{x, dy, w} {
			for i := range v {
				v[i] = float32(r.NormFloat64())
			}
		}
		x64, dy64, w64 := widen(x), widen(dy), widen(w)
		ws := NewWorkspace(2)
		check := func(what string, got []float32, want []float64, fanIn int) {
			t.Helper()
			tol := 1e-5 * math.Sqrt(float64(fanIn)) * 4
			for i := range want {
				if math.Abs(float64(got[i])-want[i]) > tol*(1+math.Abs(want[i])) {
					t.Errorf("%+v %s[%d] = %v, reference %v", s, what, i, got[i], want[i])
					return
				}
			}
		}
		y := make([]float32, len(dy))
		y64 := make([]float64, len(dy))
		ConvForward(y, x, w, s, ws)
		convForwardRef(y64, x64, w64, s)
		check("forward", y, y64, s.C*9)
		dx := make([]float32, len(x))
		dx64 := make([]float64, len(x))
		ConvBackwardData(dx, dy, w, s, ws)
		convBackwardDataRef(dx64, dy64, w64, s)
		check("input gradient", dx, dx64, s.K*9)
		dw := make([]float32, len(w))
		dw64 := make([]float64, len(w))
		ConvBackwardFilter(dw, x, dy, s, ws)
		convBackwardFilterRef(dw64, x64, dy64, s)
		check("weight gradient", dw, dw64, s.N*s.OutH()*s.OutW())
	}
}

func widen(v []float32) []float64 {
	out := make([]float64, len(v))
	for i, x := range v {
		out[i] = float64(x)
	}
	return out
}
