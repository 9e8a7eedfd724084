package model

import (
	"fmt"
	"math"

	"github.com/chewxy/hm"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/resx-dev/resx/internal/kernel"
)

// shortcutAOp is the paper's option-A shortcut at a stage change: subsample
// x (N×C×H×W) with the given stride and zero-pad the channels to K, the new
// channels split evenly before and after: y is N×K×⌈H/s⌉×⌈W/s⌉. No
// parameters. (Gorgonia's AveragePool2D has a wrong gradient, so resx does
// not build this from pooling.)
type shortcutAOp struct {
	opBase
	k, stride int
	workers   int
	out       outBuf
}

func (op *shortcutAOp) Arity() int    { return 1 }
func (op *shortcutAOp) Type() hm.Type { return fnType(tensorType(4), tensorType(4)) }
func (op *shortcutAOp) outShape(x tensor.Shape) tensor.Shape {
	s := op.stride
	return tensor.Shape{x[0], op.k, (x[2] + s - 1) / s, (x[3] + s - 1) / s}
}
func (op *shortcutAOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	x, err := shapeOf(in[0])
	if err != nil {
		return nil, err
	}
	if len(x) != 4 || x[1] > op.k {
		return nil, fmt.Errorf("%s: input %v cannot be padded to %d channels", op.name, x, op.k)
	}
	return op.outShape(x), nil
}
func (op *shortcutAOp) Do(in ...G.Value) (G.Value, error) {
	x, err := dense(op.name, in[0])
	if err != nil {
		return nil, err
	}
	xs := x.Shape()
	ys := op.outShape(xs)
	y := op.out.get(x.Dtype(), ys...)
	switch xd := x.Data().(type) {
	case []float32:
		shortcutA(f32s(y), xd, xs, ys, op.stride, false, op.workers)
	case []float64:
		shortcutA(f64s(y), xd, xs, ys, op.stride, false, op.workers)
	default:
		return nil, fmt.Errorf("%s: unsupported dtype %v", op.name, x.Dtype())
	}
	return y, nil
}

// shortcutA copies between the big tensor (x shape xs) and the small one
// (ys): forward when !back (small ← big), gradient when back (big ← small,
// zeros elsewhere). In both cases dst is overwritten. The images are split
// over workers.
func shortcutA[T kernel.Float](dst, src []T, xs, ys tensor.Shape, s int, back bool, workers int) {
	n, c, h, w := xs[0], xs[1], xs[2], xs[3]
	big := c * h * w
	parallelFor(workers, n*big, big, func(lo, hi int) {
		shortcutAImages(dst, src, xs, ys, s, back, lo/big, hi/big)
	})
}

// shortcutAImages is shortcutA for images [b0, b1). Each output row is
// written once, in cache: the forward pass clears only the padding
// channels, the gradient clears each row of the big image just before it
// scatters into it.
func shortcutAImages[T kernel.Float](dst, src []T, xs, ys tensor.Shape, s int, back bool, b0, b1 int) {
	c, h, w := xs[1], xs[2], xs[3]
	k, oh, ow := ys[1], ys[2], ys[3]
	lo := (k - c) / 2
	for b := b0; b < b1; b++ {
		if !back {
			img := dst[b*k*oh*ow : (b+1)*k*oh*ow]
			clear(img[:lo*oh*ow])
			clear(img[(lo+c)*oh*ow:])
		}
		for ch := 0; ch < c; ch++ {
			big := (b*c + ch) * h * w
			small := (b*k + ch + lo) * oh * ow
			if !back {
				for i := 0; i < oh; i++ {
					bi, si := big+i*s*w, small+i*ow
					for j := 0; j < ow; j++ {
						dst[si+j] = src[bi+j*s]
					}
				}
				continue
			}
			for r := 0; r < h; r++ {
				row := dst[big+r*w : big+(r+1)*w]
				clear(row)
				if i := r / s; r%s == 0 && i < oh {
					for j, v := range src[small+i*ow : small+(i+1)*ow] {
						row[j*s] = v
					}
				}
			}
		}
	}
}

func (op *shortcutAOp) DiffWRT(int) []bool { return []bool{true} }
func (op *shortcutAOp) SymDiff(in G.Nodes, out, grad *G.Node) (G.Nodes, error) {
	d, err := G.ApplyOp(&shortcutAGradOp{opBase: newBase("d" + op.name), stride: op.stride, workers: op.workers}, grad, in[0])
	return G.Nodes{d}, err
}

