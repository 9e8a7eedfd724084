// Package bench measures resx's training and evaluation throughput on
// synthetic batches: images per second, bytes allocated per step, peak
// resident memory and achieved GFLOP/s, for `resx bench` and for comparing
// with PyTorch on the same machine (scripts/bench-vs-pytorch.sh).
package bench

import (
	"fmt"
	"math/rand/v2"
	"os"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/resx-dev/resx/internal/config"
	"github.com/resx-dev/resx/internal/kernel"
	"github.com/resx-dev/resx/internal/model"
	"github.com/resx-dev/resx/internal/optim"
)

// Options says what to measure.
type Options struct {
	Model   config.Model
	Input   model.InputShape
	Classes int
	Batch   int
	Threads int
	// Steps is the number of timed steps of each kind; Warmup untimed steps come first.
	Steps, Warmup int
	Seed          uint64
}

// DefaultOptions is ResNet-20 on CIFAR-shaped input, batch 128, as the
// PyTorch reference script measures it.
func DefaultOptions() Options {
	return Options{
		Model:   config.Model{Arch: "residual", Depth: 20, Block: "basic", Shortcut: "A", Width: 1, Survival: 1},
		Input:   model.InputShape{C: 3, H: 32, W: 32},
		Classes: 10, Batch: 128, Threads: runtime.NumCPU(), Steps: 8, Warmup: 2, Seed: 1,
	}
}

// Result is one measurement. Step times are medians over the timed steps.
type Result struct {
	Impl      string  `json:"impl"`
	Arch      string  `json:"arch"`
	Depth     int     `json:"depth"`
	Block     string  `json:"block"`
	Width     float64 `json:"width"`
	Batch     int     `json:"batch"`
	Threads   int     `json:"threads"`
	Params    int     `json:"params"`
	StepS     float64 `json:"step_s"`
	ImagesPS  float64 `json:"images_per_s"`
	EvalStepS float64 `json:"eval_step_s"`
	EvalIPS   float64 `json:"eval_images_per_s"`
	// BytesPerStep and AllocsPerStep are heap allocations per training step.
	BytesPerStep  float64 `json:"bytes_per_step"`
	AllocsPerStep float64 `json:"allocs_per_step"`
	PeakRSSMiB    float64 `json:"peak_rss_mib"`
	// GFLOPs is the achieved rate of a training step, counting its FLOPs as
	// three forward passes (forward, input gradient, weight gradient).
	GFLOPs     float64 `json:"train_gflops"`
	EvalGFLOPs float64 `json:"eval_gflops"`
	BuildS     float64 `json:"build_s"`
	CPU        string  `json:"cpu"`
	// Kernels names the convolution kernels that ran (kernel.KernelSet).
	Kernels string `json:"kernels"`
}

// Run builds the network, then times training steps (forward, backward and
// the SGD update) and evaluation passes on one fixed random batch.
func Run(opt Options) (*Result, error) {
	if opt.Batch <= 0 || opt.Steps <= 0 || opt.Warmup < 0 {
		return nil, fmt.Errorf("bench: batch %d, steps %d, warm-up %d must be positive", opt.Batch, opt.Steps, opt.Warmup)
	}
	if opt.Threads <= 0 {
		opt.Threads = runtime.NumCPU()
	}
	t0 := time.Now()
	net, err := model.New(opt.Model, model.Options{Batch: opt.Batch, Classes: opt.Classes, Input: opt.Input, Seed: opt.Seed, Threads: opt.Threads})
	if err != nil {
		return nil, fmt.Errorf("bench: %w", err)
	}
	build := time.Since(t0).Seconds()
	x, y := randomBatch(opt)
	// A training step is what the PyTorch reference times too: forward,
	// backward and the SGD update (momentum 0.9, weight decay 1e-4).
	params := net.Params()
	sgd := optim.NewSGD(0.9, 1e-4, false, false, params)
	sgd.Workers = opt.Threads
	train := func() error {
		if _, err := net.TrainStep(x, y, opt.Batch, nil); err != nil {
			return err
		}
		sgd.Step(params, 0.1)
		return nil
	}
	eval := func() error { _, _, err := net.Evaluate(x, y, opt.Batch); return err }

	for i := 0; i < opt.Warmup; i++ {
		if err := train(); err != nil {
			return nil, fmt.Errorf("bench: warm-up: %w", err)
		}
		if err := eval(); err != nil {
			return nil, fmt.Errorf("bench: warm-up: %w", err)
		}
	}
	var m0, m1 runtime.MemStats
	runtime.ReadMemStats(&m0)
	step, err := timeSteps(opt.Steps, train)
	if err != nil {
		return nil, fmt.Errorf("bench: training step: %w", err)
	}
	runtime.ReadMemStats(&m1)
	evalStep, err := timeSteps(opt.Steps, eval)
	if err != nil {
		return nil, fmt.Errorf("bench: evaluation: %w", err)
	}
	flops := float64(net.FLOPs()) * float64(opt.Batch)
	return &Result{
		Impl: "resx", Arch: opt.Model.Arch, Depth: opt.Model.Depth, Block: opt.Model.Block, Width: opt.Model.Width,
		Batch: opt.Batch, Threads: opt.Threads, Params: net.NumParams(),
		StepS: step, ImagesPS: float64(opt.Batch) / step,
		EvalStepS: evalStep, EvalIPS: float64(opt.Batch) / evalStep,
		BytesPerStep:  float64(m1.TotalAlloc-m0.TotalAlloc) / float64(opt.Steps),
		AllocsPerStep: float64(m1.Mallocs-m0.Mallocs) / float64(opt.Steps),
		PeakRSSMiB:    PeakRSSMiB(),
		GFLOPs:        3 * flops / step / 1e9, EvalGFLOPs: flops / evalStep / 1e9,
		BuildS: build, CPU: CPUModel(), Kernels: kernel.KernelSet(),
	}, nil
}

// timeSteps runs f n times and returns the median duration in seconds.
func timeSteps(n int, f func() error) (float64, error) {
	d := make([]float64, n)
	for i := range d {
		t := time.Now()
		if err := f(); err != nil {
			return 0, err
		}
		d[i] = time.Since(t).Seconds()
	}
	slices.Sort(d)
	return d[n/2], nil
}

func randomBatch(opt Options) ([]float32, []int32) {
	r := rand.New(rand.NewPCG(opt.Seed, 2))
	size := opt.Input.C * opt.Input.H * opt.Input.W
	x := make([]float32, opt.Batch*size)
	for i := range x {
		x[i] = float32(r.NormFloat64())
	}
	y := make([]int32, opt.Batch)
	for i := range y {
		y[i] = int32(r.IntN(opt.Classes))
	}
	return x, y
}

// CPUModel is the processor's name from /proc/cpuinfo, or GOARCH.
func CPUModel() string {
	data, err := os.ReadFile("/proc/cpuinfo")
	if err == nil {
		for _, line := range strings.Split(string(data), "\n") {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
				return strings.TrimSpace(v)
			}
		}
	}
	return runtime.GOARCH
}
