package main

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"

	"github.com/resx-dev/resx/internal/config"
	"github.com/resx-dev/resx/internal/experiment"
	"github.com/resx-dev/resx/internal/report"
)

// gridRun is a compare or a sweep made ready to run: its runs, the folder
// that holds them, and where its config came from.
type gridRun struct {
	expDir string
	runs   []experiment.RunSpec
	source string
}

// planGrid loads the base config and expands axes into named runs under
// OUT/<name>/.
func planGrid(f *runFlags, axes []config.Axis) (gridRun, error) {
	base, err := f.load(f.source())
	if err != nil {
		return gridRun{}, err
	}
	variants, err := config.Expand(base, axes)
	if err != nil {
		return gridRun{}, err
	}
	g := gridRun{expDir: filepath.Join(f.out, base.Name), source: f.describeSource()}
	for _, v := range variants {
		g.runs = append(g.runs, experiment.RunSpec{Name: v.Name, Dir: filepath.Join(g.expDir, v.Name), Config: v.Config})
	}
	return g, nil
}

// runGrid trains the runs of g (skipping finished ones, resuming unfinished
// ones) and rebuilds the experiment folder's report.
func runGrid(ctx context.Context, a *app, g gridRun) error {
	if err := report.WriteProvenance(g.expDir, report.Provenance{
		Command: a.commandLine(), Config: g.source, Version: version, Commit: commit(),
	}); err != nil {
		return err
	}
	var current *progress
	res, sweepErr := a.sweep(ctx, g.runs, experiment.SweepOptions{
		Progress: func(spec experiment.RunSpec) experiment.Progress {
			current.done()
			current = a.progress(fmt.Sprintf("[%d/%d] ", indexOf(g.runs, spec)+1, len(g.runs)), spec.Name)
			return current
		},
		DataDir: a.dataDir, Version: version, Commit: commit(), Log: a.stderr,
	})
	current.done()
	if !a.quiet {
		for _, r := range res.Runs {
			fmt.Fprintf(a.stderr, "%-32s %s\n", r.Name, r.Outcome)
		}
	}
	if errors.Is(sweepErr, context.Canceled) {
		return sweepErr
	}
	t, err := report.Build(g.expDir, report.Options{})
	if err != nil {
		return errors.Join(sweepErr, fmt.Errorf("report: %w", err))
	}
	if a.json {
		err = writeJSON(a.stdout, t)
	} else {
		err = t.WriteMarkdown(a.stdout)
		fmt.Fprintf(a.stdout, "\nreport: %s (%s, %s, %s, %s.png, %s.svg)\n", g.expDir,
			report.MergedFile, report.SummaryMarkdownFile, report.SummaryJSONFile, report.FigureBase, report.FigureBase)
	}
	return errors.Join(sweepErr, err)
}

func indexOf(runs []experiment.RunSpec, spec experiment.RunSpec) int {
	for i, r := range runs {
		if r.Name == spec.Name {
			return i
		}
	}
	return -1
}