// shortcutAGradOp is the gradient of shortcutAOp: inputs (dy, x).
type shortcutAGradOp struct {
	opBase
	stride  int
	workers int
	out     outBuf
}

func (op *shortcutAGradOp) Arity() int { return 2 }
func (op *shortcutAGradOp) Type() hm.Type {
	return fnType(tensorType(4), tensorType(4), tensorType(4))
}
func (op *shortcutAGradOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	s, err := shapeOf(in[1])
	return s.Clone(), err
}
func (op *shortcutAGradOp) Do(in ...G.Value) (G.Value, error) {
	t, err := denses(op.name, in)
	if err != nil {
		return nil, err
	}
	dy, x := t[0], t[1]
	dx := op.out.get(x.Dtype(), x.Shape()...)
	switch d := dy.Data().(type) {
	case []float32:
		shortcutA(f32s(dx), d, x.Shape(), dy.Shape(), op.stride, true, op.workers)
	case []float64:
		shortcutA(f64s(dx), d, x.Shape(), dy.Shape(), op.stride, true, op.workers)
	default:
		return nil, fmt.Errorf("%s: unsupported dtype %v", op.name, dy.Dtype())
	}
	return dx, nil
}

// gapOp is global average pooling: x N×C×H×W → y N×C. (Gorgonia's
// GlobalAveragePool2D has no gradient.)
type gapOp struct {
	opBase
	ws  *kernel.Workspace
	out outBuf
}

func (op *gapOp) Arity() int    { return 1 }
func (op *gapOp) Type() hm.Type { return fnType(tensorType(4), tensorType(2)) }
func (op *gapOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	x, err := shapeOf(in[0])
	if err != nil {
		return nil, err
	}
	return tensor.Shape{x[0], x[1]}, nil
}
func (op *gapOp) Do(in ...G.Value) (G.Value, error) {
	x, err := dense(op.name, in[0])
	if err != nil {
		return nil, err
	}
	s := x.Shape()
	y := op.out.get(x.Dtype(), s[0], s[1])
	switch xd := x.Data().(type) {
	case []float32:
		kernel.GlobalAvgPool(f32s(y), xd, s[2]*s[3], op.ws)
	case []float64:
		kernel.GlobalAvgPool(f64s(y), xd, s[2]*s[3], op.ws)
	default:
		return nil, fmt.Errorf("%s: unsupported dtype %v", op.name, x.Dtype())
	}
	return y, nil
}

func (op *gapOp) DiffWRT(int) []bool { return []bool{true} }
func (op *gapOp) SymDiff(in G.Nodes, out, grad *G.Node) (G.Nodes, error) {
	d, err := G.ApplyOp(&gapGradOp{opBase: newBase("dgap"), ws: op.ws}, grad, in[0])
	return G.Nodes{d}, err
}

// gapGradOp spreads dy (N×C) evenly over x's H×W: inputs (dy, x).
type gapGradOp struct {
	opBase
	ws  *kernel.Workspace
	out outBuf
}

func (op *gapGradOp) Arity() int    { return 2 }
func (op *gapGradOp) Type() hm.Type { return fnType(tensorType(2), tensorType(4), tensorType(4)) }
func (op *gapGradOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	s, err := shapeOf(in[1])
	return s.Clone(), err
}
func (op *gapGradOp) Do(in ...G.Value) (G.Value, error) {
	t, err := denses(op.name, in)
	if err != nil {
		return nil, err
	}
	dy, x := t[0], t[1]
	s := x.Shape()
	dx := op.out.get(x.Dtype(), s...)
	switch d := dy.Data().(type) {
	case []float32:
		kernel.GlobalAvgPoolGrad(f32s(dx), d, s[2]*s[3], op.ws)
	case []float64:
		kernel.GlobalAvgPoolGrad(f64s(dx), d, s[2]*s[3], op.ws)
	default:
		return nil, fmt.Errorf("%s: unsupported dtype %v", op.name, dy.Dtype())
	}
	return dx, nil
}

// fcOp is the fully connected layer y = x·wᵀ + b: x N×C, w K×C, b K, y N×K.
type fcOp struct {
	opBase
	out outBuf
}

