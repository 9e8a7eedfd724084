package experiment

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/resx-dev/resx/internal/config"
)

// snapshot maps every file under dir to its contents ("" for folders).
func snapshot(t *testing.T, dir string) map[string]string {
	t.Helper()
	m := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if errors.Is(err, fs.ErrNotExist) && p == dir {
			return fs.SkipAll
		}
		if err != nil {
			return err
		}
		if !d.IsDir() {
			b, err := os.ReadFile(p)
			m[p] = string(b)
			return err
		}
		m[p] = ""
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// Bad input is refused with a message that names the problem, and leaves the
// results folder exactly as it was.
func TestRunRefusesBadInput(t *testing.T) {
	finished := t.TempDir()
	if _, err := Run(context.Background(), fakeConfig(), fakeOptions(finished)); err != nil {
		t.Fatal(err)
	}
	interrupted := t.TempDir()
	interrupt(t, fakeConfig(), interrupted, 9, false)
	corrupt := t.TempDir()
	interrupt(t, fakeConfig(), corrupt, 9, false)
	names, _ := listCheckpoints(filepath.Join(corrupt, ckptDir))
	for _, n := range names {
		os.WriteFile(filepath.Join(corrupt, ckptDir, n), []byte("RESXCKPT"), 0o644)
	}
	file := filepath.Join(t.TempDir(), "a-file")
	os.WriteFile(file, []byte("x"), 0o644)
	fresh := func() string { return filepath.Join(t.TempDir(), "results", "run") }

	cases := []struct {
		name   string
		dir    string
		resume bool
		edit   func(*config.Config)
		real   bool // use the real dataset and model
		msg    string
	}{
		{"no run folder", "", false, nil, false, "no run folder given"},
		{"batch size 0", fresh(), false, func(c *config.Config) { c.Train.BatchSize = 0 }, false, "train.batch_size 0 must be > 0"},
		{"no length", fresh(), false, func(c *config.Config) { c.Train.Epochs = 0 }, false, "one must be > 0"},
		{"momentum 1", fresh(), false, func(c *config.Config) { c.Train.Momentum = 1 }, false, "train.momentum 1 must be in [0, 1)"},
		{"lr step unit", fresh(), false, func(c *config.Config) { c.Train.LRStepUnit = "epochs" }, false, `train.lr_step_unit "epochs"`},
		{"run folder under a file", filepath.Join(file, "run"), false, nil, false, "not a directory"},
		{"unknown dataset", fresh(), false, func(c *config.Config) { c.Data.Name = "cifar11" }, true, `unknown dataset "cifar11"`},
		{"normalisation", fresh(), false, func(c *config.Config) { c.Data.Normalize = "zca" }, true, `normalisation "zca"`},
		{"depth", fresh(), false, func(c *config.Config) { c.Model.Depth = 9 }, true, "9"},
		{"folder holds a run", finished, false, nil, false, "already holds a run"},
		{"folder holds an interrupted run", interrupted, false, nil, false, "already holds a run"},
		{"resume with another config", interrupted, true, func(c *config.Config) { c.Seed = 9 }, false, "another config"},
		{"only corrupt checkpoints", corrupt, true, nil, false, "no usable checkpoint"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg := fakeConfig()
			opt := fakeOptions(tc.dir)
			if tc.real {
				cfg = tinyConfig()
				opt = tinyOptions(tc.dir)
			}
			if tc.edit != nil {
				tc.edit(&cfg)
			}
			opt.Resume, opt.Log = tc.resume, io.Discard
			parent := filepath.Dir(tc.dir) // a fresh folder's parent does not exist either
			if tc.dir == "" {
				parent = t.TempDir()
			}
			before := snapshot(t, parent)
			s, err := Run(context.Background(), cfg, opt)
			if !errors.Is(err, ErrInvalidInput) || !strings.Contains(err.Error(), tc.msg) {
				t.Fatalf("error %v, want ErrInvalidInput saying %q", err, tc.msg)
			}
			if s != nil {
				t.Errorf("summary %+v returned with an error", s)
			}
			if after := snapshot(t, parent); !reflect.DeepEqual(after, before) {
				t.Errorf("the results folder changed:\nbefore %v\nafter  %v", keys(before), keys(after))
			}
		})
	}
}

func keys(m map[string]string) []string {
	var k []string
	for p := range m {
		k = append(k, p)
	}
	return k
}

func TestRunRefusesFolderInUse(t *testing.T) {
	dir := t.TempDir()
	l, err := lockFolder(dir)
	if err != nil {
		t.Fatal(err)
	}
	_, err = Run(context.Background(), fakeConfig(), fakeOptions(dir))
	l.unlock()
	if !errors.Is(err, ErrBusy) || !strings.Contains(err.Error(), "held by pid") {
		t.Fatalf("error %v, want ErrBusy", err)
	}
	if got := dirNames(t, dir); !reflect.DeepEqual(got, []string{lockName}) {
		t.Errorf("folder holds %v", got)
	}
	if _, err := Run(context.Background(), fakeConfig(), fakeOptions(dir)); err != nil {
		t.Errorf("after the holder let go: %v", err)
	}
}

