package model

import (
	"math/rand/v2"
	"slices"
	"testing"

	"gorgonia.org/tensor"

	"github.com/resx-dev/resx/internal/kernel"
)

// addEngine's additions give what Gorgonia's standard engine gives, for
// every way Gorgonia may ask for one.
func TestAddEngineMatchesStdEng(t *testing.T) {
	const n = 3*16*32*32 + 5
	rng := rand.New(rand.NewPCG(8, 8))
	rand32 := func() *tensor.Dense {
		d := tensor.New(tensor.Of(tensor.Float32), tensor.WithShape(n))
		for i := range f32s(d) {
			f32s(d)[i] = float32(rng.NormFloat64())
		}
		return d
	}
	a, b, inc := rand32(), rand32(), rand32()
	want := make([]float32, n)
	for i := range want {
		want[i] = f32s(a)[i] + f32s(b)[i]
	}
	wantIncr := make([]float32, n)
	for i := range wantIncr {
		wantIncr[i] = f32s(inc)[i] + want[i]
	}
	e := &addEngine{ws: kernel.NewWorkspace(2)}
	withEng := func(d *tensor.Dense) *tensor.Dense {
		c := d.Clone().(*tensor.Dense)
		tensor.WithEngine(e)(c)
		return c
	}
	check := func(what string, r tensor.Tensor, err error, w []float32) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		if got := r.Data().([]float32); !slices.Equal(got, w) {
			t.Errorf("%s: result differs from a + b", what)
		}
	}
	reuse := withEng(inc)
	r, err := tensor.Add(withEng(a), withEng(b), tensor.WithReuse(reuse))
	check("reuse", r, err, want)
	if r != tensor.Tensor(reuse) {
		t.Errorf("reuse: result is not the reuse tensor")
	}
	ua := withEng(a)
	r, err = tensor.Add(ua, withEng(b), tensor.UseUnsafe())
	check("unsafe", r, err, want)
	if r != tensor.Tensor(ua) {
		t.Errorf("unsafe: result is not the first operand")
	}
	r, err = tensor.Add(withEng(a), withEng(b))
	check("safe", r, err, want)
	r, err = tensor.Add(withEng(a), withEng(b), tensor.WithIncr(withEng(inc)))
	check("incr", r, err, wantIncr)
}
