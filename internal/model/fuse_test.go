package model

import (
	"math/rand/v2"
	"testing"

	"github.com/resx-dev/resx/internal/config"
)

// TestFusedBatchNorms compares networks whose evaluation-mode batch norms
// are fused into the preceding convolutions with the same networks unfused:
// evaluation gives the same bits, before and between training steps (which
// update the running statistics the fused ops read). In the bottleneck and
// pre-activation nets a convolution's raw output is also a shortcut, which
// must stay unfused.
func TestFusedBatchNorms(t *testing.T) {
	in := InputShape{C: 3, H: 8, W: 8}
	for _, cfg := range []config.Model{
		{Arch: "residual", Depth: 8, Block: "basic", Shortcut: "B", Width: 0.5, Survival: 1},
		{Arch: "plain", Depth: 8, Block: "basic", Shortcut: "A", Width: 0.5, Survival: 1},
		{Arch: "residual", Depth: 11, Block: "bottleneck", Shortcut: "A", Width: 0.5, Survival: 1},
		{Arch: "residual", Depth: 8, Block: "preact", Shortcut: "C", Width: 0.5, Survival: 1},
	} {
		t.Run(cfg.Block+"-"+cfg.Arch+"-"+cfg.Shortcut, func(t *testing.T) {
			sameFusedOrNot(t, cfg, in, &fuseBN)
		})
	}
}

// TestFusedResidualBatchNorm compares basic residual nets whose second batch
// norm of each block also adds the shortcut and applies the ReLU with the
// same nets built with the batch norm and the addition apart: the same bits
// in training (loss and every gradient) and in evaluation, where the batch
// norm is also fused into the convolution before it. 16x16 inputs run the
// Winograd convolutions too.
func TestFusedResidualBatchNorm(t *testing.T) {
	for _, sc := range []string{"A", "B"} {
		cfg := config.Model{Arch: "residual", Depth: 8, Block: "basic", Shortcut: sc, Width: 0.5, Survival: 1}
		t.Run(sc, func(t *testing.T) { sameFusedOrNot(t, cfg, InputShape{C: 3, H: 16, W: 16}, &fuseResidual) })
	}
}

