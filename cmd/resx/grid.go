package main

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"

	"github.com/spf13/cobra"

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
	// resumed is set when the runs come from the folder's plan.json; the
	// folder's provenance (the command that started it) is then kept.
	resumed bool
}

// resumeFlags are the flags that choose what a compare or sweep trains,
// which --resume takes from the experiment folder instead.
var resumeFlags = []string{"config", "set", "out", "seed", "threads", "depths", "arch", "values", "grid"}

// planResume plans the runs that the experiment folder dir recorded, after
// checking that the command line names nothing else to train.
func planResume(cmd *cobra.Command, dir string, args []string) (gridRun, error) {
	if len(args) > 0 {
		return gridRun{}, usagef("--resume continues the experiment recorded in %s: give no arguments with it", dir)
	}
	for _, name := range resumeFlags {
		if f := cmd.Flags().Lookup(name); f != nil && f.Changed {
			return gridRun{}, usagef("--resume continues the experiment recorded in %s: --%s cannot change it", dir, name)
		}
	}
	runs, err := experiment.ReadPlan(dir)
	if err != nil {
		return gridRun{}, err
	}
	return gridRun{expDir: filepath.Clean(dir), runs: runs, source: "resumed from " + dir, resumed: true}, nil
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
	if !g.resumed {
		if err := report.WriteProvenance(g.expDir, report.Provenance{
			Command: a.commandLine(), Config: g.source, Version: version, Commit: commit(),
		}); err != nil {
			return err
		}
		if err := experiment.WritePlan(g.expDir, g.runs); err != nil {
			return err
		}
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
