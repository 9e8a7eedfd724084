package model

import (
	"fmt"

	"github.com/chewxy/hm"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/resx-dev/resx/internal/kernel"
)

// bnLayer is one batch-norm layer's running statistics, shared by the
// training graph (which updates them) and the evaluation program (which reads
// them). Keeping them outside Gorgonia's BatchNorm avoids its traps: its
// SetTraining wipes the statistics, and building an evaluation machine flips
// the training machine's mode.
type bnLayer struct {
	name            string
	c               int
	eps, momentum   float64
	runMean, runVar *tensor.Dense
	updates         int // training forward passes seen
}

// bnOp is y = gamma·x̂ + beta (then ReLU when relu is set) over x N×C×H×W,
// gamma and beta of length C. With res it has a fourth input s of x's shape
// and is y = gamma·x̂ + beta + s, then the ReLU: the end of the original
// residual unit in one pass, with the bits of the batch norm and the
// addition apart. In training mode x̂ uses the batch statistics,
// which also update the running statistics (momentum = weight of the new
// batch, unbiased variance, as PyTorch); in evaluation mode it uses the
// running statistics and changes nothing.
type bnOp struct {
	opBase
	layer *bnLayer
	train bool
	relu  bool
	res   bool
	ws    *kernel.Workspace

	out                        outBuf
	mean, invStd, bvar, affine outBuf

	// conv, when set, is the convolution whose output this evaluation-mode
	// batch norm reads and which normalises it in place (see
	// fuseBatchNorms); this op then passes it on.
	conv                *convOp
	gammaNode, betaNode *G.Node

	// into, when set, is the convolution that reads this training-mode
	// batch norm's output and applies it to its input itself (see
	// fuseTrainBatchNorms): this op then only computes the statistics and
	// passes its input on.
	into *convOp

	// statsFrom is the convolution whose output is this op's input and
	// which sums its planes for this op's statistics; planes, those sums
	// when this op computes them itself. Batch norms fused into the next
	// convolution (and, with planeStats, all of them) add the statistics
	// plane by plane (kernel.BNForwardTrainPlanes).
	statsFrom *convOp
	planes    []float64

	// resByConv: the convolution that also reads the residual adds the
	// residual's gradient to its own input gradient (see
	// fuseResidualGrads), so the graph gets none from this op; resGrad is
	// that gradient, which SymDiff leaves here for it. gradMasked: the
	// gradient arriving is already zero where the output is (its reader
	// applied the ReLU's mask).
	resByConv, gradMasked bool
	resGrad               *G.Node
}

// residual is a batch norm that adds a residual, and the residual's node.
type residual struct {
	bn  *bnOp
	res *G.Node
}

// fuseResidualGrads moves the elementwise passes of a residual unit's
// backward pass into the input gradient of its first convolution: where a
// unit's input x feeds only that convolution and the unit's shortcut (the
// identity, read by the unit's final batch norm, or option A), the gradient
// of x is the convolution's input gradient plus the shortcut's, and, when x
// is the previous unit's ReLU output, zero wherever x is. The convolution
// adds and masks each image's planes while they are in cache
// (kernel.ConvBackwardDataEpilogue) instead of Gorgonia's addition, a
// ReLU-gradient op and the option-A shortcut's gradient op; the bits are
// those of the unfused ops. It runs before the gradient is built.
func fuseResidualGrads(g *G.ExprGraph, units []residual) {
	if !fuseResidualGrad {
		return
	}
	for _, u := range units {
		if !u.bn.train {
			continue
		}
		// x is the unit's input: the residual itself, or the input of its
		// option-A shortcut, whose gradient op then disappears too
		x, short := u.res, (*shortcutAOp)(nil)
		if a, ok := u.res.Op().(*shortcutAOp); ok {
			in := nodesOf(g.From(u.res.ID()))
			if len(in) != 1 || len(nodesOf(g.To(u.res.ID()))) != 1 {
				continue
			}
			x, short = in[0], a
		}
		var conv *convOp
		readers := nodesOf(g.To(x.ID()))
		for _, r := range readers {
			if c, ok := r.Op().(*convOp); ok && !c.noInputGrad {
				conv = c
			}
		}
		if len(readers) != 2 || conv == nil {
			continue // a projection shortcut, or other readers
		}
		u.bn.resByConv, conv.resFrom, conv.resA = true, u.bn, short
		if prev, ok := x.Op().(*bnOp); ok && prev.train && prev.res && prev.relu {
			prev.gradMasked, conv.maskGrad = true, true
		}
	}
}

