package model

import (
	"fmt"
	"math"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/resx-dev/resx/internal/config"
	"github.com/resx-dev/resx/internal/kernel"
)

// builder adds one network to one graph: the training graph (with batch
// statistics and a gradient) or the forward-only evaluation graph. Both are
// built by the same code from the same config and share the Net's
// parameters and running statistics by name.
type builder struct {
	net   *Net
	g     *G.ExprGraph
	train bool
	ws    *kernel.Workspace // batch norm's workers
	gates []*gate
	flops int64       // forward FLOPs per image
	convs []ConvLayer // distinct convolutions, with their counts
	block int         // index of the block being built (0 .. 3n-1)
	// deleted lists blocks whose residual branch is left out (a lesion,
	// Veit et al. 2016); only evaluation graphs have any.
	deleted map[int]bool
	// residuals are the batch norms that add a residual, for
	// fuseResidualGrads.
	residuals []residual
}

// network builds the CIFAR network of He et al. (2016, section 4.2) on x
// (N×C×H×W) and returns the logits (N×classes).
//
// Depth 6n+2 (basic, preact) or 9n+2 (bottleneck): a 3x3 stem conv with 16·w
// filters, three stages of n blocks on maps of H, H/2 and H/4 with 16·w,
// 32·w, 64·w filters (bottleneck blocks expand to 4x that), stride 2 at the
// first conv of stages 2 and 3, global average pooling, a fully connected
// layer. Plain and residual nets differ only in the addition.
func (b *builder) network(x *G.Node) (*G.Node, error) {
	cfg := b.net.cfg
	n, err := BlocksPerStage(cfg)
	if err != nil {
		return nil, err
	}
	base := int(math.Round(16 * cfg.Width))
	h, err := b.conv("stem.conv", x, base, 3, 1)
	if err != nil {
		return nil, err
	}
	if cfg.Block == "basic" {
		if h, err = b.bn("stem.bn", h, true); err != nil {
			return nil, err
		}
	}
	in := base
	for stage := 0; stage < 3; stage++ {
		width := base << stage
		for i := 0; i < n; i++ {
			stride := 1
			if stage > 0 && i == 0 {
				stride = 2
			}
			name := fmt.Sprintf("s%d.b%d", stage+1, i+1)
			b.block = stage*n + i
			var out int
			switch {
			case b.deleted[b.block]:
				h, out, err = b.lesioned(name, h, in, width, stride)
			case cfg.Block == "basic":
				h, out, err = b.basicBlock(name, h, in, width, stride)
			case cfg.Block == "preact":
				h, out, err = b.preactBlock(name, h, in, width, stride)
			case cfg.Block == "bottleneck":
				h, out, err = b.bottleneckBlock(name, h, in, width, stride)
			default:
				err = fmt.Errorf("unknown block %q", cfg.Block)
			}
			if err != nil {
				return nil, fmt.Errorf("%s: %w", name, err)
			}
			in = out
		}
	}
	if cfg.Block != "basic" {
		if h, err = b.bn("final.bn", h, true); err != nil {
			return nil, err
		}
	}
	if h, err = b.apply(&gapOp{opBase: newBase("gap"), ws: b.ws}, h); err != nil {
		return nil, err
	}
	return b.fc("fc", h, in, b.net.opt.Classes)
}

// basicBlock is the original residual unit (He et al. 2016):
// relu(bn(conv(relu(bn(conv(x))))) + shortcut(x)); the plain block is the
// same without the addition.
func (b *builder) basicBlock(name string, x *G.Node, in, out, stride int) (*G.Node, int, error) {
	c := b.chain()
	h := c.bn(name+".bn1", c.conv(name+".conv1", x, out, 3, stride), withReLU)
	h = c.conv(name+".conv2", h, out, 3, 1)
	if !b.residual() {
		return c.bn(name+".bn2", h, withReLU), out, c.err
	}
	return c.bnAdd(name, h, c.shortcut(name, x, x, in, out, stride, true), withReLU), out, c.err
}

// preactBlock is the full pre-activation unit (He et al. 2016b):
// conv(relu(bn(conv(relu(bn(x)))))) + shortcut(x).
func (b *builder) preactBlock(name string, x *G.Node, in, out, stride int) (*G.Node, int, error) {
	c := b.chain()
	a := c.bn(name+".bn1", x, withReLU)
	h := c.conv(name+".conv1", a, out, 3, stride)
	h = c.conv(name+".conv2", c.bn(name+".bn2", h, withReLU), out, 3, 1)
	if !b.residual() {
		return h, out, c.err
	}
	return c.add(name, h, c.shortcut(name, x, a, in, out, stride, false), noReLU), out, c.err
}

