package kernel

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// The convolutions of a CIFAR ResNet-20 at batch 128.
var benchShapes = []struct {
	name string
	s    ConvShape
}{
	{"16-16@32", ConvShape{N: 128, C: 16, H: 32, W: 32, K: 16, R: 3, S: 3, Stride: 1, Pad: 1}},
	{"32-32@16", ConvShape{N: 128, C: 32, H: 16, W: 16, K: 32, R: 3, S: 3, Stride: 1, Pad: 1}},
	{"64-64@8", ConvShape{N: 128, C: 64, H: 8, W: 8, K: 64, R: 3, S: 3, Stride: 1, Pad: 1}},
	{"16-32s2@32", ConvShape{N: 128, C: 16, H: 32, W: 32, K: 32, R: 3, S: 3, Stride: 2, Pad: 1}},
	{"32-64s2@16", ConvShape{N: 128, C: 32, H: 16, W: 16, K: 64, R: 3, S: 3, Stride: 2, Pad: 1}},
	{"3-16@32", ConvShape{N: 128, C: 3, H: 32, W: 32, K: 16, R: 3, S: 3, Stride: 1, Pad: 1}},
	{"1x1-16-32s2@32", ConvShape{N: 128, C: 16, H: 32, W: 32, K: 32, R: 1, S: 1, Stride: 2, Pad: 0}},
	// 1x1 convolutions of the bottleneck blocks
	{"1x1-64-256@8", ConvShape{N: 128, C: 64, H: 8, W: 8, K: 256, R: 1, S: 1, Stride: 1, Pad: 0}},
	{"1x1-256-64@8", ConvShape{N: 128, C: 256, H: 8, W: 8, K: 64, R: 1, S: 1, Stride: 1, Pad: 0}},
}

var benchSink float32

func benchConv(b *testing.B, impl *convKernels, op int, s ConvShape, workers int) {
	rng := rand.New(rand.NewPCG(1, 2))
	x := randSlice(rng, s.N*s.C*s.H*s.W)
	w := randSlice(rng, s.K*s.C*s.R*s.S)
	dy := randSlice(rng, s.N*s.K*s.OutH()*s.OutW())
	y := make([]float32, len(dy))
	dx := make([]float32, len(x))
	dw := make([]float32, len(w))
	ws := workspaceFor(impl, workers)
	call := func() {
		switch op {
		case opForward:
			ConvForward(y, x, w, s, ws)
		case opBackwardData:
			ConvBackwardData(dx, dy, w, s, ws)
		case opBackwardFilter:
			ConvBackwardFilter(dw, x, dy, s, ws)
		}
	}
	call()
	b.ReportAllocs()
	b.ResetTimer()
	c0 := cpuTime()
	for b.Loop() {
		call()
	}
	cpu := cpuTime() - c0
	flops := float64(s.FLOPs()) * float64(b.N)
	b.ReportMetric(flops/b.Elapsed().Seconds()/1e9, "GFLOP/s")
	if cpu > 0 {
		b.ReportMetric(flops/cpu.Seconds()/1e9, "GFLOP/cpu-s")
	}
	benchSink = y[0] + dx[0] + dw[0]
}

func BenchmarkConv(b *testing.B) {
	ops := []string{"fwd", "bwdData", "bwdFilter"}
	for _, impl := range kernelSets() {
		if impl == goKernels {
			continue
		}
		for op, opName := range ops {
			for _, sh := range benchShapes {
				for _, workers := range []int{1, 2} {
					b.Run(fmt.Sprintf("%s/%s/%s/w%d", impl.name, opName, sh.name, workers), func(b *testing.B) {
						benchConv(b, impl, op, sh.s, workers)
					})
				}
			}
		}
	}
}

// BenchmarkPoolDispatch measures one hand-off to the workers and back with no
// work, the fixed cost every parallel call pays.
func BenchmarkPoolDispatch(b *testing.B) {
	for _, workers := range []int{1, 2} {
		b.Run(fmt.Sprintf("w%d", workers), func(b *testing.B) {
			c := NewWorkspace(workers).core()
			c.op = -1
			b.ReportAllocs()
			for b.Loop() {
				c.run(workers)
			}
		})
	}
}

// BenchmarkConvInCache runs the forward kernel of the best kernel set on
// one image of each stride-1 and strided benchmark shape (the strided
// ones split into their phases once, before the loop), over and over, so
// that its data stays in cache: the rate the kernel reaches when it does
// not wait on memory, to set beside BenchmarkConv's and
// kernel.PeakGFLOPS.
func BenchmarkConvInCache(b *testing.B) {
	impl := bestKernels
	for _, sh := range benchShapes[:5] {
		b.Run(fmt.Sprintf("%s/%s", impl.name, sh.name), func(b *testing.B) {
			s := sh.s
			s.N = 3 // the middle image is read in place, with margins on both sides
			c := workspaceFor(impl, 1).core()
			p := c.forwardPlanFor(s)
			rng := rand.New(rand.NewPCG(1, 3))
			x := randSlice(rng, s.N*s.C*s.H*s.W)
			wp := randSlice(rng, roundUp(s.K, 8)*len(c.fwdOffs))
			out := make([]float32, s.K*p.npix)
			c.ensureBufs(1)
			c.sizeFor(0, p, 1)
			img := s.C * s.H * s.W
			src, off := x, img
			if p.split2 {
				src, off = c.source(p, x, 1, img, &c.bufs[0])
			}
			b.ReportAllocs()
			for b.Loop() {
				c.gemm(p, c.fwdOffs, c.fwdRange, wp, s.K, out, src, off, &c.bufs[0])
			}
			s.N = 1
			b.ReportMetric(float64(s.FLOPs())*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
		})
	}
}