// fuseResidualGrad turns fuseResidualGrads on; tests turn it off to compare.
var fuseResidualGrad = true

// fuseBatchNorms hands each float32 evaluation-mode batch norm that is the
// only reader of a convolution's output over to that convolution, which
// normalises each image's output while it is still in cache
// (kernel.ConvEpilogue): the batch norm's pass over memory disappears, and
// the bits are those of the unfused ops.
func fuseBatchNorms(g *G.ExprGraph) {
	if !fuseBN {
		return
	}
	for _, n := range g.AllNodes() {
		bop, ok := n.Op().(*bnOp)
		if !ok || bop.train {
			continue
		}
		for _, in := range nodesOf(g.From(n.ID())) {
			cop, ok := in.Op().(*convOp)
			if !ok || in.Dtype() != tensor.Float32 || len(nodesOf(g.To(in.ID()))) != 1 {
				continue // not a convolution, or its raw output has other readers
			}
			cop.bn, bop.conv = bop, cop
		}
	}
}

// fuseBN turns the fusion on; tests turn it off to compare.
var fuseBN = true

// fuseTrainBatchNorms hands each float32 training-mode batch norm without
// a residual whose output only a convolution reads (as its input, in the
// forward pass and the weight gradient) over to that convolution, where
// its kernels run it as a Winograd convolution both ways
// (kernel.PrologueFits): the convolution maps each group of images as it
// reads it (kernel.ConvPrologue), and the batch norm's output, a write and
// a read of memory per step, is never written. The batch norm's backward
// pass already reads its input, not its output. The bits are those of the
// unfused ops. It runs before the gradient is built.
func fuseTrainBatchNorms(g *G.ExprGraph) {
	if !fuseTrainBN {
		return
	}
	for _, n := range g.AllNodes() {
		bop, ok := n.Op().(*bnOp)
		if !ok || !bop.train || bop.res || n.Dtype() != tensor.Float32 {
			continue
		}
		readers := nodesOf(g.To(n.ID()))
		if len(readers) != 1 {
			continue
		}
		cop, ok := readers[0].Op().(*convOp)
		if !ok || cop.maskGrad || cop.pro != nil {
			continue // the input gradient's mask would read the output
		}
		if in := nodesOf(g.From(readers[0].ID())); len(in) == 0 || in[0] != n {
			continue
		}
		if !kernel.PrologueFits(cop.shape(n.Shape())) {
			continue
		}
		cop.pro, bop.into = bop, cop
		// its statistics from the plane sums of the convolution before
		// it, if that convolution's output has no other reader
		src := nodesOf(g.From(n.ID()))
		if len(src) == 0 || !fuseTrainStats {
			continue
		}
		if prev, ok := src[0].Op().(*convOp); ok && prev.bn == nil && len(nodesOf(g.To(src[0].ID()))) == 1 {
			prev.statsTo, bop.statsFrom = bop, prev
		}
	}
}

// fuseTrainBN turns fuseTrainBatchNorms on, and fuseTrainStats the plane
// sums of the convolutions before the fused batch norms; tests turn them
// off to compare.
var fuseTrainBN, fuseTrainStats = true, true

// planeStats makes every training-mode batch norm add its statistics plane
// by plane, as the fused ones do, so that tests can compare nets with and
// without the fusion bit for bit.
var planeStats = false

// statPlanes returns where the statistics of this op's input x (n images of
// c channels) come from: the sums of the convolution that wrote x and
// whether they are there, or this op's own buffer for them, or nil for the
// one-pass sums.
func (op *bnOp) statPlanes(n, c int) ([]float64, bool) {
	switch {
	case op.statsFrom != nil:
		return op.statsFrom.planes, true
	case op.into != nil || planeStats:
		op.planes = growF64(op.planes, 2*n*c)
		return op.planes, false
	}
	return nil, false
}

// aliasesInput reports whether Do returns its input tensor as its output.
func (op *bnOp) aliasesInput() bool { return (op.conv != nil || op.into != nil) && !op.res }

// prologue is the map that the convolution reading this batch norm's
// output applies to its input, from the statistics of the forward pass in
// progress (see fuseTrainBatchNorms); buf holds it.
func (op *bnOp) prologue(buf *kernel.ConvPrologue) *kernel.ConvPrologue {
	af := f32s(op.affine.t)
	c := op.layer.c
	*buf = kernel.ConvPrologue{Scale: af[:c], Shift: af[c : 2*c], ReLU: op.relu}
	return buf
}

// fusedReLU reports whether the convolution that normalises this batch
// norm's input also applies the ReLU: not when a residual comes first.
func (op *bnOp) fusedReLU() bool { return op.relu && !op.res }

