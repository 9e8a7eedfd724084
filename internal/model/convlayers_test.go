package model

import (
	"testing"

	"github.com/resx-dev/resx/internal/config"
	"github.com/resx-dev/resx/internal/kernel"
)

func TestConvLayersResNet20(t *testing.T) {
	cfg := config.Model{Arch: "residual", Depth: 20, Block: "basic", Shortcut: "A", Width: 1, Survival: 1}
	const batch = 3
	n, err := New(cfg, Options{Batch: batch, Classes: 10, Input: InputShape{C: 3, H: 32, W: 32}, Seed: 1, Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	conv := func(c, k, hw, stride int) kernel.ConvShape {
		return kernel.ConvShape{N: batch, C: c, H: hw, W: hw, K: k, R: 3, S: 3, Stride: stride, Pad: 1}
	}
	want := []ConvLayer{
		{conv(3, 16, 32, 1), 1, true},
		{conv(16, 16, 32, 1), 6, false},
		{conv(16, 32, 32, 2), 1, false},
		{conv(32, 32, 16, 1), 5, false},
		{conv(32, 64, 16, 2), 1, false},
		{conv(64, 64, 8, 1), 5, false},
	}
	got := n.ConvLayers()
	if len(got) != len(want) {
		t.Fatalf("%d conv layers %+v, want %d", len(got), got, len(want))
	}
	total := 0
	var flops int64
	for i, l := range got {
		if l != want[i] {
			t.Errorf("layer %d: %+v, want %+v", i, l, want[i])
		}
		total += l.Count
		flops += int64(l.Count) * l.Shape.FLOPs()
	}
	if total != 19 {
		t.Errorf("counts sum to %d, want 19", total)
	}
	// The convolutions are all of the forward FLOPs but the fully connected layer's.
	if fc := int64(2 * 64 * 10); flops != batch*(n.FLOPs()-fc) {
		t.Errorf("conv FLOPs %d, want %d", flops, batch*(n.FLOPs()-fc))
	}
	got[0].Count = 99
	if n.ConvLayers()[0].Count != 1 {
		t.Error("ConvLayers returned the net's own slice")
	}
}
