package model

import (
	"fmt"

	"github.com/chewxy/hm"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/resx-dev/resx/internal/kernel"
)

// convGeom is a convolution's geometry without the batch size, which comes
// from the input at run time.
type convGeom struct {
	C, K, R, Stride, Pad int
	ws                   *kernel.Workspace
}

func (g convGeom) shape(x tensor.Shape) kernel.ConvShape {
	return kernel.ConvShape{N: x[0], C: g.C, H: x[2], W: x[3], K: g.K, R: g.R, S: g.R, Stride: g.Stride, Pad: g.Pad}
}

// convOp is y = x ⋆ w without bias: x N×C×H×W, w K×C×R×R, y N×K×H'×W'.
type convOp struct {
	opBase
	convGeom
	// noInputGrad skips the input gradient, for a conv reading the data.
	noInputGrad bool
	out         outBuf

	// bn is the evaluation-mode batch norm that reads this output and
	// that this op applies (see fuseBatchNorms); epi, scale and shift are
	// its buffers.
	bn           *bnOp
	epi          kernel.ConvEpilogue
	scale, shift []float32

	// resFrom is the batch norm whose residual (this op's input, or its
	// option-A shortcut resA) has its gradient added to this op's input
	// gradient, and maskGrad zeroes that gradient where the input is (see
	// fuseResidualGrads).
	resFrom  *bnOp
	resA     *shortcutAOp
	maskGrad bool

	// pro is the training-mode batch norm whose output is this op's input
	// and which this op, and its weight gradient, apply to the input as
	// they read it (see fuseTrainBatchNorms); proBuf holds its map.
	pro    *bnOp
	proBuf kernel.ConvPrologue

	// statsTo is the training-mode batch norm, fused into the convolution
	// after it, that reads this op's output and takes its statistics from
	// the plane sums this op computes as it writes it, planes (see
	// fuseTrainBatchNorms).
	statsTo *bnOp
	planes  []float64
}

// epilogue returns the fused batch norm's affine map and ReLU, from its
// current parameters and running statistics, or nil.
func (op *convOp) epilogue() *kernel.ConvEpilogue {
	bn := op.bn
	if bn == nil {
		return nil
	}
	if op.scale == nil {
		op.scale, op.shift = make([]float32, op.K), make([]float32, op.K)
	}
	l := bn.layer
	kernel.BNEvalAffine(op.scale, op.shift, f32s(bn.gammaNode.Value().(*tensor.Dense)), f32s(bn.betaNode.Value().(*tensor.Dense)),
		f32s(l.runMean), f32s(l.runVar), l.eps)
	op.epi = kernel.ConvEpilogue{Scale: op.scale, Shift: op.shift, ReLU: bn.fusedReLU()}
	return &op.epi
}

func newConvOp(name string, g convGeom) *convOp {
	return &convOp{opBase: newBase("conv:" + name), convGeom: g}
}

func (op *convOp) Arity() int    { return 2 }
func (op *convOp) Type() hm.Type { return fnType(tensorType(4), tensorType(4), tensorType(4)) }
func (op *convOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	x, err := shapeOf(in[0])
	if err != nil {
		return nil, err
	}
	if len(x) != 4 || x[1] != op.C {
		return nil, fmt.Errorf("%s: input shape %v, want (N, %d, H, W)", op.name, x, op.C)
	}
	s := op.shape(x)
	return tensor.Shape{x[0], op.K, s.OutH(), s.OutW()}, nil
}

func (op *convOp) Do(in ...G.Value) (G.Value, error) {
	t, err := denses(op.name, in)
	if err != nil {
		return nil, err
	}
	x, w := t[0], t[1]
	s := op.shape(x.Shape())
	y := op.out.get(x.Dtype(), s.N, s.K, s.OutH(), s.OutW())
	switch xd := x.Data().(type) {
	case []float32:
		var pro *kernel.ConvPrologue
		if op.pro != nil {
			pro = op.pro.prologue(&op.proBuf)
		}
		var planes []float64
		if op.statsTo != nil {
			op.planes = growF64(op.planes, 2*s.N*s.K)
			planes = op.planes
		}
		kernel.ConvForwardFused(f32s(y), xd, f32s(w), s, op.ws, pro, op.epilogue(), planes)
	case []float64:
		kernel.ConvForward(f64s(y), xd, f64s(w), s, op.ws)
	default:
		return nil, fmt.Errorf("%s: unsupported dtype %v", op.name, x.Dtype())
	}
	return y, nil
}

func (op *convOp) DiffWRT(int) []bool { return []bool{!op.noInputGrad, true} }

