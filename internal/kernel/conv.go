package kernel

import "runtime"

import "fmt"

// Float is the element type of every kernel.
type Float interface{ ~float32 | ~float64 }

// ConvShape is the geometry of a 2-D convolution without bias:
// input N×C×H×W, filters K×C×R×S, output N×K×OutH()×OutW(),
// zero padding Pad on every side, the same Stride in both directions.
type ConvShape struct {
	N, C, H, W  int
	K, R, S     int
	Stride, Pad int
}

// OutH is the output height.
func (s ConvShape) OutH() int { return (s.H+2*s.Pad-s.R)/s.Stride + 1 }

// OutW is the output width.
func (s ConvShape) OutW() int { return (s.W+2*s.Pad-s.S)/s.Stride + 1 }

// transposed is s with its channel counts swapped: the input gradient of s
// as a forward convolution from dy to dx (for stride 1).
func (s ConvShape) transposed() ConvShape {
	s.C, s.K = s.K, s.C
	return s
}

// FLOPs is the multiply-add count of one forward pass, times two.
func (s ConvShape) FLOPs() int64 {
	return 2 * int64(s.N) * int64(s.K) * int64(s.OutH()) * int64(s.OutW()) * int64(s.C) * int64(s.R) * int64(s.S)
}

// Validate reports a geometry the kernels cannot run.
func (s ConvShape) Validate() error {
	if s.N <= 0 || s.C <= 0 || s.H <= 0 || s.W <= 0 || s.K <= 0 || s.R <= 0 || s.S <= 0 || s.Stride <= 0 || s.Pad < 0 {
		return fmt.Errorf("kernel: invalid conv shape %+v", s)
	}
	if s.OutH() <= 0 || s.OutW() <= 0 {
		return fmt.Errorf("kernel: conv shape %+v has an empty output", s)
	}
	return nil
}

// ConvForward computes y = x ⋆ w.
// x is N×C×H×W, w is K×C×R×S, y is N×K×OutH×OutW and is overwritten.
// ws carries scratch memory and the worker count; nil runs on one goroutine.
//
// []float32 operands run the implicit-GEMM kernels, or Winograd F(2×2, 3×3)
// where it applies (see the package doc), split over the images; their
// results do not depend on the worker count. Other element types run
// the reference loops. A slice shorter than its shape makes the call panic.
func ConvForward[T Float](y, x, w []T, s ConvShape, ws *Workspace) {
	ConvForwardEpilogue(y, x, w, s, ws, nil)
}

// ConvEpilogue is a per-channel affine map and ReLU that ConvForward applies
// to each image's output planes right after computing them, while they are
// still in cache: y = y·Scale[k] + Shift[k], then max(y, 0) when ReLU is
// set, exactly as BNForwardEval computes it. It fuses an evaluation-mode
// batch norm into the convolution before it, saving a pass over memory.
// (A training-mode batch norm gains nothing from this: it already reads
// each channel's second pass from cache.)
type ConvEpilogue struct {
	Scale, Shift []float32 // length K
	ReLU         bool
}

// ConvForwardEpilogue is ConvForward followed, image by image, by the work
// epi describes (nil: none). Float32 only; other element types and shapes
// run ConvForward and then the epilogue over the whole batch.
func ConvForwardEpilogue[T Float](y, x, w []T, s ConvShape, ws *Workspace, epi *ConvEpilogue) {
	if y32, ok := any(y).([]float32); ok && s.Validate() == nil {
		c := ws.core()
		c.epi = epi
		c.forwardF32(y32, any(x).([]float32), any(w).([]float32), s, ws.workers())
		c.epi = nil
		runtime.KeepAlive(ws) // its cleanup stops the workers: not during the call
		return
	}
	convForwardRef(y, x, w, s)
	if epi == nil {
		return
	}
	hw := s.OutH() * s.OutW()
	for n := 0; n < s.N; n++ {
		for k := 0; k < s.K; k++ {
			p := y[(n*s.K+k)*hw : (n*s.K+k+1)*hw]
			for i, v := range p {
				o := v*T(epi.Scale[k]) + T(epi.Shift[k])
				if epi.ReLU && o < 0 {
					o = 0
				}
				p[i] = o
			}
		}
	}
}

