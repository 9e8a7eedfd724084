// Package config holds resx's one typed configuration: the defaults, the
// keys users write in YAML files, RESX_* variables and --set flags, and the
// validation that reports every problem at once.
package config

// Config is the whole configuration of one run. The mapstructure tags are the
// key names users write (data.name, model.depth, train.lr, ...).
type Config struct {
	// Name names the experiment; runs are written under <out>/<name>/.
	Name string `mapstructure:"name" yaml:"name" json:"name"`
	// Seed drives initialisation, data order, augmentation and stochastic depth.
	Seed uint64 `mapstructure:"seed" yaml:"seed" json:"seed"`
	// Threads is the number of worker goroutines for the numeric kernels
	// (0 = runtime.NumCPU()).
	Threads int `mapstructure:"threads" yaml:"threads" json:"threads"`

	Data       Data       `mapstructure:"data" yaml:"data" json:"data"`
	Model      Model      `mapstructure:"model" yaml:"model" json:"model"`
	Train      Train      `mapstructure:"train" yaml:"train" json:"train"`
	Checkpoint Checkpoint `mapstructure:"checkpoint" yaml:"checkpoint" json:"checkpoint"`
}

// Data chooses the dataset and its input pipeline.
type Data struct {
	// Name is one of cifar10, cifar100, mnist, fashion-mnist,
	// fashion-mnist-mini (embedded) or synthetic (tests).
	Name string `mapstructure:"name" yaml:"name" json:"name"`
	// Dir overrides where datasets are looked for ("" = the resolution order).
	Dir string `mapstructure:"dir" yaml:"dir" json:"dir"`
	// Augment turns on pad-4 random crop and horizontal flip for training batches.
	Augment bool `mapstructure:"augment" yaml:"augment" json:"augment"`
	// Subset, if > 0, uses only the first Subset training images (after the
	// validation split is taken out).
	Subset int `mapstructure:"subset" yaml:"subset" json:"subset"`
	// TestSubset, if > 0, evaluates on only the first TestSubset test images.
	TestSubset int `mapstructure:"test_subset" yaml:"test_subset" json:"test_subset"`
	// Validation, if > 0, holds out this many training images (deterministically)
	// as a validation split, which is then evaluated in place of the test split
	// (the paper's 45k/5k uses 5000).
	Validation int `mapstructure:"validation" yaml:"validation" json:"validation"`
	// Normalize is "channel" (per-channel mean/std), "pixel" (the paper's
	// per-pixel mean subtraction) or "none"; statistics come from the training split.
	Normalize string `mapstructure:"normalize" yaml:"normalize" json:"normalize"`
	// Labels is "fine" (default) or "coarse"; only cifar100 uses it.
	Labels string `mapstructure:"labels" yaml:"labels" json:"labels"`
	// DropLast drops the last partial training batch of each epoch.
	DropLast bool `mapstructure:"drop_last" yaml:"drop_last" json:"drop_last"`
}

// Model chooses the network.
type Model struct {
	// Arch is "plain" or "residual".
	Arch string `mapstructure:"arch" yaml:"arch" json:"arch"`
	// Depth is 6n+2 for basic and preact blocks, 9n+2 for bottleneck blocks.
	Depth int `mapstructure:"depth" yaml:"depth" json:"depth"`
	// Block is "basic" (He et al. 2016), "preact" (He et al. 2016b) or "bottleneck".
	Block string `mapstructure:"block" yaml:"block" json:"block"`
	// Shortcut is "A" (identity, zero-padded at stage changes), "B"
	// (projection where the shape changes) or "C" (projection everywhere).
	Shortcut string `mapstructure:"shortcut" yaml:"shortcut" json:"shortcut"`
	// Width multiplies the stage widths 16/32/64 (1 = the paper; 0.5 gives 8/16/32).
	Width float64 `mapstructure:"width" yaml:"width" json:"width"`
	// Survival is the survival probability of the last residual block for
	// stochastic depth (Huang et al. 2016, linear decay from 1 at the input);
	// 1 disables it.
	Survival float64 `mapstructure:"survival" yaml:"survival" json:"survival"`
}

