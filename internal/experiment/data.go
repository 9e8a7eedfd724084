package experiment

import (
	"github.com/resx-dev/resx/internal/config"
	"github.com/resx-dev/resx/internal/model"
)

// batch is one batch as the network takes it: n images of x (n×C×H×W,
// normalised) and their labels.
type batch struct {
	x []float32
	y []int32
	n int
}

// source is a split as the loop reads it.
type source interface {
	batchesPerEpoch() int
	// epoch calls fn with the batches of epoch e (0-based) from batch start
	// on, in order, until fn returns false. Batch k of epoch e is the same
	// however the epoch is entered, so a resumed run sees the batches an
	// uninterrupted one sees. fn must not keep b after it returns.
	epoch(e, start int, fn func(b batch) bool) error
}

// data is what a run trains and evaluates on.
type data struct {
	name        string
	train, eval source
	classes     int
	input       model.InputShape
}

// network is the part of *model.Net the loop uses.
type network interface {
	Params() []*model.Param
	RunningStats() []*model.RunningStats
	TrainStep(x []float32, y []int32, batch int, keep []bool) (model.StepResult, error)
	Evaluate(x []float32, y []int32, batch int) (lossSum float64, correct int, err error)
	NumParams() int
	Survival() []float64
}

func newModel(cfg config.Model, opt model.Options) (network, error) {
	n, err := model.New(cfg, opt)
	if err != nil {
		return nil, err
	}
	return n, nil
}
