package kernel

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
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

// gradEpilogueShapes are input gradients of the convolutions a residual
// unit starts with: Winograd F(4×4) and F(2×2), direct, and strided.
var gradEpilogueShapes = []ConvShape{
	{N: 3, C: 16, H: 32, W: 32, K: 16, R: 3, S: 3, Stride: 1, Pad: 1},
	{N: 5, C: 32, H: 16, W: 16, K: 32, R: 3, S: 3, Stride: 1, Pad: 1},
	{N: 6, C: 64, H: 8, W: 8, K: 64, R: 3, S: 3, Stride: 1, Pad: 1},
	{N: 3, C: 8, H: 9, W: 7, K: 8, R: 3, S: 3, Stride: 1, Pad: 1},
	{N: 4, C: 8, H: 10, W: 10, K: 16, R: 3, S: 3, Stride: 2, Pad: 1},
	{N: 3, C: 8, H: 9, W: 7, K: 16, R: 3, S: 3, Stride: 2, Pad: 1},
}

// shortcutGradApart is the shortcut's gradient as resx computes it without
// the fusion: the option-A gradient (zeros, and g's channels scattered at
// the stride) or the identity, added by AddReLU.
func shortcutGradApart(dx []float32, sc *ShortcutGrad[float32], s ConvShape, ws *Workspace) {
	full := make([]float32, len(dx))
	oh, ow := (s.H+sc.Stride-1)/sc.Stride, (s.W+sc.Stride-1)/sc.Stride
	for n := 0; n < s.N; n++ {
		for c := 0; c < s.C; c++ {
			for i := 0; i < oh; i++ {
				for j := 0; j < ow; j++ {
					full[((n*s.C+c)*s.H+sc.Stride*i)*s.W+sc.Stride*j] = sc.G[((n*sc.K+sc.Lo+c)*oh+i)*ow+j]
				}
			}
		}
	}
	AddReLU(dx, dx, full, false, ws)
}

// TestConvGradEpilogue checks that the input gradient with a shortcut's
// gradient (the identity, and option A on the strided shapes) and the ReLU
// mask in its epilogue gives the bits of ConvBackwardData, the shortcut's
// gradient added by AddReLU, and ReLUGrad one after the other, for every
// kernel set, elementwise set and worker count, with each part alone too.
func TestConvGradEpilogue(t *testing.T) {
	elts := eltSets()
	for i, s := range gradEpilogueShapes {
		rng := rand.New(rand.NewPCG(uint64(i), 10))
		n := s.N * s.C * s.H * s.W
		dy, w := randSlice(rng, s.N*s.K*s.OutH()*s.OutW()), randSlice(rng, s.K*s.C*s.R*s.S)
		mask := randSlice(rng, n)
		for j := 0; j < n; j += 7 {
			mask[j] = 0 // a ReLU output is often exactly 0
		}
		sc := &ShortcutGrad[float32]{G: randSlice(rng, n), K: s.C, Stride: 1}
		if s.Stride == 2 || i == 1 {
			// option A: 2C channels, C/2 of padding before; on a Winograd
			// shape too (i 1), where it cannot run on rows of images
			st := s.Stride
			sc = &ShortcutGrad[float32]{K: 2 * s.C, Lo: s.C / 2, Stride: st}
			sc.G = randSlice(rng, s.N*2*s.C*((s.H+st-1)/st)*((s.W+st-1)/st))
		}
		for _, impl := range kernelSets() {
			for ei, elt := range elts {
				for _, workers := range []int{1, 2, 3} {
					for _, parts := range []struct{ add, mask bool }{{true, true}, {true, false}, {false, true}} {
						t.Run(fmt.Sprintf("%v/%s/elt%d/w%d/%+v", s, impl.name, ei, workers, parts), func(t *testing.T) {
							ws := workspaceFor(impl, workers)
							ws.core().eltImpl = elt
							a, m := sc, mask
							if !parts.add {
								a = nil
							}
							if !parts.mask {
								m = nil
							}
							want := make([]float32, n)
							ConvBackwardData(want, dy, w, s, ws)
							if a != nil {
								shortcutGradApart(want, a, s, ws)
							}
							if m != nil {
								ReLUGrad(want, m, want, ws)
							}
							got := make([]float32, n)
							for rep := 0; rep < 2; rep++ { // overwritten, not accumulated
								ConvBackwardDataEpilogue(got, dy, w, s, ws, a, m)
							}
							sameBits(t, "dx", want, got)
							// a later call without the epilogue has none
							ConvBackwardData(got, dy, w, s, ws)
							ConvBackwardData(want, dy, w, s, ws)
							sameBits(t, "dx after", want, got)
						})
					}
				}
			}
		}
	}
}

