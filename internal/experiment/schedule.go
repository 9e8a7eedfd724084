package experiment

import (
	"math"
	"strconv"

	"github.com/resx-dev/resx/internal/config"
)

// Units of train.lr_step_unit.
const (
	unitIteration = "iteration"
	unitEpoch     = "epoch"
)

// schedule is the learning-rate recipe of config.Train, resolved once.
type schedule struct {
	lr, warmupLR, factor float64
	steps                []int
	byEpoch              bool
	warmup               bool
}

func newSchedule(t config.Train) (schedule, error) {
	s := schedule{lr: t.LR, warmupLR: t.WarmupLR, factor: t.LRFactor, steps: t.LRSteps, warmup: t.Warmup}
	switch t.LRStepUnit {
	case unitIteration, "":
	case unitEpoch:
		s.byEpoch = true
	default:
		return s, invalidf("train.lr_step_unit %q is neither %q nor %q",
			t.LRStepUnit, unitIteration, unitEpoch)
	}
	if len(s.steps) > 0 && s.factor <= 0 {
		return s, invalidf("train.lr_factor %g must be > 0 when train.lr_steps is set", s.factor)
	}
	if s.warmup && s.warmupLR <= 0 {
		return s, invalidf("train.warmup_lr %g must be > 0 when train.warmup is on", s.warmupLR)
	}
	return s, nil
}

// at is the learning rate of the step that follows iteration completed steps,
// in epoch (0-based, the epoch that step belongs to). warm is true while the
// warm-up has not yet ended. A boundary b in lr_steps applies from the step
// with index b on (PyTorch's MultiStepLR): with steps [32000], steps 0..31999
// use lr and step 32000 uses lr·factor.
func (s schedule) at(iteration, epoch int, warm bool) float64 {
	base := s.lr
	if s.warmup && warm {
		base = s.warmupLR
	}
	pos := iteration
	if s.byEpoch {
		pos = epoch
	}
	k := 0
	for _, b := range s.steps {
		if pos >= b {
			k++
		}
	}
	return roundSignificant(base * math.Pow(s.factor, float64(k)))
}

// roundSignificant rounds v to 12 significant digits, so 0.1·0.1 is the
// 0.01 a user wrote rather than 0.010000000000000002 in metrics.csv.
func roundSignificant(v float64) float64 {
	r, err := strconv.ParseFloat(strconv.FormatFloat(v, 'g', 12, 64), 64)
	if err != nil {
		return v
	}
	return r
}

// warmupEnds reports whether an epoch with training error trainErr ends the
// warm-up (He et al. 2016, section 4.2: 0.01 until the training error is
// below 80%, then 0.1).
func warmupEnds(t config.Train, trainErr float64) bool {
	return t.Warmup && trainErr < t.WarmupUntil
}
