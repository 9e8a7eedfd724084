package experiment

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"time"

	"github.com/resx-dev/resx/internal/config"
)

// RunSpec is one run of a sweep.
type RunSpec struct {
	Name   string
	Dir    string // the run folder
	Config config.Config
}

// SweepOptions are the settings of a sweep that are not part of its runs' configs.
type SweepOptions struct {
	// Progress, if not nil, gives the progress sink of each run.
	Progress func(RunSpec) Progress
	// DataDir, Version, Commit, Now and Log are passed to every run (see Options).
	DataDir         string
	Version, Commit string
	Now             func() time.Time
	Log             io.Writer

	// run trains one run; tests replace it.
	run func(context.Context, config.Config, Options) (*Summary, error)
}

// Outcomes of a run in a sweep.
const (
	OutcomeFinished    = "finished"    // trained (or resumed) to the end by this sweep
	OutcomeSkipped     = "skipped"     // had finished before, with the same config
	OutcomeFailed      = "failed"      // stopped with an error; the sweep went on
	OutcomeBusy        = "busy"        // another process holds its folder
	OutcomeInterrupted = "interrupted" // the sweep was cancelled during this run
	OutcomeNotStarted  = "not started" // the sweep was cancelled before this run
)

// RunOutcome is what became of one run of a sweep.
type RunOutcome struct {
	Name, Dir string
	Outcome   string
	Summary   *Summary // nil when the run has none
	Err       error
}

// SweepResult lists the outcome of every run, in the order given.
type SweepResult struct {
	Runs []RunOutcome
}

// Sweep trains runs one after another. A run that fails does not stop the
// others; the result and the error name every one that did not finish. A run
// whose folder holds a finished run of the same config is skipped, an
// unfinished one is resumed from its newest good checkpoint, and a folder
// that holds another config is refused rather than overwritten. A run folder
// that another process holds is left to it (OutcomeBusy). Cancelling ctx
// interrupts the current run as Run does and starts no more.
func Sweep(ctx context.Context, runs []RunSpec, opt SweepOptions) (SweepResult, error) {
	if err := checkSpecs(runs); err != nil {
		return SweepResult{}, err
	}
	run := opt.run
	if run == nil {
		run = Run
	}
	res := SweepResult{Runs: make([]RunOutcome, len(runs))}
	var errs []error
	for i, spec := range runs {
		o := &res.Runs[i]
		o.Name, o.Dir = spec.Name, spec.Dir
		if ctx.Err() != nil {
			o.Outcome = OutcomeNotStarted
			continue
		}
		want, err := configYAML(spec.Config)
		if err == nil {
			if s := finishedRun(spec.Dir, want); s != nil {
				o.Outcome, o.Summary = OutcomeSkipped, s
				continue
			}
		}
		ro := Options{RunDir: spec.Dir, Resume: true, DataDir: opt.DataDir, Version: opt.Version,
			Commit: opt.Commit, Now: opt.Now, Log: opt.Log}
		if opt.Progress != nil {
			ro.Progress = opt.Progress(spec)
		}
		if err == nil {
			o.Summary, err = run(ctx, spec.Config, ro)
		}
		switch {
		case err == nil:
			o.Outcome = OutcomeFinished
		case errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded):
			o.Outcome = OutcomeInterrupted
		case errors.Is(err, ErrBusy):
			o.Outcome = OutcomeBusy
		default:
			o.Outcome = OutcomeFailed
		}
		if err != nil {
			o.Err = err
			errs = append(errs, fmt.Errorf("%s: %w", spec.Name, err))
		}
	}
	if ctx.Err() != nil {
		return res, fmt.Errorf("sweep interrupted: %w", errors.Join(append(errs, ctx.Err())...))
	}
	if len(errs) > 0 {
		return res, fmt.Errorf("sweep: %d of %d runs did not finish: %w", len(errs), len(runs), errors.Join(errs...))
	}
	return res, nil
}

// checkSpecs refuses a sweep that names a run twice or puts two runs in one
// folder, before anything is written.
func checkSpecs(runs []RunSpec) error {
	names := map[string]bool{}
	dirs := map[string]string{}
	for _, r := range runs {
		if r.Name == "" || r.Dir == "" {
			return invalidf("sweep: a run has no name or no folder (%q, %q)", r.Name, r.Dir)
		}
		if names[r.Name] {
			return invalidf("sweep: run %q appears twice", r.Name)
		}
		names[r.Name] = true
		d := filepath.Clean(r.Dir)
		if other, ok := dirs[d]; ok {
			return invalidf("sweep: runs %q and %q share the folder %s", other, r.Name, d)
		}
		dirs[d] = r.Name
	}
	return nil
}