func (op *convOp) SymDiff(in G.Nodes, out, grad *G.Node) (G.Nodes, error) {
	dw, err := G.ApplyOp(&convFilterOp{opBase: newBase("dconv_w:" + op.name), convGeom: op.convGeom, pro: op.pro}, in[0], grad)
	if err != nil || op.noInputGrad {
		return G.Nodes{nil, dw}, err
	}
	d := &convDataOp{opBase: newBase("dconv_x:" + op.name), convGeom: op.convGeom, mask: op.maskGrad, resA: op.resA}
	ins := G.Nodes{grad, in[1], in[0]}
	if r := op.resFrom; r != nil {
		if r.resGrad == nil {
			return nil, fmt.Errorf("%s: the gradient of the residual of %s is not built yet", op.name, r.name)
		}
		d.add = true
		ins = append(ins, r.resGrad)
	}
	dx, err := G.ApplyOp(d, ins...)
	if err != nil {
		return nil, err
	}
	return G.Nodes{dx, dw}, err
}

// convDataOp is the input gradient: inputs (dy, w, x), and with add a
// fourth, the gradient of the residual x (or of resA(x)), added to the
// result as kernel.ShortcutGrad; x gives the shape, and with mask the
// result is zero wherever x is.
type convDataOp struct {
	opBase
	convGeom
	add, mask bool
	resA      *shortcutAOp
	out       outBuf
}

func (op *convDataOp) Arity() int {
	if op.add {
		return 4
	}
	return 3
}
func (op *convDataOp) Type() hm.Type {
	if op.add {
		return fnType(tensorType(4), tensorType(4), tensorType(4), tensorType(4), tensorType(4))
	}
	return fnType(tensorType(4), tensorType(4), tensorType(4), tensorType(4))
}
func (op *convDataOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) { return shapeOf(in[2]) }
func (op *convDataOp) Do(in ...G.Value) (G.Value, error) {
	t, err := denses(op.name, in)
	if err != nil {
		return nil, err
	}
	dy, w, x := t[0], t[1], t[2]
	s := op.shape(x.Shape())
	dx := op.out.get(x.Dtype(), x.Shape()...)
	var mask *tensor.Dense
	if op.mask {
		mask = x
	}
	switch d := dy.Data().(type) {
	case []float32:
		kernel.ConvBackwardDataEpilogue(f32s(dx), d, f32s(w), s, op.ws, shortcutGrad[float32](op, t, s), data[float32](mask))
	case []float64:
		kernel.ConvBackwardDataEpilogue(f64s(dx), d, f64s(w), s, op.ws, shortcutGrad[float64](op, t, s), data[float64](mask))
	default:
		return nil, fmt.Errorf("%s: unsupported dtype %v", op.name, dy.Dtype())
	}
	return dx, nil
}

// convFilterOp is the weight gradient: inputs (x, dy), and pro the batch
// norm its forward op applies to x, if any.
type convFilterOp struct {
	opBase
	convGeom
	out    outBuf
	pro    *bnOp
	proBuf kernel.ConvPrologue
}

func (op *convFilterOp) Arity() int    { return 2 }
func (op *convFilterOp) Type() hm.Type { return fnType(tensorType(4), tensorType(4), tensorType(4)) }
func (op *convFilterOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	return tensor.Shape{op.K, op.C, op.R, op.R}, nil
}
func (op *convFilterOp) Do(in ...G.Value) (G.Value, error) {
	t, err := denses(op.name, in)
	if err != nil {
		return nil, err
	}
	x, dy := t[0], t[1]
	s := op.shape(x.Shape())
	dw := op.out.get(x.Dtype(), op.K, op.C, op.R, op.R)
	switch d := x.Data().(type) {
	case []float32:
		var pro *kernel.ConvPrologue
		if op.pro != nil {
			pro = op.pro.prologue(&op.proBuf)
		}
		kernel.ConvBackwardFilterFused(f32s(dw), d, f32s(dy), s, op.ws, pro)
	case []float64:
		kernel.ConvBackwardFilter(f64s(dw), d, f64s(dy), s, op.ws)
	default:
		return nil, fmt.Errorf("%s: unsupported dtype %v", op.name, x.Dtype())
	}
	return dw, nil
}

// shortcutGrad is the shortcut gradient op adds, from its inputs t, or nil.
func shortcutGrad[T float32 | float64](op *convDataOp, t []*tensor.Dense, s kernel.ConvShape) *kernel.ShortcutGrad[T] {
	if !op.add {
		return nil
	}
	g := &kernel.ShortcutGrad[T]{G: data[T](t[3]), K: s.C, Stride: 1}
	if a := op.resA; a != nil {
		g.K, g.Lo, g.Stride = a.k, (a.k-s.C)/2, a.stride
	}
	return g
}

// growF64 returns b with a length of n, reallocated only when it is too
// small.
func growF64(b []float64, n int) []float64 {
	if cap(b) < n {
		return make([]float64, n)
	}
	return b[:n]
}
