package experiment

import (
	"context"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/resx-dev/resx/internal/config"
)

const childEnv = "RESX_EXPERIMENT_CHILD_DIR"

// killConfig is long enough (20 epochs of 7 steps, slowed by slowSteps) for a
// process to be killed in the middle of it.
func killConfig() config.Config {
	c := fakeConfig()
	c.Train.Epochs, c.Train.LRSteps, c.Train.LogEvery, c.Checkpoint.Every = 20, []int{12}, 2, 3
	return c
}

// slowSteps sleeps after every step, so that a kill lands mid-run.
type slowSteps struct{ silent }

func (slowSteps) Step(StepInfo) { time.Sleep(3 * time.Millisecond) }

// TestKilledChildRun is the child process of TestSIGKILLThenResume: it runs
// (or resumes) killConfig in $RESX_EXPERIMENT_CHILD_DIR until it is killed.
func TestKilledChildRun(t *testing.T) {
	dir := os.Getenv(childEnv)
	if dir == "" {
		t.Skip("only runs as the child of TestSIGKILLThenResume")
	}
	opt := fakeOptions(dir)
	opt.Resume, opt.Progress = true, slowSteps{}
	if _, err := Run(context.Background(), killConfig(), opt); err != nil {
		t.Fatal(err)
	}
}

// A run whose process is killed with SIGKILL at random moments (between
// steps, during a checkpoint or a metrics row) and resumed each time ends
// with the metrics.csv of a run that was never stopped.
func TestSIGKILLThenResume(t *testing.T) {
	if testing.Short() {
		t.Skip("starts child processes")
	}
	cfg := killConfig()
	ref := t.TempDir()
	if _, err := Run(context.Background(), cfg, fakeOptions(ref)); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	rng := rand.New(rand.NewPCG(5, 6))
	kills := 0
	for range 4 {
		cmd := exec.Command(os.Args[0], "-test.run=^TestKilledChildRun$")
		cmd.Env = append(os.Environ(), childEnv+"="+dir)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		// Wait for this child's first checkpoint or row, then a random while.
		before, _ := os.ReadFile(filepath.Join(dir, metricsName))
		for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(time.Millisecond) {
			if now, _ := os.ReadFile(filepath.Join(dir, metricsName)); len(now) > len(before) {
				break
			}
		}
		time.Sleep(time.Duration(rng.IntN(40)) * time.Millisecond)
		cmd.Process.Kill()
		if err := cmd.Wait(); err == nil {
			break // the run finished before the kill
		}
		kills++
		rows, _ := os.ReadFile(filepath.Join(dir, metricsName))
		t.Logf("kill %d: metrics.csv has %d bytes", kills, len(rows))
	}
	if kills == 0 {
		t.Fatal("no child was killed mid-run")
	}
	// What a kill in the middle of writing a checkpoint leaves behind.
	os.WriteFile(filepath.Join(dir, ckptDir, "."+ckptName(99)+".tmp-123"), []byte("RESX"), 0o644)
	opt := fakeOptions(dir)
	opt.Resume = true
	if _, err := Run(context.Background(), cfg, opt); err != nil {
		t.Fatal(err)
	}
	if got, want := metricsWithoutTime(t, dir), metricsWithoutTime(t, ref); !reflect.DeepEqual(got, want) {
		t.Errorf("after %d kills: metrics differ:\ngot  %v\nwant %v", kills, got, want)
	}
	for _, n := range dirNames(t, filepath.Join(dir, ckptDir)) {
		if filepath.Ext(n) != ckptSuffix {
			t.Errorf("left behind in checkpoints/: %s", n)
		}
	}
	t.Logf("killed %d times", kills)
}