// TestFusedResidualGrads compares basic residual nets whose first
// convolution of each block with an identity or option-A shortcut adds the
// shortcut's gradient and applies the previous block's ReLU mask to its
// input gradient with the same nets built without (Gorgonia's addition, a
// ReLU-gradient op and the option-A gradient op): the same bits over three
// SGD steps. Two blocks a stage give both kinds: the
// first block reads the stem's batch norm (addition only), the second the
// first block's output (addition and mask); 16x16 inputs run Winograd and
// direct convolutions.
func TestFusedResidualGrads(t *testing.T) {
	in := InputShape{C: 3, H: 16, W: 16}
	for _, sc := range []string{"A", "B"} {
		cfg := config.Model{Arch: "residual", Depth: 14, Block: "basic", Shortcut: sc, Width: 0.5, Survival: 1}
		t.Run(sc, func(t *testing.T) {
			sameFusedOrNot(t, cfg, in, &fuseResidualGrad)
			// the fusion happened where it should
			n, err := New(cfg, Options{Batch: 6, Classes: 10, Input: in, Seed: 3, Threads: 2})
			if err != nil {
				t.Fatal(err)
			}
			x, y := batchOf(rand.New(rand.NewPCG(4, 4)), 6, in, 10)
			if _, err := n.TrainStep(x, y, 6, nil); err != nil {
				t.Fatal(err)
			}
			var added, masked int
			for _, g := range n.train {
				for _, nd := range g.g.AllNodes() {
					if d, ok := nd.Op().(*convDataOp); ok {
						added += btoi(d.add)
						masked += btoi(d.mask)
					}
				}
			}
			// identity blocks: 2 in stage 1, 1 in each later stage; masked:
			// those whose input is a block's output (all but the first).
			// With option A the two strided blocks add and mask too.
			wantAdded, wantMasked := 4, 3
			if sc == "A" {
				wantAdded, wantMasked = 6, 5
			}
			if added != wantAdded || masked != wantMasked {
				t.Errorf("%d input gradients add the shortcut's, %d mask: want %d, %d", added, masked, wantAdded, wantMasked)
			}
		})
	}
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// sameFusedOrNot builds cfg with *fuse false and true and checks that
// evaluation and training give the same bits over three SGD steps.
func sameFusedOrNot(t *testing.T, cfg config.Model, in InputShape, fuse *bool) {
	t.Helper()
	nets := make([]*Net, 2)
	for i, f := range []bool{false, true} {
		*fuse = f
		n, err := New(cfg, Options{Batch: 6, Classes: 10, Input: in, Seed: 3, Threads: 2})
		*fuse = true
		if err != nil {
			t.Fatal(err)
		}
		nets[i] = n
	}
	x, y := batchOf(rand.New(rand.NewPCG(4, 4)), 6, in, 10)
	for step := 0; step < 3; step++ {
		var loss [2]float64
		var correct [2]int
		for i, n := range nets {
			var err error
			if loss[i], correct[i], err = n.Evaluate(x, y, 6); err != nil {
				t.Fatal(err)
			}
		}
		if loss[0] != loss[1] || correct[0] != correct[1] {
			t.Fatalf("step %d: evaluation loss %v / %d correct unfused, %v / %d fused", step, loss[0], correct[0], loss[1], correct[1])
		}
		var res [2]StepResult
		for i, n := range nets {
			var err error
			if res[i], err = n.TrainStep(x, y, 6, nil); err != nil {
				t.Fatal(err)
			}
		}
		if res[0].Loss != res[1].Loss {
			t.Fatalf("step %d: training loss %v unfused, %v fused", step, res[0].Loss, res[1].Loss)
		}
		p0, p1 := nets[0].Params(), nets[1].Params()
		for j := range p0 {
			for k, g := range p0[j].Grad {
				if g != p1[j].Grad[k] {
					t.Fatalf("step %d: gradient of %s[%d] %v unfused, %v fused", step, p0[j].Name, k, g, p1[j].Grad[k])
				}
			}
		}
		sgd(nets[0], 0.1)
		sgd(nets[1], 0.1)
	}
}

// TestFusedTrainBatchNorms compares networks whose training-mode batch
// norms are applied by the convolutions reading their outputs
// (fuseTrainBatchNorms) with the same networks unfused: the same bits over
// three SGD steps, in training and evaluation. 16x16 inputs run Winograd
// convolutions (fused) and direct ones (the strided ones, not fused).
func TestFusedTrainBatchNorms(t *testing.T) {
	in := InputShape{C: 3, H: 16, W: 16}
	for _, c := range []struct {
		cfg          config.Model
		fused, stats int
	}{
		// Winograd runs the 3x3 convolutions of stages 1 and 2 (8
		// channels at 16x16, 16 at 8x8), not stage 3's 4x4 maps. Basic
		// residual: the first batch norm of each block there (2+2).
		{config.Model{Arch: "residual", Depth: 14, Block: "basic", Shortcut: "A", Width: 0.5, Survival: 1}, 4, 4},
		// plain: every batch norm before a convolution of those stages
		// but the strided ones (stem and 3 in stage 1, 3 in stage 2)
		{config.Model{Arch: "plain", Depth: 14, Block: "basic", Shortcut: "A", Width: 0.5, Survival: 1}, 7, 7},
		{config.Model{Arch: "residual", Depth: 8, Block: "preact", Shortcut: "C", Width: 0.5, Survival: 1}, 2, 2},
		{config.Model{Arch: "residual", Depth: 11, Block: "bottleneck", Shortcut: "A", Width: 0.5, Survival: 1}, 1, 1},
	} {
		t.Run(c.cfg.Block+"-"+c.cfg.Arch, func(t *testing.T) {
			// The fused batch norms add their statistics plane by plane;
			// with planeStats the unfused ones do too.
			planeStats = true
			defer func() { planeStats = false }()
			sameFusedOrNot(t, c.cfg, in, &fuseTrainBN)
			// the plane sums from the convolutions before them, or not
			sameFusedOrNot(t, c.cfg, in, &fuseTrainStats)
			n, err := New(c.cfg, Options{Batch: 6, Classes: 10, Input: in, Seed: 3, Threads: 2})
			if err != nil {
				t.Fatal(err)
			}
			x, y := batchOf(rand.New(rand.NewPCG(4, 4)), 6, in, 10)
			if _, err := n.TrainStep(x, y, 6, nil); err != nil {
				t.Fatal(err)
			}
			fused, stats := 0, 0
			for _, g := range n.train {
				for _, nd := range g.g.AllNodes() {
					if b, ok := nd.Op().(*bnOp); ok && b.into != nil {
						fused++
						stats += btoi(b.statsFrom != nil)
					}
				}
			}
			if fused != c.fused || stats != c.stats {
				t.Errorf("%d batch norms fused into their convolutions, %d with statistics from the one before: want %d, %d", fused, stats, c.fused, c.stats)
			}
		})
	}
}
