package dataset

import (
	"math"
	"testing"
)

func TestComputeStats(t *testing.T) {
	// Two 2×1×2 images: channel 0 holds 0, 255, 255, 0 and channel 1 is
	// constant 51.
	s := Split{N: 2, C: 2, H: 1, W: 2, Labels: []int32{0, 1},
		Images: []byte{0, 255, 51, 51, 255, 0, 51, 51}}
	cases := []struct {
		mode      string
		mean, std []float32
	}{
		{NormChannel, []float32{0.5, 0.2}, []float32{0.5, 1}}, // constant channel: std 1
		{NormPixel, []float32{0.5, 0.5, 0.2, 0.2}, nil},
		{NormNone, nil, nil},
	}
	for _, c := range cases {
		st, err := ComputeStats(s, c.mode)
		if err != nil {
			t.Fatalf("%s: %v", c.mode, err)
		}
		if st.Mode != c.mode || !approx(st.Mean, c.mean) || !approx(st.Std, c.std) {
			t.Errorf("%s: got mean %v std %v, want %v %v", c.mode, st.Mean, st.Std, c.mean, c.std)
		}
	}
	if _, err := ComputeStats(s, "zca"); err == nil {
		t.Error("unknown mode accepted")
	}
	if _, err := ComputeStats(Split{C: 1, H: 1, W: 1}, NormPixel); err == nil {
		t.Error("empty split accepted")
	}
}

func approx(a, b []float32) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if math.Abs(float64(a[i]-b[i])) > 1e-6 {
			return false
		}
	}
	return true
}

func TestStatsAffine(t *testing.T) {
	// The loader's x = v*scale + shift must equal (v/255 - mean)/std.
	st := Stats{Mode: NormChannel, Mean: []float32{0.25, 0.5}, Std: []float32{0.5, 0.25}}
	scale, shift, err := st.affine(2, 1, 2)
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range []float32{0, 255, 100, 7} {
		c := i / 2
		want := (v/255 - st.Mean[c]) / st.Std[c]
		if got := v*scale[i] + shift[i]; math.Abs(float64(got-want)) > 1e-5 {
			t.Errorf("position %d value %v: got %v, want %v", i, v, got, want)
		}
	}
	bad := []Stats{
		{Mode: NormPixel, Mean: []float32{1}},
		{Mode: NormChannel, Mean: []float32{1}, Std: []float32{1}},
		{Mode: NormChannel, Mean: []float32{0, 0}, Std: []float32{1, 0}},
		{Mode: "?"},
	}
	for _, st := range bad {
		if _, _, err := st.affine(2, 1, 2); err == nil {
			t.Errorf("%+v accepted for 2×1×2 images", st)
		}
	}
}
