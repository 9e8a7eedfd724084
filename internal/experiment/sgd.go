package experiment

import (
	"math"

	"github.com/resx-dev/resx/internal/model"
)

// sgd is stochastic gradient descent with momentum in PyTorch's form:
//
//	g = grad + wd·w            (for params that are decayed)
//	v = m·v + g
//	w -= lr·v                  (or w -= lr·(g + m·v) with Nesterov)
//
// Weight decay is added here rather than by Gorgonia's solver, whose L2 term
// multiplies the velocity instead of the weight (see GORGONIA_NOTES.md).
// Each element is updated in float64 and rounded once to float32.
type sgd struct {
	momentum, weightDecay float64
	nesterov, decayBN     bool
	// velocity has one slice per param, in the order of the params given to step.
	velocity [][]float32
}

func newSGD(momentum, weightDecay float64, nesterov, decayBN bool, params []*model.Param) *sgd {
	o := &sgd{momentum: momentum, weightDecay: weightDecay, nesterov: nesterov, decayBN: decayBN}
	o.velocity = make([][]float32, len(params))
	for i, p := range params {
		o.velocity[i] = make([]float32, len(p.Value))
	}
	return o
}

// step updates every param in place with learning rate lr. It returns the
// index of the first param whose updated values are not all finite, or -1;
// it checks by summing each param, which costs nothing beside the update.
func (o *sgd) step(params []*model.Param, lr float64) (bad int) {
	bad = -1
	m := o.momentum
	for i, p := range params {
		wd := 0.0
		if p.Decay || o.decayBN {
			wd = o.weightDecay
		}
		v := o.velocity[i]
		w := p.Value
		var sum float64
		for j, gj := range p.Grad {
			wj := float64(w[j])
			g := float64(gj) + wd*wj
			vj := m*float64(v[j]) + g
			v[j] = float32(vj)
			d := vj
			if o.nesterov {
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

// firstNonFinite returns the name of the first param whose gradient holds a
// NaN or an Inf, or "" if all are finite.
func firstNonFinite(params []*model.Param) string {
	for _, p := range params {
		var sum float64
		for _, g := range p.Grad {
			sum += float64(g)
		}
		if math.IsNaN(sum) || math.IsInf(sum, 0) {
			return p.Name
		}
	}
	return ""
}
