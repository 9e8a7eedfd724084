package model

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/resx-dev/resx/internal/config"
)

// sgd is the plainest update, enough for tests of the model alone.
func sgd(n *Net, lr float32) {
	for _, p := range n.Params() {
		for i, g := range p.Grad {
			p.Value[i] -= lr * g
		}
	}
}

func batchOf(r *rand.Rand, n int, in InputShape, classes int) ([]float32, []int32) {
	size := in.C * in.H * in.W
	x := make([]float32, n*size)
	y := make([]int32, n)
	for i := range y {
		y[i] = int32(r.IntN(classes))
		for j := 0; j < size; j++ {
			x[i*size+j] = float32(r.NormFloat64())
		}
	}
	return x, y
}

// TestOverfitsSmallBatch: a residual and a plain net drive the training error
// on 64 fixed images to zero, as any correct network and gradient must.
func TestOverfitsSmallBatch(t *testing.T) {
	in := InputShape{C: 3, H: 8, W: 8}
	for _, arch := range []string{"residual", "plain"} {
		t.Run(arch, func(t *testing.T) {
			cfg := config.Model{Arch: arch, Depth: 8, Block: "basic", Shortcut: "A", Width: 0.5, Survival: 1}
			n, err := New(cfg, Options{Batch: 64, Classes: 10, Input: in, Seed: 7, Threads: 2})
			if err != nil {
				t.Fatal(err)
			}
			x, y := batchOf(rand.New(rand.NewPCG(5, 5)), 64, in, 10)
			var res StepResult
			for step := 0; step < 150; step++ {
				if res, err = n.TrainStep(x, y, 64, nil); err != nil {
					t.Fatal(err)
				}
				if res.Correct == 64 && res.Loss < 0.05 {
					break
				}
				sgd(n, 0.05)
			}
			if res.Correct < 63 {
				t.Errorf("after training, %d/64 correct (loss %.3f): the net does not fit 64 images", res.Correct, res.Loss)
			}
			_, correct, err := n.Evaluate(x, y, 64)
			if err != nil {
				t.Fatal(err)
			}
			if correct < 60 {
				t.Errorf("evaluation mode: %d/64 correct after fitting", correct)
			}
		})
	}
}

// TestEvaluationKeepsRunningStatistics: an evaluation pass leaves the running
// statistics and the weights untouched, training afterwards goes on from
// them (no reset when switching back), and evaluation uses them.
func TestEvaluationKeepsRunningStatistics(t *testing.T) {
	in := InputShape{C: 3, H: 8, W: 8}
	cfg := config.Model{Arch: "residual", Depth: 8, Block: "basic", Shortcut: "A", Width: 0.5, Survival: 1}
	n, err := New(cfg, Options{Batch: 16, EvalBatch: 10, Classes: 10, Input: in, Seed: 1, Threads: 2})
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(9, 9))
	x, y := batchOf(r, 16, in, 10)
	for i := 0; i < 3; i++ {
		if _, err := n.TrainStep(x, y, 16, nil); err != nil {
			t.Fatal(err)
		}
	}
	snap := func() [][]float32 {
		var s [][]float32
		for _, st := range n.RunningStats() {
			s = append(s, slices.Clone(st.Mean), slices.Clone(st.Var))
		}
		for _, p := range n.Params() {
			s = append(s, slices.Clone(p.Value))
		}
		return s
	}
	before := snap()
	if before[0][0] == 0 && before[1][0] == 1 {
		t.Fatal("training did not update the running statistics")
	}
	ls1, c1, err := n.Evaluate(x, y, 16) // 16 images through an eval batch of 10: padding
	if err != nil {
		t.Fatal(err)
	}
	after := snap()
	for i := range before {
		if !slices.Equal(before[i], after[i]) {
			t.Fatalf("evaluation changed state tensor %d", i)
		}
	}
	ls2, c2, _ := n.Evaluate(x, y, 16)
	if ls1 != ls2 || c1 != c2 {
		t.Errorf("evaluation is not repeatable: %v/%d then %v/%d", ls1, c1, ls2, c2)
	}
	// One more training step moves the statistics from where they were
	// (momentum 0.1), rather than from a reset (mean 0, var 1).
	st := n.RunningStats()[0]
	m0 := st.Mean[0]
	if _, err := n.TrainStep(x, y, 16, nil); err != nil {
		t.Fatal(err)
	}
	gr := n.train[16]
	bn := findBN(gr, st.Name)
	batchMean := float64(f32s(bn.mean.t)[0])
	want := 0.9*float64(m0) + 0.1*batchMean
	if got := float64(st.Mean[0]); math.Abs(got-want) > 1e-6 {
		t.Errorf("running mean after switching back to training = %v, want 0.9·%v + 0.1·%v = %v", got, m0, batchMean, want)
	}
	// Evaluation really uses the running statistics: changing them changes the output.
	for i := range st.Var {
		st.Var[i] *= 4
	}
	ls3, _, _ := n.Evaluate(x, y, 16)
	if ls3 == ls2 {
		t.Error("evaluation ignores the running variance")
	}
}