// A full disk while writing metrics.csv or a checkpoint stops the run with
// an error that says which file, and no temporary file stays behind.
func TestRunOnFullDisk(t *testing.T) {
	for _, tc := range []struct {
		file string
		n    int
		msg  string
	}{
		{metricsName, 100, "metrics"},                     // during the appends
		{metricsName, 10, "metrics"},                      // while writing the header
		{ckptName(7), 50, "checkpoint at iteration 7"},    // the first epoch's checkpoint
		{ckptName(14), 500, "checkpoint at iteration 14"}, // the second's
		{summaryName, 10, "summary"},
	} {
		t.Run(fmt.Sprintf("%s after %d bytes", tc.file, tc.n), func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "run")
			opt := fakeOptions(dir)
			opt.Log = io.Discard
			opt.hook = func(name string, w io.Writer) io.Writer {
				if name == tc.file {
					return &failAfter{w: w, n: tc.n}
				}
				return w
			}
			_, err := Run(context.Background(), fakeConfig(), opt)
			if !errors.Is(err, errDiskFull) || !strings.Contains(err.Error(), tc.msg) {
				t.Fatalf("error %v, want the disk-full error saying %q", err, tc.msg)
			}
			for p := range snapshot(t, dir) {
				if strings.Contains(filepath.Base(p), ".tmp") {
					t.Errorf("temporary file %s left behind", p)
				}
			}
		})
	}
}

// A run that stops on a full disk leaves metrics.csv ending in a whole row.
func TestFullDiskLeavesWholeMetricsRows(t *testing.T) {
	head := len(strings.Join(header(), ",")) + 1
	for _, n := range []int{1, 30, 100, 333} {
		dir := filepath.Join(t.TempDir(), "run")
		opt := fakeOptions(dir)
		opt.Log = io.Discard
		opt.hook = func(name string, w io.Writer) io.Writer {
			if name == metricsName {
				return &failAfter{w: w, n: head + n} // the appends get as far as n bytes of rows
			}
			return w
		}
		cfg := fakeConfig()
		cfg.Train.LogEvery = 1
		if _, err := Run(context.Background(), cfg, opt); !errors.Is(err, errDiskFull) {
			t.Fatalf("after %d bytes: error %v, want the disk-full error", n, err)
		}
		b := readFile(t, filepath.Join(dir, metricsName))
		lines := strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
		if len(b) == 0 || b[len(b)-1] != '\n' {
			t.Errorf("after %d bytes: metrics.csv ends in part of a row: %q", n, lines[len(lines)-1])
		}
		for _, l := range lines {
			if got := strings.Count(l, ",") + 1; got != len(Columns) {
				t.Errorf("after %d bytes: row %q has %d fields, want %d", n, l, got, len(Columns))
			}
		}
	}
}

// A set-up that fails in a folder that existed before takes back what it
// wrote there, and the files of a set-up that succeeds are readable by all.
func TestFailedSetUpInExistingFolder(t *testing.T) {
	dir := t.TempDir()
	opt := fakeOptions(dir)
	opt.hook = func(name string, w io.Writer) io.Writer {
		if name == metricsName {
			return &failAfter{w: w, n: 10}
		}
		return w
	}
	_, err := Run(context.Background(), fakeConfig(), opt)
	if !errors.Is(err, errDiskFull) || !errors.Is(err, ErrInvalidInput) || !strings.Contains(err.Error(), "metrics") {
		t.Fatalf("error %v, want a disk-full error wrapping ErrInvalidInput", err)
	}
	if got := dirNames(t, dir); !reflect.DeepEqual(got, []string{lockName}) {
		t.Errorf("folder holds %v after a failed set-up, want only the lock", got)
	}
	if _, err := Run(context.Background(), fakeConfig(), fakeOptions(dir)); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{configName, metricsName, summaryName, filepath.Join(ckptDir, ckptName(21))} {
		fi, err := os.Stat(filepath.Join(dir, name))
		if err != nil || fi.Mode().Perm() != 0o644 {
			t.Errorf("%s: %v, mode %v, want 0644", name, err, fi.Mode())
		}
	}
}

func TestCheckResumable(t *testing.T) {
	run := t.TempDir()
	if _, err := Run(context.Background(), fakeConfig(), fakeOptions(run)); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "file")
	os.WriteFile(file, nil, 0o644)
	if err := CheckResumable(run); err != nil {
		t.Errorf("run folder: %v", err)
	}
	for dir, msg := range map[string]string{
		t.TempDir():                        "holds no run (no config.yaml)",
		filepath.Join(t.TempDir(), "nope"): "no such run folder",
		file:                               "not a run folder",
	} {
		if err := CheckResumable(dir); !errors.Is(err, ErrInvalidInput) || !strings.Contains(err.Error(), msg) {
			t.Errorf("%s: %v, want ErrInvalidInput saying %q", dir, err, msg)
		}
	}
}

// A checkpoint further on than the run can go (the dataset changed under
// the same config) is refused rather than resumed.
func TestResumeRefusesCheckpointBeyondRun(t *testing.T) {
	dir := t.TempDir()
	cfg := fakeConfig()
	interrupt(t, cfg, dir, 9, false)
	want, err := configYAML(cfg)
	if err != nil {
		t.Fatal(err)
	}
	c := &checkpoint{ConfigSum: sha256.Sum256(want), progress: progress{Iteration: 60, Batch: 50}}
	if err := saveCheckpoint(filepath.Join(dir, ckptDir), c, 5, nil); err != nil {
		t.Fatal(err)
	}
	before := snapshot(t, dir)
	opt := fakeOptions(dir)
	opt.Resume, opt.Log = true, io.Discard
	_, err = Run(context.Background(), cfg, opt)
	if !errors.Is(err, ErrInvalidInput) || !strings.Contains(err.Error(), "beyond this run's 21 iterations") {
		t.Fatalf("error %v, want ErrInvalidInput saying the checkpoint is beyond the run", err)
	}
	if after := snapshot(t, dir); !reflect.DeepEqual(after, before) {
		t.Errorf("the run folder changed:\nbefore %v\nafter  %v", keys(before), keys(after))
	}
}
