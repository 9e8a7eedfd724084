package experiment

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"flag"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/resx-dev/resx/internal/config"
	"github.com/resx-dev/resx/internal/model"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// golden compares got with testdata/name, or rewrites it under -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file:\n--- got\n%s\n--- want\n%s", name, got, want)
	}
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// metricsWithoutTime is a run's metrics.csv with the elapsed_s column blanked.
func metricsWithoutTime(t *testing.T, dir string) [][]string {
	t.Helper()
	recs, err := csv.NewReader(bytes.NewReader(readFile(t, filepath.Join(dir, metricsName)))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	col := len(Columns) - 1
	if recs[0][col] != "elapsed_s" {
		t.Fatalf("last column is %q, want elapsed_s", recs[0][col])
	}
	for _, r := range recs[1:] {
		r[col] = ""
	}
	return recs
}

func TestRunWritesGoldenFolder(t *testing.T) {
	dir := t.TempDir()
	cfg := fakeConfig()
	cfg.Train.LogEvery = 3
	s, err := Run(context.Background(), cfg, fakeOptions(dir))
	if err != nil {
		t.Fatal(err)
	}
	if s.Status != StatusFinished || s.Iterations != 21 || s.Epochs != 3 {
		t.Errorf("summary = %+v", s)
	}
	golden(t, "fake_metrics.csv", readFile(t, filepath.Join(dir, metricsName)))
	golden(t, "fake_summary.json", readFile(t, filepath.Join(dir, summaryName)))
	var stored config.Config
	if err := yaml.Unmarshal(readFile(t, filepath.Join(dir, configName)), &stored); err != nil ||
		!reflect.DeepEqual(stored, cfg) {
		t.Errorf("config.yaml reads back as %+v (%v), want %+v", stored, err, cfg)
	}
	if got := dirNames(t, dir); !reflect.DeepEqual(got, []string{lockName, ckptDir, configName, metricsName, summaryName}) {
		t.Errorf("run folder holds %v", got)
	}
	if got := dirNames(t, filepath.Join(dir, ckptDir)); len(got) != 3 || got[2] != ckptName(21) {
		t.Errorf("checkpoints/ holds %v, want the newest 3 ending with %s", got, ckptName(21))
	}
}

func TestRunIsDeterministic(t *testing.T) {
	cfg := fakeConfig()
	cfg.Model.Survival = 0.5
	a, b := t.TempDir(), t.TempDir()
	for _, dir := range []string{a, b} {
		if _, err := Run(context.Background(), cfg, fakeOptions(dir)); err != nil {
			t.Fatal(err)
		}
	}
	if ma, mb := metricsWithoutTime(t, a), metricsWithoutTime(t, b); !reflect.DeepEqual(ma, mb) {
		t.Errorf("two runs of one config differ:\n%v\n%v", ma, mb)
	}
	cfg.Seed++
	c := t.TempDir()
	if _, err := Run(context.Background(), cfg, fakeOptions(c)); err != nil {
		t.Fatal(err)
	}
	if reflect.DeepEqual(metricsWithoutTime(t, a), metricsWithoutTime(t, c)) {
		t.Error("another seed gave the same metrics")
	}
}

// stopAt is a Progress that cancels its run once a step reaches iteration at.
type stopAt struct {
	at     int
	cancel context.CancelFunc
}

func (s *stopAt) Start(RunInfo) {}
func (s *stopAt) Epoch(Row)     {}
func (s *stopAt) Step(i StepInfo) {
	if i.Iteration == s.at {
		s.cancel()
	}
}

// interrupt runs cfg in dir until iteration at, as a SIGINT would stop it.
func interrupt(t *testing.T, cfg config.Config, dir string, at int, resume bool) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	opt := fakeOptions(dir)
	opt.Resume = resume
	opt.Progress = &stopAt{at: at, cancel: cancel}
	s, err := Run(ctx, cfg, opt)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("stopped at %d: error %v, want context.Canceled", at, err)
	}
	if s == nil || s.Status != StatusInterrupted || s.Iterations != at {
		t.Fatalf("stopped at %d: summary %+v", at, s)
	}
	if disk, err := ReadSummary(dir); err != nil || disk.Status != StatusInterrupted {
		t.Fatalf("summary.json after interruption: %+v, %v", disk, err)
	}
}

func resumeToEnd(t *testing.T, cfg config.Config, dir string, log io.Writer) {
	t.Helper()
	opt := fakeOptions(dir)
	opt.Resume = true
	opt.Log = log
	if s, err := Run(context.Background(), cfg, opt); err != nil || s.Status != StatusFinished {
		t.Fatalf("resume: %+v, %v", s, err)
	}
}

