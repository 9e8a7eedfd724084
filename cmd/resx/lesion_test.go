package main

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/spf13/cobra"

	"github.com/resx-dev/resx/internal/config"
	"github.com/resx-dev/resx/internal/experiment"
)

func TestLesionArguments(t *testing.T) {
	for _, tc := range []struct {
		name   string
		args   []string
		figure string // where the figure goes; "" for none
		usage  bool
	}{
		{"one run", []string{"res/quick/plain-56"}, "", false},
		{"two runs of one experiment", []string{"res/quick/plain-56", "res/quick/residual-56/"}, filepath.Join("res", "quick"), false},
		{"one run with --out", []string{"res/quick/plain-56", "--out", "figs"}, "figs", false},
		{"runs of two experiments with --out", []string{"a/plain-56", "b/residual-56", "-o", "figs"}, "figs", false},
		{"runs of two experiments", []string{"a/plain-56", "b/residual-56"}, "", true},
		{"no run", nil, "", true},
		{"a run twice", []string{"a/plain-56", "a/plain-56/"}, "", true},
		{"empty --out", []string{"a/plain-56", "--out", ""}, "", true},
		{"negative --max-deleted", []string{"a/plain-56", "--max-deleted", "-1"}, "", true},
		{"no samples", []string{"a/plain-56", "--max-deleted", "4", "--samples", "0"}, "", true},
		{"negative --threads", []string{"a/plain-56", "--threads", "-2"}, "", true},
		{"not a number", []string{"a/plain-56", "--max-deleted", "x"}, "", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got *lesionOptions
			a := newApp(io.Discard, io.Discard, false, nil)
			cmd := newLesionCmd(a, func(_ context.Context, o *lesionOptions) error {
				got = o
				return nil
			})
			cmd.SetArgs(tc.args)
			cmd.SetOut(io.Discard)
			cmd.SetErr(io.Discard)
			cmd.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return &usageError{err} })
			err := cmd.Execute()
			if tc.usage {
				var ue *usageError
				if !errors.As(err, &ue) || exitCode(err) != exitUsage || got != nil {
					t.Errorf("err = %v (exit %d), want a usage error before running", err, exitCode(err))
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.figure != tc.figure {
				t.Errorf("figure in %q, want %q", got.figure, tc.figure)
			}
		})
	}

	var got *lesionOptions
	cmd := newLesionCmd(newApp(nil, nil, false, nil), func(_ context.Context, o *lesionOptions) error {
		got = o
		return nil
	})
	cmd.SetArgs([]string{"r1", "--max-deleted", "12", "--samples", "5", "--seed", "3", "--threads", "2"})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	want := lesionOptions{dirs: []string{"r1"}, maxDeleted: 12, samples: 5, seed: 3, threads: 2}
	if !reflect.DeepEqual(*got, want) {
		t.Errorf("options %+v, want %+v", *got, want)
	}
}

// TestLesionCommand runs resx lesion on a run folder trained for one epoch.
func TestLesionCommand(t *testing.T) {
	if testing.Short() {
		t.Skip("trains a real network (seconds)")
	}
	cfg, err := config.Load(config.Source{File: "smoke", Sets: []string{"train.epochs=1", "threads=1"}})
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "residual-8")
	sum, err := experiment.Run(context.Background(), cfg, experiment.Options{RunDir: dir, Log: io.Discard})
	if err != nil {
		t.Fatal(err)
	}

	code, stdout, stderr := runCmd(t, newApp(nil, nil, false, nil), "lesion", dir, "--json", "-q")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var res []experiment.LesionResult
	if err := json.Unmarshal([]byte(stdout), &res); err != nil {
		t.Fatalf("%v:\n%s", err, stdout)
	}
	if len(res) != 1 || len(res[0].Blocks) != 3 || res[0].Intact.TestError != sum.FinalTestError || res[0].Run != "residual-8" {
		t.Errorf("results %+v; the run's final test error %v", res, sum.FinalTestError)
	}
	if _, err := os.Stat(filepath.Join(dir, experiment.LesionCSVName)); err != nil {
		t.Error(err)
	}
	if m, _ := filepath.Glob(filepath.Join(filepath.Dir(dir), "lesion.*")); len(m) > 0 {
		t.Errorf("one run without --out drew a figure: %v", m)
	}

	// A corrupt checkpoint is bad input: exit 2, nothing written.
	bad := filepath.Join(t.TempDir(), "bad")
	if err := os.CopyFS(bad, os.DirFS(dir)); err != nil {
		t.Fatal(err)
	}
	os.Remove(filepath.Join(bad, experiment.LesionCSVName))
	os.Remove(filepath.Join(bad, experiment.LesionJSONName))
	ckpts, _ := filepath.Glob(filepath.Join(bad, "checkpoints", "*.bin"))
	if len(ckpts) == 0 {
		t.Fatal("no checkpoint")
	}
	for _, p := range ckpts {
		os.WriteFile(p, []byte("RESXCKPT garbage"), 0o644)
	}
	code, _, stderr = runCmd(t, newApp(nil, nil, false, nil), "lesion", bad, "-q")
	if code != exitUsage {
		t.Errorf("corrupt checkpoint: exit %d, want 2: %s", code, stderr)
	}
	if m, _ := filepath.Glob(filepath.Join(bad, "*lesion*")); len(m) > 0 {
		t.Errorf("written: %v", m)
	}
}
