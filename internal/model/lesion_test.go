package model

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/resx-dev/resx/internal/config"
)

// TestLesionEqualsZeroBranch: deleting a block at test time gives exactly
// what the intact net gives once that block's residual branch outputs zero
// (its last batch-norm scale and bias, or its last conv, set to 0) — for
// every block type and shortcut, including blocks that change the shape.
func TestLesionEqualsZeroBranch(t *testing.T) {
	in := InputShape{C: 3, H: 8, W: 8}
	x, y := batchOf(rand.New(rand.NewPCG(4, 4)), 6, in, 10)
	for _, c := range []struct {
		block, shortcut string
		depth, del      int
		zero            []string
	}{
		{"basic", "A", 14, 1, []string{"s1.b2.bn2.gamma", "s1.b2.bn2.beta"}},
		{"basic", "A", 14, 2, []string{"s2.b1.bn2.gamma", "s2.b1.bn2.beta"}},
		{"basic", "B", 14, 4, []string{"s3.b1.bn2.gamma", "s3.b1.bn2.beta"}},
		{"preact", "B", 14, 2, []string{"s2.b1.conv2.w"}},
		{"preact", "C", 14, 3, []string{"s2.b2.conv2.w"}},
		{"bottleneck", "A", 11, 1, []string{"s2.b1.conv3.w"}},
	} {
		t.Run(c.block+"-"+c.shortcut, func(t *testing.T) {
			cfg := config.Model{Arch: "residual", Depth: c.depth, Block: c.block, Shortcut: c.shortcut, Width: 0.5, Survival: 1}
			n, err := New(cfg, Options{Batch: 6, Classes: 10, Input: in, Seed: 2, Threads: 2})
			if err != nil {
				t.Fatal(err)
			}
			for i := 0; i < 2; i++ { // running statistics away from their start
				if _, err := n.TrainStep(x, y, 6, nil); err != nil {
					t.Fatal(err)
				}
			}
			lesionLoss, lesionOK, err := n.EvaluateWithout([]int{c.del}, x, y, 6)
			if err != nil {
				t.Fatal(err)
			}
			intact, _, _ := n.Evaluate(x, y, 6)
			if intact == lesionLoss {
				t.Fatal("deleting a block changed nothing")
			}
			for _, name := range c.zero {
				clear(n.Params()[n.byName[name]].Value)
			}
			zeroLoss, zeroOK, _ := n.Evaluate(x, y, 6)
			if math.Abs(zeroLoss-lesionLoss) > 1e-5*(1+math.Abs(zeroLoss)) || zeroOK != lesionOK {
				t.Errorf("lesion: loss %v (%d correct); zero branch: %v (%d correct)", lesionLoss, lesionOK, zeroLoss, zeroOK)
			}
		})
	}
}

func TestLesionPlainAndErrors(t *testing.T) {
	in := InputShape{C: 3, H: 8, W: 8}
	cfg := config.Model{Arch: "plain", Depth: 14, Block: "basic", Shortcut: "A", Width: 0.5, Survival: 1}
	n, err := New(cfg, Options{Batch: 4, Classes: 10, Input: in, Seed: 2, Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	if n.Blocks() != 6 {
		t.Fatalf("%d blocks, want 6", n.Blocks())
	}
	x, y := batchOf(rand.New(rand.NewPCG(1, 4)), 4, in, 10)
	for b := 0; b < n.Blocks(); b++ {
		if _, _, err := n.EvaluateWithout([]int{b}, x, y, 4); err != nil {
			t.Fatalf("block %d: %v", b, err)
		}
	}
	if _, _, err := n.EvaluateWithout([]int{6}, x, y, 4); err == nil {
		t.Error("block 6 of 6 accepted")
	}
	a, _, _ := n.Evaluate(x, y, 4)
	b, _, _ := n.EvaluateWithout(nil, x, y, 4)
	if a != b {
		t.Errorf("deleting nothing: %v, intact %v", b, a)
	}
}
