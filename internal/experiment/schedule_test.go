package experiment

import (
	"context"
	"errors"
	"testing"

	"github.com/resx-dev/resx/internal/config"
)

func TestScheduleBoundaries(t *testing.T) {
	iter := config.Train{LR: 0.1, LRFactor: 0.1, LRSteps: []int{32000, 48000}, LRStepUnit: "iteration"}
	epoch := config.Train{LR: 0.1, LRFactor: 0.5, LRSteps: []int{10, 20}, LRStepUnit: "epoch"}
	warm := config.Train{LR: 0.1, LRFactor: 0.1, LRSteps: []int{32000}, LRStepUnit: "iteration",
		Warmup: true, WarmupLR: 0.01, WarmupUntil: 0.8}
	cases := []struct {
		name             string
		train            config.Train
		iteration, epoch int
		warm             bool
		want             float64
	}{
		{"iteration start", iter, 0, 0, false, 0.1},
		{"iteration before first step", iter, 31999, 99, false, 0.1},
		{"iteration at first step", iter, 32000, 0, false, 0.1 * 0.1},
		{"iteration before second step", iter, 47999, 0, false, 0.1 * 0.1},
		{"iteration at second step", iter, 48000, 0, false, 0.1 * 0.1 * 0.1},
		{"iteration end", iter, 63999, 0, false, 0.1 * 0.1 * 0.1},
		{"iteration ignores warm flag without warmup", iter, 0, 0, true, 0.1},
		{"epoch start", epoch, 5000, 0, false, 0.1},
		{"epoch before step", epoch, 0, 9, false, 0.1},
		{"epoch at step", epoch, 0, 10, false, 0.05},
		{"epoch at second step", epoch, 0, 20, false, 0.025},
		{"epoch ignores iterations", epoch, 1 << 30, 19, false, 0.05},
		{"warm-up on", warm, 0, 0, true, 0.01},
		{"warm-up switched off", warm, 400, 1, false, 0.1},
		{"warm-up past a step", warm, 32000, 1, true, 0.01 * 0.1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s, err := newSchedule(c.train)
			if err != nil {
				t.Fatal(err)
			}
			if got := s.at(c.iteration, c.epoch, c.warm); !closeTo(got, c.want, 1e-15) {
				t.Errorf("at(%d, %d, %v) = %v, want %v", c.iteration, c.epoch, c.warm, got, c.want)
			}
		})
	}
}

func TestWarmupEnds(t *testing.T) {
	tr := config.Train{Warmup: true, WarmupUntil: 0.8}
	if warmupEnds(tr, 0.8) {
		t.Error("training error equal to warmup_until ended the warm-up; it must fall below")
	}
	if !warmupEnds(tr, 0.79) {
		t.Error("training error 0.79 < 0.8 did not end the warm-up")
	}
	tr.Warmup = false
	if warmupEnds(tr, 0) {
		t.Error("warm-up ended although it is off")
	}
}

func TestScheduleBadInput(t *testing.T) {
	for _, tr := range []config.Train{
		{LR: 0.1, LRStepUnit: "epochs"},
		{LR: 0.1, LRSteps: []int{5}, LRFactor: 0},
		{LR: 0.1, Warmup: true, WarmupLR: 0},
	} {
		if _, err := newSchedule(tr); !errors.Is(err, ErrInvalidInput) {
			t.Errorf("newSchedule(%+v) = %v, want an error wrapping ErrInvalidInput", tr, err)
		}
	}
}

// closeTo reports whether a and b agree within rel relative to the larger.
func closeTo(a, b, rel float64) bool {
	d := a - b
	if d < 0 {
		d = -d
	}
	m := max(a, -a, b, -b)
	return d <= rel*m
}

// epochRows is a Progress that keeps the rows of the epochs.
type epochRows struct {
	silent
	rows []Row
}

func (e *epochRows) Epoch(r Row) { e.rows = append(e.rows, r) }

// The warm-up holds warmup_lr until an epoch's training error is below
// warmup_until, then the schedule continues from lr.
func TestWarmupInRun(t *testing.T) {
	for _, tc := range []struct {
		until float64
		want  []float64 // the lr of each epoch's row
	}{
		{0.5, []float64{0.05, 0.5, 0.5 * 0.1}},    // epoch 1's training error falls below 0.5
		{0.01, []float64{0.05, 0.05, 0.05 * 0.1}}, // never ends; lr_steps still apply
	} {
		cfg := fakeConfig()
		cfg.Train.Warmup, cfg.Train.WarmupLR, cfg.Train.WarmupUntil = true, 0.05, tc.until
		opt := fakeOptions(t.TempDir())
		rows := &epochRows{}
		opt.Progress = rows
		if _, err := Run(context.Background(), cfg, opt); err != nil {
			t.Fatal(err)
		}
		var got []float64
		for _, r := range rows.rows {
			got = append(got, r.LR)
		}
		if len(got) != len(tc.want) {
			t.Fatalf("warmup_until %g: rows %v", tc.until, rows.rows)
		}
		for i := range got {
			if !closeTo(got[i], tc.want[i], 1e-15) {
				t.Errorf("warmup_until %g: lr per epoch %v, want %v", tc.until, got, tc.want)
				break
			}
		}
	}
}