func (op *fcOp) Arity() int { return 3 }
func (op *fcOp) Type() hm.Type {
	return fnType(tensorType(2), tensorType(2), tensorType(1), tensorType(2))
}
func (op *fcOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	x, err := shapeOf(in[0])
	if err != nil {
		return nil, err
	}
	w, err := shapeOf(in[1])
	if err != nil {
		return nil, err
	}
	if x[1] != w[1] {
		return nil, fmt.Errorf("%s: input %v does not match weights %v", op.name, x, w)
	}
	return tensor.Shape{x[0], w[0]}, nil
}
func (op *fcOp) Do(in ...G.Value) (G.Value, error) {
	t, err := denses(op.name, in)
	if err != nil {
		return nil, err
	}
	x, w, b := t[0], t[1], t[2]
	n, c, k := x.Shape()[0], x.Shape()[1], w.Shape()[0]
	y := op.out.get(x.Dtype(), n, k)
	switch xd := x.Data().(type) {
	case []float32:
		fcForward(f32s(y), xd, f32s(w), f32s(b), n, c, k)
	case []float64:
		fcForward(f64s(y), xd, f64s(w), f64s(b), n, c, k)
	default:
		return nil, fmt.Errorf("%s: unsupported dtype %v", op.name, x.Dtype())
	}
	return y, nil
}

func fcForward[T kernel.Float](y, x, w, b []T, n, c, k int) {
	for i := 0; i < n; i++ {
		xi := x[i*c : (i+1)*c]
		for j := 0; j < k; j++ {
			s := b[j]
			for q, wv := range w[j*c : (j+1)*c] {
				s += wv * xi[q]
			}
			y[i*k+j] = s
		}
	}
}

func (op *fcOp) DiffWRT(int) []bool { return []bool{true, true, true} }
func (op *fcOp) SymDiff(in G.Nodes, out, grad *G.Node) (G.Nodes, error) {
	dx, err := G.ApplyOp(&fcGradOp{opBase: newBase("dfc_x"), which: 0}, grad, in[0], in[1])
	if err != nil {
		return nil, err
	}
	dw, err := G.ApplyOp(&fcGradOp{opBase: newBase("dfc_w"), which: 1}, grad, in[0], in[1])
	if err != nil {
		return nil, err
	}
	db, err := G.ApplyOp(&fcGradOp{opBase: newBase("dfc_b"), which: 2}, grad, in[0], in[1])
	if err != nil {
		return nil, err
	}
	return G.Nodes{dx, dw, db}, nil
}

// fcGradOp computes one of fcOp's gradients from (dy, x, w): which 0 = dx
// (N×C), 1 = dw (K×C), 2 = db (K).
type fcGradOp struct {
	opBase
	which int
	out   outBuf
}

func (op *fcGradOp) Arity() int { return 3 }
func (op *fcGradOp) Type() hm.Type {
	return fnType(tensorType(2), tensorType(2), tensorType(2), tensorType([]int{2, 2, 1}[op.which]))
}
func (op *fcGradOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	x, err := shapeOf(in[1])
	if err != nil {
		return nil, err
	}
	w, err := shapeOf(in[2])
	if err != nil {
		return nil, err
	}
	return []tensor.Shape{x.Clone(), w.Clone(), {w[0]}}[op.which], nil
}
func (op *fcGradOp) Do(in ...G.Value) (G.Value, error) {
	t, err := denses(op.name, in)
	if err != nil {
		return nil, err
	}
	dy, x, w := t[0], t[1], t[2]
	n, c, k := x.Shape()[0], x.Shape()[1], w.Shape()[0]
	shape := [][]int{{n, c}, {k, c}, {k}}[op.which]
	out := op.out.get(x.Dtype(), shape...)
	switch d := dy.Data().(type) {
	case []float32:
		fcBackward(f32s(out), d, f32s(x), f32s(w), n, c, k, op.which)
	case []float64:
		fcBackward(f64s(out), d, f64s(x), f64s(w), n, c, k, op.which)
	default:
		return nil, fmt.Errorf("%s: unsupported dtype %v", op.name, dy.Dtype())
	}
	return out, nil
}

func fcBackward[T kernel.Float](out, dy, x, w []T, n, c, k, which int) {
	for i := range out {
		out[i] = 0
	}
	for i := 0; i < n; i++ {
		for j := 0; j < k; j++ {
			g := dy[i*k+j]
			switch which {
			case 0:
				for q := 0; q < c; q++ {
					out[i*c+q] += g * w[j*c+q]
				}
			case 1:
				for q := 0; q < c; q++ {
					out[j*c+q] += g * x[i*c+q]
				}
			case 2:
				out[j] += g
			}
		}
	}
}

// lossOp is the mean softmax cross-entropy of logits (N×K) against labels
// (N class indices, stored in the logits' float type). It also counts the
// correct predictions of the batch, which TrainStep reports.
type lossOp struct {
	opBase
	probs   outBuf
	val     scalarBuf
	correct int
	sum     float64
}

