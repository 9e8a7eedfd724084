package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/resx-dev/resx/internal/config"
	"github.com/resx-dev/resx/internal/dataset"
	"github.com/resx-dev/resx/internal/experiment"
	"github.com/resx-dev/resx/internal/report"
)

func TestExitCode(t *testing.T) {
	cfgErr := &config.ValidationError{Problems: []config.Problem{{Key: "k", Message: "m"}}}
	for _, tc := range []struct {
		err  error
		want int
	}{
		{nil, 0},
		{errors.New("disk full"), 1},
		{experiment.ErrDiverged, 1},
		{fmt.Errorf("run x: %w", cfgErr), 2},
		{fmt.Errorf("run: %w", experiment.ErrInvalidInput), 2},
		{fmt.Errorf("open: %w", dataset.ErrInvalidData), 2},
		{fmt.Errorf("open: %w", dataset.ErrUnknownDataset), 2},
		{fmt.Errorf("x: %w", report.ErrNoRuns), 2},
		{usagef("bad"), 2},
		{fmt.Errorf("train: %w", context.Canceled), 130},
		{errors.Join(errors.New("run a failed"), context.Canceled), 130},
	} {
		if got := exitCode(tc.err); got != tc.want {
			t.Errorf("exitCode(%v) = %d, want %d", tc.err, got, tc.want)
		}
	}
}

// runCmd executes a command line with fakes for training.
func runCmd(t *testing.T, a *app, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	a.stdout, a.stderr, a.args = &out, &errb, args
	root := newRootCmd(a)
	root.SetArgs(args)
	root.SetOut(&out)
	root.SetErr(&errb)
	_, err := root.ExecuteContextC(context.Background())
	if err != nil && !a.started {
		err = &usageError{err}
	}
	return exitCode(err), out.String(), errb.String()
}

func TestTrainInterruptedExits130(t *testing.T) {
	a := newApp(nil, nil, false, nil)
	a.train = func(ctx context.Context, _ config.Config, _ experiment.Options) (*experiment.Summary, error) {
		return nil, fmt.Errorf("epoch 3: %w", context.Canceled)
	}
	if code, _, _ := runCmd(t, a, "train", "--out", t.TempDir(), "-q"); code != 130 {
		t.Errorf("exit code %d, want 130", code)
	}
}

func TestTrainPassesOptions(t *testing.T) {
	out := t.TempDir()
	var got experiment.Options
	var gotCfg config.Config
	a := newApp(nil, nil, false, nil)
	a.train = func(_ context.Context, cfg config.Config, opt experiment.Options) (*experiment.Summary, error) {
		got, gotCfg = opt, cfg
		return &experiment.Summary{Status: "finished"}, nil
	}
	code, stdout, stderr := runCmd(t, a, "train", "--out", out, "--data-dir", "/data", "--set", "depth=56", "--seed", "4")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if want := filepath.Join(out, "quick", "residual-56-basic-A-s4"); got.RunDir != want || got.Resume || got.DataDir != "/data" {
		t.Errorf("options = %+v, want RunDir %s", got, want)
	}
	if gotCfg.Model.Depth != 56 || gotCfg.Seed != 4 || gotCfg.Data.Name != "fashion-mnist-mini" {
		t.Errorf("config = %+v", gotCfg)
	}
	if !strings.Contains(stdout, "run folder: "+got.RunDir) {
		t.Errorf("stdout = %q", stdout)
	}
}

func TestTrainResumeReadsRunConfig(t *testing.T) {
	dir := t.TempDir()
	cfg, _ := config.Load(config.Source{File: "smoke", Sets: []string{"seed=7"}})
	writeFile(t, filepath.Join(dir, "config.yaml"), string(cfg.YAML()))
	var got trainOptions
	cmd := newTrainCmd(newApp(nil, nil, false, nil), func(_ context.Context, o *trainOptions) error {
		got = *o
		return nil
	})
	cmd.SetArgs([]string{"--resume", dir})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	if got.runDir != dir || !config.Equal(got.cfg, cfg) {
		t.Errorf("resume: dir %s, config %+v", got.runDir, got.cfg)
	}
}

