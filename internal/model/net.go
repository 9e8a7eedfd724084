package model

import (
	"fmt"
	"math"
	"math/rand/v2"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/resx-dev/resx/internal/config"
	"github.com/resx-dev/resx/internal/kernel"
)

// Net is a built network: training graphs with their gradients (one per batch
// size met), a forward-only evaluation program, and the parameters and
// batch-norm statistics they share.
type Net struct {
	cfg config.Model
	opt Options
	dt  tensor.Dtype
	rng *rand.Rand

	params  []*Param
	tensors []*tensor.Dense // value of params[i]
	grads   []*tensor.Dense // gradient of params[i], owned by the Net
	byName  map[string]int
	layers  []*bnLayer
	stats   []*RunningStats
	layerBy map[string]*bnLayer

	workers *kernel.Workers // the goroutines every workspace of the net shares

	train  map[int]*graph
	eval   *graph
	lesion map[string]*graph // evaluation graphs with blocks deleted
	flops  int64
}

// graph is one compiled graph with its machine and its bound inputs.
type graph struct {
	g      *G.ExprGraph
	m      G.VM
	batch  int
	x, y   *tensor.Dense
	loss   *lossOp
	logits *G.Node
	fcOut  *fcOp
	grads  G.Nodes
	gates  []*gate
	convs  []ConvLayer
}

// New builds the network cfg describes for inputs of shape opt.Input, in
// float32.
func New(cfg config.Model, opt Options) (*Net, error) { return newNet(cfg, opt, tensor.Float32) }

func newNet(cfg config.Model, opt Options, dt tensor.Dtype) (*Net, error) {
	if _, err := BlocksPerStage(cfg); err != nil {
		return nil, err
	}
	switch {
	case cfg.Arch != "plain" && cfg.Arch != "residual":
		return nil, fmt.Errorf("model.arch %q is not plain or residual", cfg.Arch)
	case cfg.Block != "basic" && cfg.Block != "preact" && cfg.Block != "bottleneck":
		return nil, fmt.Errorf("model.block %q is not basic, preact or bottleneck", cfg.Block)
	case cfg.Shortcut != "A" && cfg.Shortcut != "B" && cfg.Shortcut != "C":
		return nil, fmt.Errorf("model.shortcut %q is not A, B or C", cfg.Shortcut)
	case cfg.Width <= 0 || math.Round(16*cfg.Width) < 1:
		return nil, fmt.Errorf("model.width %v gives no channels", cfg.Width)
	case cfg.Survival <= 0 || cfg.Survival > 1:
		return nil, fmt.Errorf("model.survival %v is not in (0, 1]", cfg.Survival)
	case opt.Batch <= 0 || opt.Classes < 2 || opt.Input.C <= 0 || opt.Input.H <= 0 || opt.Input.W <= 0:
		return nil, fmt.Errorf("model: invalid options %+v", opt)
	}
	if opt.EvalBatch <= 0 {
		opt.EvalBatch = opt.Batch
	}
	if opt.Threads <= 0 {
		opt.Threads = 1
	}
	n := &Net{
		cfg: cfg, opt: opt, dt: dt,
		rng:     rand.New(rand.NewPCG(opt.Seed, 0x7265_7378_696e_6974)),
		byName:  map[string]int{},
		layerBy: map[string]*bnLayer{},
		train:   map[int]*graph{},
		lesion:  map[string]*graph{},
	}
	g, err := n.build(opt.Batch, true, nil)
	if err != nil {
		return nil, err
	}
	n.train[opt.Batch] = g
	n.rng = nil // every parameter exists now; later builds must not draw
	if n.eval, err = n.build(opt.EvalBatch, false, nil); err != nil {
		return nil, err
	}
	return n, nil
}

