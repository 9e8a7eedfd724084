package kernel

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// The batch-norm layers of a CIFAR ResNet-20 at batch 128.
var bnBenchShapes = []bnCase{{128, 16, 1024}, {128, 32, 256}, {128, 64, 64}}

func BenchmarkBN(b *testing.B) {
	for _, impl := range bnSets() {
		for _, op := range []string{"train", "backward"} {
			for _, cs := range bnBenchShapes {
				for _, workers := range []int{1, 2} {
					b.Run(fmt.Sprintf("%s/%s/c%d@%d/w%d", impl.name, op, cs.c, cs.hw, workers), func(b *testing.B) {
						rng := rand.New(rand.NewPCG(1, 1))
						x, dy, gamma, beta := bnInputs(rng, cs)
						ws := NewWorkspace(workers)
						ws.core().bnImpl = impl.k
						y, dx := make([]float32, len(x)), make([]float32, len(x))
						mean, invStd, dg, db := make([]float32, cs.c), make([]float32, cs.c), make([]float32, cs.c), make([]float32, cs.c)
						af := make([]float32, 2*cs.c)
						BNForwardTrain(y, x, nil, gamma, beta, mean, invStd, nil, af, cs.n, cs.c, cs.hw, 1e-5, true, ws)
						b.ReportAllocs()
						b.SetBytes(int64(4 * len(x)))
						c0 := cpuTime()
						for b.Loop() {
							if op == "train" {
								BNForwardTrain(y, x, nil, gamma, beta, mean, invStd, nil, af, cs.n, cs.c, cs.hw, 1e-5, true, ws)
							} else {
								BNBackward(dx, dg, db, dy, x, gamma, mean, invStd, af, cs.n, cs.c, cs.hw, true, ws)
							}
						}
						if cpu := cpuTime() - c0; cpu > 0 {
							b.ReportMetric(float64(cpu.Nanoseconds())/float64(b.N)/1e3, "cpu-us/op")
						}
						benchSink = y[0] + dx[0]
					})
				}
			}
		}
	}
}
