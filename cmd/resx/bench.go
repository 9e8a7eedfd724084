package main

import (
	"encoding/json"
	"fmt"
	"runtime"

	"github.com/spf13/cobra"

	"github.com/resx-dev/resx/internal/bench"
	"github.com/resx-dev/resx/internal/config"
	"github.com/resx-dev/resx/internal/model"
)

type benchOptions struct {
	model                 config.Model
	input                 string
	batch, threads, steps int
	warmup                int
}

func newBenchCmd(a *app, runF func(*benchOptions) error) *cobra.Command {
	o := &benchOptions{}
	cmd := &cobra.Command{
		Use:   "bench",
		Short: "Measure training and evaluation speed on synthetic batches",
		Long: `bench builds a network and times training steps (forward, backward) and
evaluation passes on one random batch. It prints images per second (medians
over --steps), bytes allocated per training step, peak resident memory and
the achieved GFLOP/s (FLOPs counted from the graph; a training step counts as
three forward passes). --json prints one JSON line, the format
scripts/bench-vs-pytorch.sh reads.`,
		Args: cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			if o.batch <= 0 || o.steps <= 0 || o.warmup < 0 {
				return usagef("--batch and --steps must be positive and --warmup not negative")
			}
			cfg := config.Default()
			o.model.Survival = 1
			cfg.Model = o.model
			if err := cfg.Validate(); err != nil {
				return err
			}
			if runF != nil {
				return runF(o)
			}
			return a.runBench(o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.model.Arch, "arch", "residual", "plain or residual")
	f.IntVar(&o.model.Depth, "depth", 20, "depth, 6n+2 (9n+2 for bottleneck)")
	f.StringVar(&o.model.Block, "block", "basic", "basic, preact or bottleneck")
	f.StringVar(&o.model.Shortcut, "shortcut", "A", "A, B or C")
	f.Float64Var(&o.model.Width, "width", 1, "width multiplier (1 = 16/32/64 channels)")
	f.StringVar(&o.input, "input", "3x32x32", "image shape CxHxW")
	f.IntVar(&o.batch, "batch", 128, "batch size")
	f.IntVar(&o.threads, "threads", runtime.NumCPU(), "worker threads")
	f.IntVar(&o.steps, "steps", 8, "timed steps of each kind")
	f.IntVar(&o.warmup, "warmup", 2, "untimed steps first")
	return cmd
}

func (a *app) runBench(o *benchOptions) error {
	var in model.InputShape
	if _, err := fmt.Sscanf(o.input, "%dx%dx%d", &in.C, &in.H, &in.W); err != nil || in.C <= 0 || in.H <= 0 || in.W <= 0 {
		return usagef("--input %q is not CxHxW, e.g. 3x32x32", o.input)
	}
	r, err := bench.Run(bench.Options{Model: o.model, Input: in, Classes: 10, Batch: o.batch,
		Threads: o.threads, Steps: o.steps, Warmup: o.warmup, Seed: 1})
	if err != nil {
		return err
	}
	if a.json {
		b, err := json.Marshal(r)
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(a.stdout, "%s\n", b)
		return err
	}
	_, err = fmt.Fprintf(a.stdout, `%s-%d (%s, %d parameters), batch %d, %d threads, %s
  training:   %7.1f images/s  (%.3f s/step, %.1f GFLOP/s)
  evaluation: %7.1f images/s  (%.3f s/batch, %.1f GFLOP/s)
  allocated per training step: %.0f bytes in %.0f objects
  peak resident memory: %.0f MiB; graph built in %.2f s
`, r.Arch, r.Depth, r.Block, r.Params, r.Batch, r.Threads, r.CPU,
		r.ImagesPS, r.StepS, r.GFLOPs, r.EvalIPS, r.EvalStepS, r.EvalGFLOPs,
		r.BytesPerStep, r.AllocsPerStep, r.PeakRSSMiB, r.BuildS)
	return err
}