// Train is the optimisation recipe.
type Train struct {
	BatchSize int `mapstructure:"batch_size" yaml:"batch_size" json:"batch_size"`
	// Epochs is the length of the run in epochs; ignored when Iterations > 0.
	Epochs int `mapstructure:"epochs" yaml:"epochs" json:"epochs"`
	// Iterations, if > 0, is the length of the run in SGD steps (the paper: 64000).
	Iterations int     `mapstructure:"iterations" yaml:"iterations" json:"iterations"`
	LR         float64 `mapstructure:"lr" yaml:"lr" json:"lr"`
	Momentum   float64 `mapstructure:"momentum" yaml:"momentum" json:"momentum"`
	Nesterov   bool    `mapstructure:"nesterov" yaml:"nesterov" json:"nesterov"`
	// WeightDecay is the L2 coefficient added to the gradients by resx.
	WeightDecay float64 `mapstructure:"weight_decay" yaml:"weight_decay" json:"weight_decay"`
	// DecayBN applies weight decay to batch-norm scale and bias as well.
	DecayBN bool `mapstructure:"decay_bn" yaml:"decay_bn" json:"decay_bn"`
	// LRSteps are the points where the learning rate is multiplied by LRFactor,
	// in the unit LRStepUnit ("iteration" or "epoch").
	LRSteps    []int   `mapstructure:"lr_steps" yaml:"lr_steps" json:"lr_steps"`
	LRStepUnit string  `mapstructure:"lr_step_unit" yaml:"lr_step_unit" json:"lr_step_unit"`
	LRFactor   float64 `mapstructure:"lr_factor" yaml:"lr_factor" json:"lr_factor"`
	// Warmup is the ResNet-110 warm-up: WarmupLR until the training error of an
	// epoch falls below WarmupUntil, then LR.
	Warmup      bool    `mapstructure:"warmup" yaml:"warmup" json:"warmup"`
	WarmupLR    float64 `mapstructure:"warmup_lr" yaml:"warmup_lr" json:"warmup_lr"`
	WarmupUntil float64 `mapstructure:"warmup_until" yaml:"warmup_until" json:"warmup_until"`
	// LogEvery, if > 0, also writes a metrics row (training columns only)
	// every LogEvery iterations.
	LogEvery int `mapstructure:"log_every" yaml:"log_every" json:"log_every"`
}

// Checkpoint says how often and how many checkpoints are kept.
type Checkpoint struct {
	// Every, if > 0, also checkpoints every Every iterations (always at each epoch end).
	Every int `mapstructure:"every" yaml:"every" json:"every"`
	// Keep is how many checkpoints are kept (the newest).
	Keep int `mapstructure:"keep" yaml:"keep" json:"keep"`
}

// Default returns the paper's CIFAR-10 recipe for ResNet-20 (He et al. 2016,
// section 4.2): batch 128, lr 0.1 divided by 10 at 32k and 48k iterations,
// stop at 64k, momentum 0.9, weight decay 1e-4, pad-4 crop and flip.
func Default() Config {
	return Config{
		Name:  "default",
		Seed:  1,
		Data:  Data{Name: "cifar10", Augment: true, Normalize: "pixel", Labels: "fine", DropLast: false},
		Model: Model{Arch: "residual", Depth: 20, Block: "basic", Shortcut: "A", Width: 1, Survival: 1},
		Train: Train{
			BatchSize: 128, Iterations: 64000, LR: 0.1, Momentum: 0.9, WeightDecay: 1e-4,
			DecayBN: true, LRSteps: []int{32000, 48000}, LRStepUnit: "iteration", LRFactor: 0.1,
			WarmupLR: 0.01, WarmupUntil: 0.8,
		},
		Checkpoint: Checkpoint{Keep: 2},
	}
}
