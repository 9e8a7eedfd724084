package main

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/resx-dev/resx/internal/report"
)

type reportOptions struct {
	dir string
}

func newReportCmd(a *app, runF func(context.Context, *reportOptions) error) *cobra.Command {
	o := &reportOptions{}
	cmd := &cobra.Command{
		Use:   "report DIR",
		Short: "Rebuild the report of an experiment folder from its run folders",
		Long: `Read every run folder in DIR (metrics.csv, summary.json, config.yaml) and
write the report beside them: runs.csv (all metrics rows of all runs, long
format), report.md and report.json (the summary table) and figure.png,
figure.svg and figure.txt (the caption: the command, config and commit that
made the runs). No training is done, so a report can be redone at any time,
also while runs are still training.`,
		Example: `  resx report results/quick
  resx report results/quick --json`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.dir = args[0]
			if runF != nil {
				return runF(cmd.Context(), o)
			}
			return runReport(a, o)
		},
	}
	return cmd
}

func runReport(a *app, o *reportOptions) error {
	t, err := report.Build(o.dir, report.Options{Rebuilt: &report.Provenance{
		Command: a.commandLine(), Version: version, Commit: commit(),
	}})
	if err != nil {
		return err
	}
	if a.json {
		return writeJSON(a.stdout, t)
	}
	if err := t.WriteMarkdown(a.stdout); err != nil {
		return err
	}
	if !a.quiet {
		fmt.Fprintf(a.stderr, "wrote %s, %s, %s and %s.png/.svg/.txt in %s\n",
			report.MergedFile, report.SummaryMarkdownFile, report.SummaryJSONFile, report.FigureBase, o.dir)
	}
	return nil
}
