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

// ConvPrologue is a per-channel affine map and ReLU that a convolution
// applies to its input as it reads it: the convolution then computes
// x' ⋆ w with x' = x·Scale[c] + Shift[c], then max(x', 0) when ReLU is
// set, exactly as BNForwardTrain computes its output from its affine map,
// and with x' padded by zeros. It fuses a training-mode batch norm into the
// convolution that reads its output, forward and weight gradient, so that
// the batch norm's output is never written: its statistics are computed
// from x, and its backward pass reads x (see BNBackward). The Winograd
// paths apply it to each group of images in cache, just before their input
// transform; the direct ones apply it to the whole batch first, which
// gains nothing (see PrologueFits).
type ConvPrologue struct {
	Scale, Shift []float32 // length C
	ReLU         bool
}

// PrologueFits reports whether the float32 kernels of this machine run
// both the forward pass and the weight gradient of s as Winograd
// convolutions, where a ConvPrologue costs no pass over memory of its own.
func PrologueFits(s ConvShape) bool {
	return s.Validate() == nil && winoFits(s, bestKernels) && winoFilterFits(s, bestKernels)
}

// ConvForwardEpilogue is ConvForward followed, image by image, by the work
// epi describes (nil: none). Float32 only; other element types and shapes
// run ConvForward and then the epilogue over the whole batch.
func ConvForwardEpilogue[T Float](y, x, w []T, s ConvShape, ws *Workspace, epi *ConvEpilogue) {
	ConvForwardFused(y, x, w, s, ws, nil, epi, nil)
}