// build makes, compiles and loads one graph for the given batch size.
func (n *Net) build(batch int, train bool, deleted map[int]bool) (*graph, error) {
	in := n.opt.Input
	gr := &graph{g: G.NewGraph(), batch: batch}
	gr.x = tensor.New(tensor.Of(n.dt), tensor.WithShape(batch, in.C, in.H, in.W))
	gr.y = tensor.New(tensor.Of(n.dt), tensor.WithShape(batch))
	x := G.NewTensor(gr.g, n.dt, 4, G.WithShape(batch, in.C, in.H, in.W), G.WithName("x"), G.WithValue(gr.x))
	b := &builder{net: n, g: gr.g, train: train, ws: n.workspace(), deleted: deleted}
	logits, err := b.network(x)
	if err != nil {
		return nil, fmt.Errorf("build %s: %w", n.describe(), err)
	}
	gr.logits, gr.gates, gr.fcOut, gr.convs = logits, b.gates, logits.Op().(*fcOp), b.convs
	if deleted == nil {
		n.flops = b.flops
	}
	if train {
		y := G.NewVector(gr.g, n.dt, G.WithShape(batch), G.WithName("y"), G.WithValue(gr.y))
		gr.loss = &lossOp{opBase: newBase("loss")}
		cost, err := G.ApplyOp(gr.loss, logits, y)
		if err != nil {
			return nil, fmt.Errorf("build loss: %w", err)
		}
		wrt := make(G.Nodes, len(n.params))
		for i, p := range n.params {
			wrt[i] = gr.g.ByName(p.Name)[0]
		}
		fuseResidualGrads(gr.g, b.residuals)
		fuseTrainBatchNorms(gr.g)
		if gr.grads, err = G.Grad(cost, wrt...); err != nil {
			return nil, fmt.Errorf("build gradient: %w", err)
		}
		keep := append(G.Nodes{logits}, gr.grads...)
		if _, err := shareBuffers(gr.g, n.dt, keep); err != nil {
			return nil, err
		}
		gr.m = G.NewTapeMachine(gr.g, G.WithEngine(&addEngine{ws: b.ws}))
	} else {
		fuseBatchNorms(gr.g)
		if _, err := shareBuffers(gr.g, n.dt, G.Nodes{logits}); err != nil {
			return nil, err
		}
		prog, locMap, err := G.CompileFunction(gr.g, G.Nodes{x}, G.Nodes{logits})
		if err != nil {
			return nil, fmt.Errorf("compile evaluation: %w", err)
		}
		gr.m = G.NewTapeMachine(gr.g, G.WithPrecompiled(prog, locMap))
	}
	return gr, nil
}

// workspace returns a new workspace, with scratch memory of its own, on the
// net's workers: its ops run one after another, and on one set of workers
// each finds them still spinning from the op before.
func (n *Net) workspace() *kernel.Workspace {
	if !sharedWorkers {
		return kernel.NewWorkspace(n.opt.Threads)
	}
	if n.workers == nil {
		n.workers = kernel.NewWorkers(n.opt.Threads)
	}
	return n.workers.Workspace()
}

// sharedWorkers turns the sharing on; a test turns it off to compare.
var sharedWorkers = true

func (n *Net) describe() string {
	return fmt.Sprintf("%s-%d (%s, shortcut %s)", n.cfg.Arch, n.cfg.Depth, n.cfg.Block, n.cfg.Shortcut)
}

// param returns the graph node of a parameter, creating the parameter (and
// drawing its initial value) the first time its name is seen.
func (n *Net) param(g *G.ExprGraph, name string, shape []int, init initFn, decay bool) (*G.Node, error) {
	i, ok := n.byName[name]
	if !ok {
		if n.rng == nil {
			return nil, fmt.Errorf("parameter %s appeared after the first build", name)
		}
		size := 1
		for _, d := range shape {
			size *= d
		}
		v := tensor.New(tensor.Of(n.dt), tensor.WithShape(shape...))
		gr := tensor.New(tensor.Of(n.dt), tensor.WithShape(shape...))
		vals := init(n.rng, shape, size)
		switch d := v.Data().(type) {
		case []float32:
			for j, x := range vals {
				d[j] = float32(x)
			}
		case []float64:
			copy(d, vals)
		}
		p := &Param{Name: name, Shape: append([]int(nil), shape...), Decay: decay}
		if n.dt == tensor.Float32 {
			p.Value, p.Grad = f32s(v), f32s(gr)
		}
		i = len(n.params)
		n.byName[name] = i
		n.params = append(n.params, p)
		n.tensors = append(n.tensors, v)
		n.grads = append(n.grads, gr)
	}
	if len(shape) == 1 {
		return G.NewVector(g, n.dt, G.WithShape(shape...), G.WithName(name), G.WithValue(n.tensors[i])), nil
	}
	return G.NewTensor(g, n.dt, len(shape), G.WithShape(shape...), G.WithName(name), G.WithValue(n.tensors[i])), nil
}

