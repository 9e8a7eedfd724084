package model

import (
	"math"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/resx-dev/resx/internal/config"
)

// Regression tests for the Gorgonia v0.9.18 traps resx steps around (see the
// package documentation). Each shows that resx's own path gives the right
// numbers.

// Gorgonia panics at start-up on Go 1.26 unless go4.org/unsafe/assume-no-moving-gc
// is at least the November 2023 pseudo-version: go.mod must keep it pinned
// (this test binary starting at all is the other half of the check).
func TestTrapStartupPanicPinned(t *testing.T) {
	data, err := os.ReadFile("../../go.mod")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		f := strings.Fields(line)
		if len(f) >= 2 && f[0] == "go4.org/unsafe/assume-no-moving-gc" {
			if f[1] < "v0.0.0-20231121144256-b99613f794b6" {
				t.Fatalf("go.mod pins assume-no-moving-gc %s, older than Go 1.26 needs", f[1])
			}
			return
		}
	}
	t.Fatal("go.mod does not pin go4.org/unsafe/assume-no-moving-gc")
}

// Gradients accumulate across RunAll calls of a machine that binds dual
// values: resx's machines do not, so two steps on the same batch give the
// same gradient, not twice it.
func TestTrapGradientsDoNotAccumulate(t *testing.T) {
	in := InputShape{C: 3, H: 8, W: 8}
	n, err := New(config.Model{Arch: "residual", Depth: 8, Block: "basic", Shortcut: "A", Width: 0.5, Survival: 1},
		Options{Batch: 4, Classes: 10, Input: in, Seed: 1, Threads: 2})
	if err != nil {
		t.Fatal(err)
	}
	x, y := batchOf(rand.New(rand.NewPCG(3, 3)), 4, in, 10)
	if _, err := n.TrainStep(x, y, 4, nil); err != nil {
		t.Fatal(err)
	}
	first := make([][]float32, len(n.Params()))
	for i, p := range n.Params() {
		first[i] = slices.Clone(p.Grad)
	}
	if _, err := n.TrainStep(x, y, 4, nil); err != nil {
		t.Fatal(err)
	}
	for i, p := range n.Params() {
		if !slices.Equal(first[i], p.Grad) {
			t.Fatalf("%s: gradient changed between two identical steps", p.Name)
		}
	}
}

// GlobalAveragePool2D has no gradient and Mean along axis 2 of a 4-D tensor is
// wrong: resx's pooling matches a direct mean (its gradient is checked in
// TestOpGradients).
func TestTrapGlobalAveragePoolValues(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	x := randDense(r, 2, 3, 4, 5)
	y, err := (&gapOp{opBase: newBase("gap")}).Do(x)
	if err != nil {
		t.Fatal(err)
	}
	got := f64s(y.(*tensor.Dense))
	xs := f64s(x)
	for i := 0; i < 6; i++ {
		var s float64
		for _, v := range xs[i*20 : (i+1)*20] {
			s += v
		}
		if math.Abs(got[i]-s/20) > 1e-12 {
			t.Errorf("channel %d: %v, direct mean %v", i, got[i], s/20)
		}
	}
}

// AveragePool2D's gradient is wrong for kernels smaller than the map, so the
// option-A shortcut is its own op: check its values against the paper's
// definition x[:, :, ::2, ::2] padded with zero channels on both sides.
func TestTrapShortcutAValues(t *testing.T) {
	x := tensor.New(tensor.Of(tensor.Float64), tensor.WithShape(1, 2, 3, 3))
	for i := range f64s(x) {
		f64s(x)[i] = float64(i + 1)
	}
	y, err := (&shortcutAOp{opBase: newBase("sa"), k: 4, stride: 2}).Do(x)
	if err != nil {
		t.Fatal(err)
	}
	want := []float64{
		0, 0, 0, 0, // pad channel
		1, 3, 7, 9, // channel 0 at rows/cols 0 and 2
		10, 12, 16, 18, // channel 1
		0, 0, 0, 0, // pad channel
	}
	if got := f64s(y.(*tensor.Dense)); !slices.Equal(got, want) || !y.Shape().Eq(tensor.Shape{1, 4, 2, 2}) {
		t.Errorf("shortcut A = %v %v, want %v (1,4,2,2)", y.Shape(), got, want)
	}
}

