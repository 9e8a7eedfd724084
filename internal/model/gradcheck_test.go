package model

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/chewxy/hm"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/resx-dev/resx/internal/config"
	"github.com/resx-dev/resx/internal/kernel"
)

// projectOp is the test's scalar head: sum(y ⊙ r) for a fixed random r, so
// d/dy = g·r exercises every element of an op's output gradient.
type projectOp struct {
	opBase
	r   *tensor.Dense
	val scalarBuf
	out outBuf
}

func (op *projectOp) Arity() int { return 1 }
func (op *projectOp) Type() hm.Type {
	return fnType(tensorType(op.r.Dims()), hm.TypeVariable('a'))
}
func (op *projectOp) InferShape(...G.DimSizer) (tensor.Shape, error) {
	return tensor.ScalarShape(), nil
}
func (op *projectOp) Do(in ...G.Value) (G.Value, error) {
	y := f64s(in[0].(*tensor.Dense))
	var s float64
	for i, v := range f64s(op.r) {
		s += v * y[i]
	}
	return op.val.set(tensor.Float64, s), nil
}
func (op *projectOp) DiffWRT(int) []bool { return []bool{true} }
func (op *projectOp) SymDiff(in G.Nodes, out, grad *G.Node) (G.Nodes, error) {
	d, err := G.ApplyOp(&projectGradOp{opBase: newBase("dproject"), r: op.r}, grad)
	return G.Nodes{d}, err
}

type projectGradOp struct {
	opBase
	r   *tensor.Dense
	out outBuf
}

func (op *projectGradOp) Arity() int { return 1 }
func (op *projectGradOp) Type() hm.Type {
	return fnType(hm.TypeVariable('a'), tensorType(op.r.Dims()))
}
func (op *projectGradOp) InferShape(...G.DimSizer) (tensor.Shape, error) {
	return op.r.Shape().Clone(), nil
}
func (op *projectGradOp) Do(in ...G.Value) (G.Value, error) {
	g, err := scalarOf(in[0])
	if err != nil {
		return nil, err
	}
	d := op.out.get(tensor.Float64, op.r.Shape()...)
	for i, v := range f64s(op.r) {
		f64s(d)[i] = g * v
	}
	return d, nil
}

func randDense(r *rand.Rand, shape ...int) *tensor.Dense {
	t := tensor.New(tensor.Of(tensor.Float64), tensor.WithShape(shape...))
	for i := range f64s(t) {
		f64s(t)[i] = r.NormFloat64()
	}
	return t
}

// opCase builds one op under test on float64 inputs of the given shapes.
type opCase struct {
	name   string
	inputs [][]int
	build  func(in G.Nodes) (*G.Node, error)
	// positive makes inputs positive where a kink would sit at 0 (none use it yet).
}

