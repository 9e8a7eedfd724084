package kernel

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sync"
	"testing"
	"time"
)

var testShapes = []ConvShape{
	{N: 2, C: 3, H: 7, W: 9, K: 5, R: 3, S: 3, Stride: 1, Pad: 1},
	{N: 1, C: 16, H: 8, W: 8, K: 16, R: 3, S: 3, Stride: 1, Pad: 1},
	{N: 3, C: 5, H: 9, W: 7, K: 11, R: 3, S: 3, Stride: 2, Pad: 1},
	{N: 2, C: 8, H: 8, W: 8, K: 16, R: 1, S: 1, Stride: 2, Pad: 0},
	{N: 2, C: 8, H: 7, W: 7, K: 16, R: 1, S: 1, Stride: 2, Pad: 0},
	{N: 2, C: 17, H: 5, W: 5, K: 9, R: 1, S: 1, Stride: 1, Pad: 0},
	{N: 4, C: 16, H: 32, W: 32, K: 16, R: 3, S: 3, Stride: 1, Pad: 1},
	{N: 2, C: 16, H: 32, W: 32, K: 32, R: 3, S: 3, Stride: 2, Pad: 1},
	{N: 2, C: 32, H: 16, W: 16, K: 32, R: 3, S: 3, Stride: 1, Pad: 1},
	{N: 3, C: 64, H: 8, W: 8, K: 64, R: 3, S: 3, Stride: 1, Pad: 1},
	{N: 36, C: 8, H: 8, W: 8, K: 16, R: 3, S: 3, Stride: 1, Pad: 1}, // F(4×4) on 8×8: four groups of 8 images and one of 4
	{N: 2, C: 1, H: 28, W: 28, K: 8, R: 3, S: 3, Stride: 1, Pad: 1},
	{N: 2, C: 8, H: 7, W: 7, K: 8, R: 3, S: 3, Stride: 2, Pad: 1},
	{N: 2, C: 4, H: 6, W: 6, K: 6, R: 5, S: 5, Stride: 1, Pad: 2},
	{N: 2, C: 3, H: 6, W: 5, K: 7, R: 1, S: 3, Stride: 1, Pad: 1},
	{N: 2, C: 3, H: 10, W: 11, K: 9, R: 3, S: 3, Stride: 3, Pad: 0},
	{N: 5, C: 2, H: 1, W: 1, K: 3, R: 3, S: 3, Stride: 1, Pad: 1},
	{N: 1, C: 3, H: 2, W: 3, K: 3, R: 3, S: 3, Stride: 2, Pad: 1},
	{N: 2, C: 5, H: 7, W: 10, K: 8, R: 3, S: 3, Stride: 2, Pad: 1},
	{N: 2, C: 9, H: 7, W: 8, K: 20, R: 1, S: 1, Stride: 2, Pad: 0},
	{N: 2, C: 4, H: 12, W: 40, K: 8, R: 3, S: 3, Stride: 2, Pad: 1},
	{N: 1, C: 2, H: 1, W: 2, K: 3, R: 3, S: 3, Stride: 2, Pad: 1},
	// A ResNet on 12x12 inputs at batch 16, as the model's tests run it: small
	// maps whose pixel count is not a multiple of 16 once broke a fast path.
	{N: 16, C: 3, H: 12, W: 12, K: 16, R: 3, S: 3, Stride: 1, Pad: 1},
	{N: 16, C: 16, H: 12, W: 12, K: 32, R: 3, S: 3, Stride: 2, Pad: 1},
	{N: 16, C: 32, H: 6, W: 6, K: 32, R: 3, S: 3, Stride: 1, Pad: 1},
	{N: 16, C: 32, H: 6, W: 6, K: 64, R: 3, S: 3, Stride: 2, Pad: 1},
	{N: 16, C: 64, H: 3, W: 3, K: 64, R: 3, S: 3, Stride: 1, Pad: 1},
	// stems, whose weight gradient runs as lane sums (dwLaneFits)...
	{N: 3, C: 3, H: 32, W: 32, K: 16, R: 3, S: 3, Stride: 1, Pad: 1},
	{N: 2, C: 2, H: 5, W: 18, K: 16, R: 3, S: 3, Stride: 1, Pad: 0},
	{N: 19, C: 4, H: 7, W: 16, K: 12, R: 3, S: 3, Stride: 1, Pad: 1},
	{N: 2, C: 3, H: 4, W: 16, K: 6, R: 3, S: 3, Stride: 1, Pad: 1}, // output channels not in fours
	{N: 2, C: 2, H: 3, W: 8, K: 3, R: 3, S: 3, Stride: 1, Pad: 1},  // nor in twos
	// ... and AVX-512's three-channel tap tile where the rows are not
	// whole vectors
	{N: 3, C: 3, H: 8, W: 8, K: 16, R: 3, S: 3, Stride: 1, Pad: 1},
}