// bottleneckBlock is the pre-activation bottleneck unit (ResNet-164/1001):
// 1x1 reduce to width, 3x3 at width, 1x1 expand to 4·width, each preceded by
// bn-relu, plus the shortcut.
func (b *builder) bottleneckBlock(name string, x *G.Node, in, width, stride int) (*G.Node, int, error) {
	out := 4 * width
	c := b.chain()
	a := c.bn(name+".bn1", x, withReLU)
	h := c.conv(name+".conv1", a, width, 1, 1)
	h = c.conv(name+".conv2", c.bn(name+".bn2", h, withReLU), width, 3, stride)
	h = c.conv(name+".conv3", c.bn(name+".bn3", h, withReLU), out, 1, 1)
	if !b.residual() {
		return h, out, c.err
	}
	return c.add(name, h, c.shortcut(name, x, a, in, out, stride, false), noReLU), out, c.err
}

const (
	withReLU = true
	noReLU   = false
)

// chain adds layers one after another and keeps the first error; once it
// has one, every later layer is skipped and returns nil. It lets a block
// read as its formula.
type chain struct {
	b   *builder
	err error
}

func (b *builder) chain() *chain { return &chain{b: b} }

func (c *chain) do(f func() (*G.Node, error)) *G.Node {
	if c.err != nil {
		return nil
	}
	n, err := f()
	c.err = err
	return n
}

func (c *chain) conv(name string, x *G.Node, out, k, stride int) *G.Node {
	return c.do(func() (*G.Node, error) { return c.b.conv(name, x, out, k, stride) })
}

func (c *chain) bn(name string, x *G.Node, relu bool) *G.Node {
	return c.do(func() (*G.Node, error) { return c.b.bn(name, x, relu) })
}

func (c *chain) bnAdd(name string, h, s *G.Node, relu bool) *G.Node {
	return c.do(func() (*G.Node, error) { return c.b.bnAdd(name, h, s, relu) })
}

func (c *chain) shortcut(name string, x, act *G.Node, in, out, stride int, withBN bool) *G.Node {
	return c.do(func() (*G.Node, error) { return c.b.shortcut(name, x, act, in, out, stride, withBN) })
}

func (c *chain) add(name string, h, s *G.Node, relu bool) *G.Node {
	return c.do(func() (*G.Node, error) { return c.b.residualAdd(name, h, s, relu) })
}

func (b *builder) residual() bool { return b.net.cfg.Arch == "residual" }

// shortcut is the identity branch of a residual unit. x is the block's
// input, act its pre-activated form (for pre-activation blocks, where a
// projection reads the activated input); withBN adds batch norm after a
// projection (the original block).
func (b *builder) shortcut(name string, x, act *G.Node, in, out, stride int, withBN bool) (*G.Node, error) {
	same := in == out && stride == 1
	switch b.net.cfg.Shortcut {
	case "A":
		if same {
			return x, nil
		}
		return b.apply(&shortcutAOp{opBase: newBase(name + ".shortA"), k: out, stride: stride, workers: b.net.opt.Threads}, x)
	case "B", "C":
		if same && b.net.cfg.Shortcut == "B" {
			return x, nil
		}
		p, err := b.conv(name+".proj.conv", act, out, 1, stride)
		if err != nil || !withBN {
			return p, err
		}
		return b.bn(name+".proj.bn", p, false)
	}
	return nil, fmt.Errorf("unknown shortcut %q", b.net.cfg.Shortcut)
}

// bnAdd is relu(bn2(h) + s), the end of the original residual unit: one op
// that normalises, adds and applies the ReLU in one pass over memory, or,
// with stochastic depth, whose gate scales the normalised branch, the batch
// norm and the gated addition apart.
func (b *builder) bnAdd(name string, h, s *G.Node, relu bool) (*G.Node, error) {
	if b.net.survival(b.block) < 1 || !fuseResidual {
		h, err := b.bn(name+".bn2", h, noReLU)
		if err != nil {
			return nil, err
		}
		return b.residualAdd(name, h, s, relu)
	}
	return b.bnWith(name+".bn2", h, s, relu)
}

// fuseResidual turns bnAdd's fusion on; tests turn it off to compare.
var fuseResidual = true

// residualAdd is y = gate·h + s (then ReLU for the original block). The gate
// exists only with stochastic depth.
func (b *builder) residualAdd(name string, h, s *G.Node, relu bool) (*G.Node, error) {
	if p := b.net.survival(b.block); p < 1 {
		gt := &gate{name: name, factor: 1}
		if !b.train {
			gt.factor = p
		}
		b.gates = append(b.gates, gt)
		var err error
		if h, err = b.apply(&gateOp{opBase: newBase("gate:" + name), g: gt, workers: b.net.opt.Threads}, h); err != nil {
			return nil, err
		}
	}
	return b.apply(newAddOp(name, relu, b.ws), h, s)
}

