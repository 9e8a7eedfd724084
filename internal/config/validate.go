package config

import (
	"fmt"
	"math"
	"slices"
	"strings"
)

// Problem is one thing wrong with a configuration.
type Problem struct {
	// Key is the configuration key at fault ("" when the problem is not
	// about one key, such as an unreadable file).
	Key     string
	Message string
}

func (p Problem) String() string {
	if p.Key == "" {
		return p.Message
	}
	return p.Key + ": " + p.Message
}

// ValidationError lists every problem found in a configuration. The command
// line maps it to exit code 2.
type ValidationError struct {
	Problems []Problem
}

func (e *ValidationError) Error() string {
	if len(e.Problems) == 1 {
		return "invalid configuration: " + e.Problems[0].String()
	}
	var b strings.Builder
	fmt.Fprintf(&b, "invalid configuration (%d problems):", len(e.Problems))
	for _, p := range e.Problems {
		b.WriteString("\n  " + p.String())
	}
	return b.String()
}

// Known values of the enumerated keys.
var (
	Datasets    = []string{"cifar10", "cifar100", "mnist", "fashion-mnist", "fashion-mnist-mini", "synthetic"}
	Archs       = []string{"plain", "residual"}
	Blocks      = []string{"basic", "preact", "bottleneck"}
	Shortcuts   = []string{"A", "B", "C"}
	Normalizers = []string{"channel", "pixel", "none"}
	LabelSets   = []string{"fine", "coarse"}
	StepUnits   = []string{"iteration", "epoch"}
)

// Validate checks c and returns a *ValidationError naming every problem, or nil.
func (c *Config) Validate() error {
	var ps problems
	if c.Name == "" {
		ps.add("name", "must not be empty (it names the experiment folder)")
	} else if c.Name == "." || c.Name == ".." || strings.ContainsAny(c.Name, `/\`) {
		ps.add("name", "%q cannot be a folder name", c.Name)
	}
	ps.atLeast("threads", c.Threads, 0)

	d := c.Data
	ps.oneOf("data.name", d.Name, Datasets)
	ps.oneOf("data.normalize", d.Normalize, Normalizers)
	ps.oneOf("data.labels", d.Labels, LabelSets)
	ps.atLeast("data.subset", d.Subset, 0)
	ps.atLeast("data.test_subset", d.TestSubset, 0)
	ps.atLeast("data.validation", d.Validation, 0)

	m := c.Model
	ps.oneOf("model.arch", m.Arch, Archs)
	ps.oneOf("model.block", m.Block, Blocks)
	ps.oneOf("model.shortcut", m.Shortcut, Shortcuts)
	if msg := depthProblem(m.Depth, m.Block); msg != "" {
		ps.add("model.depth", "%s", msg)
	}
	if !(m.Width > 0) || math.IsInf(m.Width, 0) {
		ps.add("model.width", "%v must be > 0 (1 = the paper's 16/32/64 channels)", m.Width)
	}
	if !(m.Survival > 0 && m.Survival <= 1) {
		ps.add("model.survival", "%v is not in (0, 1] (1 turns stochastic depth off)", m.Survival)
	} else if m.Survival < 1 && m.Arch == "plain" {
		ps.add("model.survival", "%v needs model.arch residual: stochastic depth drops residual branches", m.Survival)
	}

	t := c.Train
	ps.atLeast("train.batch_size", t.BatchSize, 1)
	ps.atLeast("train.epochs", t.Epochs, 0)
	ps.atLeast("train.iterations", t.Iterations, 0)
	if t.Epochs <= 0 && t.Iterations <= 0 {
		ps.add("train.epochs", "the run has no length: set train.epochs or train.iterations > 0")
	}
	ps.positive("train.lr", t.LR)
	if !(t.Momentum >= 0 && t.Momentum < 1) {
		ps.add("train.momentum", "%v is not in [0, 1)", t.Momentum)
	} else if t.Nesterov && t.Momentum == 0 {
		ps.add("train.nesterov", "needs train.momentum > 0")
	}
	if !(t.WeightDecay >= 0) || math.IsInf(t.WeightDecay, 0) {
		ps.add("train.weight_decay", "%v must be >= 0", t.WeightDecay)
	}
	for i, s := range t.LRSteps {
		if s <= 0 {
			ps.add("train.lr_steps", "step %d is %d, must be > 0", i+1, s)
		} else if i > 0 && s <= t.LRSteps[i-1] {
			ps.add("train.lr_steps", "%v is not strictly increasing", t.LRSteps)
			break
		}
	}
	ps.oneOf("train.lr_step_unit", t.LRStepUnit, StepUnits)
	if !(t.LRFactor > 0 && t.LRFactor <= 1) {
		ps.add("train.lr_factor", "%v is not in (0, 1]", t.LRFactor)
	}
	if t.Warmup {
		ps.positive("train.warmup_lr", t.WarmupLR)
		if !(t.WarmupUntil > 0 && t.WarmupUntil <= 1) {
			ps.add("train.warmup_until", "%v is not a training error in (0, 1]", t.WarmupUntil)
		}
	}
	ps.atLeast("train.log_every", t.LogEvery, 0)

	ps.atLeast("checkpoint.every", c.Checkpoint.Every, 0)
	ps.atLeast("checkpoint.keep", c.Checkpoint.Keep, 1)
	return ps.err()
}

// depthProblem explains why depth does not fit block, or returns "".
// Basic and pre-activation blocks hold two layers (depth 6n+2), bottleneck
// blocks three (9n+2); the 2 are the first convolution and the classifier.
func depthProblem(depth int, block string) string {
	per, examples := 6, "20, 32, 44, 56, 110, ..."
	if block == "bottleneck" {
		per, examples = 9, "29, 56, 110, 164, 1001, ..."
	}
	if depth < per+2 || (depth-2)%per != 0 {
		return fmt.Sprintf("%d is not %dn+2 (%s)", depth, per, examples)
	}
	return ""
}

type problems []Problem

func (ps *problems) add(key, format string, args ...any) {
	*ps = append(*ps, Problem{Key: key, Message: fmt.Sprintf(format, args...)})
}

func (ps *problems) oneOf(key, v string, allowed []string) {
	if !slices.Contains(allowed, v) {
		ps.add(key, "%q is not one of %s", v, strings.Join(allowed, ", "))
	}
}

func (ps *problems) atLeast(key string, v, lo int) {
	if v < lo {
		ps.add(key, "%d must be >= %d", v, lo)
	}
}

func (ps *problems) positive(key string, v float64) {
	if !(v > 0) || math.IsInf(v, 0) {
		ps.add(key, "%v must be > 0", v)
	}
}

func (ps problems) err() error {
	if len(ps) == 0 {
		return nil
	}
	return &ValidationError{Problems: ps}
}