func randSlice(rng *rand.Rand, n int) []float32 {
	s := make([]float32, n)
	for i := range s {
		s[i] = float32(rng.NormFloat64())
	}
	return s
}

func to64(s []float32) []float64 {
	d := make([]float64, len(s))
	for i, v := range s {
		d[i] = float64(v)
	}
	return d
}

func abs64(s []float64) []float64 {
	d := make([]float64, len(s))
	for i, v := range s {
		d[i] = math.Abs(v)
	}
	return d
}

// checkClose compares got with the float64 reference want, allowing each
// element an error of 2e-6·sqrt(fanIn) times the sum of the magnitudes of
// its terms (mag).
func checkClose(t *testing.T, what string, got []float32, want, mag []float64, fanIn int) {
	t.Helper()
	tol := 2e-6 * math.Sqrt(float64(fanIn))
	bad := 0
	for i := range want {
		if d := math.Abs(float64(got[i]) - want[i]); !(d <= tol*mag[i]+1e-30) {
			if bad < 3 {
				t.Errorf("%s[%d] = %v, want %v (error %.3g, allowed %.3g)", what, i, got[i], want[i], d, tol*mag[i])
			}
			bad++
		}
	}
	if bad > 0 {
		t.Errorf("%s: %d of %d elements out of tolerance", what, bad, len(want))
	}
}

type convCase struct {
	s                ConvShape
	x, w, dy         []float32
	y, dx, dw        []float64 // references
	yMag, dxMag, dwM []float64
}

func newConvCase(s ConvShape, seed uint64) *convCase {
	rng := rand.New(rand.NewPCG(seed, 1))
	c := &convCase{s: s}
	ny := s.N * s.K * s.OutH() * s.OutW()
	c.x = randSlice(rng, s.N*s.C*s.H*s.W)
	c.w = randSlice(rng, s.K*s.C*s.R*s.S)
	c.dy = randSlice(rng, ny)
	x, w, dy := to64(c.x), to64(c.w), to64(c.dy)
	ax, aw, ady := abs64(x), abs64(w), abs64(dy)
	c.y, c.yMag = make([]float64, ny), make([]float64, ny)
	convForwardRef(c.y, x, w, s)
	convForwardRef(c.yMag, ax, aw, s)
	c.dx, c.dxMag = make([]float64, len(x)), make([]float64, len(x))
	convBackwardDataRef(c.dx, dy, w, s)
	convBackwardDataRef(c.dxMag, ady, aw, s)
	c.dw, c.dwM = make([]float64, len(w)), make([]float64, len(w))
	convBackwardFilterRef(c.dw, x, dy, s)
	convBackwardFilterRef(c.dwM, ax, ady, s)
	return c
}

func workspaceFor(impl *convKernels, workers int) *Workspace {
	ws := NewWorkspace(workers)
	ws.core().impl = impl
	return ws
}

func TestConvF32(t *testing.T) {
	for i, s := range testShapes {
		c := newConvCase(s, uint64(i))
		for _, impl := range kernelSets() {
			for _, workers := range []int{1, 2, 3} {
				t.Run(fmt.Sprintf("%s/%v/w%d", impl.name, s, workers), func(t *testing.T) {
					ws := workspaceFor(impl, workers)
					y := make([]float32, len(c.y))
					dx := make([]float32, len(c.dx))
					dw := make([]float32, len(c.dw))
					// Twice: the second call runs on the cached plans and buffers,
					// and outputs must be overwritten, not accumulated.
					for rep := 0; rep < 2; rep++ {
						ConvForward(y, c.x, c.w, s, ws)
						ConvBackwardData(dx, c.dy, c.w, s, ws)
						ConvBackwardFilter(dw, c.x, c.dy, s, ws)
					}
					checkClose(t, "y", y, c.y, c.yMag, s.C*s.R*s.S)
					checkClose(t, "dx", dx, c.dx, c.dxMag, s.K*s.R*s.S)
					checkClose(t, "dw", dw, c.dw, c.dwM, s.N*s.OutH()*s.OutW())
				})
			}
		}
	}
}

