package model

// This file is the surface the rest of resx uses; the graph and its ops stay
// inside the package.

// InputShape is the shape of one input image, channels first.
type InputShape struct{ C, H, W int }

// Options are the build settings that do not come from config.Model.
type Options struct {
	// Batch is the training batch size the training graph is built for.
	// Other batch sizes (a kept last partial batch) get their own graph on
	// first use, sharing the parameters.
	Batch int
	// EvalBatch is the batch size of the forward-only evaluation program
	// (0 = Batch). Shorter evaluation batches are padded.
	EvalBatch int
	Classes   int
	Input     InputShape
	// Seed draws the initial weights.
	Seed uint64
	// Threads is the number of worker goroutines of the kernels (<= 0: 1).
	Threads int
}

// Param is one learnable tensor. Value and Grad alias the graph's memory:
// an optimiser updates Value in place; TrainStep overwrites Grad.
type Param struct {
	// Name is stable across builds of the same config, e.g. "s2.b3.conv1.w".
	Name  string
	Shape []int
	Value []float32
	Grad  []float32
	// Decay is false for batch-norm scale and bias (the optimiser decides
	// whether to decay them anyway).
	Decay bool
}

// RunningStats are one batch-norm layer's running mean and variance, used in
// evaluation. They alias the layer's memory.
type RunningStats struct {
	Name      string
	Mean, Var []float32
}

// StepResult is what one training step measured on its batch.
type StepResult struct {
	// Loss is the mean cross-entropy over the batch.
	Loss float64
	// Correct is how many images of the batch the network (in training mode,
	// before the update) classified correctly.
	Correct int
}
