package kernel

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

type bnCase struct {
	n, c, hw int
}

var bnCases = []bnCase{{3, 5, 7}, {4, 16, 64}, {2, 3, 1}, {1, 1, 33}, {8, 8, 1024}, {5, 7, 49}}

func bnInputs(rng *rand.Rand, cs bnCase) (x, dy, gamma, beta []float32) {
	x = randSlice(rng, cs.n*cs.c*cs.hw)
	for i := range x {
		x[i] = 3 + 2*x[i] // an offset mean tests the one-pass variance
	}
	dy = randSlice(rng, len(x))
	gamma, beta = randSlice(rng, cs.c), randSlice(rng, cs.c)
	return
}

func closeTo(t *testing.T, what string, got []float32, want []float64, scale float64) {
	t.Helper()
	for i := range want {
		if d := math.Abs(float64(got[i]) - want[i]); !(d <= 2e-5*(math.Abs(want[i])+scale)) {
			t.Fatalf("%s[%d] = %v, want %v", what, i, got[i], want[i])
		}
	}
}

func TestBNF32(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 9))
	for _, impl := range bnSets() {
		for _, cs := range bnCases {
			for _, relu := range []bool{false, true} {
				t.Run(fmt.Sprintf("%s/%v/relu=%v", impl.name, cs, relu), func(t *testing.T) {
					x, dy, gamma, beta := bnInputs(rng, cs)
					n, c, hw := cs.n, cs.c, cs.hw
					ws := NewWorkspace(2)
					ws.core().bnImpl = impl.k
					y := make([]float32, len(x))
					mean, invStd, vr, af := make([]float32, c), make([]float32, c), make([]float32, c), make([]float32, 2*c)
					BNForwardTrain(y, x, nil, gamma, beta, mean, invStd, vr, af, n, c, hw, 1e-5, relu, ws)
					y64 := make([]float64, len(x))
					m64, is64, v64, af64 := make([]float64, c), make([]float64, c), make([]float64, c), make([]float64, 2*c)
					BNForwardTrain(y64, to64(x), nil, to64(gamma), to64(beta), m64, is64, v64, af64, n, c, hw, 1e-5, relu, nil)
					closeTo(t, "y", y, y64, 1)
					closeTo(t, "mean", mean, m64, 1)
					closeTo(t, "invStd", invStd, is64, 1)
					closeTo(t, "var", vr, v64, 1)

					BNForwardEval(y, x, nil, gamma, beta, mean, vr, n, c, hw, 1e-5, relu, ws)
					BNForwardEval(y64, to64(x), nil, to64(gamma), to64(beta), to64(mean), to64(vr), n, c, hw, 1e-5, relu, nil)
					closeTo(t, "eval y", y, y64, 1)

					// The backward pass from the float32 forward state.
					BNForwardTrain(y, x, nil, gamma, beta, mean, invStd, nil, af, n, c, hw, 1e-5, relu, ws)
					dx, dg, db := make([]float32, len(x)), make([]float32, c), make([]float32, c)
					BNBackward(dx, dg, db, dy, x, gamma, mean, invStd, af, n, c, hw, relu, ws)
					dx64, dg64, db64 := make([]float64, len(x)), make([]float64, c), make([]float64, c)
					BNBackward(dx64, dg64, db64, to64(dy), to64(x), to64(gamma), to64(mean), to64(invStd), to64(af), n, c, hw, relu, nil)
					cnt := math.Sqrt(float64(n * hw))
					closeTo(t, "dgamma", dg, dg64, cnt)
					closeTo(t, "dbeta", db, db64, cnt)
					scale := 0.0
					for ch := 0; ch < c; ch++ {
						scale = max(scale, math.Abs(float64(gamma[ch]*invStd[ch])))
					}
					closeTo(t, "dx", dx, dx64, 4*scale)
					dg2, db2 := make([]float32, c), make([]float32, c)
					BNBackward(nil, dg2, db2, dy, x, gamma, mean, invStd, af, n, c, hw, relu, ws)
					for ch := range dg {
						if dg2[ch] != dg[ch] || db2[ch] != db[ch] {
							t.Fatalf("parameter gradients differ without dx")
						}
					}
					if relu {
						// The mask recomputed from x is the forward output's,
						// bit for bit: dy zeroed where y <= 0, without the ReLU,
						// gives the same bits.
						dym, masked := make([]float32, len(dy)), 0
						for i, v := range dy {
							if y[i] > 0 {
								dym[i] = v
							} else {
								masked++
							}
						}
						if masked == 0 || masked == len(dy) {
							t.Fatalf("%d of %d lanes masked: the case tests no mask", masked, len(dy))
						}
						dx3, dg3, db3 := make([]float32, len(x)), make([]float32, c), make([]float32, c)
						BNBackward(dx3, dg3, db3, dym, x, gamma, mean, invStd, af, n, c, hw, false, ws)
						sameBits(t, "dx", dx3, dx)
						sameBits(t, "dgamma", dg3, dg)
						sameBits(t, "dbeta", db3, db)
					}
				})
			}
		}
	}
}