// TestConvF32Deterministic checks that the float32 convolutions give the
// same bits on every run and for every worker count: images are computed
// alike by any worker, and the weight gradient sums fixed chunks of the
// batch in order, whichever worker takes them.
func TestConvF32Deterministic(t *testing.T) {
	for si, s := range []ConvShape{
		{N: 6, C: 16, H: 16, W: 16, K: 32, R: 3, S: 3, Stride: 2, Pad: 1},
		{N: 37, C: 8, H: 9, W: 9, K: 12, R: 3, S: 3, Stride: 1, Pad: 1},    // more images than chunks
		{N: 37, C: 16, H: 8, W: 8, K: 16, R: 3, S: 3, Stride: 1, Pad: 1},   // Winograd, groups of 16 images
		{N: 19, C: 16, H: 16, W: 16, K: 16, R: 3, S: 3, Stride: 1, Pad: 1}, // Winograd F(4×4), groups of 7 images
	} {
		c := newConvCase(s, uint64(7+si))
		for _, impl := range kernelSets() {
			var first [3][]float32
			for _, workers := range []int{1, 2, 3, 1, 5} {
				ws := workspaceFor(impl, workers)
				y := make([]float32, len(c.y))
				dx := make([]float32, len(c.dx))
				dw := make([]float32, len(c.dw))
				ConvForward(y, c.x, c.w, s, ws)
				ConvBackwardData(dx, c.dy, c.w, s, ws)
				ConvBackwardFilter(dw, c.x, c.dy, s, ws)
				if first[0] == nil {
					first = [3][]float32{y, dx, dw}
					continue
				}
				for i, got := range [3][]float32{y, dx, dw} {
					for j := range got {
						if math.Float32bits(got[j]) != math.Float32bits(first[i][j]) {
							t.Fatalf("%s %v, %d workers: output %d element %d is %v, with 1 worker %v", impl.name, s, workers, i, j, got[j], first[i][j])
						}
					}
				}
			}
		}
	}
}

// TestConvF32IgnoresNeighbours checks that where a kernel reads a source in
// place, the lanes its masks exclude do not reach the result, also where it
// loads them and masks the arithmetic instead: the outer images are the
// neighbours of the middle one in memory, and NaN (forward, input gradient)
// or huge values times zero gradients (weight gradient) there must not change
// what the middle image gives.
func TestConvF32IgnoresNeighbours(t *testing.T) {
	shapes := []ConvShape{
		{N: 3, C: 16, H: 32, W: 32, K: 16, R: 3, S: 3, Stride: 1, Pad: 1},
		{N: 3, C: 16, H: 16, W: 16, K: 16, R: 3, S: 3, Stride: 1, Pad: 1},
		{N: 3, C: 8, H: 8, W: 8, K: 16, R: 3, S: 3, Stride: 1, Pad: 1},
		{N: 3, C: 8, H: 7, W: 9, K: 8, R: 3, S: 3, Stride: 1, Pad: 1},
	}
	for i, s := range shapes {
		c := newConvCase(s, uint64(40+i))
		inSz, outSz := s.C*s.H*s.W, s.K*s.OutH()*s.OutW()
		for _, impl := range kernelSets() {
			t.Run(fmt.Sprintf("%s/%v", impl.name, s), func(t *testing.T) {
				ws := workspaceFor(impl, 1)
				run := func(fill float32) (y, dx, dw []float32) {
					x, dy := append([]float32(nil), c.x...), append([]float32(nil), c.dy...)
					for _, n := range []int{0, 2} {
						for j := range x[n*inSz : (n+1)*inSz] {
							x[n*inSz+j] = fill
						}
						clear(dy[n*outSz : (n+1)*outSz])
					}
					y, dx, dw = make([]float32, len(c.y)), make([]float32, len(c.dx)), make([]float32, len(c.dw))
					ConvForward(y, x, c.w, s, ws)
					ConvBackwardFilter(dw, x, dy, s, ws)
					for _, n := range []int{0, 2} {
						for j := range x[n*inSz : (n+1)*inSz] {
							x[n*inSz+j] = float32(math.NaN())
						}
						for j := range dy[n*outSz : (n+1)*outSz] {
							dy[n*outSz+j] = float32(math.NaN())
						}
					}
					ConvBackwardData(dx, dy, c.w, s, ws)
					return y[outSz : 2*outSz], dx[inSz : 2*inSz], dw
				}
				y0, dx0, dw0 := run(0)
				y1, dx1, _ := run(float32(math.NaN()))
				_, _, dw1 := run(1e30)
				for _, p := range [][2][]float32{{y0, y1}, {dx0, dx1}, {dw0, dw1}} {
					for j := range p[0] {
						if math.Float32bits(p[0][j]) != math.Float32bits(p[1][j]) {
							t.Fatalf("element %d: %v with zero neighbours, %v with filled ones", j, p[0][j], p[1][j])
						}
					}
				}
			})
		}
	}
}