// bnLayer returns the running statistics of the named layer, creating them
// (mean 0, variance 1) the first time.
func (n *Net) bnLayer(name string, c int) *bnLayer {
	if l, ok := n.layerBy[name]; ok {
		return l
	}
	l := &bnLayer{name: name, c: c, eps: 1e-5, momentum: 0.1,
		runMean: tensor.New(tensor.Of(n.dt), tensor.WithShape(c)),
		runVar:  tensor.New(tensor.Of(n.dt), tensor.WithShape(c))}
	switch d := l.runVar.Data().(type) {
	case []float32:
		for i := range d {
			d[i] = 1
		}
		n.stats = append(n.stats, &RunningStats{Name: name, Mean: f32s(l.runMean), Var: d})
	case []float64:
		for i := range d {
			d[i] = 1
		}
	}
	n.layerBy[name] = l
	n.layers = append(n.layers, l)
	return l
}

// survival is the survival probability of residual block i under the linear
// decay rule of Huang et al. (2016): p_i = 1 - (i+1)/L·(1 - p_L).
func (n *Net) survival(i int) float64 {
	if n.cfg.Survival >= 1 || n.cfg.Arch != "residual" {
		return 1
	}
	per, _ := BlocksPerStage(n.cfg)
	total := 3 * per
	return 1 - float64(i+1)/float64(total)*(1-n.cfg.Survival)
}

// Params returns the learnable tensors in a stable order.
func (n *Net) Params() []*Param { return n.params }

// RunningStats returns every batch-norm layer's running statistics in a stable order.
func (n *Net) RunningStats() []*RunningStats { return n.stats }

// NumParams is the number of learnable scalars.
func (n *Net) NumParams() int {
	total := 0
	for _, t := range n.tensors {
		total += t.Shape().TotalSize()
	}
	return total
}

// FLOPs is the forward cost of one image, counted from the graph's
// convolutions and fully connected layer (2 per multiply-add).
func (n *Net) FLOPs() int64 { return n.flops }

// Survival returns the survival probability of each gated residual block
// (stochastic depth), in the order TrainStep's keep argument uses. It is
// empty when stochastic depth is off.
func (n *Net) Survival() []float64 {
	var p []float64
	for i := range n.train[n.opt.Batch].gates {
		p = append(p, n.survival(i))
	}
	return p
}

// TrainStep runs forward and backward on one batch in training mode: x holds
// batch images (batch×C×H×W), y their labels. It overwrites every Param.Grad
// and updates the batch-norm running statistics; it does not change weights.
// keep, if not nil, has one entry per gated residual block (see Survival):
// false drops that block's residual branch for this step.
func (n *Net) TrainStep(x []float32, y []int32, batch int, keep []bool) (StepResult, error) {
	gr, err := n.trainGraph(batch)
	if err != nil {
		return StepResult{}, err
	}
	if err := n.load(gr, x, y, batch); err != nil {
		return StepResult{}, err
	}
	for i, g := range gr.gates {
		g.factor = 1
		if keep != nil && i < len(keep) && !keep[i] {
			g.factor = 0
		}
	}
	if err := n.run(gr); err != nil {
		return StepResult{}, err
	}
	for i, gn := range gr.grads {
		v, ok := gn.Value().(*tensor.Dense)
		if !ok {
			return StepResult{}, fmt.Errorf("gradient of %s is %T", n.params[i].Name, gn.Value())
		}
		copyDense(n.grads[i], v)
	}
	return StepResult{Loss: gr.loss.sum / float64(batch), Correct: gr.loss.correct}, nil
}

func copyDense(dst, src *tensor.Dense) {
	switch d := dst.Data().(type) {
	case []float32:
		copy(d, f32s(src))
	case []float64:
		copy(d, f64s(src))
	}
}

func (n *Net) trainGraph(batch int) (*graph, error) {
	if gr, ok := n.train[batch]; ok {
		return gr, nil
	}
	if batch <= 0 {
		return nil, fmt.Errorf("train step: batch %d", batch)
	}
	gr, err := n.build(batch, true, nil)
	if err != nil {
		return nil, err
	}
	n.train[batch] = gr
	return gr, nil
}