// TestConvGradEpilogueFloat64 checks the reference path's epilogue, with an
// option-A shortcut gradient.
func TestConvGradEpilogueFloat64(t *testing.T) {
	s := ConvShape{N: 2, C: 4, H: 6, W: 5, K: 8, R: 3, S: 3, Stride: 2, Pad: 1}
	rng := rand.New(rand.NewPCG(3, 10))
	n := s.N * s.C * s.H * s.W
	dy, w := to64(randSlice(rng, s.N*s.K*s.OutH()*s.OutW())), to64(randSlice(rng, s.K*s.C*9))
	g, mask := to64(randSlice(rng, s.N*8*3*3)), to64(randSlice(rng, n))
	ws := NewWorkspace(2)
	want, got := make([]float64, n), make([]float64, n)
	convBackwardDataRef(want, dy, w, s)
	for b := 0; b < s.N; b++ {
		for c := 0; c < s.C; c++ {
			for i := 0; i < 3; i++ {
				for j := 0; j < 3; j++ {
					want[((b*s.C+c)*s.H+2*i)*s.W+2*j] += g[((b*8+2+c)*3+i)*3+j]
				}
			}
		}
	}
	for j := range want {
		if mask[j] <= 0 {
			want[j] = 0
		}
	}
	ConvBackwardDataEpilogue(got, dy, w, s, ws, &ShortcutGrad[float64]{G: g, K: 8, Lo: 2, Stride: 2}, mask)
	for j := range want {
		if got[j] != want[j] {
			t.Fatalf("element %d: %v, want %v", j, got[j], want[j])
		}
	}
}

// prologueShapes are convolutions that read a batch norm's output: Winograd
// F(4×4) on each map size (8×8 with a batch that is a multiple of four and
// one that is not, which runs F(2×2)), F(2×2), and the direct paths
// (strided, and a map too narrow for Winograd).
var prologueShapes = []ConvShape{
	{N: 3, C: 16, H: 32, W: 32, K: 16, R: 3, S: 3, Stride: 1, Pad: 1},
	{N: 5, C: 32, H: 16, W: 16, K: 32, R: 3, S: 3, Stride: 1, Pad: 1},
	{N: 12, C: 64, H: 8, W: 8, K: 64, R: 3, S: 3, Stride: 1, Pad: 1},
	{N: 6, C: 64, H: 8, W: 8, K: 64, R: 3, S: 3, Stride: 1, Pad: 1},
	{N: 3, C: 16, H: 16, W: 16, K: 8, R: 3, S: 3, Stride: 1, Pad: 1},
	{N: 4, C: 8, H: 10, W: 10, K: 16, R: 3, S: 3, Stride: 2, Pad: 1},
	{N: 3, C: 8, H: 9, W: 7, K: 8, R: 3, S: 3, Stride: 1, Pad: 1},
}

// TestConvPrologue checks that a convolution and its weight gradient with
// a training-mode batch norm as their prologue give the same bits as the
// batch norm's output given to them, for every convolution and batch-norm
// kernel set and worker count, with and without the ReLU.
func TestConvPrologue(t *testing.T) {
	for i, s := range prologueShapes {
		rng := rand.New(rand.NewPCG(uint64(i), 11))
		hw := s.H * s.W
		x, w := randSlice(rng, s.N*s.C*hw), randSlice(rng, s.K*s.C*s.R*s.S)
		dy := randSlice(rng, s.N*s.K*s.OutH()*s.OutW())
		gamma, beta := randSlice(rng, s.C), randSlice(rng, s.C)
		for _, impl := range kernelSets() {
			for _, bn := range bnSets() {
				for _, workers := range []int{1, 2, 3} {
					for _, relu := range []bool{false, true} {
						t.Run(fmt.Sprintf("%d/%s/%s/w%d/relu=%v", i, impl.name, bn.name, workers, relu), func(t *testing.T) {
							ws := workspaceFor(impl, workers)
							ws.core().bnImpl = bn.k
							mean, inv, af := make([]float32, s.C), make([]float32, s.C), make([]float32, 2*s.C)
							y := make([]float32, len(x))
							BNForwardTrain(y, x, nil, gamma, beta, mean, inv, nil, af, s.N, s.C, hw, 1e-5, relu, ws)
							af2 := make([]float32, 2*s.C)
							BNForwardTrain(nil, x, nil, gamma, beta, mean, inv, nil, af2, s.N, s.C, hw, 1e-5, relu, ws)
							for c := range af {
								if af[c] != af2[c] {
									t.Fatalf("affine %d: %v without the output, %v with it", c, af2[c], af[c])
								}
							}
							pro := &ConvPrologue{Scale: af2[:s.C], Shift: af2[s.C:], ReLU: relu}
							want, got := make([]float32, len(dy)), make([]float32, len(dy))
							ConvForward(want, y, w, s, ws)
							ConvForwardFused(got, x, w, s, ws, pro, nil, nil)
							sameBits(t, "forward", want, got)
							wantW, gotW := make([]float32, len(w)), make([]float32, len(w))
							ConvBackwardFilter(wantW, y, dy, s, ws)
							ConvBackwardFilterFused(gotW, x, dy, s, ws, pro)
							sameBits(t, "weight gradient", wantW, gotW)
							// A NaN in the input stays a NaN through the map
							// and the ReLU, as in the batch norm's output.
							// Each row of an image's last plane in turn.
							for r := 0; r < s.H && relu && workers == 2; r++ {
								xn := append([]float32(nil), x...)
								xn[len(xn)-hw+r*s.W+s.W/2] = float32(math.NaN())
								ConvForwardFused(got, xn, w, s, ws, pro, nil, nil)
								if !slices.ContainsFunc(got, func(v float32) bool { return v != v }) {
									t.Fatalf("a NaN in row %d of the input gives no NaN in the output", r)
								}
							}
						})
					}
				}
			}
		}
	}
}