func newBNOp(l *bnLayer, train, relu bool, ws *kernel.Workspace) *bnOp {
	return &bnOp{opBase: newBase("bn:" + l.name), layer: l, train: train, relu: relu, ws: ws}
}

func (op *bnOp) Arity() int {
	if op.res {
		return 4
	}
	return 3
}

func (op *bnOp) Type() hm.Type {
	if op.res {
		return fnType(tensorType(4), tensorType(1), tensorType(1), tensorType(4), tensorType(4))
	}
	return fnType(tensorType(4), tensorType(1), tensorType(1), tensorType(4))
}
func (op *bnOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	x, err := shapeOf(in[0])
	if err != nil {
		return nil, err
	}
	if len(x) != 4 || x[1] != op.layer.c {
		return nil, fmt.Errorf("%s: input shape %v, want (N, %d, H, W)", op.name, x, op.layer.c)
	}
	if op.res {
		r, err := shapeOf(in[3])
		if err != nil {
			return nil, err
		}
		if !r.Eq(x) {
			return nil, fmt.Errorf("%s: residual shape %v, want %v", op.name, r, x)
		}
	}
	return x.Clone(), nil
}

func (op *bnOp) Do(in ...G.Value) (G.Value, error) {
	t, err := denses(op.name, in)
	if err != nil {
		return nil, err
	}
	x, gamma, beta := t[0], t[1], t[2]
	var res *tensor.Dense
	if op.res {
		res = t[3]
	}
	sh := x.Shape()
	n, c, hw := sh[0], sh[1], sh[2]*sh[3]
	dt := x.Dtype()
	l := op.layer
	if op.conv != nil && op.aliasesInput() {
		return x, nil // the convolution normalised its output
	}
	var y *tensor.Dense // none when the convolution reading it applies this op (into)
	if op.into == nil {
		y = op.out.get(dt, sh...)
	}
	if op.conv != nil { // normalised by the convolution; the residual is left
		switch xd := x.Data().(type) {
		case []float32:
			kernel.AddReLU(f32s(y), xd, f32s(res), op.relu, op.ws)
		default:
			return nil, fmt.Errorf("%s: unsupported dtype %v", op.name, dt)
		}
		return y, nil
	}
	if !op.train {
		switch xd := x.Data().(type) {
		case []float32:
			kernel.BNForwardEval(f32s(y), xd, data[float32](res), f32s(gamma), f32s(beta), f32s(l.runMean), f32s(l.runVar), n, c, hw, l.eps, op.relu, op.ws)
		case []float64:
			kernel.BNForwardEval(f64s(y), xd, data[float64](res), f64s(gamma), f64s(beta), f64s(l.runMean), f64s(l.runVar), n, c, hw, l.eps, op.relu, op.ws)
		default:
			return nil, fmt.Errorf("%s: unsupported dtype %v", op.name, dt)
		}
		return y, nil
	}
	mean, invStd, bvar, af := op.mean.get(dt, c), op.invStd.get(dt, c), op.bvar.get(dt, c), op.affine.get(dt, 2*c)
	unbias := bnUnbias(n * hw)
	m := l.momentum
	switch xd := x.Data().(type) {
	case []float32:
		planes, have := op.statPlanes(n, c)
		kernel.BNForwardTrainPlanes(data[float32](y), xd, data[float32](res), f32s(gamma), f32s(beta), f32s(mean), f32s(invStd), f32s(bvar), f32s(af), planes, have, n, c, hw, l.eps, op.relu, op.ws)
		updateRunning(f32s(l.runMean), f32s(l.runVar), f32s(mean), f32s(bvar), m, unbias)
	case []float64:
		kernel.BNForwardTrain(f64s(y), xd, data[float64](res), f64s(gamma), f64s(beta), f64s(mean), f64s(invStd), f64s(bvar), f64s(af), n, c, hw, l.eps, op.relu, op.ws)
		updateRunning(f64s(l.runMean), f64s(l.runVar), f64s(mean), f64s(bvar), m, unbias)
	default:
		return nil, fmt.Errorf("%s: unsupported dtype %v", op.name, dt)
	}
	l.updates++
	if op.into != nil {
		return x, nil // statistics only: the convolution applies them
	}
	return y, nil
}

// bnUnbias is the factor from the biased variance of cnt values to the
// unbiased one.
func bnUnbias(cnt int) float64 {
	if cnt > 1 {
		return float64(cnt) / float64(cnt-1)
	}
	return 1
}

