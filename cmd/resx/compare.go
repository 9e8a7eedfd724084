package main

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/resx-dev/resx/internal/config"
)

type compareOptions struct {
	run    runFlags
	archs  []string
	depths []string
	resume string

	grid gridRun // set by validation
}

func newCompareCmd(a *app, runF func(context.Context, *compareOptions) error) *cobra.Command {
	o := &compareOptions{}
	cmd := &cobra.Command{
		Use:   "compare ARCH... [--depths 20,56,110]",
		Short: "Train the same recipe for each architecture at each depth, then report",
		Long: `Train the same recipe for each named architecture (plain, residual) at
each depth, then write the report of the experiment folder OUT/<name>/:
runs.csv, report.md, report.json and figure.png/.svg (training error
dashed, test error solid, one panel per architecture, as in He et al. 2016,
Figure 6).

Without --config it runs the quick preset on the embedded Fashion-MNIST
subset, which shows the degradation of deep plain nets in minutes.
Finished runs are skipped and interrupted ones resumed, so running the same
command again continues where it stopped; --resume DIR does the same from
the experiment folder alone (its plan.json lists every run and its config).`,
		Example: `  resx compare plain residual
  resx compare plain residual --config cifar10-residual-20 --depths 20,32,44,56
  resx compare --resume results/quick`,
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) == 0 && o.resume == "" {
				return usagef("name the architectures to compare: plain, residual")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			o.archs = args
			var err error
			if o.resume != "" {
				o.grid, err = planResume(cmd, o.resume, args)
			} else {
				err = o.validate()
			}
			if err != nil {
				return err
			}
			if runF != nil {
				return runF(cmd.Context(), o)
			}
			return runGrid(cmd.Context(), a, o.grid)
		},
	}
	o.run.bind(cmd)
	cmd.Flags().StringSliceVar(&o.depths, "depths", []string{"20", "56"}, "depths to train (the paper: 20,32,44,56,110)")
	cmd.Flags().StringVar(&o.resume, "resume", "", "continue the experiment in this folder (OUT/<name>) with the runs it recorded")
	cmd.ValidArgs = config.Archs
	return cmd
}

func (o *compareOptions) validate() error {
	if len(o.depths) == 0 {
		return usagef("--depths: no depths given")
	}
	arch, err := config.NewAxis("model.arch", o.archs)
	if err != nil {
		return err
	}
	depth, err := config.NewAxis("model.depth", o.depths)
	if err != nil {
		return err
	}
	o.grid, err = planGrid(&o.run, []config.Axis{arch, depth})
	return err
}
