package experiment

import (
	"bytes"
	"context"
	"errors"
	"io"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/resx-dev/resx/internal/config"
	"github.com/resx-dev/resx/internal/model"
)

// fakeSweep is a sweep of three fake runs under root; the run named
// "diverges" gets a NaN loss at its 10th step of each session.
func fakeSweep(root string) []RunSpec {
	var runs []RunSpec
	for i, name := range []string{"first", "diverges", "third"} {
		c := fakeConfig()
		c.Name, c.Seed = name, uint64(i+1)
		runs = append(runs, RunSpec{Name: name, Dir: filepath.Join(root, name), Config: c})
	}
	return runs
}

// sweepRunner runs with the fakes and counts the runs it starts.
func sweepRunner(started *[]string) func(context.Context, config.Config, Options) (*Summary, error) {
	return func(ctx context.Context, cfg config.Config, o Options) (*Summary, error) {
		*started = append(*started, cfg.Name)
		f := fakeOptions(o.RunDir)
		o.newNet = func(c config.Model, mo model.Options) (network, error) {
			n, err := newFake(c, mo)
			if cfg.Name == "diverges" {
				n.nanLossAt = 10
			}
			return n, err
		}
		o.openData, o.cpu, o.Now, o.Log = f.openData, f.cpu, f.Now, io.Discard
		return Run(ctx, cfg, o)
	}
}

func outcomes(r SweepResult) []string {
	var s []string
	for _, o := range r.Runs {
		s = append(s, o.Name+":"+o.Outcome)
	}
	return s
}

func TestSweepIsolatesFailuresAndSkipsFinishedRuns(t *testing.T) {
	root := t.TempDir()
	runs := fakeSweep(root)
	var started []string
	res, err := Sweep(context.Background(), runs, SweepOptions{run: sweepRunner(&started)})
	want := []string{"first:finished", "diverges:failed", "third:finished"}
	if got := outcomes(res); !reflect.DeepEqual(got, want) {
		t.Fatalf("outcomes %v, want %v", got, want)
	}
	if !errors.Is(err, ErrDiverged) || !strings.Contains(err.Error(), "1 of 3 runs did not finish") ||
		!strings.Contains(err.Error(), "diverges: ") {
		t.Errorf("error %v", err)
	}
	first := readFile(t, filepath.Join(root, "first", metricsName))

	started = nil
	res, err = Sweep(context.Background(), runs, SweepOptions{run: sweepRunner(&started)})
	want = []string{"first:skipped", "diverges:failed", "third:skipped"}
	if got := outcomes(res); !reflect.DeepEqual(got, want) || !errors.Is(err, ErrDiverged) {
		t.Fatalf("second sweep: outcomes %v, error %v; want %v", got, err, want)
	}
	if !reflect.DeepEqual(started, []string{"diverges"}) {
		t.Errorf("second sweep started %v, want only the failed run", started)
	}
	if res.Runs[0].Summary == nil || res.Runs[0].Summary.Status != StatusFinished {
		t.Errorf("skipped run's summary: %+v", res.Runs[0].Summary)
	}
	if !bytes.Equal(first, readFile(t, filepath.Join(root, "first", metricsName))) {
		t.Error("a skipped run's metrics.csv changed")
	}
}

func TestSweepResumesInterruptedRun(t *testing.T) {
	root := t.TempDir()
	runs := fakeSweep(root)
	runs = []RunSpec{runs[0], runs[2]}
	ref := t.TempDir()
	if _, err := Run(context.Background(), runs[1].Config, fakeOptions(ref)); err != nil {
		t.Fatal(err)
	}

	ctx, cancel := context.WithCancel(context.Background())
	var started []string
	res, err := Sweep(ctx, runs, SweepOptions{run: sweepRunner(&started), Progress: func(s RunSpec) Progress {
		if s.Name == "third" {
			return &stopAt{at: 11, cancel: cancel}
		}
		return nil
	}})
	cancel()
	if got, want := outcomes(res), []string{"first:finished", "third:interrupted"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("outcomes %v, want %v", got, want)
	}
	if !errors.Is(err, context.Canceled) {
		t.Errorf("error %v, want context.Canceled", err)
	}

	res, err = Sweep(context.Background(), runs, SweepOptions{run: sweepRunner(&started)})
	if got, want := outcomes(res), []string{"first:skipped", "third:finished"}; !reflect.DeepEqual(got, want) || err != nil {
		t.Fatalf("outcomes %v, error %v; want %v", got, err, want)
	}
	if got, want := metricsWithoutTime(t, runs[1].Dir), metricsWithoutTime(t, ref); !reflect.DeepEqual(got, want) {
		t.Errorf("resumed sweep run differs from a straight run:\ngot  %v\nwant %v", got, want)
	}
}

