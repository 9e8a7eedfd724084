package model

import (
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
func TestFastPathMatchesReference(t *testing.T) {
	in := InputShape{C: 3, H: 12, W: 12}
	for _, cfg := range []config.Model{
		{Arch: "residual", Depth: 8, Block: "basic", Shortcut: "A", Width: 1, Survival: 1},
		{Arch: "plain", Depth: 8, Block: "basic", Shortcut: "A", Width: 1, Survival: 1},
		{Arch: "residual", Depth: 8, Block: "preact", Shortcut: "B", Width: 1, Survival: 1},
	} {
		t.Run(cfg.Arch+"-"+cfg.Block, func(t *testing.T) {
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
				b, err := ref.TrainStep(x, y, 16, nil)
				if err != nil {
					t.Fatal(err)
				}
				if math.Abs(a.Loss-b.Loss) > 1e-4*(1+math.Abs(b.Loss)) {
					t.Fatalf("step %d: loss %.7f (fast, float32) vs %.7f (reference, float64)", step, a.Loss, b.Loss)
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
