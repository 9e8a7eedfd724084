package kernel

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// BenchmarkResNet20Step runs the convolutions and batch norms of one
// ResNet-20 training step at batch 128 (forward, input and weight gradients;
// no input gradient for the first layer), one workspace per layer as the
// model uses them. It bounds what the kernels allow per step; images/s is
// 128 over the time per op.
func BenchmarkResNet20Step(b *testing.B) {
	const n = 128
	type layer struct {
		s    ConvShape
		ws   *Workspace
		x, w []float32
		y    []float32
		dx   []float32
		dw   []float32
		bn   bnCase
	}
	for _, workers := range []int{1, 2} {
		b.Run(fmt.Sprintf("w%d", workers), func(b *testing.B) {
			rng := rand.New(rand.NewPCG(1, 1))
			var layers []*layer
			add := func(c, k, hw, stride int) {
				s := ConvShape{N: n, C: c, H: hw, W: hw, K: k, R: 3, S: 3, Stride: stride, Pad: 1}
				l := &layer{s: s, ws: NewWorkspace(workers)}
				l.x = randSlice(rng, n*c*hw*hw)
				l.w = randSlice(rng, k*c*9)
				l.y = make([]float32, n*k*s.OutH()*s.OutW())
				l.dx = make([]float32, len(l.x))
				l.dw = make([]float32, len(l.w))
				l.bn = bnCase{n, k, s.OutH() * s.OutW()}
				layers = append(layers, l)
			}
			add(3, 16, 32, 1)
			for i := 0; i < 6; i++ {
				add(16, 16, 32, 1)
			}
			add(16, 32, 32, 2)
			for i := 0; i < 5; i++ {
				add(32, 32, 16, 1)
			}
			add(32, 64, 16, 2)
			for i := 0; i < 5; i++ {
				add(64, 64, 8, 1)
			}
			bnws := NewWorkspace(workers)
			maxBN := n * 16 * 1024
			by, bdx, bdy := make([]float32, maxBN), make([]float32, maxBN), randSlice(rng, maxBN)
			gamma, beta := randSlice(rng, 64), randSlice(rng, 64)
			mean, invStd, dg, db := make([]float32, 64), make([]float32, 64), make([]float32, 64), make([]float32, 64)
			af := make([]float32, 2*64)
			step := func() {
				for _, l := range layers {
					ConvForward(l.y, l.x, l.w, l.s, l.ws)
					c := l.bn
					BNForwardTrain(by, l.y, nil, gamma, beta, mean, invStd, nil, af[:2*c.c], c.n, c.c, c.hw, 1e-5, true, bnws)
				}
				for i := len(layers) - 1; i >= 0; i-- {
					l := layers[i]
					c := l.bn
					sz := c.n * c.c * c.hw
					BNBackward(bdx[:sz], dg, db, bdy[:sz], l.y, gamma, mean, invStd, af[:2*c.c], c.n, c.c, c.hw, true, bnws)
					if i > 0 {
						ConvBackwardData(l.dx, bdx[:sz], l.w, l.s, l.ws)
					}
					ConvBackwardFilter(l.dw, l.x, bdx[:sz], l.s, l.ws)
				}
			}
			step()
			b.ReportAllocs()
			b.ResetTimer()
			c0 := cpuTime()
			for b.Loop() {
				step()
			}
			cpu := cpuTime() - c0
			b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "images/s")
			b.ReportMetric(float64(cpu.Milliseconds())/float64(b.N), "cpu-ms/op")
		})
	}
}