// checkGradients compares the analytic gradient of cost with respect to each
// input against central differences, element by element.
func checkGradients(t *testing.T, name string, g *G.ExprGraph, cost *G.Node, wrt G.Nodes, vals []*tensor.Dense, tol float64) {
	t.Helper()
	grads, err := G.Grad(cost, wrt...)
	if err != nil {
		t.Fatalf("%s: Grad: %v", name, err)
	}
	m := G.NewTapeMachine(g)
	defer m.Close()
	eval := func() float64 {
		if err := m.RunAll(); err != nil {
			t.Fatalf("%s: run: %v", name, err)
		}
		defer m.Reset()
		v, err := scalarOf(cost.Value())
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	before := make([][]float64, len(vals))
	for i, v := range vals {
		before[i] = append([]float64(nil), f64s(v)...)
	}
	if err := m.RunAll(); err != nil {
		t.Fatalf("%s: run: %v", name, err)
	}
	analytic := make([][]float64, len(grads))
	for i, gn := range grads {
		analytic[i] = append([]float64(nil), f64s(gn.Value().(*tensor.Dense))...)
	}
	m.Reset()
	for i, v := range vals {
		for j, b := range before[i] {
			if f64s(v)[j] != b {
				t.Fatalf("%s: running the graph modified input %d", name, i)
			}
		}
	}
	for i, v := range vals {
		data := f64s(v)
		for j := range data {
			num := centralDiff(data, j, eval)
			if a := analytic[i][j]; math.Abs(a-num) > tol*(1+math.Abs(num)) {
				t.Errorf("%s: d/d input%d[%d]: analytic %.9g, numeric %.9g", name, i, j, a, num)
				return
			}
		}
	}
}

func TestOpGradients(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 1))
	ws := kernel.NewWorkspace(2)
	conv := func(c, k, rr, stride, pad int) func(in G.Nodes) (*G.Node, error) {
		return func(in G.Nodes) (*G.Node, error) {
			return G.ApplyOp(newConvOp("t", convGeom{C: c, K: k, R: rr, Stride: stride, Pad: pad, ws: ws}), in[0], in[1])
		}
	}
	bn := func(relu bool) func(in G.Nodes) (*G.Node, error) {
		return func(in G.Nodes) (*G.Node, error) {
			l := &bnLayer{name: "t", c: 3, eps: 1e-5, momentum: 0.1,
				runMean: tensor.New(tensor.Of(tensor.Float64), tensor.WithShape(3)),
				runVar:  tensor.New(tensor.Of(tensor.Float64), tensor.WithShape(3))}
			return G.ApplyOp(newBNOp(l, true, relu, ws), in[0], in[1], in[2])
		}
	}
	cases := []opCase{
		{"conv3x3", [][]int{{2, 3, 5, 5}, {4, 3, 3, 3}}, conv(3, 4, 3, 1, 1)},
		{"conv3x3-stride2", [][]int{{2, 3, 6, 6}, {4, 3, 3, 3}}, conv(3, 4, 3, 2, 1)},
		{"conv3x3-stride2-odd", [][]int{{2, 2, 7, 7}, {3, 2, 3, 3}}, conv(2, 3, 3, 2, 1)},
		{"conv1x1", [][]int{{2, 3, 4, 4}, {5, 3, 1, 1}}, conv(3, 5, 1, 1, 0)},
		{"conv1x1-stride2", [][]int{{2, 3, 5, 5}, {5, 3, 1, 1}}, conv(3, 5, 1, 2, 0)},
		{"bn", [][]int{{4, 3, 3, 3}, {3}, {3}}, bn(false)},
		{"bn-relu", [][]int{{4, 3, 3, 3}, {3}, {3}}, bn(true)},
		{"add", [][]int{{2, 3, 3, 3}, {2, 3, 3, 3}}, func(in G.Nodes) (*G.Node, error) { return G.ApplyOp(newAddOp("t", false, ws), in[0], in[1]) }},
		{"add-relu", [][]int{{2, 3, 3, 3}, {2, 3, 3, 3}}, func(in G.Nodes) (*G.Node, error) { return G.ApplyOp(newAddOp("t", true, ws), in[0], in[1]) }},
		{"relu", [][]int{{2, 3, 3, 3}}, func(in G.Nodes) (*G.Node, error) { return G.ApplyOp(&reluOp{opBase: newBase("relu"), ws: ws}, in[0]) }},
		{"gate", [][]int{{2, 3, 3, 3}}, func(in G.Nodes) (*G.Node, error) {
			return G.ApplyOp(&gateOp{opBase: newBase("gate"), g: &gate{factor: 0.7}}, in[0])
		}},
		{"shortcutA", [][]int{{2, 2, 6, 6}}, func(in G.Nodes) (*G.Node, error) {
			return G.ApplyOp(&shortcutAOp{opBase: newBase("sa"), k: 4, stride: 2}, in[0])
		}},
		{"shortcutA-odd", [][]int{{2, 2, 7, 7}}, func(in G.Nodes) (*G.Node, error) {
			return G.ApplyOp(&shortcutAOp{opBase: newBase("sa"), k: 5, stride: 2}, in[0])
		}},
		{"shortcutA-stride1", [][]int{{2, 2, 3, 3}}, func(in G.Nodes) (*G.Node, error) {
			return G.ApplyOp(&shortcutAOp{opBase: newBase("sa"), k: 8, stride: 1}, in[0])
		}},
		{"gap", [][]int{{2, 3, 3, 4}}, func(in G.Nodes) (*G.Node, error) { return G.ApplyOp(&gapOp{opBase: newBase("gap"), ws: ws}, in[0]) }},
		{"fc", [][]int{{3, 4}, {5, 4}, {5}}, func(in G.Nodes) (*G.Node, error) {
			return G.ApplyOp(&fcOp{opBase: newBase("fc")}, in[0], in[1], in[2])
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			g := G.NewGraph()
			var nodes G.Nodes
			var vals []*tensor.Dense
			for i, s := range c.inputs {
				v := randDense(r, s...)
				vals = append(vals, v)
				nodes = append(nodes, G.NewTensor(g, tensor.Float64, len(s), G.WithShape(s...), G.WithName(fmt.Sprintf("in%d", i)), G.WithValue(v)))
			}
			y, err := c.build(nodes)
			if err != nil {
				t.Fatal(err)
			}
			cost, err := G.ApplyOp(&projectOp{opBase: newBase("project"), r: randDense(r, y.Shape()...)}, y)
			if err != nil {
				t.Fatal(err)
			}
			checkGradients(t, c.name, g, cost, nodes, vals, 1e-6)
		})
	}
}

