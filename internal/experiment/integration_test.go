package experiment

import (
	"context"
	"io"
	"reflect"
	"testing"
	"time"

	"github.com/resx-dev/resx/internal/config"
)

// tinyConfig trains a real ResNet-8 at a quarter of the paper's width
// (channels 4/8/16) on 160 synthetic 3×8×8 images: 10 steps of 16 per epoch.
func tinyConfig() config.Config {
	c := config.Default()
	c.Name = "tiny"
	c.Threads = 1
	c.Data = config.Data{Name: "synthetic", Augment: true, Normalize: "channel", Subset: 160, TestSubset: 64}
	c.Model.Depth, c.Model.Width = 8, 0.25
	c.Train.BatchSize = 16
	c.Train.Iterations = 0
	c.Train.Epochs = 3
	c.Train.LR = 0.1
	c.Train.LRSteps, c.Train.LRStepUnit = []int{2}, "epoch"
	c.Checkpoint.Keep = 2
	return c
}

func tinyOptions(dir string) Options {
	return Options{RunDir: dir, Version: "test", Log: io.Discard}
}

func TestTinyNetworkTrainsAndResumesExactly(t *testing.T) {
	if testing.Short() {
		t.Skip("trains a real network (seconds)")
	}
	for _, tc := range []struct {
		name  string
		edit  func(*config.Config)
		stops []int
	}{
		{"residual", func(*config.Config) {}, []int{4, 10, 23}},
		{"stochastic depth, log and checkpoint every few steps", func(c *config.Config) {
			c.Model.Survival, c.Train.LogEvery, c.Checkpoint.Every = 0.5, 3, 4
		}, []int{6, 17}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := tinyConfig()
			tc.edit(&cfg)
			ref := t.TempDir()
			start := time.Now()
			s, err := Run(context.Background(), cfg, tinyOptions(ref))
			if err != nil {
				t.Fatal(err)
			}
			wall := time.Since(start)
			t.Logf("%d params, %d steps in %v (%.1f steps/s, %.0f images/s in steps); final train error %.3f, test error %.3f",
				s.Params, s.Iterations, wall.Round(time.Millisecond), float64(s.Iterations)/wall.Seconds(),
				s.ImagesPerS, s.FinalTrainError, s.FinalTestError)
			if s.Status != StatusFinished || s.Iterations != 30 || s.Epochs != 3 || s.Dataset != "synthetic" {
				t.Errorf("summary %+v", s)
			}
			want := metricsWithoutTime(t, ref)

			again := t.TempDir()
			if _, err := Run(context.Background(), cfg, tinyOptions(again)); err != nil {
				t.Fatal(err)
			}
			if got := metricsWithoutTime(t, again); !reflect.DeepEqual(got, want) {
				t.Fatalf("two runs of one config differ:\n%v\n%v", got, want)
			}

			dir := t.TempDir()
			for i, at := range tc.stops {
				ctx, cancel := context.WithCancel(context.Background())
				opt := tinyOptions(dir)
				opt.Resume = i > 0
				opt.Progress = &stopAt{at: at, cancel: cancel}
				if _, err := Run(ctx, cfg, opt); err == nil {
					t.Fatalf("run stopped at %d returned no error", at)
				}
				cancel()
			}
			opt := tinyOptions(dir)
			opt.Resume = true
			if _, err := Run(context.Background(), cfg, opt); err != nil {
				t.Fatal(err)
			}
			if got := metricsWithoutTime(t, dir); !reflect.DeepEqual(got, want) {
				t.Errorf("stopped at %v and resumed: metrics differ:\ngot  %v\nwant %v", tc.stops, got, want)
			}
		})
	}
}

// A stream that the loop leaves early gives its buffers back, and batch k of
// an epoch is the same whether the stream starts at 0 or at k.
func TestLoaderSourceStopsCleanly(t *testing.T) {
	d, err := openDataset(config.Data{Name: "synthetic", Augment: true, Normalize: "pixel"}, "", 16, 5)
	if err != nil {
		t.Fatal(err)
	}
	if d.classes != 10 || d.input.C != 3 || d.train.batchesPerEpoch() != 63 {
		t.Fatalf("synthetic: %d classes, input %+v, %d batches", d.classes, d.input, d.train.batchesPerEpoch())
	}
	var fromZero [][]float32
	if err := d.train.epoch(1, 0, func(b batch) bool {
		fromZero = append(fromZero, append([]float32(nil), b.x...))
		return len(fromZero) < 5
	}); err != nil {
		t.Fatal(err)
	}
	for range 20 { // more early stops than the loader has buffers
		if err := d.train.epoch(1, 3, func(b batch) bool {
			if !reflect.DeepEqual(b.x, fromZero[3]) {
				t.Fatal("batch 3 of epoch 1 differs when the stream starts at it")
			}
			return false
		}); err != nil {
			t.Fatal(err)
		}
	}
	n := 0
	if err := d.eval.epoch(0, 0, func(b batch) bool { n += b.n; return true }); err != nil || n != 200 {
		t.Fatalf("evaluation stream gave %d images, %v", n, err)
	}
}

func TestValidationSplitReplacesTest(t *testing.T) {
	d, err := openDataset(config.Data{Name: "synthetic", Normalize: "none", Validation: 100, Subset: 500}, "", 32, 1)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	d.eval.epoch(0, 0, func(b batch) bool { n += b.n; return true })
	if n != 100 || d.train.batchesPerEpoch() != 16 {
		t.Errorf("validation 100, subset 500: %d images evaluated, %d training batches", n, d.train.batchesPerEpoch())
	}
	if _, err := openDataset(config.Data{Name: "synthetic", Normalize: "none", Validation: 1000}, "", 32, 1); err == nil {
		t.Error("a validation split of every training image was accepted")
	}
}