func TestSweepCancelledBeforeARunStartsNone(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var started []string
	res, err := Sweep(ctx, fakeSweep(t.TempDir()), SweepOptions{run: sweepRunner(&started)})
	if !errors.Is(err, context.Canceled) || len(started) != 0 || res.Runs[2].Outcome != OutcomeNotStarted {
		t.Errorf("outcomes %v, started %v, error %v", outcomes(res), started, err)
	}
}

func TestSweepRefusesAnotherConfig(t *testing.T) {
	root := t.TempDir()
	runs := fakeSweep(root)[:1]
	var started []string
	if _, err := Sweep(context.Background(), runs, SweepOptions{run: sweepRunner(&started)}); err != nil {
		t.Fatal(err)
	}
	before := readFile(t, filepath.Join(root, "first", metricsName))
	runs[0].Config.Train.LR = 0.25
	res, err := Sweep(context.Background(), runs, SweepOptions{run: sweepRunner(&started)})
	if !errors.Is(err, ErrInvalidInput) || !strings.Contains(err.Error(), "another config") ||
		res.Runs[0].Outcome != OutcomeFailed {
		t.Fatalf("outcomes %v, error %v", outcomes(res), err)
	}
	if !bytes.Equal(before, readFile(t, filepath.Join(root, "first", metricsName))) {
		t.Error("a refused run's metrics.csv changed")
	}
}

// A run folder that another process holds is left alone; the sweep goes on.
func TestSweepLeavesLockedRunToItsHolder(t *testing.T) {
	root := t.TempDir()
	runs := fakeSweep(root)
	runs = []RunSpec{runs[0], runs[2]}
	if _, err := makeDir(runs[0].Dir); err != nil {
		t.Fatal(err)
	}
	l, err := lockFolder(runs[0].Dir)
	if err != nil {
		t.Fatal(err)
	}
	defer l.unlock()
	var started []string
	res, err := Sweep(context.Background(), runs, SweepOptions{run: sweepRunner(&started)})
	if got, want := outcomes(res), []string{"first:busy", "third:finished"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("outcomes %v, want %v", got, want)
	}
	if !errors.Is(err, ErrBusy) || errors.Is(err, ErrInvalidInput) || !strings.Contains(err.Error(), "held by pid") {
		t.Errorf("error %v, want ErrBusy naming the holder", err)
	}
	if got := dirNames(t, runs[0].Dir); !reflect.DeepEqual(got, []string{lockName}) {
		t.Errorf("the locked folder now holds %v", got)
	}
}

func TestSweepRefusesBadSpecs(t *testing.T) {
	c := fakeConfig()
	for _, tc := range []struct {
		runs []RunSpec
		msg  string
	}{
		{[]RunSpec{{Name: "a", Dir: "x", Config: c}, {Name: "a", Dir: "y", Config: c}}, `run "a" appears twice`},
		{[]RunSpec{{Name: "a", Dir: "x/", Config: c}, {Name: "b", Dir: "./x", Config: c}}, `share the folder x`},
		{[]RunSpec{{Name: "", Dir: "x", Config: c}}, "no name"},
	} {
		var started []string
		_, err := Sweep(context.Background(), tc.runs, SweepOptions{run: sweepRunner(&started)})
		if !errors.Is(err, ErrInvalidInput) || !strings.Contains(err.Error(), tc.msg) || len(started) > 0 {
			t.Errorf("error %v (started %v), want ErrInvalidInput saying %q", err, started, tc.msg)
		}
	}
}
