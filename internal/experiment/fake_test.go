package experiment

import (
	"math"
	"math/rand/v2"
	"time"

	"github.com/resx-dev/resx/internal/config"
	"github.com/resx-dev/resx/internal/model"
)

// The fakes below let the loop be tested in milliseconds and without the
// model and dataset packages: a softmax-regression "network" with one
// batch-norm-like running statistic, and an in-memory dataset whose batch k
// of epoch e depends only on (seed, e, k), as the real loader's does.

type fakeSource struct {
	x     []float32 // n×d
	y     []int32
	d     int
	batch int
	seed  uint64
	shuf  bool
}

func (s *fakeSource) n() int { return len(s.y) }

func (s *fakeSource) batchesPerEpoch() int { return (s.n() + s.batch - 1) / s.batch }

func (s *fakeSource) epoch(e, start int, fn func(batch) bool) error {
	order := make([]int, s.n())
	for i := range order {
		order[i] = i
	}
	if s.shuf {
		rand.New(rand.NewPCG(s.seed, uint64(e))).Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
	}
	for k := start; k < s.batchesPerEpoch(); k++ {
		idx := order[k*s.batch : min((k+1)*s.batch, s.n())]
		b := batch{x: make([]float32, len(idx)*s.d), y: make([]int32, len(idx)), n: len(idx)}
		for i, j := range idx {
			copy(b.x[i*s.d:], s.x[j*s.d:(j+1)*s.d])
			b.y[i] = s.y[j]
		}
		if !fn(b) {
			return nil
		}
	}
	return nil
}

const fakeClasses, fakeDim = 4, 6

func fakeSplit(n int, seed uint64) ([]float32, []int32) {
	rng := rand.New(rand.NewPCG(seed, 99))
	x := make([]float32, n*fakeDim)
	y := make([]int32, n)
	for i := range y {
		c := rng.IntN(fakeClasses)
		y[i] = int32(c)
		for j := range fakeDim {
			x[i*fakeDim+j] = float32(rng.NormFloat64())
			if j%fakeClasses == c {
				x[i*fakeDim+j] += 1.5
			}
		}
	}
	return x, y
}

func openFake(cfg config.Data, _ string, batch int, seed uint64) (*data, error) {
	train, test := 100, 40
	if cfg.Subset > 0 {
		train = cfg.Subset
	}
	tx, ty := fakeSplit(train, 1)
	vx, vy := fakeSplit(test, 2)
	return &data{
		name:    cfg.Name,
		train:   &fakeSource{x: tx, y: ty, d: fakeDim, batch: batch, seed: seed, shuf: true},
		eval:    &fakeSource{x: vx, y: vy, d: fakeDim, batch: batch},
		classes: fakeClasses,
		input:   model.InputShape{C: 1, H: 1, W: fakeDim},
	}, nil
}

type fakeNet struct {
	w, b     *model.Param
	stats    *model.RunningStats
	survival []float64
	steps    int
	// nanLossAt and infGradAt make the step with that 1-based count go bad.
	nanLossAt, infGradAt int
}

func newFake(cfg config.Model, opt model.Options) (*fakeNet, error) {
	k, d := opt.Classes, opt.Input.C*opt.Input.H*opt.Input.W
	n := &fakeNet{
		w:     &model.Param{Name: "fc.w", Shape: []int{k, d}, Value: make([]float32, k*d), Grad: make([]float32, k*d), Decay: true},
		b:     &model.Param{Name: "fc.b", Shape: []int{k}, Value: make([]float32, k), Grad: make([]float32, k)},
		stats: &model.RunningStats{Name: "in.bn", Mean: make([]float32, d), Var: make([]float32, d)},
	}
	rng := rand.New(rand.NewPCG(opt.Seed, 7))
	for i := range n.w.Value {
		n.w.Value[i] = float32(0.1 * rng.NormFloat64())
	}
	if cfg.Survival > 0 && cfg.Survival < 1 {
		n.survival = []float64{1, cfg.Survival}
	}
	return n, nil
}

