package main

import (
	"context"
	"fmt"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/resx-dev/resx/internal/config"
	"github.com/resx-dev/resx/internal/experiment"
	"github.com/resx-dev/resx/internal/report"
)

type trainOptions struct {
	run    runFlags
	resume string

	// Set by validation.
	cfg    config.Config
	runDir string
}

func newTrainCmd(a *app, runF func(context.Context, *trainOptions) error) *cobra.Command {
	o := &trainOptions{}
	cmd := &cobra.Command{
		Use:   "train [--config FILE] [--set key=value ...] [--resume RUN_DIR]",
		Short: "Train one network",
		Long: `Train one network as the configuration says and write its run folder,
OUT/<name>/<arch>-<depth>-<block>-<shortcut>-s<seed>/ (config.yaml,
metrics.csv, summary.json, checkpoints/).

--resume RUN_DIR continues an interrupted run from its newest checkpoint,
with the config.yaml saved in RUN_DIR unless --config is given.`,
		Example: `  resx train                                   # the quick preset, residual-20
  resx train --config cifar10-residual-110     # the paper's recipe (needs CIFAR-10)
  resx train --set model.arch=plain --set depth=56
  resx train --resume results/quick/residual-20-basic-A-s1`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := o.validate(); err != nil {
				return err
			}
			if runF != nil {
				return runF(cmd.Context(), o)
			}
			return runTrain(cmd.Context(), a, o)
		},
	}
	o.run.bind(cmd)
	cmd.Flags().StringVar(&o.resume, "resume", "", "continue the run in this folder from its newest checkpoint")
	return cmd
}

func (o *trainOptions) validate() error {
	if o.resume != "" {
		if err := experiment.CheckResumable(o.resume); err != nil {
			return err
		}
	}
	file := o.run.source()
	if o.resume != "" && o.run.config == "" {
		file = filepath.Join(o.resume, report.ConfigFile)
	}
	cfg, err := o.run.load(file)
	if err != nil {
		return err
	}
	if err := cfg.Validate(); err != nil {
		return err
	}
	o.cfg = cfg
	o.runDir = o.resume
	if o.runDir == "" {
		o.runDir = filepath.Join(o.run.out, cfg.Name, config.RunName(cfg))
	}
	return nil
}

func runTrain(ctx context.Context, a *app, o *trainOptions) error {
	name := filepath.Base(o.runDir)
	p := a.progress("", name)
	sum, err := a.train(ctx, o.cfg, experiment.Options{
		RunDir: o.runDir, Resume: o.resume != "", DataDir: a.dataDir, Progress: p,
		Version: version, Commit: commit(), Log: a.stderr,
	})
	p.done()
	if err != nil {
		return err
	}
	if a.json {
		return writeJSON(a.stdout, sum)
	}
	fmt.Fprintf(a.stdout, "%s: test error %.2f%% (best %.2f%%), training error %.2f%%, %d epochs, %.0f s\nrun folder: %s\n",
		name, 100*sum.FinalTestError, 100*sum.BestTestError, 100*sum.FinalTrainError, sum.Epochs, sum.WallS, o.runDir)
	return nil
}
