package bench

import (
	"fmt"
	"io"
	"math/rand/v2"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/resx-dev/resx/internal/kernel"
	"github.com/resx-dev/resx/internal/model"
)

// The directions of a convolution's training work, as KernelTiming names them.
const (
	DirForward    = "forward"
	DirInputGrad  = "input-grad"
	DirWeightGrad = "weight-grad"
)

// directions is the order of Timings and Totals.
var directions = []string{DirForward, DirInputGrad, DirWeightGrad}

// Bounds on the timed repetitions of one kernel measurement.
const (
	kernelMinReps = 3
	kernelMaxReps = 10000
)

// KernelReport is how fast the convolution kernels run on each distinct
// convolution of a network, against the machine's per-core peak.
type KernelReport struct {
	Arch    string  `json:"arch"`
	Depth   int     `json:"depth"`
	Block   string  `json:"block"`
	Width   float64 `json:"width"`
	Batch   int     `json:"batch"`
	Threads int     `json:"threads"`
	CPU     string  `json:"cpu"`
	// Kernels names the convolution kernels timed (kernel.KernelSet).
	Kernels string `json:"kernels"`
	// PeakGFLOPs is one core's float32 FMA rate in a register-only loop
	// (kernel.PeakGFLOPS); PeakKind names the loop ("avx512", "avx2", "go").
	PeakGFLOPs float64 `json:"peak_gflops"`
	PeakKind   string  `json:"peak_kind"`
	// Layers lists the distinct convolutions of the training graph in
	// network order.
	Layers []KernelLayer `json:"layers"`
	// Totals has one entry per direction (forward, input gradient, weight
	// gradient) over every convolution of the network, each layer kind
	// weighted by its Count: total FLOPs over total time, so the layers that
	// do the most work weigh the most.
	Totals []KernelTiming `json:"totals"`
}

// KernelLayer is one distinct convolution and its timings.
type KernelLayer struct {
	// Name reads "RxS C->K [s2] @HxW", e.g. "3x3 16->32 s2 @32x32".
	Name   string `json:"name"`
	C      int    `json:"c"`
	K      int    `json:"k"`
	H      int    `json:"h"`
	W      int    `json:"w"`
	R      int    `json:"r"`
	S      int    `json:"s"`
	Stride int    `json:"stride"`
	Pad    int    `json:"pad"`
	// Count is how many layers of the network have this shape.
	Count int `json:"count"`
	// First marks the stem convolution, which has no input gradient.
	First bool `json:"first"`
	// Timings has one entry per direction the layer runs in training.
	Timings []KernelTiming `json:"timings"`
}

// KernelTiming is one direction of one layer kind (or, in Totals, of the
// whole network). It covers Calls calls per training step: FLOPs and the
// seconds are their sums, each call timed as the median of repetitions.
type KernelTiming struct {
	Direction string `json:"direction"`
	// Algorithm is "direct", "winograd-2x2" or "winograd-4x4"
	// (kernel.ConvAlgorithm); the rates of a Winograd convolution count the
	// direct convolution's FLOPs, so they are effective rates and may exceed
	// the peak. Empty in Totals.
	Algorithm string `json:"algorithm,omitempty"`
	Calls     int    `json:"calls"`
	FLOPs     int64  `json:"flops"`
	// CoreS is the time on one worker; CoreGFLOPs the rate it gives and
	// PeakPct that rate as a percentage of the per-core peak.
	CoreS      float64 `json:"core_s"`
	CoreGFLOPs float64 `json:"core_gflops"`
	PeakPct    float64 `json:"peak_pct"`
	// WallS is the time with the report's Threads workers; WallGFLOPs the
	// rate it gives.
	WallS      float64 `json:"wall_s"`
	WallGFLOPs float64 `json:"wall_gflops"`
}

