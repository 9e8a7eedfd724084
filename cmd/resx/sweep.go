package main

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/resx-dev/resx/internal/config"
)

type sweepOptions struct {
	run    runFlags
	key    string
	values string
	depths []string
	archs  []string
	grid   []string
	resume string

	plan gridRun // set by validation
}

var paperDepths = []string{"20", "32", "44", "56", "110"}

func newSweepCmd(a *app, runF func(context.Context, *sweepOptions) error) *cobra.Command {
	o := &sweepOptions{}
	cmd := &cobra.Command{
		Use:   "sweep [KEY] [--values a,b,c] [--grid key=a,b ...]",
		Short: "Train one run per value of a config key, or per point of a grid, then report",
		Long: `Train one run for each value of KEY (any config key, or the last part of
one: depth, lr, width, survival, seed), then write the report of the
experiment folder OUT/<name>/ as compare does.

Each --grid key=v1,v2 adds another axis, and every combination of the axes
is trained (a cartesian grid, in the order --arch, KEY, --depths, --grid,
the first varying slowest). --depths and
--arch are short for --grid model.depth=... and --grid model.arch=...;
"resx sweep depth" alone sweeps the paper's depths 20,32,44,56,110.
List values go in brackets: --grid lr_steps=[3,5],[6].

Run folders are named <arch>-<depth>-<block>-<shortcut>-s<seed>, followed by
-<key><value> for each swept key the name does not already show
(residual-20-basic-A-s1-lr0.01).

Finished runs are skipped and interrupted ones resumed, so running the same
command again continues where it stopped; --resume DIR does the same from
the experiment folder alone (its plan.json lists every run and its config).`,
		Example: `  resx sweep depth --arch residual
  resx sweep lr --values 0.2,0.1,0.05
  resx sweep seed --values 1,2,3 --grid model.block=basic,preact
  resx sweep --arch plain,residual --grid width=0.5,1 --depths 20,56`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var err error
			if o.resume != "" {
				o.plan, err = planResume(cmd, o.resume, args)
			} else {
				if len(args) == 1 {
					o.key = args[0]
				}
				err = o.validate(cmd)
			}
			if err != nil {
				return err
			}
			if runF != nil {
				return runF(cmd.Context(), o)
			}
			return runGrid(cmd.Context(), a, o.plan)
		},
	}
	o.run.bind(cmd)
	fs := cmd.Flags()
	fs.StringVar(&o.values, "values", "", "values of KEY, comma-separated")
	fs.StringSliceVar(&o.depths, "depths", paperDepths, "depths to sweep (an axis of model.depth)")
	fs.StringSliceVar(&o.archs, "arch", nil, "architectures (an axis of model.arch): plain, residual")
	fs.StringArrayVar(&o.grid, "grid", nil, "another axis, key=v1,v2,... (repeatable)")
	fs.StringVar(&o.resume, "resume", "", "continue the experiment in this folder (OUT/<name>) with the runs it recorded")
	cmd.ValidArgsFunction = func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		return config.Keys(), cobra.ShellCompDirectiveNoFileComp
	}
	return cmd
}

// axes turns the arguments and flags into the grid's axes, in the order
// --arch, KEY, --depths, --grid (the first varies slowest, so that all
// plain runs come before the residual ones).
func (o *sweepOptions) axes(cmd *cobra.Command) ([]config.Axis, error) {
	var axes []config.Axis
	depthsChanged := cmd.Flags().Changed("depths")
	if len(o.archs) > 0 {
		a, err := config.NewAxis("model.arch", o.archs)
		if err != nil {
			return nil, err
		}
		axes = append(axes, a)
	}
	if o.key != "" {
		key, err := config.ResolveKey(o.key)
		if err != nil {
			return nil, err
		}
		values := config.SplitValues(o.values)
		switch {
		case key == "model.depth" && len(values) > 0 && depthsChanged:
			return nil, usagef("give the depths with --values or --depths, not both")
		case key == "model.depth" && len(values) == 0:
			values = o.depths
		case len(values) == 0:
			return nil, usagef("sweep %s: give its values with --values a,b,c", o.key)
		}
		if key == "model.depth" {
			depthsChanged = false // used up as KEY's values
		}
		a, err := config.NewAxis(key, values)
		if err != nil {
			return nil, err
		}
		axes = append(axes, a)
	} else if o.values != "" {
		return nil, usagef("--values needs a KEY: resx sweep KEY --values a,b,c")
	}
	if depthsChanged {
		a, err := config.NewAxis("model.depth", o.depths)
		if err != nil {
			return nil, err
		}
		axes = append(axes, a)
	}
	for _, g := range o.grid {
		a, err := config.ParseAxis(g)
		if err != nil {
			return nil, err
		}
		axes = append(axes, a)
	}
	if len(axes) == 0 {
		return nil, usagef("nothing to sweep: give a KEY, --grid, --depths or --arch")
	}
	return axes, nil
}

func (o *sweepOptions) validate(cmd *cobra.Command) error {
	axes, err := o.axes(cmd)
	if err != nil {
		return err
	}
	o.plan, err = planGrid(&o.run, axes)
	return err
}