func (n *fakeNet) Params() []*model.Param              { return []*model.Param{n.w, n.b} }
func (n *fakeNet) RunningStats() []*model.RunningStats { return []*model.RunningStats{n.stats} }
func (n *fakeNet) NumParams() int                      { return len(n.w.Value) + len(n.b.Value) }
func (n *fakeNet) Survival() []float64                 { return n.survival }

// forward returns the softmax probabilities of image i and its loss.
func (n *fakeNet) forward(x []float32, y int32, p []float64) (loss float64, correct bool) {
	k, d := len(n.b.Value), len(x)
	best, maxv := 0, math.Inf(-1)
	for c := range k {
		s := float64(n.b.Value[c])
		for j := range d {
			s += float64(n.w.Value[c*d+j]) * float64(x[j])
		}
		p[c] = s
		if s > maxv {
			best, maxv = c, s
		}
	}
	var z float64
	for c := range k {
		p[c] = math.Exp(p[c] - maxv)
		z += p[c]
	}
	for c := range k {
		p[c] /= z
	}
	return -math.Log(p[y]), best == int(y)
}

func (n *fakeNet) TrainStep(x []float32, y []int32, batch int, keep []bool) (model.StepResult, error) {
	n.steps++
	k := len(n.b.Value)
	d := len(x) / batch
	clear(n.w.Grad)
	clear(n.b.Grad)
	p := make([]float64, k)
	var res model.StepResult
	for i := range batch {
		xi := x[i*d : (i+1)*d]
		l, ok := n.forward(xi, y[i], p)
		res.Loss += l / float64(batch)
		if ok {
			res.Correct++
		}
		for c := range k {
			g := p[c]
			if int32(c) == y[i] {
				g--
			}
			g /= float64(batch)
			if keep == nil || keep[len(keep)-1] {
				n.b.Grad[c] += float32(g)
			}
			for j := range d {
				n.w.Grad[c*d+j] += float32(g * float64(xi[j]))
			}
		}
		for j := range d {
			n.stats.Mean[j] = 0.9*n.stats.Mean[j] + 0.1*xi[j]/float32(batch)
			n.stats.Var[j] = 0.9*n.stats.Var[j] + 0.1*xi[j]*xi[j]/float32(batch)
		}
	}
	if n.steps == n.nanLossAt {
		res.Loss = math.NaN()
	}
	if n.steps == n.infGradAt {
		n.w.Grad[3] = float32(math.Inf(1))
	}
	return res, nil
}

func (n *fakeNet) Evaluate(x []float32, y []int32, batch int) (float64, int, error) {
	p := make([]float64, len(n.b.Value))
	d := len(x) / batch
	var sum float64
	var correct int
	for i := range batch {
		l, ok := n.forward(x[i*d:(i+1)*d], y[i], p)
		sum += l
		if ok {
			correct++
		}
	}
	return sum, correct, nil
}

// fakeConfig is a small run of the fake: 100 training images in batches of
// 16 (7 per epoch, the last one partial), 3 epochs.
func fakeConfig() config.Config {
	c := config.Default()
	c.Name = "fake"
	c.Data.Name = "fake"
	c.Threads = 1
	c.Train.BatchSize = 16
	c.Train.Iterations = 0
	c.Train.Epochs = 3
	c.Train.LR = 0.5
	c.Train.LRSteps = []int{2}
	c.Train.LRStepUnit = "epoch"
	c.Checkpoint.Keep = 3
	return c
}

// fakeOptions runs the fake in dir with a clock that advances 1 ms per reading.
func fakeOptions(dir string) Options {
	return Options{RunDir: dir, Version: "test", Now: fakeClock(), newNet: func(c config.Model, o model.Options) (network, error) {
		return newFake(c, o)
	}, openData: openFake, cpu: func() string { return "Test CPU @ 1.00GHz" }}
}

func fakeClock() func() time.Time {
	t := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	return func() time.Time {
		t = t.Add(time.Millisecond)
		return t
	}
}
