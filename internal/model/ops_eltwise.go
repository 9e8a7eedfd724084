package model

import (
	"fmt"

	"github.com/chewxy/hm"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/resx-dev/resx/internal/kernel"
)

// addOp is y = a + b, followed by max(y, 0) when relu is set: the residual
// unit's addition (and the original block's final ReLU fused into it).
type addOp struct {
	opBase
	relu bool
	ws   *kernel.Workspace
	out  outBuf
}

func newAddOp(name string, relu bool, ws *kernel.Workspace) *addOp {
	return &addOp{opBase: newBase("add:" + name), relu: relu, ws: ws}
}

func (op *addOp) Arity() int    { return 2 }
func (op *addOp) Type() hm.Type { return fnType(tensorType(4), tensorType(4), tensorType(4)) }
func (op *addOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	a, err := shapeOf(in[0])
	if err != nil {
		return nil, err
	}
	b, err := shapeOf(in[1])
	if err != nil {
		return nil, err
	}
	if !a.Eq(b) {
		return nil, fmt.Errorf("%s: shapes %v and %v differ", op.name, a, b)
	}
	return a.Clone(), nil
}
func (op *addOp) Do(in ...G.Value) (G.Value, error) {
	t, err := denses(op.name, in)
	if err != nil {
		return nil, err
	}
	y := op.out.get(t[0].Dtype(), t[0].Shape()...)
	switch a := t[0].Data().(type) {
	case []float32:
		kernel.AddReLU(f32s(y), a, f32s(t[1]), op.relu, op.ws)
	case []float64:
		kernel.AddReLU(f64s(y), a, f64s(t[1]), op.relu, op.ws)
	default:
		return nil, fmt.Errorf("%s: unsupported dtype %v", op.name, t[0].Dtype())
	}
	return y, nil
}

func (op *addOp) DiffWRT(int) []bool { return []bool{true, true} }
func (op *addOp) SymDiff(in G.Nodes, out, grad *G.Node) (G.Nodes, error) {
	if !op.relu {
		return G.Nodes{grad, grad}, nil
	}
	d, err := G.ApplyOp(&reluGradOp{opBase: newBase("drelu:" + op.name), ws: op.ws}, out, grad)
	if err != nil {
		return nil, err
	}
	return G.Nodes{d, d}, nil
}

// sameShape is the plumbing of an op from one 4-D tensor to one of the
// same shape.
type sameShape struct{}

func (sameShape) Arity() int    { return 1 }
func (sameShape) Type() hm.Type { return fnType(tensorType(4), tensorType(4)) }
func (sameShape) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	s, err := shapeOf(in[0])
	return s.Clone(), err
}

// reluOp is y = max(x, 0).
type reluOp struct {
	opBase
	sameShape
	ws  *kernel.Workspace
	out outBuf
}

func (op *reluOp) Do(in ...G.Value) (G.Value, error) {
	x, err := dense(op.name, in[0])
	if err != nil {
		return nil, err
	}
	y := op.out.get(x.Dtype(), x.Shape()...)
	switch xd := x.Data().(type) {
	case []float32:
		kernel.ReLU(f32s(y), xd, op.ws)
	case []float64:
		kernel.ReLU(f64s(y), xd, op.ws)
	default:
		return nil, fmt.Errorf("%s: unsupported dtype %v", op.name, x.Dtype())
	}
	return y, nil
}

func (op *reluOp) DiffWRT(int) []bool { return []bool{true} }
func (op *reluOp) SymDiff(in G.Nodes, out, grad *G.Node) (G.Nodes, error) {
	d, err := G.ApplyOp(&reluGradOp{opBase: newBase("drelu:" + op.name), ws: op.ws}, out, grad)
	return G.Nodes{d}, err
}

// reluGradOp is dx = dy where y > 0, else 0: inputs (y, dy).
type reluGradOp struct {
	opBase
	ws  *kernel.Workspace
	out outBuf
}

func (op *reluGradOp) Arity() int    { return 2 }
func (op *reluGradOp) Type() hm.Type { return fnType(tensorType(4), tensorType(4), tensorType(4)) }
func (op *reluGradOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	s, err := shapeOf(in[0])
	return s.Clone(), err
}
func (op *reluGradOp) Do(in ...G.Value) (G.Value, error) {
	t, err := denses(op.name, in)
	if err != nil {
		return nil, err
	}
	dx := op.out.get(t[0].Dtype(), t[0].Shape()...)
	switch y := t[0].Data().(type) {
	case []float32:
		kernel.ReLUGrad(f32s(dx), y, f32s(t[1]), op.ws)
	case []float64:
		kernel.ReLUGrad(f64s(dx), y, f64s(t[1]), op.ws)
	default:
		return nil, fmt.Errorf("%s: unsupported dtype %v", op.name, t[0].Dtype())
	}
	return dx, nil
}

// gate scales a residual branch by a factor set before each run: 0 or 1
// while training with stochastic depth (Huang et al. 2016), the survival
// probability in evaluation.
type gate struct {
	name   string
	factor float64
}

// gateOp is y = factor·x.
type gateOp struct {
	opBase
	sameShape
	g       *gate
	workers int
	out     outBuf
}

func (op *gateOp) Do(in ...G.Value) (G.Value, error) {
	x, err := dense(op.name, in[0])
	if err != nil {
		return nil, err
	}
	y := op.out.get(x.Dtype(), x.Shape()...)
	switch xd := x.Data().(type) {
	case []float32:
		y, f := f32s(y), float32(op.g.factor)
		parallelFor(op.workers, len(xd), 16, func(lo, hi int) { scale(y[lo:hi], xd[lo:hi], f) })
	case []float64:
		scale(f64s(y), xd, op.g.factor)
	default:
		return nil, fmt.Errorf("%s: unsupported dtype %v", op.name, x.Dtype())
	}
	return y, nil
}

func scale[T kernel.Float](y, x []T, f T) {
	y = y[:len(x)]
	for i, v := range x {
		y[i] = f * v
	}
}

func (op *gateOp) DiffWRT(int) []bool { return []bool{true} }
func (op *gateOp) SymDiff(in G.Nodes, out, grad *G.Node) (G.Nodes, error) {
	d, err := G.ApplyOp(&gateOp{opBase: newBase("dgate:" + op.g.name), g: op.g, workers: op.workers}, grad)
	return G.Nodes{d}, err
}