// The option-A shortcut splits its images over workers: every worker count
// gives the paper's values, forward and backward, over stale output buffers.
func TestShortcutAWorkers(t *testing.T) {
	xs, ys := tensor.Shape{7, 16, 32, 32}, tensor.Shape{7, 32, 16, 16}
	rng := rand.New(rand.NewPCG(3, 4))
	x := make([]float32, xs.TotalSize())
	dy := make([]float32, ys.TotalSize())
	for i := range x {
		x[i] = float32(rng.NormFloat64())
	}
	for i := range dy {
		dy[i] = float32(rng.NormFloat64())
	}
	// the definition, on zeroed buffers
	y1, dx1 := make([]float32, len(dy)), make([]float32, len(x))
	for b := 0; b < 7; b++ {
		for ch := 0; ch < 16; ch++ {
			for i := 0; i < 16; i++ {
				for j := 0; j < 16; j++ {
					big, small := ((b*16+ch)*32+2*i)*32+2*j, ((b*32+ch+8)*16+i)*16+j
					y1[small], dx1[big] = x[big], dy[small]
				}
			}
		}
	}
	for _, workers := range []int{1, 2, 3} {
		y := make([]float32, len(dy))
		dx := make([]float32, len(x))
		for i := range y {
			y[i] = 1
		}
		for i := range dx {
			dx[i] = 1
		}
		shortcutA(y, x, xs, ys, 2, false, workers)
		shortcutA(dx, dy, xs, ys, 2, true, workers)
		if !slices.Equal(y, y1) || !slices.Equal(dx, dx1) {
			t.Errorf("workers %d: shortcut A differs from its definition", workers)
		}
	}
}

// Two nodes whose ops hash alike are merged silently: every resx op hashes
// uniquely, so a net has exactly one node per layer even where two layers
// look the same.
func TestTrapNoMergedNodes(t *testing.T) {
	in := InputShape{C: 3, H: 8, W: 8}
	n, err := New(config.Model{Arch: "residual", Depth: 14, Block: "basic", Shortcut: "C", Width: 0.5, Survival: 1},
		Options{Batch: 2, Classes: 10, Input: in, Seed: 1, Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	convs := 0
	for _, nd := range n.eval.g.AllNodes() {
		if _, ok := nd.Op().(*convOp); ok {
			convs++
		}
	}
	// stem + 2 per block + 1 projection per block (option C), 6 blocks.
	if want := 1 + 6*3; convs != want {
		t.Errorf("%d conv nodes in the evaluation graph, want %d", convs, want)
	}
	seen := map[uint32]string{}
	for _, nd := range n.train[2].g.AllNodes() {
		if op, ok := nd.Op().(interface{ Hashcode() uint32 }); ok && nd.Op() != nil {
			if _, isResx := nd.Op().(*convOp); !isResx {
				continue
			}
			h := op.Hashcode()
			if prev, dup := seen[h]; dup {
				t.Fatalf("ops %s and %s hash alike", prev, nd.Name())
			}
			seen[h] = nd.Name()
		}
	}
}

// The evaluation program is compiled separately from the training machine:
// creating it must not change what training computes (Gorgonia's own
// NewTapeMachine flips the mode of shared BatchNorm ops).
func TestTrapEvalMachineLeavesTrainingAlone(t *testing.T) {
	in := InputShape{C: 3, H: 8, W: 8}
	cfg := config.Model{Arch: "residual", Depth: 8, Block: "basic", Shortcut: "A", Width: 0.5, Survival: 1}
	x, y := batchOf(rand.New(rand.NewPCG(8, 8)), 4, in, 10)
	a, _ := New(cfg, Options{Batch: 4, Classes: 10, Input: in, Seed: 1, Threads: 1})
	b, _ := New(cfg, Options{Batch: 4, Classes: 10, Input: in, Seed: 1, Threads: 1})
	if _, _, err := b.Evaluate(x, y, 4); err != nil {
		t.Fatal(err)
	}
	ra, _ := a.TrainStep(x, y, 4, nil)
	rb, _ := b.TrainStep(x, y, 4, nil)
	if ra != rb {
		t.Errorf("training step after an evaluation %+v differs from one without %+v", rb, ra)
	}
	_ = G.Nodes{}
}
