package model

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"gorgonia.org/tensor"

	"github.com/resx-dev/resx/internal/config"
)

// TestFastPathMatchesReference trains the same network twice from the same
// initial weights on the same batches: in float32, through the fast kernels
// (assembly where the CPU has it), and in float64, through the reference
// loops. The loss curves must agree to float32 accuracy, so the fast path
// computes what the straightforward implementation does.
//
// On 12×12 inputs every convolution runs directly; on 16×16 inputs the
// 3×3 stride-1 convolutions of the 16×16 stage run as Winograd F(4×4, 3×3)
// and those of the 8×8 stage as F(2×2, 3×3) (kernel.ConvAlgorithm).
//
// The first step's gradients must agree to 1e-4, or to four times the
// reference's own sensitivity where that is larger: how far its gradients
// move when the batch is nudged by 1e-5 relative. A ReLU whose
// pre-activation lies within rounding of zero flips on such a nudge, and
// moves a layer's gradient by about 1% with no error on either side; the
// first batch of the 16×16 residual net has one, which F(4×4)'s rounding
// (1e-6 relative, 5x F(2×2)'s) flips.
func TestFastPathMatchesReference(t *testing.T) {
	for _, c := range []struct {
		cfg config.Model
		in  InputShape
	}{
		{config.Model{Arch: "residual", Depth: 8, Block: "basic", Shortcut: "A", Width: 1, Survival: 1}, InputShape{C: 3, H: 12, W: 12}},
		{config.Model{Arch: "plain", Depth: 8, Block: "basic", Shortcut: "A", Width: 1, Survival: 1}, InputShape{C: 3, H: 12, W: 12}},
		{config.Model{Arch: "residual", Depth: 8, Block: "preact", Shortcut: "B", Width: 1, Survival: 1}, InputShape{C: 3, H: 12, W: 12}},
		{config.Model{Arch: "residual", Depth: 8, Block: "basic", Shortcut: "A", Width: 1, Survival: 1}, InputShape{C: 3, H: 16, W: 16}},
		{config.Model{Arch: "plain", Depth: 8, Block: "basic", Shortcut: "A", Width: 1, Survival: 1}, InputShape{C: 3, H: 16, W: 16}},
	} {
		cfg, in := c.cfg, c.in
		t.Run(fmt.Sprintf("%s-%s-%dpx", cfg.Arch, cfg.Block, in.H), func(t *testing.T) {
			opt := Options{Batch: 16, Classes: 10, Input: in, Seed: 11, Threads: 2}
			fast, err := New(cfg, opt)
			if err != nil {
				t.Fatal(err)
			}
			ref, err := newNet(cfg, opt, tensor.Float64)
			if err != nil {
				t.Fatal(err)
			}
			for i, p := range fast.Params() { // identical starting point
				for j, v := range p.Value {
					f64s(ref.tensors[i])[j] = float64(v)
				}
			}
			r := rand.New(rand.NewPCG(12, 12))
			const lr = 0.05
			for step := 0; step < 10; step++ {
				x, y := batchOf(r, 16, in, 10)
				a, err := fast.TrainStep(x, y, 16, nil)
				if err != nil {
					t.Fatal(err)
				}
				var nudged [][]float64 // the reference's gradients for the nudged batch
				if step == 0 {
					nr := rand.New(rand.NewPCG(13, 13))
					xn := make([]float32, len(x))
					for i, v := range x {
						xn[i] = v * float32(1+1e-5*(2*nr.Float64()-1))
					}
					if _, err := ref.TrainStep(xn, y, 16, nil); err != nil {
						t.Fatal(err)
					}
					for i := range ref.grads {
						nudged = append(nudged, append([]float64(nil), f64s(ref.grads[i])...))
					}
				}
				b, err := ref.TrainStep(x, y, 16, nil)
				if err != nil {
					t.Fatal(err)
				}
				// Float32 rounding grows along a training trajectory (a
				// pre-activation that crosses zero on one side only flips a
				// ReLU), so the first steps must agree tightly and the rest
				// of the curve to float32 training accuracy.
				tol := 1e-5
				if step >= 2 {
					tol = 2e-3
				}
				if math.Abs(a.Loss-b.Loss) > tol*(1+math.Abs(b.Loss)) {
					t.Fatalf("step %d: loss %.7f (fast, float32) vs %.7f (reference, float64)", step, a.Loss, b.Loss)
				}
				if step == 0 {
					for i, p := range fast.Params() {
						g := f64s(ref.grads[i])
						sens := relDiff(nudged[i], g)
						if d := relDiff(p.Grad, g); d > max(1e-4, 4*sens) {
							t.Errorf("step 0: gradient of %s differs from the reference by %.2g (relative norm; the reference's own sensitivity %.2g)", p.Name, d, sens)
						}
					}
				}
				for i, p := range fast.Params() {
					g := f64s(ref.grads[i])
					w := f64s(ref.tensors[i])
					for j := range p.Value {
						p.Value[j] -= lr * p.Grad[j]
						w[j] -= lr * g[j]
					}
				}
			}
		})
	}
}

// relDiff is |a-b|/|b| in the Euclidean norm.
func relDiff[T float32 | float64](a []T, b []float64) float64 {
	var num, den float64
	for i, v := range b {
		d := float64(a[i]) - v
		num += d * d
		den += v * v
	}
	return math.Sqrt(num / math.Max(den, 1e-300))
}
