package main

import (
	"fmt"
	"io"
	"time"

	"github.com/schollz/progressbar/v3"

	"github.com/resx-dev/resx/internal/experiment"
)

// progress shows a run's progress on stderr: a bar with the rate, the time
// left and the running training error when stderr is a terminal, otherwise
// one line per epoch so that logs stay readable. A nil *progress (--quiet)
// shows nothing.
type progress struct {
	w           io.Writer
	interactive bool
	prefix      string // the run's name, after [2/4] in a sweep

	info     experiment.RunInfo
	epochs   int
	bar      *progressbar.ProgressBar
	lastDesc time.Time
}

var _ experiment.Progress = (*progress)(nil)

func (a *app) progress(prefix, name string) *progress {
	if a.quiet {
		return nil
	}
	return &progress{w: a.stderr, interactive: a.interactive, prefix: prefix + name}
}

func (p *progress) Start(info experiment.RunInfo) {
	if p == nil {
		return
	}
	p.info = info
	if info.StepsPerEpoch > 0 {
		p.epochs = (info.TotalSteps + info.StepsPerEpoch - 1) / info.StepsPerEpoch
	}
	resumed := ""
	if info.StartIteration > 0 {
		resumed = fmt.Sprintf(", resumed at step %d", info.StartIteration)
	}
	fmt.Fprintf(p.w, "%s: %d parameters, %d epochs of %d steps%s\n",
		p.prefix, info.Params, p.epochs, info.StepsPerEpoch, resumed)
	if !p.interactive {
		return
	}
	p.bar = progressbar.NewOptions(info.TotalSteps-info.StartIteration,
		progressbar.OptionSetWriter(p.w),
		progressbar.OptionSetDescription(p.prefix),
		progressbar.OptionSetWidth(24),
		progressbar.OptionShowCount(),
		progressbar.OptionShowIts(),
		progressbar.OptionSetItsString("step"),
		progressbar.OptionSetPredictTime(true),
		progressbar.OptionSetElapsedTime(true),
		progressbar.OptionThrottle(200*time.Millisecond),
		progressbar.OptionClearOnFinish(),
	)
}

func (p *progress) Step(s experiment.StepInfo) {
	if p == nil || p.bar == nil {
		return
	}
	if now := time.Now(); now.Sub(p.lastDesc) > 250*time.Millisecond {
		p.lastDesc = now
		p.bar.Describe(fmt.Sprintf("%s epoch %d/%d train err %.1f%%",
			p.prefix, s.Epoch+1, p.epochs, 100*s.TrainError))
	}
	_ = p.bar.Set(s.Iteration - p.info.StartIteration)
}

func (p *progress) Epoch(r experiment.Row) {
	if p == nil {
		return
	}
	if p.bar != nil {
		_ = p.bar.Clear()
	}
	test := ""
	if r.Evaluated() {
		test = fmt.Sprintf(" test err %.2f%% loss %.3f", 100*r.TestError, r.TestLoss)
	}
	fmt.Fprintf(p.w, "%s epoch %d/%d step %d lr %g: train err %.2f%% loss %.3f%s (%.0f s)\n",
		p.prefix, r.Epoch, p.epochs, r.Iteration, r.LR, 100*r.TrainError, r.TrainLoss, test, r.ElapsedS)
}

// done removes the bar; call it when the run returns.
func (p *progress) done() {
	if p == nil || p.bar == nil {
		return
	}
	_ = p.bar.Exit()
	_ = p.bar.Clear()
	p.bar = nil
}