func TestBNF32WorkerIndependent(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 4))
	cs := bnCase{6, 10, 50}
	x, dy, gamma, beta := bnInputs(rng, cs)
	var ref []float32
	for _, workers := range []int{1, 2, 3, 10} {
		ws := NewWorkspace(workers)
		y := make([]float32, len(x))
		mean, invStd, af := make([]float32, cs.c), make([]float32, cs.c), make([]float32, 2*cs.c)
		BNForwardTrain(y, x, nil, gamma, beta, mean, invStd, nil, af, cs.n, cs.c, cs.hw, 1e-5, true, ws)
		dx, dg, db := make([]float32, len(x)), make([]float32, cs.c), make([]float32, cs.c)
		BNBackward(dx, dg, db, dy, x, gamma, mean, invStd, af, cs.n, cs.c, cs.hw, true, ws)
		out := append(append(append(append(y, dx...), dg...), db...), mean...)
		if ref == nil {
			ref = out
			continue
		}
		for i := range out {
			if math.Float32bits(out[i]) != math.Float32bits(ref[i]) {
				t.Fatalf("workers %d: element %d differs from one worker", workers, i)
			}
		}
	}
}

func TestBNF32NoAllocs(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 5))
	cs := bnCase{4, 8, 64}
	x, dy, gamma, beta := bnInputs(rng, cs)
	ws := NewWorkspace(2)
	y, dx := make([]float32, len(x)), make([]float32, len(x))
	mean, invStd, dg, db := make([]float32, cs.c), make([]float32, cs.c), make([]float32, cs.c), make([]float32, cs.c)
	af := make([]float32, 2*cs.c)
	step := func() {
		BNForwardTrain(y, x, nil, gamma, beta, mean, invStd, nil, af, cs.n, cs.c, cs.hw, 1e-5, true, ws)
		BNBackward(dx, dg, db, dy, x, gamma, mean, invStd, af, cs.n, cs.c, cs.hw, true, ws)
	}
	step()
	if a := testing.AllocsPerRun(10, step); a != 0 {
		t.Errorf("%v allocations per step, want 0", a)
	}
}

// TestBNResidual: the batch norm that adds a residual before its ReLU gives
// the bits of the batch norm and the addition apart, in training and in
// evaluation, for each kernel set (with the elementwise set of its kind).
func TestBNResidual(t *testing.T) {
	rng := rand.New(rand.NewPCG(6, 6))
	elts := eltSets()
	for si, impl := range bnSets() {
		for _, cs := range bnCases {
			for _, relu := range []bool{false, true} {
				t.Run(fmt.Sprintf("%s/%v/relu=%v", impl.name, cs, relu), func(t *testing.T) {
					x, r, gamma, beta := bnInputs(rng, cs)
					n, c, hw := cs.n, cs.c, cs.hw
					ws := NewWorkspace(2)
					ws.core().bnImpl, ws.core().eltImpl = impl.k, elts[si]
					mean, invStd, af := make([]float32, c), make([]float32, c), make([]float32, 2*c)
					apart, fused := make([]float32, len(x)), make([]float32, len(x))
					BNForwardTrain(apart, x, nil, gamma, beta, mean, invStd, nil, af, n, c, hw, 1e-5, false, ws)
					AddReLU(apart, apart, r, relu, ws)
					BNForwardTrain(fused, x, r, gamma, beta, mean, invStd, nil, af, n, c, hw, 1e-5, relu, ws)
					sameBits(t, "train", apart, fused)

					runVar := make([]float32, c)
					for i := range runVar {
						runVar[i] = 0.5 + float32(i)
					}
					BNForwardEval(apart, x, nil, gamma, beta, mean, runVar, n, c, hw, 1e-5, false, ws)
					AddReLU(apart, apart, r, relu, ws)
					BNForwardEval(fused, x, r, gamma, beta, mean, runVar, n, c, hw, 1e-5, relu, ws)
					sameBits(t, "eval", apart, fused)
				})
			}
		}
	}
}