func (op *lossOp) Arity() int    { return 2 }
func (op *lossOp) Type() hm.Type { return fnType(tensorType(2), tensorType(1), hm.TypeVariable('a')) }
func (op *lossOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	return tensor.ScalarShape(), nil
}
func (op *lossOp) Do(in ...G.Value) (G.Value, error) {
	t, err := denses(op.name, in)
	if err != nil {
		return nil, err
	}
	logits, labels := t[0], t[1]
	n, k := logits.Shape()[0], logits.Shape()[1]
	p := op.probs.get(logits.Dtype(), n, k)
	switch l := logits.Data().(type) {
	case []float32:
		op.sum, op.correct, err = softmaxCE(f32s(p), l, f32s(labels), n, k)
	case []float64:
		op.sum, op.correct, err = softmaxCE(f64s(p), l, f64s(labels), n, k)
	default:
		return nil, fmt.Errorf("%s: unsupported dtype %v", op.name, logits.Dtype())
	}
	if err != nil {
		return nil, err
	}
	return op.val.set(logits.Dtype(), op.sum/float64(n)), nil
}

// softmaxCE writes the softmax of each row into probs (when not nil) and
// returns the summed cross-entropy and the number of rows whose arg-max is
// the label. Computed in float64 for stability.
func softmaxCE[T kernel.Float](probs, logits, labels []T, n, k int) (sum float64, correct int, err error) {
	for i := 0; i < n; i++ {
		row := logits[i*k : (i+1)*k]
		lab := int(labels[i])
		if lab < 0 || lab >= k || float64(lab) != float64(labels[i]) {
			return 0, 0, fmt.Errorf("loss: label %v of row %d is not a class in [0, %d)", labels[i], i, k)
		}
		mx, arg := math.Inf(-1), 0
		for j, v := range row {
			if float64(v) > mx {
				mx, arg = float64(v), j
			}
		}
		var z float64
		for _, v := range row {
			z += math.Exp(float64(v) - mx)
		}
		if probs != nil {
			for j, v := range row {
				probs[i*k+j] = T(math.Exp(float64(v)-mx) / z)
			}
		}
		sum += math.Log(z) + mx - float64(row[lab])
		if arg == lab {
			correct++
		}
	}
	return sum, correct, nil
}

func (op *lossOp) DiffWRT(int) []bool { return []bool{true, false} }
func (op *lossOp) SymDiff(in G.Nodes, out, grad *G.Node) (G.Nodes, error) {
	d, err := G.ApplyOp(&lossGradOp{opBase: newBase("dloss"), fwd: op}, in[0], in[1], grad)
	return G.Nodes{d, nil}, err
}

// lossGradOp is d(mean CE)/d logits = (softmax - onehot)·g/N: inputs
// (logits, labels, g); the softmax comes from the forward op.
type lossGradOp struct {
	opBase
	fwd *lossOp
	out outBuf
}

func (op *lossGradOp) Arity() int { return 3 }
func (op *lossGradOp) Type() hm.Type {
	return fnType(tensorType(2), tensorType(1), hm.TypeVariable('a'), tensorType(2))
}
func (op *lossGradOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	s, err := shapeOf(in[0])
	return s.Clone(), err
}
func (op *lossGradOp) Do(in ...G.Value) (G.Value, error) {
	logits, err := dense(op.name, in[0])
	if err != nil {
		return nil, err
	}
	labels, err := dense(op.name, in[1])
	if err != nil {
		return nil, err
	}
	g, err := scalarOf(in[2])
	if err != nil {
		return nil, fmt.Errorf("%s: %w", op.name, err)
	}
	n, k := logits.Shape()[0], logits.Shape()[1]
	d := op.out.get(logits.Dtype(), n, k)
	switch p := op.fwd.probs.t.Data().(type) {
	case []float32:
		ceGrad(f32s(d), p, f32s(labels), n, k, g/float64(n))
	case []float64:
		ceGrad(f64s(d), p, f64s(labels), n, k, g/float64(n))
	}
	return d, nil
}

func ceGrad[T kernel.Float](d, probs, labels []T, n, k int, s float64) {
	for i := 0; i < n; i++ {
		lab := int(labels[i])
		for j := 0; j < k; j++ {
			v := float64(probs[i*k+j])
			if j == lab {
				v--
			}
			d[i*k+j] = T(v * s)
		}
	}
}