func TestCompareGrid(t *testing.T) {
	var got compareOptions
	cmd := newCompareCmd(newApp(nil, nil, false, nil), func(_ context.Context, o *compareOptions) error {
		got = *o
		return nil
	})
	cmd.SetArgs([]string{"plain", "residual", "--depths", "20,56,110", "--out", "res"})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, r := range got.grid.runs {
		names = append(names, r.Name)
		if r.Dir != filepath.Join("res", "quick", r.Name) {
			t.Errorf("run %s in %s", r.Name, r.Dir)
		}
	}
	want := []string{"plain-20-basic-A-s1", "plain-56-basic-A-s1", "plain-110-basic-A-s1",
		"residual-20-basic-A-s1", "residual-56-basic-A-s1", "residual-110-basic-A-s1"}
	if !reflect.DeepEqual(names, want) {
		t.Errorf("runs = %v, want %v", names, want)
	}
	if got.grid.expDir != filepath.Join("res", "quick") || got.grid.source != "preset quick (default)" {
		t.Errorf("grid = %+v", got.grid)
	}
}

func TestSweepAxes(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string // axes as key=values;...
	}{
		{[]string{"depth"}, "model.depth=20,32,44,56,110"},
		{[]string{"depth", "--arch", "residual"}, "model.arch=residual;model.depth=20,32,44,56,110"},
		{[]string{"depth", "--depths", "20,56"}, "model.depth=20,56"},
		{[]string{"depth", "--values", "32"}, "model.depth=32"},
		{[]string{"lr", "--values", "0.1,0.01"}, "train.lr=0.1,0.01"},
		{[]string{"--grid", "width=0.5,1", "--grid", "model.block=basic,preact"}, "model.width=0.5,1;model.block=basic,preact"},
		{[]string{"seed", "--values", "1,2", "--arch", "plain,residual", "--depths", "20,56", "--grid", "lr_steps=[3],[4,5]"},
			"model.arch=plain,residual;seed=1,2;model.depth=20,56;train.lr_steps=[3],[4,5]"},
	} {
		var got sweepOptions
		cmd := newSweepCmd(newApp(nil, nil, false, nil), func(_ context.Context, o *sweepOptions) error {
			got = *o
			return nil
		})
		cmd.SetArgs(tc.args)
		if err := cmd.Execute(); err != nil {
			t.Errorf("%v: %v", tc.args, err)
			continue
		}
		axes, _ := got.axes(cmd)
		var parts []string
		for _, a := range axes {
			parts = append(parts, a.Key+"="+strings.Join(a.Values, ","))
		}
		if s := strings.Join(parts, ";"); s != tc.want {
			t.Errorf("%v: axes %s, want %s", tc.args, s, tc.want)
		}
	}
}

func TestCommandLineQuoting(t *testing.T) {
	a := &app{args: []string{"sweep", "lr", "--grid", "lr_steps=[3],[4, 5]", "--set", "name=it's"}}
	want := `resx sweep lr --grid 'lr_steps=[3],[4, 5]' --set 'name=it'\''s'`
	if got := a.commandLine(); got != want {
		t.Errorf("commandLine = %s, want %s", got, want)
	}
}

func TestProgressNonInteractive(t *testing.T) {
	var b bytes.Buffer
	a := &app{stderr: &b}
	p := a.progress("[1/2] ", "plain-20-basic-A-s1")
	p.Start(experiment.RunInfo{Name: "quick", Params: 1000, StepsPerEpoch: 79, TotalSteps: 711})
	p.Step(experiment.StepInfo{Iteration: 1, TrainError: 0.5})
	p.Epoch(experiment.Row{Epoch: 1, Iteration: 79, LR: 0.1, TrainError: 0.25, TrainLoss: 0.7, TestError: 0.2, TestLoss: 0.6, ElapsedS: 12})
	p.done()
	want := "[1/2] plain-20-basic-A-s1: 1000 parameters, 9 epochs of 79 steps\n" +
		"[1/2] plain-20-basic-A-s1 epoch 1/9 step 79 lr 0.1: train err 25.00% loss 0.700 test err 20.00% loss 0.600 (12 s)\n"
	if b.String() != want {
		t.Errorf("progress wrote\n%q\nwant\n%q", b.String(), want)
	}
	var quiet *progress = (&app{quiet: true}).progress("", "x")
	quiet.Start(experiment.RunInfo{})
	quiet.Step(experiment.StepInfo{})
	quiet.Epoch(experiment.Row{})
	quiet.done()
}
func writeFile(t *testing.T, name, text string) {
	t.Helper()
	if err := os.WriteFile(name, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}
