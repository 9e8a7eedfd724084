package main

import (
	"encoding/json"
	"fmt"
	"runtime"
	"time"

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
	kernels               bool
	kernelTime            time.Duration
}

func newBenchCmd(a *app, runF func(*benchOptions) error) *cobra.Command {
	o := &benchOptions{}
	cmd := &cobra.Command{
		Use:   "bench",
		Short: "Measure training and evaluation speed on synthetic batches",
		Long: `bench builds a network and times training steps (forward, backward and the SGD
update, as the PyTorch reference does) and evaluation passes on one random
batch. It prints images per second (medians over --steps), bytes allocated per
training step, peak resident memory and the achieved GFLOP/s (FLOPs counted
from the graph as direct convolutions, so Winograd layers add effective rates;
a training step counts as three forward passes). --json prints one JSON line,
the format scripts/bench-vs-pytorch.sh reads.

--kernels instead measures the convolution kernels against the machine: it
first measures one core's float32 peak in a register-only FMA loop, then, for
each distinct convolution of the network at --batch, times the forward pass,
the input gradient (not for the stem) and the weight gradient on random data,
on one worker and on --threads workers, each the median of repeated calls
for about --kernel-time (at least --steps of them, after --warmup). The table
lists, per layer kind and direction, the layer count, GFLOP/s on one core,
that rate as a percentage of the peak, the wall GFLOP/s with --threads and
the algorithm (direct, or winograd-2x2 or winograd-4x4: an effective rate,
which may exceed the peak), then the totals over every convolution of the network; --json prints
the report as one JSON line.`,
		Args: cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			if o.batch <= 0 || o.steps <= 0 || o.warmup < 0 {
				return usagef("--batch and --steps must be positive and --warmup not negative")
			}
			if o.kernels && o.kernelTime <= 0 {
				return usagef("--kernel-time must be positive")
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
	f.BoolVar(&o.kernels, "kernels", false, "time each convolution kind's kernels against the per-core peak instead")
	f.DurationVar(&o.kernelTime, "kernel-time", 100*time.Millisecond, "with --kernels: time per kernel measurement")
	return cmd
}

func (a *app) runBench(o *benchOptions) error {
	var in model.InputShape
	if _, err := fmt.Sscanf(o.input, "%dx%dx%d", &in.C, &in.H, &in.W); err != nil || in.C <= 0 || in.H <= 0 || in.W <= 0 {
		return usagef("--input %q is not CxHxW, e.g. 3x32x32", o.input)
	}
	opt := bench.Options{Model: o.model, Input: in, Classes: 10, Batch: o.batch,
		Threads: o.threads, Steps: o.steps, Warmup: o.warmup, Seed: 1}
	if o.kernels {
		return a.runKernelBench(opt, o.kernelTime)
	}
	r, err := bench.Run(opt)
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
	_, err = fmt.Fprintf(a.stdout, `%s-%d (%s, %d parameters), batch %d, %d threads, %s, %s kernels
  training:   %7.1f images/s  (%.3f s/step, %.1f GFLOP/s)
  evaluation: %7.1f images/s  (%.3f s/batch, %.1f GFLOP/s)
  allocated per training step: %.0f bytes in %.0f objects
  peak resident memory: %.0f MiB; graph built in %.2f s
`, r.Arch, r.Depth, r.Block, r.Params, r.Batch, r.Threads, r.CPU, r.Kernels,
		r.ImagesPS, r.StepS, r.GFLOPs, r.EvalIPS, r.EvalStepS, r.EvalGFLOPs,
		r.BytesPerStep, r.AllocsPerStep, r.PeakRSSMiB, r.BuildS)
	return err
}

func (a *app) runKernelBench(opt bench.Options, d time.Duration) error {
	r, err := bench.Kernels(opt, d)
	if err != nil {
		return err
	}
	if !a.json {
		return r.WriteTable(a.stdout)
	}
	enc := json.NewEncoder(a.stdout) // one line; layer names keep their "->"
	enc.SetEscapeHTML(false)
	return enc.Encode(r)
}