// Kernels builds the network opt describes (as Run does), measures the
// per-core peak for dur, then times kernel.ConvForward, ConvBackwardData
// (except for the stem convolution) and ConvBackwardFilter on random data for
// each distinct convolution at opt.Batch: once with a one-worker workspace and
// once with opt.Threads workers. Each measurement makes max(opt.Warmup, 1)
// untimed calls, then repeats the call for about dur (at least
// max(opt.Steps, 3) times) and keeps the median. The data stays in cache
// between repetitions, which a training step does not always allow.
func Kernels(opt Options, dur time.Duration) (*KernelReport, error) {
	if opt.Batch <= 0 || dur <= 0 {
		return nil, fmt.Errorf("bench: batch %d and duration %v must be positive", opt.Batch, dur)
	}
	if opt.Threads <= 0 {
		opt.Threads = runtime.NumCPU()
	}
	net, err := model.New(opt.Model, model.Options{Batch: opt.Batch, Classes: opt.Classes, Input: opt.Input, Seed: opt.Seed, Threads: opt.Threads})
	if err != nil {
		return nil, fmt.Errorf("bench: %w", err)
	}
	convs := net.ConvLayers()

	rep := &KernelReport{
		Arch: opt.Model.Arch, Depth: opt.Model.Depth, Block: opt.Model.Block, Width: opt.Model.Width,
		Batch: opt.Batch, Threads: opt.Threads, CPU: CPUModel(), Kernels: kernel.KernelSet(),
		PeakGFLOPs: kernel.PeakGFLOPS(dur), PeakKind: kernel.PeakKind(),
	}
	reps := max(opt.Steps, kernelMinReps)
	warm := max(opt.Warmup, 1)
	rng := rand.New(rand.NewPCG(opt.Seed, 3))
	totals := make([]KernelTiming, len(directions))
	for i, d := range directions {
		totals[i].Direction = d
	}
	for _, l := range convs {
		kl, err := timeLayer(l, opt.Threads, warm, reps, dur, rng)
		if err != nil {
			return nil, fmt.Errorf("bench: %w", err)
		}
		for _, t := range kl.Timings {
			tot := &totals[slices.Index(directions, t.Direction)]
			tot.Calls += t.Calls
			tot.FLOPs += t.FLOPs
			tot.CoreS += t.CoreS
			tot.WallS += t.WallS
		}
		rep.Layers = append(rep.Layers, kl)
	}
	for i := range rep.Layers {
		for j := range rep.Layers[i].Timings {
			rep.Layers[i].Timings[j].rates(rep.PeakGFLOPs)
		}
	}
	for i := range totals {
		if totals[i].Calls > 0 {
			totals[i].rates(rep.PeakGFLOPs)
			rep.Totals = append(rep.Totals, totals[i])
		}
	}
	return rep, nil
}

// rates fills in the rates from the FLOPs and times.
func (t *KernelTiming) rates(peak float64) {
	if t.CoreS > 0 {
		t.CoreGFLOPs = float64(t.FLOPs) / t.CoreS / 1e9
	}
	if t.WallS > 0 {
		t.WallGFLOPs = float64(t.FLOPs) / t.WallS / 1e9
	}
	if peak > 0 {
		t.PeakPct = 100 * t.CoreGFLOPs / peak
	}
}

