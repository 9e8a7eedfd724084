// Package optim is the optimiser of resx's training runs: stochastic
// gradient descent with momentum and weight decay, as PyTorch's SGD
// computes it, over the model's float32 params.
package optim

import (
	"math"

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
func (o *SGD) Step(params []*model.Param, lr float64) (bad int) {
	bad = -1
	m := o.Momentum
	for i, p := range params {
		wd := 0.0
		if p.Decay || o.DecayBN {
			wd = o.WeightDecay
		}
		v := o.Velocity[i]
		w := p.Value
		var sum float64
		for j, gj := range p.Grad {
			wj := float64(w[j])
			g := float64(gj) + wd*wj
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
