package optim

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/resx-dev/resx/internal/model"
)

func randomParam(rng *rand.Rand, name string, n int, decay bool) *model.Param {
	p := &model.Param{Name: name, Shape: []int{n}, Value: make([]float32, n), Grad: make([]float32, n), Decay: decay}
	for i := range p.Value {
		p.Value[i] = float32(rng.NormFloat64())
	}
	return p
}

// With no gradient and no momentum, each step multiplies every decayed
// weight by exactly (1 - lr·wd), rounded to float32.
func TestWeightDecayShrinks(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	const lr, wd = 0.1, 1e-4
	w := randomParam(rng, "w", 257, true)
	bn := randomParam(rng, "bn.scale", 16, false)
	bnBefore := append([]float32(nil), bn.Value...)
	o := NewSGD(0, wd, false, false, []*model.Param{w, bn})
	for step := range 5 {
		want := make([]float32, len(w.Value))
		for i, v := range w.Value {
			want[i] = float32(float64(v) * (1 - lr*wd))
		}
		if bad := o.Step([]*model.Param{w, bn}, lr); bad >= 0 {
			t.Fatalf("step %d: param %d reported non-finite", step, bad)
		}
		for i := range want {
			if w.Value[i] != want[i] {
				t.Fatalf("step %d: w[%d] = %v, want %v", step, i, w.Value[i], want[i])
			}
		}
	}
	for i := range bnBefore {
		if bn.Value[i] != bnBefore[i] {
			t.Fatalf("batch-norm param decayed without decay_bn: %v -> %v", bnBefore[i], bn.Value[i])
		}
	}
	// With decay_bn the batch-norm param shrinks too.
	o = NewSGD(0, wd, false, true, []*model.Param{bn})
	o.Step([]*model.Param{bn}, lr)
	if want := float32(float64(bnBefore[0]) * (1 - lr*wd)); bn.Value[0] != want {
		t.Errorf("decay_bn: bn[0] = %v, want %v", bn.Value[0], want)
	}
}

// The momentum recurrence against a hand computation in float64:
// v1 = g1, w1 = w0 - lr·v1; v2 = m·v1 + g2, w2 = w1 - lr·v2, and so on; with
// Nesterov w -= lr·(g + m·v).
func TestMomentumRecurrence(t *testing.T) {
	const lr, m, wd = 0.5, 0.9, 0.01
	grads := []float32{1, -2, 0.5, 0.25}
	for _, nesterov := range []bool{false, true} {
		p := &model.Param{Name: "w", Value: []float32{2}, Grad: make([]float32, 1), Decay: true}
		o := NewSGD(m, wd, nesterov, false, []*model.Param{p})
		w, v := 2.0, 0.0
		for k, g := range grads {
			p.Grad[0] = g
			o.Step([]*model.Param{p}, lr)
			gd := float64(g) + wd*w
			v = m*v + gd
			if nesterov {
				w -= lr * (gd + m*v)
			} else {
				w -= lr * v
			}
			if !closeTo(float64(p.Value[0]), w, 1e-6) || !closeTo(float64(o.Velocity[0][0]), v, 1e-6) {
				t.Errorf("nesterov=%v step %d: w = %v, v = %v; want %v, %v", nesterov, k+1, p.Value[0], o.Velocity[0][0], w, v)
			}
		}
	}
}

func TestStepReportsFirstNonFiniteParam(t *testing.T) {
	a := &model.Param{Name: "a", Value: []float32{1}, Grad: []float32{0}}
	b := &model.Param{Name: "b", Value: []float32{1, 1}, Grad: []float32{0, float32(math.Inf(1))}}
	c := &model.Param{Name: "c", Value: []float32{1}, Grad: []float32{float32(math.NaN())}}
	ps := []*model.Param{a, b, c}
	if bad := NewSGD(0.9, 0, false, false, ps).Step(ps, 0.1); bad != 1 {
		t.Errorf("step reported param %d, want 1 (b)", bad)
	}
}

// closeTo reports whether a and b agree within rel relative to the larger.
func closeTo(a, b, rel float64) bool {
	return math.Abs(a-b) <= rel*max(math.Abs(a), math.Abs(b))
}

// Workers split the elements, and change no bit: three steps with 1 and 3
// workers over params that the split cuts in the middle, with Nesterov and
// an undecayed param; a NaN in the last worker's range is reported as the
// first bad param, not a later one.
func TestStepWorkers(t *testing.T) {
	mk := func() []*model.Param {
		rng := rand.New(rand.NewPCG(7, 7))
		return []*model.Param{
			randomParam(rng, "a", 70000, true),
			randomParam(rng, "b", 100, false),
			randomParam(rng, "c", 150001, true),
		}
	}
	runs := [2][]*model.Param{mk(), mk()}
	opts := [2]*SGD{NewSGD(0.9, 1e-4, true, false, runs[0]), NewSGD(0.9, 1e-4, true, false, runs[1])}
	opts[1].Workers = 3
	for step := 0; step < 3; step++ {
		for r, ps := range runs {
			rng := rand.New(rand.NewPCG(uint64(step), 8))
			for _, p := range ps {
				for j := range p.Grad {
					p.Grad[j] = float32(rng.NormFloat64())
				}
			}
			if bad := opts[r].Step(ps, 0.1); bad != -1 {
				t.Fatalf("step %d: param %d reported not finite", step, bad)
			}
		}
		for i := range runs[0] {
			for j, v := range runs[0][i].Value {
				if math.Float32bits(v) != math.Float32bits(runs[1][i].Value[j]) ||
					math.Float32bits(opts[0].Velocity[i][j]) != math.Float32bits(opts[1].Velocity[i][j]) {
					t.Fatalf("step %d: param %d element %d differs with 3 workers", step, i, j)
				}
			}
		}
	}
	ps := runs[1]
	ps[2].Grad[150000] = float32(math.NaN()) // in the last worker's range
	ps[0].Grad[5] = float32(math.Inf(1))     // in the first worker's
	if bad := opts[1].Step(ps, 0.1); bad != 0 {
		t.Errorf("reported param %d, want 0", bad)
	}
}