// load copies batch images and labels into the graph's input tensors,
// padding the rest of the graph's batch with zeros (class 0).
func (n *Net) load(gr *graph, x []float32, y []int32, batch int) error {
	in := n.opt.Input
	size := in.C * in.H * in.W
	if batch > gr.batch || len(x) < batch*size || len(y) < batch {
		return fmt.Errorf("batch of %d images does not fit (x %d values, y %d labels, graph batch %d)", batch, len(x), len(y), gr.batch)
	}
	for i := 0; i < batch; i++ {
		if y[i] < 0 || int(y[i]) >= n.opt.Classes {
			return fmt.Errorf("label %d of image %d is not a class in [0, %d)", y[i], i, n.opt.Classes)
		}
	}
	switch d := gr.x.Data().(type) {
	case []float32:
		copy(d, x[:batch*size])
		clear(d[batch*size:])
		l := f32s(gr.y)
		for i := range l {
			l[i] = 0
			if i < batch {
				l[i] = float32(y[i])
			}
		}
	case []float64:
		for i := range d {
			d[i] = 0
			if i < batch*size {
				d[i] = float64(x[i])
			}
		}
		l := f64s(gr.y)
		for i := range l {
			l[i] = 0
			if i < batch {
				l[i] = float64(y[i])
			}
		}
	}
	return nil
}

func (n *Net) run(gr *graph) error {
	defer gr.m.Reset()
	if err := gr.m.RunAll(); err != nil {
		return fmt.Errorf("run %s: %w", n.describe(), err)
	}
	return nil
}

// Evaluate runs the forward-only program in evaluation mode on batch images
// and returns the summed cross-entropy and the number classified correctly.
// It changes neither the weights nor the running statistics.
func (n *Net) Evaluate(x []float32, y []int32, batch int) (lossSum float64, correct int, err error) {
	return n.evaluate(n.eval, x, y, batch)
}

// Blocks is the number of blocks of the network (3n), the indices
// EvaluateWithout takes.
func (n *Net) Blocks() int {
	per, _ := BlocksPerStage(n.cfg)
	return 3 * per
}

// EvaluateWithout is Evaluate with the residual branches of the listed
// blocks (0-based, in the order data flows) deleted at test time, as in
// Veit et al. (2016): each deleted block passes its input on through its
// shortcut alone. In a plain net, which has no shortcut, a deleted block
// passes its input through unchanged (zero-padded and subsampled where the
// block changes the shape).
func (n *Net) EvaluateWithout(deleted []int, x []float32, y []int32, batch int) (lossSum float64, correct int, err error) {
	key := fmt.Sprint(deleted)
	gr, ok := n.lesion[key]
	if !ok {
		del := map[int]bool{}
		for _, b := range deleted {
			if b < 0 || b >= n.Blocks() {
				return 0, 0, fmt.Errorf("block %d does not exist (the net has blocks 0..%d)", b, n.Blocks()-1)
			}
			del[b] = true
		}
		if gr, err = n.build(n.opt.EvalBatch, false, del); err != nil {
			return 0, 0, err
		}
		n.lesion[key] = gr
	}
	return n.evaluate(gr, x, y, batch)
}

func (n *Net) evaluate(gr *graph, x []float32, y []int32, batch int) (lossSum float64, correct int, err error) {
	in := n.opt.Input
	size := in.C * in.H * in.W
	k := n.opt.Classes
	for start := 0; start < batch; start += gr.batch {
		m := min(gr.batch, batch-start)
		if err := n.load(gr, x[start*size:], y[start:], m); err != nil {
			return 0, 0, err
		}
		if err := n.run(gr); err != nil {
			return 0, 0, err
		}
		// load put the labels into gr.y in the logits' type.
		var s float64
		var c int
		switch l := gr.fcOut.out.t.Data().(type) {
		case []float32:
			s, c, err = softmaxCE(nil, l[:m*k], f32s(gr.y)[:m], m, k)
		case []float64:
			s, c, err = softmaxCE(nil, l[:m*k], f64s(gr.y)[:m], m, k)
		}
		if err != nil {
			return 0, 0, err
		}
		lossSum += s
		correct += c
	}
	return lossSum, correct, nil
}
