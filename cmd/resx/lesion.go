package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/resx-dev/resx/internal/experiment"
	"github.com/resx-dev/resx/internal/report"
)

type lesionOptions struct {
	dirs       []string
	out        string
	maxDeleted int
	samples    int
	seed       uint64
	threads    int

	figure string // set by validation: where the figure goes, "" for none
}

func newLesionCmd(a *app, runF func(context.Context, *lesionOptions) error) *cobra.Command {
	o := &lesionOptions{}
	cmd := &cobra.Command{
		Use:   "lesion RUN_DIR... [--out DIR]",
		Short: "Delete single blocks of trained networks at test time (the ensemble view)",
		Long: `Delete blocks of trained networks at test time, as Veit et al. (2016) do to
show that residual networks behave like ensembles of shallow paths: deleting
one block barely hurts a residual network and breaks a plain one.

For each run folder, resx rebuilds the network of its config.yaml with the
weights and batch-norm statistics of its newest good checkpoint and
evaluates it on the run's evaluation split (normalised with the training
split's statistics, as training did): intact, then with each block deleted
in turn. Deleting a block of a residual network removes its residual branch
and keeps the shortcut, so the block passes its input on through the
shortcut alone: the identity, subsampled and zero-padded (option A) or
projected (option B) where the block changes the shape, or projected
everywhere (option C). A plain network has no shortcut:
its deleted block passes its input through unchanged, or through the
parameter-free subsample and zero-pad mapping where the block changes the
shape. No weight is changed and nothing is trained.

--max-deleted K also deletes --samples random sets of k blocks for each
k = 2..K (Veit et al., Figure 5) and reports the mean error per k.

Each run folder gets lesion.csv (one row for the intact network, then one
per deleted block: deleted_block, stage, block_in_stage, test_error,
test_loss; errors as fractions) and lesion.json (the same, with the random
sets). The tables are printed (--json: the results as JSON). With several
run folders, or with --out, the figure lesion.png/.svg (test error against
the deleted block, one line per run, the intact error dashed in the same
colour) and its caption lesion.txt go to --out, by default the folder that
holds the run folders.

A missing run folder, one without a checkpoint, or a corrupt checkpoint
exits with code 2, an interrupt with 130; either way nothing is written.`,
		Example: `  resx lesion results/quick/plain-56-basic-A-s1 results/quick/residual-56-basic-A-s1
  resx lesion results/quick/residual-56-basic-A-s1 --max-deleted 10
  resx lesion RUN_A RUN_B --out figures --json`,
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) == 0 {
				return usagef("name the run folders to lesion (for example results/quick/residual-56-basic-A-s1)")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			o.dirs = args
			if err := o.validate(cmd.Flags().Changed("out")); err != nil {
				return err
			}
			if runF != nil {
				return runF(cmd.Context(), o)
			}
			return runLesion(cmd.Context(), a, o)
		},
	}
	f := cmd.Flags()
	f.StringVarP(&o.out, "out", "o", "", "folder for the figure (default: the folder holding the run folders)")
	f.IntVar(&o.maxDeleted, "max-deleted", 0, "also delete random sets of k = 2..K blocks (0 = single blocks only)")
	f.IntVar(&o.samples, "samples", 10, "random sets per k with --max-deleted")
	f.Uint64Var(&o.seed, "seed", 1, "seed of the random sets")
	f.IntVar(&o.threads, "threads", 0, "worker threads (0 = the run's threads setting)")
	return cmd
}

func (o *lesionOptions) validate(outGiven bool) error {
	switch {
	case o.maxDeleted < 0:
		return usagef("--max-deleted %d must be >= 0", o.maxDeleted)
	case o.samples < 1:
		return usagef("--samples %d must be >= 1", o.samples)
	case o.threads < 0:
		return usagef("--threads %d must be >= 0", o.threads)
	}
	seen := map[string]bool{}
	for _, d := range o.dirs {
		c := filepath.Clean(d)
		if seen[c] {
			return usagef("run folder %s named twice", d)
		}
		seen[c] = true
	}
	switch {
	case outGiven && o.out == "":
		return usagef("--out: no folder given")
	case outGiven:
		o.figure = o.out
	case len(o.dirs) > 1:
		parent := filepath.Dir(filepath.Clean(o.dirs[0]))
		for _, d := range o.dirs[1:] {
			if filepath.Dir(filepath.Clean(d)) != parent {
				return usagef("the run folders are in different folders; say where the figure goes with --out")
			}
		}
		o.figure = parent
	}
	return nil
}

func runLesion(ctx context.Context, a *app, o *lesionOptions) error {
	// Check every folder before the first one takes minutes.
	for _, d := range o.dirs {
		if fi, err := os.Stat(d); err != nil || !fi.IsDir() {
			return fmt.Errorf("%s is not a run folder: %w", d, experiment.ErrInvalidInput)
		}
	}
	var results []*experiment.LesionResult
	var lesions []report.Lesion
	for i, d := range o.dirs {
		if !a.quiet {
			fmt.Fprintf(a.stderr, "[%d/%d] lesion %s\n", i+1, len(o.dirs), d)
		}
		res, err := experiment.Lesion(ctx, d, experiment.LesionOptions{DataDir: a.dataDir, Threads: o.threads,
			MaxDeleted: o.maxDeleted, Samples: o.samples, Seed: o.seed, Log: a.stderr})
		if err != nil {
			return err
		}
		l, err := report.LoadLesion(d)
		if err != nil {
			return err
		}
		results, lesions = append(results, res), append(lesions, l)
	}
	if o.figure != "" {
		if err := os.MkdirAll(o.figure, 0o755); err != nil {
			return err
		}
		caption := report.LesionCaption(report.Provenance{Command: a.commandLine(), Version: version, Commit: commit()},
			o.dirs)
		base := filepath.Join(o.figure, report.LesionFigureBase)
		if err := report.WriteLesionFigure(base, lesions, caption); err != nil {
			return err
		}
		if !a.quiet {
			fmt.Fprintf(a.stderr, "wrote %s in each run folder and %s.png/.svg/.txt in %s\n",
				experiment.LesionCSVName+" and "+experiment.LesionJSONName, report.LesionFigureBase, o.figure)
		}
	}
	if a.json {
		return writeJSON(a.stdout, results)
	}
	return report.WriteLesionMarkdown(a.stdout, lesions)
}
