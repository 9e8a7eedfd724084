package model

import (
	"testing"

	"gorgonia.org/tensor"

	"github.com/resx-dev/resx/internal/config"
)

// bufferBytes sums the op output buffers of a graph: all of them, and the
// distinct ones after sharing.
func bufferBytes(gr *graph) (all, distinct int64) {
	seen := map[*tensor.Dense]bool{}
	for _, nd := range gr.g.AllNodes() {
		o, ok := nd.Op().(ownsOutput)
		if !ok || o.outBuffer().t == nil {
			continue
		}
		t := o.outBuffer().t
		b := int64(t.Shape().TotalSize()) * 4
		all += b
		if !seen[t] {
			seen[t] = true
			distinct += b
		}
	}
	return all, distinct
}

// TestBuffersAreShared: gradient buffers are reused across layers, so a
// ResNet-56 training graph holds far fewer bytes than one buffer per op;
// the evaluation graph needs only a handful of buffers.
func TestBuffersAreShared(t *testing.T) {
	in := InputShape{C: 3, H: 32, W: 32}
	n, err := New(config.Model{Arch: "residual", Depth: 56, Block: "basic", Shortcut: "A", Width: 1, Survival: 1},
		Options{Batch: 2, Classes: 10, Input: in, Seed: 1, Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	all, distinct := bufferBytes(n.train[2])
	if distinct > all*6/10 {
		t.Errorf("training graph: %d distinct buffer bytes of %d: sharing saves too little", distinct, all)
	}
	allE, distinctE := bufferBytes(n.eval)
	// (Fused batch norms pass their input on and own no buffer.)
	if distinctE > allE/8 {
		t.Errorf("evaluation graph: %d distinct buffer bytes of %d", distinctE, allE)
	}
	t.Logf("training %d -> %d bytes, evaluation %d -> %d bytes (batch 2)", all, distinct, allE, distinctE)
}

func TestLatestFree(t *testing.T) {
	a, b, c := &held{free: 3}, &held{free: 7}, &held{free: 5}
	for _, tc := range []struct {
		p    int
		want *held
	}{{3, nil}, {4, a}, {6, c}, {8, b}, {100, b}} {
		if got := latestFree([]*held{a, b, c}, tc.p); got != tc.want {
			t.Errorf("latestFree at %d = %v, want %v", tc.p, got, tc.want)
		}
	}
}
