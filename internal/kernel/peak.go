package kernel

import (
	"runtime"
	"slices"
	"time"
)

// peakRuns is the number of timed runs PeakGFLOPS takes the median of.
const peakRuns = 7

// PeakGFLOPS measures the float32 multiply-add rate one core reaches in a
// loop that touches no memory: the widest fused multiply-add loop this build
// and CPU can run (see PeakKind), with more independent accumulators than
// the FMA latency needs to keep every FMA port busy. It runs on the calling
// goroutine, locked to its OS thread, for about d (d <= 0 means 100ms), and
// returns the median of several timed runs in GFLOP/s, counting an FMA on
// one float32 lane as 2 FLOPs. It is the ceiling the convolution kernels can
// be compared with on this machine; other load on the core lowers it.
func PeakGFLOPS(d time.Duration) float64 {
	if d <= 0 {
		d = 100 * time.Millisecond
	}
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()

	// Calibrate: double the iteration count until one run takes a
	// measurable share of d, then size the runs to fill the rest.
	iters := 1024
	var el time.Duration
	for {
		t := time.Now()
		peakLoop(iters)
		el = time.Since(t)
		if el >= d/(8*peakRuns) || iters >= 1<<30 {
			break
		}
		iters *= 2
	}
	per := max(el, time.Microsecond)
	iters = max(1, int(float64(iters)*float64(d-el)/peakRuns/float64(per)))

	rates := make([]float64, peakRuns)
	for i := range rates {
		t := time.Now()
		peakLoop(iters)
		s := time.Since(t).Seconds()
		rates[i] = float64(iters) * peakFLOPsPerIter / max(s, 1e-9) / 1e9
	}
	slices.Sort(rates)
	return rates[peakRuns/2]
}

// PeakKind names the loop PeakGFLOPS runs: "avx512" (16-lane FMAs), "avx2"
// (8-lane FMAs) or "go" (scalar Go code, where no assembly loop applies).
func PeakKind() string { return peakKind }

// peakGoFLOPs is the FLOPs of one iteration of peakGo: eight multiply-adds.
const peakGoFLOPs = 8 * 2

// peakSink keeps the compiler from dropping peakGo's work.
var peakSink float32

// peakGo is the portable peak loop: eight independent scalar multiply-add
// chains (fused where the compiler and CPU allow), converging to 1 so that
// no value overflows or turns subnormal.
func peakGo(n int) {
	const m, c = 0.999, 0.001
	a0, a1, a2, a3 := float32(0), float32(0.1), float32(0.2), float32(0.3)
	a4, a5, a6, a7 := float32(0.4), float32(0.5), float32(0.6), float32(0.7)
	for i := 0; i < n; i++ {
		a0 = a0*m + c
		a1 = a1*m + c
		a2 = a2*m + c
		a3 = a3*m + c
		a4 = a4*m + c
		a5 = a5*m + c
		a6 = a6*m + c
		a7 = a7*m + c
	}
	peakSink = a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7
}