// TestConvPrologueRef checks the float64 path, which maps the whole input
// first, against the batch norm's output given to the convolution.
func TestConvPrologueRef(t *testing.T) {
	s := prologueShapes[5]
	rng := rand.New(rand.NewPCG(5, 12))
	hw := s.H * s.W
	x := make([]float64, s.N*s.C*hw)
	for i := range x {
		x[i] = rng.NormFloat64()
	}
	w := make([]float64, s.K*s.C*9)
	for i := range w {
		w[i] = rng.NormFloat64()
	}
	scale, shift := randSlice(rng, s.C), randSlice(rng, s.C)
	y := make([]float64, len(x))
	for i := range x {
		ch := i / hw % s.C
		y[i] = max(x[i]*float64(scale[ch])+float64(shift[ch]), 0)
	}
	want, got := make([]float64, s.N*s.K*s.OutH()*s.OutW()), make([]float64, s.N*s.K*s.OutH()*s.OutW())
	ConvForward(want, y, w, s, nil)
	ConvForwardFused(got, x, w, s, nil, &ConvPrologue{Scale: scale, Shift: shift, ReLU: true}, nil, nil)
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("element %d: fused %v, separate %v", i, got[i], want[i])
		}
	}
}

// TestConvPlaneSums checks that the plane sums a convolution computes as
// it writes its output (ConvForwardFused) are those the batch norm computes
// from that output (BNForwardTrainPlanes), bit for bit, and that the
// statistics from either are the same, for every kernel set, batch-norm
// set and worker count, on the Winograd paths and the direct ones (which
// sum in a pass after the call); and that the plane order changes the
// statistics from the one-pass sums only in the last bits.
func TestConvPlaneSums(t *testing.T) {
	for i, s := range prologueShapes {
		rng := rand.New(rand.NewPCG(uint64(i), 13))
		x, w := randSlice(rng, s.N*s.C*s.H*s.W), randSlice(rng, s.K*s.C*s.R*s.S)
		hw := s.OutH() * s.OutW()
		gamma, beta := randSlice(rng, s.K), randSlice(rng, s.K)
		for _, impl := range kernelSets() {
			for _, bn := range bnSets() {
				for _, workers := range []int{1, 2, 3} {
					t.Run(fmt.Sprintf("%d/%s/%s/w%d", i, impl.name, bn.name, workers), func(t *testing.T) {
						ws := workspaceFor(impl, workers)
						ws.core().bnImpl = bn.k
						y := make([]float32, s.N*s.K*hw)
						got := make([]float64, 2*s.N*s.K)
						for j := range got {
							got[j] = math.NaN() // every sum must be written
						}
						ConvForwardFused(y, x, w, s, ws, nil, nil, got)
						want := make([]float64, len(got))
						var st [3][4][]float32 // from the conv's sums, the batch norm's, one pass
						for m := range st {
							for j := range st[m] {
								st[m][j] = make([]float32, 2*s.K)
							}
						}
						BNForwardTrainPlanes(nil, y, nil, gamma, beta, st[0][0], st[0][1], st[0][2], st[0][3], got, true, s.N, s.K, hw, 1e-5, true, ws)
						BNForwardTrainPlanes(nil, y, nil, gamma, beta, st[1][0], st[1][1], st[1][2], st[1][3], want, false, s.N, s.K, hw, 1e-5, true, ws)
						for j := range want {
							if math.Float64bits(got[j]) != math.Float64bits(want[j]) {
								t.Fatalf("sum %d: %v from the convolution, %v from the batch norm", j, got[j], want[j])
							}
						}
						BNForwardTrain(nil, y, nil, gamma, beta, st[2][0], st[2][1], st[2][2], st[2][3], s.N, s.K, hw, 1e-5, true, ws)
						for j := range st[0] {
							sameBits(t, "statistics", st[1][j], st[0][j])
							for k, v := range st[2][j] {
								if d := math.Abs(float64(v - st[0][j][k])); d > 1e-6*max(1, math.Abs(float64(v))) {
									t.Fatalf("statistic %d[%d]: %v by planes, %v in one pass", j, k, st[0][j][k], v)
								}
							}
						}
					})
				}
			}
		}
	}
}
