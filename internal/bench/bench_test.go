package bench

import (
	"testing"

	"github.com/resx-dev/resx/internal/config"
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
	if _, err := Run(Options{Model: opt.Model, Input: opt.Input, Classes: 10, Batch: 0, Steps: 1}); err == nil {
		t.Error("batch 0 accepted")
	}
}