// A run stopped at any step and resumed, perhaps several times, writes the
// metrics.csv of a run that was never stopped.
func TestResumeIsExact(t *testing.T) {
	for _, tc := range []struct {
		name string
		edit func(*config.Config)
	}{
		{"epochs", func(*config.Config) {}},
		{"iterations, log and checkpoint every few steps", func(c *config.Config) {
			c.Train.Iterations, c.Train.LogEvery, c.Checkpoint.Every = 17, 2, 5
			c.Train.LRSteps, c.Train.LRStepUnit = []int{9}, "iteration"
		}},
		{"warm-up and stochastic depth", func(c *config.Config) {
			c.Train.Warmup, c.Train.WarmupLR, c.Train.WarmupUntil = true, 0.05, 0.5
			c.Model.Survival = 0.5
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := fakeConfig()
			tc.edit(&cfg)
			ref := t.TempDir()
			if _, err := Run(context.Background(), cfg, fakeOptions(ref)); err != nil {
				t.Fatal(err)
			}
			want := metricsWithoutTime(t, ref)
			total := cfg.Train.Iterations
			if total == 0 {
				total = 21
			}
			rng := rand.New(rand.NewPCG(3, 4))
			stops := [][]int{{1}, {7}, {total - 1}, {2, 9, 14}}
			for range 3 {
				a := 1 + rng.IntN(total-2)
				stops = append(stops, []int{a, a + 1 + rng.IntN(total-a-1)})
			}
			for _, at := range stops {
				dir := t.TempDir()
				for i, it := range at {
					interrupt(t, cfg, dir, it, i > 0)
				}
				resumeToEnd(t, cfg, dir, io.Discard)
				if got := metricsWithoutTime(t, dir); !reflect.DeepEqual(got, want) {
					t.Errorf("stopped at %v: metrics differ from the uninterrupted run:\ngot  %v\nwant %v", at, got, want)
				}
			}
		})
	}
}

// A newest checkpoint that was cut short (a crash during the write of a
// non-atomic copy, a full disk) or damaged is skipped, with a warning.
func TestResumeFallsBackPastCorruptCheckpoint(t *testing.T) {
	cfg := fakeConfig()
	cfg.Checkpoint.Every = 2
	ref := t.TempDir()
	if _, err := Run(context.Background(), cfg, fakeOptions(ref)); err != nil {
		t.Fatal(err)
	}
	for _, damage := range []func([]byte) []byte{
		func(b []byte) []byte { return b[:len(b)-9] },
		func(b []byte) []byte { b[100] ^= 4; return b },
	} {
		dir := t.TempDir()
		interrupt(t, cfg, dir, 12, false)
		names, _ := listCheckpoints(filepath.Join(dir, ckptDir))
		newest := filepath.Join(dir, ckptDir, names[0])
		os.WriteFile(newest, damage(readFile(t, newest)), 0o644)
		var log bytes.Buffer
		resumeToEnd(t, cfg, dir, &log)
		if !strings.Contains(log.String(), names[0]) || !strings.Contains(log.String(), "falling back") {
			t.Errorf("resume did not report the corrupt checkpoint: %q", log.String())
		}
		if got, want := metricsWithoutTime(t, dir), metricsWithoutTime(t, ref); !reflect.DeepEqual(got, want) {
			t.Errorf("resumed past a corrupt checkpoint: metrics differ:\ngot  %v\nwant %v", got, want)
		}
	}
}

func TestResumeOfFinishedRunTrainsNothing(t *testing.T) {
	dir := t.TempDir()
	cfg := fakeConfig()
	if _, err := Run(context.Background(), cfg, fakeOptions(dir)); err != nil {
		t.Fatal(err)
	}
	before := readFile(t, filepath.Join(dir, metricsName))
	opt := fakeOptions(dir)
	opt.Resume = true
	opt.newNet = func(config.Model, model.Options) (network, error) {
		t.Fatal("a finished run was built again")
		return nil, nil
	}
	if s, err := Run(context.Background(), cfg, opt); err != nil || s.Status != StatusFinished {
		t.Fatalf("%+v, %v", s, err)
	}
	if !bytes.Equal(before, readFile(t, filepath.Join(dir, metricsName))) {
		t.Error("resuming a finished run changed metrics.csv")
	}
}

func TestDivergenceStopsRun(t *testing.T) {
	for _, tc := range []struct {
		name     string
		set      func(*fakeNet)
		msg      string
		lastCkpt int
	}{
		{"NaN loss", func(n *fakeNet) { n.nanLossAt = 10 }, "iteration 10: loss is NaN", 7},
		{"Inf weight", func(n *fakeNet) { n.infGradAt = 16 }, "iteration 16: weights of fc.w became NaN or Inf", 14},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			opt := fakeOptions(dir)
			opt.Log = io.Discard
			opt.newNet = func(c config.Model, o model.Options) (network, error) {
				n, err := newFake(c, o)
				tc.set(n)
				return n, err
			}
			s, err := Run(context.Background(), fakeConfig(), opt)
			if !errors.Is(err, ErrDiverged) || !strings.Contains(err.Error(), tc.msg) {
				t.Fatalf("error %v, want ErrDiverged saying %q", err, tc.msg)
			}
			if s.Status != StatusFailed || !strings.Contains(s.Error, tc.msg) {
				t.Errorf("summary %+v", s)
			}
			if disk, _ := ReadSummary(dir); disk == nil || disk.Status != StatusFailed {
				t.Errorf("summary.json: %+v", disk)
			}
			names, _ := listCheckpoints(filepath.Join(dir, ckptDir))
			if len(names) == 0 || names[0] != ckptName(tc.lastCkpt) {
				t.Errorf("checkpoints %v, want the newest at iteration %d (the last good epoch)", names, tc.lastCkpt)
			}
		})
	}
}
