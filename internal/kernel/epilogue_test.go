package kernel

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// epilogueShapes are convolutions whose outputs feed a batch norm in the
// networks: full, strided and 1×1, with plane sizes that are and are not
// whole vectors.
var epilogueShapes = []ConvShape{
	{N: 5, C: 16, H: 32, W: 32, K: 16, R: 3, S: 3, Stride: 1, Pad: 1},
	{N: 4, C: 8, H: 9, W: 7, K: 12, R: 3, S: 3, Stride: 2, Pad: 1},
	{N: 3, C: 3, H: 10, W: 10, K: 8, R: 3, S: 3, Stride: 1, Pad: 1},
	{N: 6, C: 16, H: 8, W: 8, K: 32, R: 1, S: 1, Stride: 2, Pad: 0},
}

// TestConvEpilogueEval checks that a convolution with the evaluation-mode
// batch norm in its epilogue gives the same bits as the two calls one after
// the other, for every kernel set and worker count.
func TestConvEpilogueEval(t *testing.T) {
	for i, s := range epilogueShapes {
		rng := rand.New(rand.NewPCG(uint64(i), 9))
		x, w := randSlice(rng, s.N*s.C*s.H*s.W), randSlice(rng, s.K*s.C*s.R*s.S)
		gamma, beta, mean := randSlice(rng, s.K), randSlice(rng, s.K), randSlice(rng, s.K)
		vr := make([]float32, s.K)
		for k := range vr {
			vr[k] = 0.5 + rng.Float32()
		}
		hw := s.OutH() * s.OutW()
		scale, shift := make([]float32, s.K), make([]float32, s.K)
		BNEvalAffine(scale, shift, gamma, beta, mean, vr, 1e-5)
		for _, impl := range kernelSets() {
			for _, workers := range []int{1, 2, 3} {
				for _, relu := range []bool{false, true} {
					t.Run(fmt.Sprintf("%d/%s/w%d/relu=%v", i, impl.name, workers, relu), func(t *testing.T) {
						want, conv := make([]float32, s.N*s.K*hw), make([]float32, s.N*s.K*hw)
						ws := workspaceFor(impl, workers)
						ConvForward(conv, x, w, s, ws)
						BNForwardEval(want, conv, nil, gamma, beta, mean, vr, s.N, s.K, hw, 1e-5, relu, ws)
						got := make([]float32, len(want))
						ConvForwardEpilogue(got, x, w, s, ws, &ConvEpilogue{Scale: scale, Shift: shift, ReLU: relu})
						for j := range want {
							if math.Float32bits(got[j]) != math.Float32bits(want[j]) {
								t.Fatalf("element %d: fused %v, separate %v", j, got[j], want[j])
							}
						}
					})
				}
			}
		}
	}
}