func findBN(gr *graph, name string) *bnOp {
	for _, nd := range gr.g.AllNodes() {
		if op, ok := nd.Op().(*bnOp); ok && op.layer.name == name {
			return op
		}
	}
	return nil
}

// TestInitialisationIsSeeded: the same seed gives the same weights, another
// seed different ones; convolution weights have the Kaiming fan-out spread.
func TestInitialisationIsSeeded(t *testing.T) {
	in := InputShape{C: 3, H: 32, W: 32}
	cfg := config.Model{Arch: "residual", Depth: 20, Block: "basic", Shortcut: "A", Width: 1, Survival: 1}
	build := func(seed uint64) *Net {
		n, err := New(cfg, Options{Batch: 2, Classes: 10, Input: in, Seed: seed, Threads: 1})
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	a, b, c := build(1), build(1), build(2)
	for i, p := range a.Params() {
		if !slices.Equal(p.Value, b.Params()[i].Value) {
			t.Fatalf("%s differs between two builds with seed 1", p.Name)
		}
	}
	w := a.Params()[a.byName["s3.b2.conv1.w"]]
	if slices.Equal(w.Value, c.Params()[c.byName["s3.b2.conv1.w"]].Value) {
		t.Error("seeds 1 and 2 give the same weights")
	}
	var ss float64
	for _, v := range w.Value {
		ss += float64(v) * float64(v)
	}
	std := math.Sqrt(ss / float64(len(w.Value)))
	if want := math.Sqrt(2.0 / (64 * 9)); math.Abs(std-want)/want > 0.05 {
		t.Errorf("s3.b2.conv1.w std %.4f, Kaiming fan-out %.4f", std, want)
	}
	g := a.Params()[a.byName["s1.b1.bn1.gamma"]]
	beta := a.Params()[a.byName["s1.b1.bn1.beta"]]
	if g.Value[0] != 1 || beta.Value[0] != 0 || g.Decay || beta.Decay {
		t.Errorf("batch norm starts at scale %v bias %v (decay %v)", g.Value[0], beta.Value[0], g.Decay)
	}
}

// TestStochasticDepthGates: with survival < 1 each residual block has a gate
// whose probabilities fall linearly to model.survival; a dropped block's
// branch contributes nothing.
func TestStochasticDepthGates(t *testing.T) {
	in := InputShape{C: 3, H: 8, W: 8}
	cfg := config.Model{Arch: "residual", Depth: 14, Block: "basic", Shortcut: "A", Width: 0.5, Survival: 0.5}
	n, err := New(cfg, Options{Batch: 4, Classes: 10, Input: in, Seed: 1, Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	p := n.Survival()
	if len(p) != 6 || p[0] >= 1 || math.Abs(p[5]-0.5) > 1e-12 {
		t.Fatalf("survival %v, want 6 values falling to 0.5", p)
	}
	x, y := batchOf(rand.New(rand.NewPCG(1, 2)), 4, in, 10)
	keepAll := []bool{true, true, true, true, true, true}
	dropOne := []bool{true, true, false, true, true, true}
	r1, _ := n.TrainStep(x, y, 4, keepAll)
	r2, _ := n.TrainStep(x, y, 4, dropOne)
	if r1.Loss == r2.Loss {
		t.Error("dropping a block did not change the loss")
	}
	g := n.Params()[n.byName["s2.b1.conv2.w"]] // block index 2
	for _, v := range g.Grad {
		if v != 0 {
			t.Fatal("a dropped block's weights got a gradient")
		}
	}
}

// TestWorkerCountKeepsBits: the same network trained and evaluated with 1, 2
// and 3 worker threads gives the same bits, so that a run reproduces on a
// machine with a different number of cores.
func TestWorkerCountKeepsBits(t *testing.T) {
	in := InputShape{C: 3, H: 12, W: 12}
	cfg := config.Model{Arch: "residual", Depth: 8, Block: "basic", Shortcut: "A", Width: 0.5, Survival: 1}
	x, y := batchOf(rand.New(rand.NewPCG(5, 5)), 20, in, 10)
	var ref []float64
	for _, threads := range []int{1, 2, 3} {
		n, err := New(cfg, Options{Batch: 20, Classes: 10, Input: in, Seed: 9, Threads: threads})
		if err != nil {
			t.Fatal(err)
		}
		var got []float64
		for step := 0; step < 3; step++ {
			r, err := n.TrainStep(x, y, 20, nil)
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, r.Loss)
			for _, p := range n.Params() {
				for _, g := range p.Grad {
					got = append(got, float64(g))
				}
			}
			sgd(n, 0.1)
		}
		loss, _, err := n.Evaluate(x, y, 20)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, loss)
		if ref == nil {
			ref = got
			continue
		}
		for i := range got {
			if got[i] != ref[i] {
				t.Fatalf("%d threads: value %d is %v, with 1 thread %v", threads, i, got[i], ref[i])
			}
		}
	}
}
