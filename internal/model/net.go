package model

import (
	"errors"

	"github.com/resx-dev/resx/internal/config"
)

// Net is a built network: a training graph with its gradient, a forward-only
// evaluation program, and the parameters they share.
type Net struct {
	params []*Param
	stats  []*RunningStats
}

// New builds the network cfg describes for inputs of shape opt.Input.
func New(cfg config.Model, opt Options) (*Net, error) {
	return nil, errors.New("model.New: not implemented yet")
}

// Params returns the learnable tensors in a stable order.
func (n *Net) Params() []*Param { return n.params }

// RunningStats returns every batch-norm layer's running statistics in a stable order.
func (n *Net) RunningStats() []*RunningStats { return n.stats }

// TrainStep runs forward and backward on one batch in training mode: x holds
// batch images (batch×C×H×W), y their labels. It overwrites every Param.Grad
// and updates the batch-norm running statistics; it does not change weights.
// keep, if not nil, has one entry per gated residual block (see Survival):
// false drops that block's residual branch for this step.
func (n *Net) TrainStep(x []float32, y []int32, batch int, keep []bool) (StepResult, error) {
	return StepResult{}, errors.New("not implemented")
}

// Evaluate runs the forward-only program in evaluation mode on batch images
// and returns the summed cross-entropy and the number classified correctly.
// It changes neither the weights nor the running statistics.
func (n *Net) Evaluate(x []float32, y []int32, batch int) (lossSum float64, correct int, err error) {
	return 0, 0, errors.New("not implemented")
}

// NumParams is the number of learnable scalars.
func (n *Net) NumParams() int { return 0 }

// FLOPs is the forward cost of one image, counted from the graph (2 per multiply-add).
func (n *Net) FLOPs() int64 { return 0 }

// Survival returns the survival probability of each gated residual block
// (stochastic depth), in the order TrainStep's keep argument uses. It is
// empty when stochastic depth is off.
func (n *Net) Survival() []float64 { return nil }
