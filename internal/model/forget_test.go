package model

import (
	"math/rand/v2"
	"testing"

	"github.com/resx-dev/resx/internal/config"
)

func TestForgetLesions(t *testing.T) {
	in := InputShape{C: 3, H: 8, W: 8}
	cfg := config.Model{Arch: "residual", Depth: 8, Block: "basic", Shortcut: "A", Width: 0.5, Survival: 1}
	n, err := New(cfg, Options{Batch: 4, Classes: 10, Input: in, Seed: 2, Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	x, y := batchOf(rand.New(rand.NewPCG(3, 3)), 4, in, 10)
	var before [3]float64
	for b := range before {
		if before[b], _, err = n.EvaluateWithout([]int{b}, x, y, 4); err != nil {
			t.Fatal(err)
		}
	}
	if len(n.lesion) != 3 {
		t.Fatalf("%d graphs kept, want 3", len(n.lesion))
	}
	n.ForgetLesions()
	if len(n.lesion) != 0 {
		t.Fatalf("%d graphs kept after ForgetLesions", len(n.lesion))
	}
	for b, want := range before {
		got, _, err := n.EvaluateWithout([]int{b}, x, y, 4)
		if err != nil || got != want {
			t.Errorf("block %d deleted again: loss %v (%v), before %v", b, got, err, want)
		}
	}
}
