package model

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/resx-dev/resx/internal/config"
)

var sinkResult StepResult

func benchTrainStep(b *testing.B, arch string, depth, batch, threads int) {
	in := InputShape{C: 3, H: 32, W: 32}
	cfg := config.Model{Arch: arch, Depth: depth, Block: "basic", Shortcut: "A", Width: 1, Survival: 1}
	n, err := New(cfg, Options{Batch: batch, Classes: 10, Input: in, Seed: 1, Threads: threads})
	if err != nil {
		b.Fatal(err)
	}
	x, y := batchOf(rand.New(rand.NewPCG(1, 1)), batch, in, 10)
	if _, err := n.TrainStep(x, y, batch, nil); err != nil { // warm-up: buffers
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if sinkResult, err = n.TrainStep(x, y, batch, nil); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*batch)/b.Elapsed().Seconds(), "images/s")
	b.ReportMetric(float64(n.FLOPs())*3*float64(b.N*batch)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
}

func BenchmarkTrainStep(b *testing.B) {
	for _, c := range []struct {
		arch  string
		depth int
	}{{"residual", 20}, {"plain", 20}, {"residual", 56}} {
		b.Run(fmt.Sprintf("%s-%d-b128-t2", c.arch, c.depth), func(b *testing.B) { benchTrainStep(b, c.arch, c.depth, 128, 2) })
	}
}

func BenchmarkEvaluate(b *testing.B) {
	in := InputShape{C: 3, H: 32, W: 32}
	cfg := config.Model{Arch: "residual", Depth: 20, Block: "basic", Shortcut: "A", Width: 1, Survival: 1}
	n, err := New(cfg, Options{Batch: 128, Classes: 10, Input: in, Seed: 1, Threads: 2})
	if err != nil {
		b.Fatal(err)
	}
	x, y := batchOf(rand.New(rand.NewPCG(1, 1)), 128, in, 10)
	n.Evaluate(x, y, 128)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, _, err := n.Evaluate(x, y, 128); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*128)/b.Elapsed().Seconds(), "images/s")
}

// BenchmarkTrainStepDemo is the embedded demo's network: width 0.5 (channels
// 8/16/32) on 1x28x28 images.
func BenchmarkTrainStepDemo(b *testing.B) {
	for _, depth := range []int{20, 56} {
		b.Run(fmt.Sprintf("residual-%d-w0.5-28px", depth), func(b *testing.B) {
			in := InputShape{C: 1, H: 28, W: 28}
			cfg := config.Model{Arch: "residual", Depth: depth, Block: "basic", Shortcut: "A", Width: 0.5, Survival: 1}
			n, err := New(cfg, Options{Batch: 128, Classes: 10, Input: in, Seed: 1, Threads: 2})
			if err != nil {
				b.Fatal(err)
			}
			x, y := batchOf(rand.New(rand.NewPCG(1, 1)), 128, in, 10)
			n.TrainStep(x, y, 128, nil)
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if sinkResult, err = n.TrainStep(x, y, 128, nil); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N*128)/b.Elapsed().Seconds(), "images/s")
		})
	}
}