// ConvBackwardData computes dx, the gradient with respect to the input,
// from dy (N×K×OutH×OutW) and w (K×C×R×S). dx (N×C×H×W) is overwritten.
func ConvBackwardData[T Float](dx, dy, w []T, s ConvShape, ws *Workspace) {
	ConvBackwardDataEpilogue(dx, dy, w, s, ws, nil, nil)
}

// ConvBackwardDataEpilogue is ConvBackwardData followed by dx = dx + add
// (add nil: none), then dx = 0 wherever mask <= 0 (mask nil: none), with
// add and mask shaped like dx. For float32 it applies them to each image's
// planes right after computing them, while they are still in cache, with
// the bits of AddReLU and then ReLUGrad over the whole tensor. It fuses
// into a residual unit's input gradient the gradient of its shortcut and
// the ReLU at the end of the unit before, two passes over memory.
func ConvBackwardDataEpilogue[T Float](dx, dy, w []T, s ConvShape, ws *Workspace, add, mask []T) {
	if dx32, ok := any(dx).([]float32); ok && s.Validate() == nil {
		c := ws.core()
		c.gepi = gradEpilogue{add: any(add).([]float32), mask: any(mask).([]float32)}
		n := s.N * s.C * s.H * s.W
		if add != nil {
			_ = c.gepi.add[n-1]
		}
		if mask != nil {
			_ = c.gepi.mask[n-1]
		}
		c.backwardDataF32(dx32, any(dy).([]float32), any(w).([]float32), s, ws.workers())
		c.gepi = gradEpilogue{}
		runtime.KeepAlive(ws) // its cleanup stops the workers: not during the call
		return
	}
	convBackwardDataRef(dx, dy, w, s)
	dx = dx[:s.N*s.C*s.H*s.W]
	if add != nil {
		AddReLU(dx, dx, add[:len(dx)], false, ws)
	}
	if mask != nil {
		ReLUGrad(dx, mask[:len(dx)], dx, ws)
	}
}

// gradEpilogue is the work ConvBackwardDataEpilogue adds to the float32
// input gradient.
type gradEpilogue struct {
	add, mask []float32
}

func (e gradEpilogue) on() bool { return e.add != nil || e.mask != nil }

// apply runs the epilogue over p, which starts off floats into dx.
func (e gradEpilogue) apply(elt func(op int, y, a, b []float32), p []float32, off int) {
	if e.add != nil {
		elt(eltAdd, p, p, e.add[off:off+len(p)])
	}
	if e.mask != nil {
		elt(eltReLUGrad, p, e.mask[off:off+len(p)], p)
	}
}

// ConvBackwardFilter computes dw, the gradient with respect to the filters,
// from x (N×C×H×W) and dy (N×K×OutH×OutW). dw (K×C×R×S) is overwritten.
// For []float32 the batch is summed in 16 fixed chunks (fewer when N is
// smaller), which the workers take as they come free, and the chunks' sums
// are added in order, so the bits depend neither on timing nor on the
// worker count.
func ConvBackwardFilter[T Float](dw, x, dy []T, s ConvShape, ws *Workspace) {
	if dw32, ok := any(dw).([]float32); ok && s.Validate() == nil {
		ws.core().backwardFilterF32(dw32, any(x).([]float32), any(dy).([]float32), s, ws.workers())
		runtime.KeepAlive(ws) // its cleanup stops the workers: not during the call
		return
	}
	convBackwardFilterRef(dw, x, dy, s)
}

// Workspace is the reusable scratch memory of a convolution (or of the batch
// norms and elementwise ops that share it) and the number of workers it may
// use. One workspace must not be used by two calls at once.
//
// Float32 calls keep plans, copy buffers, packed weights and Workers-1
// goroutines here between calls, so that steady-state calls allocate
// nothing; they are released when the workspace is garbage collected. A
// workspace from Workers.Workspace runs on that pool's goroutines instead.
type Workspace struct {
	Workers int

	c      *convCore
	shared *Workers // the pool it runs on, if not one of its own
}

// NewWorkspace returns a workspace for up to workers goroutines (<= 0 means 1).
func NewWorkspace(workers int) *Workspace {
	if workers <= 0 {
		workers = 1
	}
	return &Workspace{Workers: workers}
}