// timeLayer times the directions of one layer kind. Like the network, each
// worker count has one workspace that all three directions share.
func timeLayer(l model.ConvLayer, threads, warm, reps int, dur time.Duration, rng *rand.Rand) (KernelLayer, error) {
	s := l.Shape
	if err := s.Validate(); err != nil {
		return KernelLayer{}, err
	}
	kl := KernelLayer{
		Name: layerName(s), C: s.C, K: s.K, H: s.H, W: s.W, R: s.R, S: s.S, Stride: s.Stride, Pad: s.Pad,
		Count: l.Count, First: l.First,
	}
	x := randSlice(rng, s.N*s.C*s.H*s.W)
	w := randSlice(rng, s.K*s.C*s.R*s.S)
	dy := randSlice(rng, s.N*s.K*s.OutH()*s.OutW())
	y := make([]float32, len(dy))
	dx := make([]float32, len(x))
	dw := make([]float32, len(w))
	calls := map[string]func(*kernel.Workspace){
		DirForward:    func(ws *kernel.Workspace) { kernel.ConvForward(y, x, w, s, ws) },
		DirInputGrad:  func(ws *kernel.Workspace) { kernel.ConvBackwardData(dx, dy, w, s, ws) },
		DirWeightGrad: func(ws *kernel.Workspace) { kernel.ConvBackwardFilter(dw, x, dy, s, ws) },
	}
	ws1, wsN := kernel.NewWorkspace(1), kernel.NewWorkspace(threads)
	flops := int64(l.Count) * s.FLOPs()
	for _, dir := range directions {
		if dir == DirInputGrad && l.First {
			continue
		}
		f := calls[dir]
		core := medianCall(func() { f(ws1) }, warm, reps, dur)
		wall := medianCall(func() { f(wsN) }, warm, reps, dur)
		kl.Timings = append(kl.Timings, KernelTiming{
			Direction: dir, Algorithm: kernel.ConvAlgorithm(s, dir != DirForward && dir != DirInputGrad, dir == DirInputGrad), Calls: l.Count, FLOPs: flops,
			CoreS: float64(l.Count) * core, WallS: float64(l.Count) * wall,
		})
	}
	return kl, nil
}

// medianCall makes warm untimed calls of f, then times calls until dur has
// passed and at least reps were made, and returns the median in seconds.
func medianCall(f func(), warm, reps int, dur time.Duration) float64 {
	for range warm {
		f()
	}
	var d []float64
	start := time.Now()
	for len(d) < reps || (len(d) < kernelMaxReps && time.Since(start) < dur) {
		t := time.Now()
		f()
		d = append(d, time.Since(t).Seconds())
	}
	slices.Sort(d)
	return d[len(d)/2]
}

// layerName reads "RxS C->K [s2] @HxW".
func layerName(s kernel.ConvShape) string {
	stride := ""
	if s.Stride != 1 {
		stride = fmt.Sprintf(" s%d", s.Stride)
	}
	return fmt.Sprintf("%dx%d %d->%d%s @%dx%d", s.R, s.S, s.C, s.K, stride, s.H, s.W)
}

func randSlice(r *rand.Rand, n int) []float32 {
	v := make([]float32, n)
	for i := range v {
		v[i] = float32(2*r.Float64() - 1)
	}
	return v
}

// WriteTable prints the report as a table: the peak line, the network, then
// one row per layer kind and direction, then the network's totals.
func (r *KernelReport) WriteTable(w io.Writer) error {
	name := 16 // len("all convolutions")
	for _, l := range r.Layers {
		name = max(name, len(l.Name))
	}
	var b strings.Builder
	fmt.Fprintf(&b, "per-core peak: %.1f GFLOP/s (%s FMA loop)\n", r.PeakGFLOPs, r.PeakKind)
	fmt.Fprintf(&b, "%s-%d (%s, width %g), batch %d, %d threads, %s, %s kernels\n", r.Arch, r.Depth, r.Block, r.Width, r.Batch, r.Threads, r.CPU, r.Kernels)
	wall := fmt.Sprintf("wall GFLOP/s (%d threads)", r.Threads)
	fmt.Fprintf(&b, "%-*s  count  %-11s  GFLOP/s/core  %% peak  %s  algorithm\n", name, "layer", "direction", wall)
	wino := false
	row := func(layer string, t KernelTiming) {
		fmt.Fprintf(&b, "%-*s  %5d  %-11s  %12.1f  %5.1f%%  %*.1f  %s\n", name, layer, t.Calls, t.Direction, t.CoreGFLOPs, t.PeakPct, len(wall), t.WallGFLOPs, t.Algorithm)
		wino = wino || strings.HasPrefix(t.Algorithm, "winograd")
	}
	for _, l := range r.Layers {
		for _, t := range l.Timings {
			row(l.Name, t)
		}
	}
	for _, t := range r.Totals {
		row("all convolutions", t)
	}
	if wino {
		b.WriteString("winograd rows count the direct convolution's FLOPs: their rates are effective ones, and may exceed the peak\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}
