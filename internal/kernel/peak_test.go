package kernel

import (
	"math"
	"testing"
	"time"

	"golang.org/x/sys/cpu"
)

func TestPeakGFLOPS(t *testing.T) {
	want := "go"
	switch {
	case !peakAsm:
	case cpu.X86.HasAVX512F && cpu.X86.HasAVX512VL:
		want = "avx512"
	case cpu.X86.HasAVX2 && cpu.X86.HasFMA:
		want = "avx2"
	}
	if got := PeakKind(); got != want {
		t.Errorf("PeakKind() = %q, want %q", got, want)
	}
	peakLoop(0) // must return at once
	g := PeakGFLOPS(20 * time.Millisecond)
	if !(g > 0) || math.IsInf(g, 0) {
		t.Fatalf("PeakGFLOPS = %v, want a positive finite rate", g)
	}
	t.Logf("per-core peak %.1f GFLOP/s (%s)", g, PeakKind())
}

func TestPeakGoLoop(t *testing.T) {
	peakGo(1 << 12)
	if v := float64(peakSink); math.IsNaN(v) || math.Abs(v-8) > 0.5 {
		t.Errorf("peakGo left %v, want about 8 (eight chains converging to 1)", v)
	}
}

func BenchmarkPeak(b *testing.B) {
	const iters = 1 << 16
	for b.Loop() {
		peakLoop(iters)
	}
	b.ReportMetric(float64(b.N)*iters*peakFLOPsPerIter/b.Elapsed().Seconds()/1e9, "GFLOP/s")
}