// lesioned is a block with its residual branch deleted: only the shortcut
// path remains (then the ReLU of the original block, a no-op on its
// non-negative input, is kept for exactness). A plain net has no shortcut,
// so its deleted block passes x through unchanged, or through the
// parameter-free option-A mapping where the shape changes.
func (b *builder) lesioned(name string, x *G.Node, in, width, stride int) (*G.Node, int, error) {
	out := width
	if b.net.cfg.Block == "bottleneck" {
		out = 4 * width
	}
	if !b.residual() {
		if in == out && stride == 1 {
			return x, out, nil
		}
		s, err := b.apply(&shortcutAOp{opBase: newBase(name + ".shortA"), k: out, stride: stride, workers: b.net.opt.Threads}, x)
		return s, out, err
	}
	act := x
	if b.net.cfg.Block != "basic" && b.net.cfg.Shortcut != "A" && (b.net.cfg.Shortcut == "C" || in != out || stride != 1) {
		var err error
		if act, err = b.bn(name+".bn1", x, true); err != nil {
			return nil, 0, err
		}
	}
	s, err := b.shortcut(name, x, act, in, out, stride, b.net.cfg.Block == "basic")
	if err != nil || b.net.cfg.Block != "basic" {
		return s, out, err
	}
	if s == x {
		return x, out, nil
	}
	s, err = b.apply(&reluOp{opBase: newBase("relu:" + name), ws: b.ws}, s)
	return s, out, err
}

func (b *builder) apply(op G.Op, in ...*G.Node) (*G.Node, error) {
	n, err := G.ApplyOp(op, in...)
	if err != nil {
		return nil, fmt.Errorf("%v: %w", op, err)
	}
	return n, nil
}

// conv adds a bias-free k×k convolution with out filters, padding k/2.
func (b *builder) conv(name string, x *G.Node, out, k, stride int) (*G.Node, error) {
	in := x.Shape()[1]
	w, err := b.net.param(b.g, name+".w", []int{out, in, k, k}, kaimingFanOut, true)
	if err != nil {
		return nil, err
	}
	geom := convGeom{C: in, K: out, R: k, Stride: stride, Pad: k / 2, ws: b.net.workspace()}
	op := newConvOp(name, geom)
	op.noInputGrad = x.Name() == "x" // nothing needs the gradient of the data
	y, err := b.apply(op, x, w)
	if err != nil {
		return nil, err
	}
	s := geom.shape(x.Shape())
	b.addConv(s, op.noInputGrad)
	s.N = 1
	b.flops += s.FLOPs()
	return y, nil
}

// bn adds batch normalisation with a per-channel scale (initialised to 1)
// and bias (0), followed by ReLU when relu is set.
func (b *builder) bn(name string, x *G.Node, relu bool) (*G.Node, error) {
	return b.bnWith(name, x, nil, relu)
}

// bnWith is bn with res, if not nil, added before the ReLU.
func (b *builder) bnWith(name string, x, res *G.Node, relu bool) (*G.Node, error) {
	c := x.Shape()[1]
	gamma, err := b.net.param(b.g, name+".gamma", []int{c}, ones, false)
	if err != nil {
		return nil, err
	}
	beta, err := b.net.param(b.g, name+".beta", []int{c}, zeros, false)
	if err != nil {
		return nil, err
	}
	l := b.net.bnLayer(name, c)
	op := newBNOp(l, b.train, relu, b.ws)
	op.gammaNode, op.betaNode = gamma, beta
	if res != nil {
		op.res = true
		b.residuals = append(b.residuals, residual{bn: op, res: res})
		return b.apply(op, x, gamma, beta, res)
	}
	return b.apply(op, x, gamma, beta)
}

// fc adds the fully connected layer, initialised as PyTorch's nn.Linear
// (uniform in ±1/sqrt(in)).
func (b *builder) fc(name string, x *G.Node, in, out int) (*G.Node, error) {
	w, err := b.net.param(b.g, name+".w", []int{out, in}, uniformFanIn(in), true)
	if err != nil {
		return nil, err
	}
	bias, err := b.net.param(b.g, name+".b", []int{out}, uniformFanIn(in), true)
	if err != nil {
		return nil, err
	}
	b.flops += 2 * int64(in) * int64(out)
	return b.apply(&fcOp{opBase: newBase(name)}, x, w, bias)
}

// BlocksPerStage is n for a depth of 6n+2 (basic, preact) or 9n+2
// (bottleneck), or an error naming the valid depths.
func BlocksPerStage(cfg config.Model) (int, error) {
	per := 6
	if cfg.Block == "bottleneck" {
		per = 9
	}
	if cfg.Depth < per+2 || (cfg.Depth-2)%per != 0 {
		return 0, fmt.Errorf("depth %d is not %dn+2 (%d, %d, %d, ...)", cfg.Depth, per, per+2, 2*per+2, 3*per+2)
	}
	return (cfg.Depth - 2) / per, nil
}

// dtypeOf maps the build's float width to a tensor dtype.
func dtypeOf(f64 bool) tensor.Dtype {
	if f64 {
		return tensor.Float64
	}
	return tensor.Float32
}