func TestConvF32NoAllocs(t *testing.T) {
	for _, s := range []ConvShape{
		{N: 4, C: 8, H: 9, W: 9, K: 12, R: 3, S: 3, Stride: 2, Pad: 1},
		{N: 6, C: 16, H: 8, W: 8, K: 32, R: 3, S: 3, Stride: 1, Pad: 1},   // Winograd, three scratch buffers in turn
		{N: 3, C: 16, H: 16, W: 16, K: 16, R: 3, S: 3, Stride: 1, Pad: 1}, // Winograd F(4×4)
	} {
		testConvNoAllocs(t, s)
	}
}

func testConvNoAllocs(t *testing.T, s ConvShape) {
	c := newConvCase(s, 3)
	for _, workers := range []int{1, 2} {
		ws := NewWorkspace(workers)
		y := make([]float32, len(c.y))
		dx := make([]float32, len(c.dx))
		dw := make([]float32, len(c.dw))
		step := func() {
			ConvForward(y, c.x, c.w, s, ws)
			ConvBackwardData(dx, c.dy, c.w, s, ws)
			ConvBackwardFilter(dw, c.x, c.dy, s, ws)
		}
		step()
		if a := testing.AllocsPerRun(10, step); a != 0 {
			t.Errorf("workers %d: %v allocations per step, want 0", workers, a)
		}
	}
}

func TestConvFloat64UsesReference(t *testing.T) {
	s := testShapes[2]
	c := newConvCase(s, 11)
	y := make([]float64, len(c.y))
	ConvForward(y, to64(c.x), to64(c.w), s, nil)
	for i := range y {
		if y[i] != c.y[i] {
			t.Fatalf("float64 forward differs from the reference at %d", i)
		}
	}
}

func TestSplitMerge(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 5))
	for _, impl := range kernelSets() {
		for _, rows := range []int{1, 2, 5, 8} {
			for _, half := range []int{1, 3, 8, 15, 16, 17, 40} {
				src := randSlice(rng, 2*rows*half)
				n := (rows + 1) / 2 * half
				ph := make([]float32, 4*n)
				impl.split(ph[:n], ph[n:2*n], ph[2*n:3*n], ph[3*n:], src, rows, half)
				for r := 0; r < rows; r++ {
					for col := 0; col < 2*half; col++ {
						got := ph[(2*(r%2)+col%2)*n+r/2*half+col/2]
						if got != src[r*2*half+col] {
							t.Fatalf("%s split rows %d half %d: (%d,%d) = %v, want %v", impl.name, rows, half, r, col, got, src[r*2*half+col])
						}
					}
				}
				back := make([]float32, len(src))
				impl.merge(back, ph[:n], ph[n:2*n], ph[2*n:3*n], ph[3*n:], rows, half)
				for i := range src {
					if back[i] != src[i] {
						t.Fatalf("%s merge rows %d half %d: element %d = %v, want %v", impl.name, rows, half, i, back[i], src[i])
					}
				}
			}
		}
	}
}

// TestConvF32ShapeChanges runs one workspace over changing shapes, as a layer
// does between training batches and a smaller evaluation batch, and as the
// layers of a net do that share one. The strides, paddings and channel
// counts change too: the weight gradient keeps the padding of its copies
// from call to call (dwtap.go).
func TestConvF32ShapeChanges(t *testing.T) {
	base := ConvShape{N: 4, C: 8, H: 8, W: 8, K: 16, R: 3, S: 3, Stride: 1, Pad: 1}
	shapes := []ConvShape{base, base, base, base, base, base}
	shapes[1].N = 3
	shapes[2].H, shapes[2].W = 12, 10
	shapes[3].N = 6
	shapes[4].Stride, shapes[4].K = 2, 48
	shapes[5].C, shapes[5].Pad, shapes[5].H = 3, 0, 9
	for _, impl := range kernelSets() {
		ws := workspaceFor(impl, 2)
		for i, s := range append(shapes, shapes...) {
			c := newConvCase(s, uint64(100+i))
			y := make([]float32, len(c.y))
			dx := make([]float32, len(c.dx))
			dw := make([]float32, len(c.dw))
			ConvForward(y, c.x, c.w, s, ws)
			ConvBackwardData(dx, c.dy, c.w, s, ws)
			ConvBackwardFilter(dw, c.x, c.dy, s, ws)
			checkClose(t, impl.name+" y", y, c.y, c.yMag, s.C*s.R*s.S)
			checkClose(t, impl.name+" dx", dx, c.dx, c.dxMag, s.K*s.R*s.S)
			checkClose(t, impl.name+" dw", dw, c.dw, c.dwM, s.N*s.OutH()*s.OutW())
		}
	}
}