func updateRunning[T kernel.Float](runMean, runVar, mean, bvar []T, m, unbias float64) {
	for i := range runMean {
		runMean[i] = T((1-m)*float64(runMean[i]) + m*float64(mean[i]))
		runVar[i] = T((1-m)*float64(runVar[i]) + m*float64(bvar[i])*unbias)
	}
}

func (op *bnOp) DiffWRT(n int) []bool {
	d := make([]bool, n)
	for i := range d {
		d[i] = true
	}
	if op.res && op.resByConv && n == 4 {
		d[3] = false
	}
	return d
}

func (op *bnOp) SymDiff(in G.Nodes, out, grad *G.Node) (G.Nodes, error) {
	if !op.train {
		return nil, fmt.Errorf("%s: evaluation-mode batch norm has no gradient in resx", op.name)
	}
	// A ReLU right after the batch norm is undone inside its gradient op,
	// which recomputes the mask from x, so the output's buffer can be
	// reused once its readers are done; after a residual it is its own op,
	// whose result is also the residual's gradient.
	g := &bnGradOp{opBase: newBase("dbn:" + op.layer.name), fwd: op, relu: op.relu && !op.res}
	d := grad
	if op.res && op.relu && !op.gradMasked {
		var err error
		if d, err = G.ApplyOp(&reluGradOp{opBase: newBase("drelu:" + op.name), ws: op.ws}, out, grad); err != nil {
			return nil, err
		}
	}
	dx, err := G.ApplyOp(g, in[0], in[1], d)
	if err != nil {
		return nil, err
	}
	dgamma, err := G.ApplyOp(&bnParamGradOp{opBase: newBase("dbn_gamma:" + op.layer.name), src: g}, dx)
	if err != nil {
		return nil, err
	}
	dbeta, err := G.ApplyOp(&bnParamGradOp{opBase: newBase("dbn_beta:" + op.layer.name), src: g, beta: true}, dx)
	if err != nil {
		return nil, err
	}
	if op.res {
		op.resGrad = d
		return G.Nodes{dx, dgamma, dbeta, d}, nil
	}
	return G.Nodes{dx, dgamma, dbeta}, nil
}

// bnGradOp computes dx from (x, gamma, dy) using the statistics its
// forward op saved; it also fills dgamma and dbeta, which bnParamGradOp
// hands to the graph.
type bnGradOp struct {
	opBase
	fwd                *bnOp
	relu               bool // dy counts only where the forward output was positive
	out, dgamma, dbeta outBuf
}

func (op *bnGradOp) Arity() int { return 3 }
func (op *bnGradOp) Type() hm.Type {
	return fnType(tensorType(4), tensorType(1), tensorType(4), tensorType(4))
}
func (op *bnGradOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) { return shapeOf(in[0]) }
func (op *bnGradOp) Do(in ...G.Value) (G.Value, error) {
	t, err := denses(op.name, in)
	if err != nil {
		return nil, err
	}
	x, gamma, dy := t[0], t[1], t[2]
	sh := x.Shape()
	n, c, hw := sh[0], sh[1], sh[2]*sh[3]
	dt := x.Dtype()
	dx := op.out.get(dt, sh...)
	dg, db := op.dgamma.get(dt, c), op.dbeta.get(dt, c)
	f := op.fwd
	switch xd := x.Data().(type) {
	case []float32:
		kernel.BNBackward(f32s(dx), f32s(dg), f32s(db), f32s(dy), xd, f32s(gamma), f32s(f.mean.t), f32s(f.invStd.t), f32s(f.affine.t), n, c, hw, op.relu, f.ws)
	case []float64:
		kernel.BNBackward(f64s(dx), f64s(dg), f64s(db), f64s(dy), xd, f64s(gamma), f64s(f.mean.t), f64s(f.invStd.t), f64s(f.affine.t), n, c, hw, op.relu, f.ws)
	default:
		return nil, fmt.Errorf("%s: unsupported dtype %v", op.name, dt)
	}
	return dx, nil
}

// bnParamGradOp returns the dgamma or dbeta that its bnGradOp computed; its
// input (that op's dx) only orders it after that op.
type bnParamGradOp struct {
	opBase
	src  *bnGradOp
	beta bool
}

func (op *bnParamGradOp) Arity() int    { return 1 }
func (op *bnParamGradOp) Type() hm.Type { return fnType(tensorType(4), tensorType(1)) }
func (op *bnParamGradOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	return tensor.Shape{op.src.fwd.layer.c}, nil
}
func (op *bnParamGradOp) Do(in ...G.Value) (G.Value, error) {
	if op.beta {
		return op.src.dbeta.t, nil
	}
	return op.src.dgamma.t, nil
}