// TestLossGradient checks the softmax cross-entropy against central
// differences, with the labels as a non-differentiable input.
func TestLossGradient(t *testing.T) {
	r := rand.New(rand.NewPCG(2, 2))
	g := G.NewGraph()
	logits := randDense(r, 4, 5)
	labels := tensor.New(tensor.WithBacking([]float64{0, 4, 2, 2}))
	ln := G.NewMatrix(g, tensor.Float64, G.WithShape(4, 5), G.WithName("logits"), G.WithValue(logits))
	yn := G.NewVector(g, tensor.Float64, G.WithShape(4), G.WithName("labels"), G.WithValue(labels))
	cost, err := G.ApplyOp(&lossOp{opBase: newBase("loss")}, ln, yn)
	if err != nil {
		t.Fatal(err)
	}
	checkGradients(t, "loss", g, cost, G.Nodes{ln}, []*tensor.Dense{logits}, 1e-7)
}

// TestNetworkGradients checks whole small networks end to end in float64:
// every block type, both archs and every shortcut option, with the training
// graph's own loss, against central differences on sampled parameters.
func TestNetworkGradients(t *testing.T) {
	in := InputShape{C: 2, H: 6, W: 6}
	type netCase struct {
		arch, block, shortcut string
		depth                 int
	}
	var cases []netCase
	for _, arch := range []string{"plain", "residual"} {
		for _, sc := range []string{"A", "B", "C"} {
			cases = append(cases, netCase{arch, "basic", sc, 8}, netCase{arch, "preact", sc, 8}, netCase{arch, "bottleneck", sc, 11})
		}
	}
	cases = append(cases, netCase{"residual", "basic", "A", 14})
	for _, c := range cases {
		name := fmt.Sprintf("%s-%d-%s-%s", c.arch, c.depth, c.block, c.shortcut)
		t.Run(name, func(t *testing.T) {
			cfg := config.Model{Arch: c.arch, Depth: c.depth, Block: c.block, Shortcut: c.shortcut, Width: 0.25, Survival: 1}
			checkNetGradients(t, cfg, in, 3, 1e-5)
		})
	}
}

// checkNetGradients compares the net's parameter gradients with central
// differences of its loss on a fixed batch, sampling a few entries of every
// parameter.
func checkNetGradients(t *testing.T, cfg config.Model, in InputShape, batch int, tol float64) {
	t.Helper()
	n, err := newNet(cfg, Options{Batch: batch, Classes: 3, Input: in, Seed: 3, Threads: 2}, tensor.Float64)
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(4, 4))
	gr := n.train[batch]
	for i := range f64s(gr.x) {
		f64s(gr.x)[i] = r.NormFloat64()
	}
	for i := range f64s(gr.y) {
		f64s(gr.y)[i] = float64(i % 3)
	}
	loss := func() float64 {
		if err := n.run(gr); err != nil {
			t.Fatal(err)
		}
		return gr.loss.sum / float64(batch)
	}
	loss()
	analytic := make([][]float64, len(gr.grads))
	for i, gn := range gr.grads {
		analytic[i] = append([]float64(nil), f64s(gn.Value().(*tensor.Dense))...)
	}
	for i, p := range n.params {
		data := f64s(n.tensors[i])
		for s := 0; s < 4; s++ {
			j := r.IntN(len(data))
			num := centralDiff(data, j, loss)
			if a := analytic[i][j]; math.Abs(a-num) > tol*(1+math.Abs(num)) {
				t.Errorf("d loss/d %s[%d]: analytic %.9g, numeric %.9g", p.Name, j, a, num)
				break
			}
		}
	}
}

// centralDiff is (f(x+h) - f(x-h)) / 2h for x = data[j], h = 1e-6; data[j]
// is restored afterwards.
func centralDiff(data []float64, j int, f func() float64) float64 {
	const h = 1e-6
	orig := data[j]
	data[j] = orig + h
	fp := f()
	data[j] = orig - h
	fm := f()
	data[j] = orig
	return (fp - fm) / (2 * h)
}
