// Package optim is the optimiser of resx's training runs: stochastic
// gradient descent with momentum and weight decay, as PyTorch's SGD
// computes it, over the model's float32 params.
package optim

import (
	"math"
	"sync"

	"github.com/resx-dev/resx/internal/model"
)

// SGD is stochastic gradient descent with momentum in PyTorch's form:
//
//	g = grad + wd·w            (for params that are decayed)
//	v = m·v + g
//	w -= lr·v                  (or w -= lr·(g + m·v) with Nesterov)
//
// Weight decay is added here rather than by Gorgonia's solver, whose L2 term
// multiplies the velocity instead of the weight (see GORGONIA_NOTES.md).
// Each element is updated in float64 and rounded once to float32.
// DecayBN also decays the params that are not marked for decay (the batch
// norms' scales and shifts).
type SGD struct {
	Momentum, WeightDecay float64
	Nesterov, DecayBN     bool
	// Velocity has one slice per param, in the order of the params given
	// to Step; checkpoints save and restore it.
	Velocity [][]float32
	// Workers is how many goroutines Step may use (0 or 1: the caller's).
	Workers int
}

// NewSGD returns an optimiser with zero velocity for params.
func NewSGD(momentum, weightDecay float64, nesterov, decayBN bool, params []*model.Param) *SGD {
	o := &SGD{Momentum: momentum, WeightDecay: weightDecay, Nesterov: nesterov, DecayBN: decayBN}
	o.Velocity = make([][]float32, len(params))
	for i, p := range params {
		o.Velocity[i] = make([]float32, len(p.Value))
	}
	return o
}

// Step updates every param in place with learning rate lr. It returns the
// index of the first param whose updated values are not all finite, or -1;
// it checks by summing each param, which costs nothing beside the update.
// With Workers > 1 the elements are split into that many contiguous ranges
// over all params, updated in parallel; each element is computed alike, so
// the bits do not depend on the workers.
func (o *SGD) Step(params []*model.Param, lr float64) (bad int) {
	total := 0
	for _, p := range params {
		total += len(p.Grad)
	}
	nw := max(1, min(o.Workers, total/sgdMinPart))
	if nw == 1 {
		return o.update(params, lr, 0, total)
	}
	bads := make([]int, nw)
	var wg sync.WaitGroup
	for w := 1; w < nw; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			bads[w] = o.update(params, lr, w*total/nw, (w+1)*total/nw)
		}()
	}
	bads[0] = o.update(params, lr, 0, total/nw)
	wg.Wait()
	bad = -1
	for _, b := range bads {
		if b >= 0 && (bad < 0 || b < bad) {
			bad = b
		}
	}
	return bad
}

// sgdMinPart is the fewest elements worth a goroutine of their own.
const sgdMinPart = 1 << 16

// update is Step over the elements [lo, hi) of the params laid end to end.
func (o *SGD) update(params []*model.Param, lr float64, lo, hi int) (bad int) {
	bad = -1
	m := o.Momentum
	at := 0 // the first element of params[i] in the whole
	for i, p := range params {
		n := len(p.Grad)
		j0, j1 := max(lo-at, 0), min(hi-at, n)
		at += n
		if j0 >= j1 {
			continue
		}
		wd := 0.0
		if p.Decay || o.DecayBN {
			wd = o.WeightDecay
		}
		v := o.Velocity[i]
		w := p.Value
		var sum float64
		for j := j0; j < j1; j++ {
			wj := float64(w[j])
			g := float64(p.Grad[j]) + wd*wj
			vj := m*float64(v[j]) + g
			v[j] = float32(vj)
			d := vj
			if o.Nesterov {
				d = g + m*vj
			}
			nw := float32(wj - lr*d)
			w[j] = nw
			sum += float64(nw)
		}
		if bad < 0 && (math.IsNaN(sum) || math.IsInf(sum, 0)) {
			bad = i
		}
	}
	return bad
}