// ConvForwardFused is ConvForwardEpilogue of the input as pro maps it (nil:
// x itself); see ConvPrologue. planes, if not nil (2·N·K floats), receives
// the sums of the output's planes as BNForwardTrainPlanes computes them,
// Σy and Σy² of image n's channel k at 2(n·K+k): the Winograd paths sum
// each group of images while it is in cache, so that the training batch
// norm reading y needs no pass of its own for its statistics. Float32
// only.
func ConvForwardFused[T Float](y, x, w []T, s ConvShape, ws *Workspace, pro *ConvPrologue, epi *ConvEpilogue, planes []float64) {
	if y32, ok := any(y).([]float32); ok && s.Validate() == nil {
		if planes != nil {
			_ = planes[2*s.N*s.K-1]
		}
		c := ws.core()
		c.epi, c.pro, c.planes = epi, pro, planes
		c.forwardF32(y32, any(x).([]float32), any(w).([]float32), s, ws.workers())
		c.epi, c.pro, c.planes = nil, nil, nil
		runtime.KeepAlive(ws) // its cleanup stops the workers: not during the call
		return
	}
	if planes != nil {
		panic("kernel: plane sums of a convolution's output are float32 only")
	}
	convForwardRef(y, prologueRef(x, s, pro), w, s)
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

// ShortcutGrad is the gradient that a residual unit's shortcut adds to the
// unit's input gradient dx (N×C×H×W): G is N×K×⌈H/Stride⌉×⌈W/Stride⌉, and
//
//	dx[n][c][Stride·i][Stride·j] += G[n][Lo+c][i][j]
//
// for c < C, every other element of dx adding 0: the identity shortcut is
// K = C, Lo = 0, Stride = 1, the option-A shortcut K > C, Lo = (K−C)/2,
// Stride 2. A nil *ShortcutGrad adds nothing.
type ShortcutGrad[T Float] struct {
	G             []T
	K, Lo, Stride int
}

// ConvBackwardDataEpilogue is ConvBackwardData followed by the shortcut's
// gradient added to dx (sc nil: none), then dx = 0 wherever mask <= 0 (mask
// nil: none; mask is shaped like dx). For float32 it applies them to each
// image's planes right after computing them, while they are still in cache,
// with the bits of the shortcut's gradient, AddReLU and ReLUGrad apart. It
// fuses into a residual unit's input gradient the gradient of its shortcut
// and the ReLU at the end of the unit before, two or three passes over
// memory.
func ConvBackwardDataEpilogue[T Float](dx, dy, w []T, s ConvShape, ws *Workspace, sc *ShortcutGrad[T], mask []T) {
	if sc != nil {
		oh, ow := (s.H+sc.Stride-1)/sc.Stride, (s.W+sc.Stride-1)/sc.Stride
		if sc.Stride < 1 || sc.Lo < 0 || sc.Lo+s.C > sc.K || len(sc.G) < s.N*sc.K*oh*ow {
			panic("kernel: shortcut gradient does not fit the input gradient")
		}
	}
	if mask != nil {
		_ = mask[s.N*s.C*s.H*s.W-1]
	}
	if dx32, ok := any(dx).([]float32); ok && s.Validate() == nil {
		c := ws.core()
		e := gradEpilogue{mask: any(mask).([]float32)}
		if sc != nil {
			e.add = any(sc.G).([]float32)
			e.k, e.lo, e.st = sc.K, sc.Lo, sc.Stride
		}
		c.gepi = e
		c.backwardDataF32(dx32, any(dy).([]float32), any(w).([]float32), s, ws.workers())
		c.gepi = gradEpilogue{}
		runtime.KeepAlive(ws) // its cleanup stops the workers: not during the call
		return
	}
	convBackwardDataRef(dx, dy, w, s)
	img := s.C * s.H * s.W
	for n := 0; n < s.N; n++ {
		p := dx[n*img : (n+1)*img]
		if sc != nil {
			addShortcut(p, sc.G, n, s, sc.K, sc.Lo, sc.Stride)
		}
		if mask != nil {
			ReLUGrad(p, mask[n*img:(n+1)*img], p, ws)
		}
	}
}

// addShortcut adds the shortcut gradient g (K channels, stride st, from
// channel lo) to p, image n of an input gradient of shape s; every other
// element adds 0, as the addition of the shortcut's zeros does (-0 becomes
// 0).
func addShortcut[T Float](p, g []T, n int, s ConvShape, k, lo, st int) {
	oh, ow := (s.H+st-1)/st, (s.W+st-1)/st
	for c := 0; c < s.C; c++ {
		src := g[(n*k+lo+c)*oh*ow : (n*k+lo+c+1)*oh*ow]
		for r := 0; r < s.H; r++ {
			row := p[(c*s.H+r)*s.W : (c*s.H+r+1)*s.W]
			if r%st != 0 {
				for j := range row {
					row[j] += 0
				}
				continue
			}
			gr := src[r/st*ow : (r/st+1)*ow]
			for j := 0; j < len(row); j += st {
				row[j] += gr[j/st]
				for t := j + 1; t < min(j+st, len(row)); t++ {
					row[t] += 0
				}
			}
		}
	}
}

// gradEpilogue is the work ConvBackwardDataEpilogue adds to the float32
// input gradient: the shortcut gradient add (nil: none), with k, lo and st
// as in ShortcutGrad, and the mask (nil: none).
type gradEpilogue struct {
	add, mask []float32
	k, lo, st int
}

func (e gradEpilogue) on() bool { return e.add != nil || e.mask != nil }

// rows reports whether the epilogue may run on any run of rows of an image
// (apply), or needs whole images (applyImage).
func (e gradEpilogue) rows(c int) bool { return e.add == nil || (e.k == c && e.lo == 0 && e.st == 1) }

// apply runs an epilogue for which rows holds over p, which starts off
// floats into dx.
func (e gradEpilogue) apply(elt func(op int, y, a, b []float32), p []float32, off int) {
	if e.add != nil {
		elt(eltAdd, p, p, e.add[off:off+len(p)])
	}
	if e.mask != nil {
		elt(eltReLUGrad, p, e.mask[off:off+len(p)], p)
	}
}

// applyImage runs the epilogue over p, image n of dx, with c's kernels and
// b's scratch.
func (e gradEpilogue) applyImage(c *convCore, b *workerBuf, p []float32, n int, s ConvShape) {
	if e.rows(s.C) {
		e.apply(c.eltImpl, p, n*len(p))
		return
	}
	if hw := s.H * s.W; e.st == 2 && s.H%2 == 0 && s.W%2 == 0 {
		// option A: each plane of the shortcut's gradient scattered into a
		// zeroed plane (the phase merge of the strided convolutions), then
		// added as AddReLU adds it
		q := hw / 4
		b.short = grow(b.short, hw+q)
		full, zero := b.short[:hw], b.short[hw:hw+q]
		clear(zero)
		for ch := 0; ch < s.C; ch++ {
			g := e.add[(n*e.k+e.lo+ch)*q : (n*e.k+e.lo+ch+1)*q]
			c.impl.merge(full, g, zero, zero, zero, s.H, s.W/2)
			c.eltImpl(eltAdd, p[ch*hw:(ch+1)*hw], p[ch*hw:(ch+1)*hw], full)
		}
	} else {
		addShortcut(p, e.add, n, s, e.k, e.lo, e.st)
	}
	if e.mask != nil {
		c.eltImpl(eltReLUGrad, p, e.mask[n*len(p):(n+1)*len(p)], p)
	}
}

// ConvBackwardFilter computes dw, the gradient with respect to the filters,
// from x (N×C×H×W) and dy (N×K×OutH×OutW). dw (K×C×R×S) is overwritten.
// For []float32 the batch is summed in 16 fixed chunks (fewer when N is
// smaller), which the workers take as they come free, and the chunks' sums
// are added in order, so the bits depend neither on timing nor on the
// worker count.
func ConvBackwardFilter[T Float](dw, x, dy []T, s ConvShape, ws *Workspace) {
	ConvBackwardFilterFused(dw, x, dy, s, ws, nil)
}

// ConvBackwardFilterFused is ConvBackwardFilter of the input as pro maps
// it (nil: x itself); see ConvPrologue.
func ConvBackwardFilterFused[T Float](dw, x, dy []T, s ConvShape, ws *Workspace, pro *ConvPrologue) {
	if dw32, ok := any(dw).([]float32); ok && s.Validate() == nil {
		c := ws.core()
		c.pro = pro
		c.backwardFilterF32(dw32, any(x).([]float32), any(dy).([]float32), s, ws.workers())
		c.pro = nil
		runtime.KeepAlive(ws) // its cleanup stops the workers: not during the call
		return
	}
	convBackwardFilterRef(dw, prologueRef(x, s, pro), dy, s)
}

// prologueRef returns x as pro maps it, in a new slice (x itself when pro
// is nil), computed as BNForwardTrain's reference loop computes its output.
func prologueRef[T Float](x []T, s ConvShape, pro *ConvPrologue) []T {
	if pro == nil {
		return x
	}
	hw := s.H * s.W
	out := make([]T, s.N*s.C*hw)
	for i := range out {
		ch := i / hw % s.C
		o := bnAffine(x[i], T(pro.Scale[ch]), T(pro.Shift[ch]))
		if pro.ReLU && o < 0 {
			o = 0
		}
		out[i] = o
	}
	return out
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
