package bench

import (
	"slices"
	"testing"
	"time"

	"github.com/resx-dev/resx/internal/config"
	"github.com/resx-dev/resx/internal/kernel"
	"github.com/resx-dev/resx/internal/model"
)

func TestRunSmallNet(t *testing.T) {
	opt := Options{
		Model:   config.Model{Arch: "plain", Depth: 8, Block: "basic", Shortcut: "A", Width: 0.25, Survival: 1},
		Input:   model.InputShape{C: 1, H: 8, W: 8},
		Classes: 10, Batch: 4, Threads: 1, Steps: 3, Warmup: 1, Seed: 1,
	}
	r, err := Run(opt)
	if err != nil {
		t.Fatal(err)
	}
	if r.ImagesPS <= 0 || r.EvalIPS <= 0 || r.StepS <= 0 || r.Params <= 0 || r.GFLOPs <= 0 {
		t.Errorf("implausible result %+v", r)
	}
	if r.PeakRSSMiB <= 0 {
		t.Errorf("peak RSS %v", r.PeakRSSMiB)
	}
	if r.Kernels != kernel.KernelSet() || r.Kernels == "" {
		t.Errorf("kernels %q, want %q", r.Kernels, kernel.KernelSet())
	}
	if _, err := Run(Options{Model: opt.Model, Input: opt.Input, Classes: 10, Batch: 0, Steps: 1}); err == nil {
		t.Error("batch 0 accepted")
	}
}

func TestKernelsSmallNet(t *testing.T) {
	opt := Options{
		Model:   config.Model{Arch: "residual", Depth: 8, Block: "basic", Shortcut: "A", Width: 0.25, Survival: 1},
		Input:   model.InputShape{C: 1, H: 8, W: 8},
		Classes: 10, Batch: 2, Threads: 2, Steps: 3, Warmup: 1, Seed: 1,
	}
	r, err := Kernels(opt, 2*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	if !(r.PeakGFLOPs > 0) || r.PeakKind == "" || r.Threads != 2 || r.Batch != 2 || r.Kernels != kernel.KernelSet() {
		t.Errorf("report header %+v", r)
	}
	// stem 1->4 @8, 4->4 @8 (2), 4->8 s2 @8, 8->8 @4, 8->16 s2 @4, 16->16 @2
	names := []string{"3x3 1->4 @8x8", "3x3 4->4 @8x8", "3x3 4->8 s2 @8x8", "3x3 8->8 @4x4", "3x3 8->16 s2 @4x4", "3x3 16->16 @2x2"}
	if len(r.Layers) != len(names) {
		t.Fatalf("%d layers, want %d: %+v", len(r.Layers), len(names), r.Layers)
	}
	var want [3]KernelTiming
	for i, l := range r.Layers {
		if l.Name != names[i] || l.First != (i == 0) {
			t.Errorf("layer %d: %q first %v, want %q", i, l.Name, l.First, names[i])
		}
		dirs := 3
		if l.First {
			dirs = 2
		}
		if len(l.Timings) != dirs {
			t.Errorf("%s: %d timings, want %d", l.Name, len(l.Timings), dirs)
		}
		for _, tm := range l.Timings {
			if tm.Calls != l.Count || tm.FLOPs <= 0 || !(tm.CoreGFLOPs > 0) || !(tm.WallGFLOPs > 0) || !(tm.PeakPct > 0) {
				t.Errorf("%s %s: %+v", l.Name, tm.Direction, tm)
			}
			w := &want[slices.Index(directions, tm.Direction)]
			w.Calls += tm.Calls
			w.FLOPs += tm.FLOPs
		}
	}
	if len(r.Totals) != 3 {
		t.Fatalf("totals %+v", r.Totals)
	}
	for i, tot := range r.Totals {
		if tot.Direction != directions[i] || tot.Calls != want[i].Calls || tot.FLOPs != want[i].FLOPs || !(tot.CoreGFLOPs > 0) {
			t.Errorf("total %d: %+v, want calls %d, FLOPs %d", i, tot, want[i].Calls, want[i].FLOPs)
		}
	}
	if r.Totals[0].Calls != 7 || r.Totals[1].Calls != 6 {
		t.Errorf("forward over %d calls, input gradient over %d; want 7 and 6", r.Totals[0].Calls, r.Totals[1].Calls)
	}
	if _, err := Kernels(opt, 0); err == nil {
		t.Error("zero duration accepted")
	}
}
