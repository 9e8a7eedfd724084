package main

import (
	"context"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/resx-dev/resx/internal/config"
	"github.com/resx-dev/resx/internal/experiment"
)

// app is what every command shares: the streams, the global flags and the
// functions that do the training, which tests replace.
type app struct {
	stdout, stderr io.Writer
	// interactive says stderr is a terminal, so progress can be a bar.
	interactive bool
	// args is the command line, recorded beside the results it makes.
	args []string

	// Global flags.
	dataDir string
	quiet   bool
	json    bool

	// started is set once a command's own code runs; errors before that
	// are usage errors.
	started bool

	// train runs one training run and sweep a list of them.
	train func(context.Context, config.Config, experiment.Options) (*experiment.Summary, error)
	sweep func(context.Context, []experiment.RunSpec, experiment.SweepOptions) (experiment.SweepResult, error)
}

func newApp(stdout, stderr io.Writer, interactive bool, args []string) *app {
	return &app{stdout: stdout, stderr: stderr, interactive: interactive, args: args,
		train: experiment.Run, sweep: experiment.Sweep}
}

// commandLine is the command as typed, for provenance.
func (a *app) commandLine() string {
	parts := []string{"resx"}
	for _, s := range a.args {
		if s == "" || strings.ContainsAny(s, " \t\"'$*?;&|<>()") {
			s = "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, " ")
}

const rootLong = `resx reproduces the depth studies of deep residual networks (He et al.
2016): deep plain networks train worse than shallow ones, and residual units
y = x + H(x) fix it.

Configuration comes from, highest precedence first: flags and --set
key=value, RESX_* environment variables (train.lr -> RESX_TRAIN_LR), the
--config file or preset, and the built-in defaults (the paper's CIFAR-10
ResNet-20 recipe). Unknown keys and wrong types are errors.

Exit codes:
  0    success
  1    a run failed (diverged, an I/O error, ...)
  2    usage or configuration error (bad flag, unknown key, invalid value,
       unknown or corrupt dataset, unusable run folder)
  130  interrupted (SIGINT or SIGTERM); the run saved a checkpoint and can
       be resumed`

func newRootCmd(a *app) *cobra.Command {
	cobra.EnableTraverseRunHooks = true
	root := &cobra.Command{
		Use:           "resx",
		Short:         "Reproduce the depth studies of deep residual networks",
		Long:          rootLong,
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRunE: func(*cobra.Command, []string) error {
			a.started = true
			return nil
		},
	}
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return &usageError{err} })
	pf := root.PersistentFlags()
	pf.StringVar(&a.dataDir, "data-dir", "", "folder to find datasets in, before $RESX_DATA_DIR and the default search")
	pf.BoolVarP(&a.quiet, "quiet", "q", false, "print no progress")
	pf.BoolVar(&a.json, "json", false, "print results as JSON on stdout")

	root.AddCommand(
		newTrainCmd(a, nil),
		newCompareCmd(a, nil),
		newSweepCmd(a, nil),
		newReportCmd(a, nil),
		newLesionCmd(a, nil),
		newDataCmd(),
		newConfigCmd(a),
		newBenchCmd(a, nil),
		newVersionCmd(a),
	)
	return root
}