// TestConvF32Degenerate checks that empty and invalid shapes take the
// reference path instead of the workers.
func TestConvF32Degenerate(t *testing.T) {
	ws := NewWorkspace(2)
	s := ConvShape{N: 0, C: 2, H: 4, W: 4, K: 2, R: 3, S: 3, Stride: 1, Pad: 1}
	ConvForward([]float32{}, []float32{}, make([]float32, 36), s, ws)
	ConvBackwardData([]float32{}, []float32{}, make([]float32, 36), s, ws)
	dw := make([]float32, 36)
	ConvBackwardFilter(dw, []float32{}, []float32{}, s, ws)
	for _, v := range dw {
		if v != 0 {
			t.Fatalf("weight gradient of an empty batch is %v", dw)
		}
	}
	BNForwardEval([]float32{}, []float32{}, nil, nil, nil, nil, nil, 0, 0, 4, 1e-5, false, ws)
}

// TestPoolVaryingWorkers runs many small calls on one workspace whose
// worker count per call changes from call to call (a call uses at most one
// worker per image), checking every result: a worker must never take part
// in a call it does not belong to, or twice in one call, which would leave
// the caller waiting forever or the output half-written.
func TestPoolVaryingWorkers(t *testing.T) {
	ws := NewWorkspace(4)
	var cases []*convCase
	for n := 1; n <= 4; n++ {
		cases = append(cases, newConvCase(ConvShape{N: n, C: 2, H: 5, W: 5, K: 8, R: 3, S: 3, Stride: 1, Pad: 1}, uint64(n)))
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		rng := rand.New(rand.NewPCG(3, 3))
		ys := make([][]float32, len(cases))
		for j, c := range cases {
			ys[j] = make([]float32, len(c.y))
		}
		for i := 0; i < 20000; i++ {
			j := rng.IntN(len(cases))
			c, y := cases[j], ys[j]
			clear(y)
			ConvForward(y, c.x, c.w, c.s, ws)
			if i%97 == 0 {
				checkClose(t, "y", y, c.y, c.yMag, c.s.C*c.s.R*c.s.S)
			}
		}
	}()
	select {
	case <-done:
	case <-time.After(time.Minute):
		t.Fatal("a call never finished: the pool lost track of its workers")
	}
}

// TestSharedWorkers: workspaces on one Workers, called from several
// goroutines at once, take turns on the shared workers and compute what a
// workspace of their own does, bit for bit.
func TestSharedWorkers(t *testing.T) {
	shared := NewWorkers(3)
	shapes := []ConvShape{
		{N: 3, C: 16, H: 8, W: 8, K: 16, R: 3, S: 3, Stride: 1, Pad: 1}, // Winograd
		{N: 4, C: 5, H: 9, W: 7, K: 8, R: 3, S: 3, Stride: 2, Pad: 1},
		{N: 2, C: 8, H: 6, W: 6, K: 8, R: 1, S: 1, Stride: 1, Pad: 0},
	}
	var wg sync.WaitGroup
	for g, s := range shapes {
		c := newConvCase(s, uint64(10+g))
		want := make([]float32, len(c.y))
		ConvForward(want, c.x, c.w, s, NewWorkspace(3))
		ws := shared.Workspace()
		wg.Add(1)
		go func() {
			defer wg.Done()
			y := make([]float32, len(c.y))
			for i := 0; i < 300; i++ {
				clear(y)
				ConvForward(y, c.x, c.w, s, ws)
				for j := range y {
					if math.Float32bits(y[j]) != math.Float32bits(want[j]) {
						t.Errorf("shape %d, call %d: y[%d] = %v, want %v", g, i, j, y[j], want[j])
						return
					}
				}
			}
		}()
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(time.Minute):
		t.Fatal("calls on shared workers never finished")
	}
}
