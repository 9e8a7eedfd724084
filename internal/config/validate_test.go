package config

import (
	"math"
	"strings"
	"testing"
)

func TestDefaultIsValid(t *testing.T) {
	c := Default()
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
}

func TestValidate(t *testing.T) {
	for _, tc := range []struct {
		name   string
		change func(c *Config)
		key    string
		want   string
	}{
		{"depth not 6n+2", func(c *Config) { c.Model.Depth = 57 }, "model.depth", "57 is not 6n+2 (20, 32, 44, 56, 110, ...)"},
		{"depth too small", func(c *Config) { c.Model.Depth = 2 }, "model.depth", "2 is not 6n+2"},
		{"bottleneck depth", func(c *Config) { c.Model.Block = "bottleneck"; c.Model.Depth = 110 + 6 }, "model.depth", "116 is not 9n+2"},
		{"arch", func(c *Config) { c.Model.Arch = "resnet" }, "model.arch", `"resnet" is not one of plain, residual`},
		{"block", func(c *Config) { c.Model.Block = "wide" }, "model.block", `"wide" is not one of basic, preact, bottleneck`},
		{"shortcut", func(c *Config) { c.Model.Shortcut = "a" }, "model.shortcut", `"a" is not one of A, B, C`},
		{"width", func(c *Config) { c.Model.Width = 0 }, "model.width", "0 must be > 0"},
		{"survival zero", func(c *Config) { c.Model.Survival = 0 }, "model.survival", "0 is not in (0, 1]"},
		{"survival above one", func(c *Config) { c.Model.Survival = 1.5 }, "model.survival", "1.5 is not in (0, 1]"},
		{"survival on plain", func(c *Config) { c.Model.Arch = "plain"; c.Model.Survival = 0.5 }, "model.survival", "0.5 needs model.arch residual"},
		{"dataset", func(c *Config) { c.Data.Name = "imagenet" }, "data.name", `"imagenet" is not one of cifar10, cifar100, mnist, fashion-mnist, fashion-mnist-mini, synthetic`},
		{"normalize", func(c *Config) { c.Data.Normalize = "zca" }, "data.normalize", `"zca" is not one of`},
		{"labels", func(c *Config) { c.Data.Labels = "medium" }, "data.labels", `"medium" is not one of fine, coarse`},
		{"subset", func(c *Config) { c.Data.Subset = -1 }, "data.subset", "-1 must be >= 0"},
		{"validation", func(c *Config) { c.Data.Validation = -5 }, "data.validation", "-5 must be >= 0"},
		{"lr zero", func(c *Config) { c.Train.LR = 0 }, "train.lr", "0 must be > 0"},
		{"lr NaN", func(c *Config) { c.Train.LR = math.NaN() }, "train.lr", "NaN must be > 0"},
		{"batch size", func(c *Config) { c.Train.BatchSize = 0 }, "train.batch_size", "0 must be >= 1"},
		{"no length", func(c *Config) { c.Train.Epochs, c.Train.Iterations = 0, 0 }, "train.epochs", "the run has no length: set train.epochs or train.iterations > 0"},
		{"negative epochs", func(c *Config) { c.Train.Epochs = -1 }, "train.epochs", "-1 must be >= 0"},
		{"momentum one", func(c *Config) { c.Train.Momentum = 1 }, "train.momentum", "1 is not in [0, 1)"},
		{"nesterov without momentum", func(c *Config) { c.Train.Momentum = 0; c.Train.Nesterov = true }, "train.nesterov", "needs train.momentum > 0"},
		{"weight decay", func(c *Config) { c.Train.WeightDecay = -1e-4 }, "train.weight_decay", "-0.0001 must be >= 0"},
		{"lr steps order", func(c *Config) { c.Train.LRSteps = []int{48000, 32000} }, "train.lr_steps", "[48000 32000] is not strictly increasing"},
		{"lr steps zero", func(c *Config) { c.Train.LRSteps = []int{0} }, "train.lr_steps", "step 1 is 0, must be > 0"},
		{"step unit", func(c *Config) { c.Train.LRStepUnit = "epochs" }, "train.lr_step_unit", `"epochs" is not one of iteration, epoch`},
		{"lr factor", func(c *Config) { c.Train.LRFactor = 0 }, "train.lr_factor", "0 is not in (0, 1]"},
		{"warmup lr", func(c *Config) { c.Train.Warmup = true; c.Train.WarmupLR = 0 }, "train.warmup_lr", "0 must be > 0"},
		{"warmup until", func(c *Config) { c.Train.Warmup = true; c.Train.WarmupUntil = 80 }, "train.warmup_until", "80 is not a training error in (0, 1]"},
		{"log every", func(c *Config) { c.Train.LogEvery = -1 }, "train.log_every", "-1 must be >= 0"},
		{"threads", func(c *Config) { c.Threads = -2 }, "threads", "-2 must be >= 0"},
		{"checkpoint keep", func(c *Config) { c.Checkpoint.Keep = 0 }, "checkpoint.keep", "0 must be >= 1"},
		{"checkpoint every", func(c *Config) { c.Checkpoint.Every = -1 }, "checkpoint.every", "-1 must be >= 0"},
		{"empty name", func(c *Config) { c.Name = "" }, "name", "must not be empty"},
		{"name with slash", func(c *Config) { c.Name = "a/b" }, "name", `"a/b" cannot be a folder name`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := Default()
			tc.change(&c)
			err := c.Validate()
			if err == nil {
				t.Fatal("Validate accepted it")
			}
			ps := problemsOf(t, err)
			if len(ps) != 1 {
				t.Errorf("got %d problems, want 1: %v", len(ps), ps)
			}
			want := tc.key + ": " + tc.want
			if !strings.Contains(err.Error(), want) {
				t.Errorf("error %q does not contain %q", err, want)
			}
		})
	}
}

func TestValidateReportsEveryProblem(t *testing.T) {
	c := Default()
	c.Model.Depth = 57
	c.Train.LR = -1
	c.Data.Name = "imagenet"
	err := c.Validate()
	ps := problemsOf(t, err)
	if len(ps) != 3 {
		t.Fatalf("got %d problems, want 3: %v", len(ps), err)
	}
	if !strings.HasPrefix(err.Error(), "invalid configuration (3 problems):\n  data.name: ") {
		t.Errorf("message:\n%s", err)
	}
}

func TestBottleneckDepths(t *testing.T) {
	for _, d := range []int{164, 1001, 29} {
		c := Default()
		c.Model.Block, c.Model.Depth = "bottleneck", d
		if err := c.Validate(); err != nil {
			t.Errorf("bottleneck %d: %v", d, err)
		}
	}
}
