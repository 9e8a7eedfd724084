package main

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/resx-dev/resx/internal/config"
	"github.com/resx-dev/resx/internal/experiment"
)

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"resx": func() { os.Exit(run()) },
	})
}

// TestScripts runs the end-to-end scripts in testdata/script on the resx
// binary. Scripts marked [training] need experiment.Run to train.
func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir: "testdata/script",
		Setup: func(env *testscript.Env) error {
			// The report fixture: three run folders and a provenance file.
			env.Setenv("RESX_FIXTURE", mustAbs("../../internal/report/testdata/exp"))
			env.Setenv("RESX_GOLDEN", mustAbs("../../internal/report/testdata/golden"))
			// Keep dataset searches inside the script's folder.
			env.Setenv("HOME", env.WorkDir)
			env.Setenv("XDG_CACHE_HOME", filepath.Join(env.WorkDir, ".cache"))
			env.Setenv("XDG_DATA_DIRS", filepath.Join(env.WorkDir, "share"))
			return nil
		},
		Condition: func(cond string) (bool, error) {
			if cond == "training" {
				return trainingWorks(), nil
			}
			return false, errors.New("unknown condition " + cond)
		},
		Cmds: map[string]func(*testscript.TestScript, bool, []string){
			"exitcode": cmdExitCode,
			"copydir":  cmdCopyDir,
		},
	})
}

// cmdExitCode runs "exitcode N prog args..." and fails unless prog exits
// with status N.
func cmdExitCode(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: exitcode N prog [args...]")
	}
	want, err := strconv.Atoi(args[0])
	if err != nil {
		ts.Fatalf("exitcode: %v", err)
	}
	err = ts.Exec(args[1], args[2:]...)
	got := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		got = ee.ExitCode()
	} else if err != nil {
		ts.Fatalf("exitcode: %v", err)
	}
	if got != want {
		ts.Fatalf("%s exited with %d, want %d", strings.Join(args[1:], " "), got, want)
	}
}

// cmdCopyDir copies a folder tree: "copydir SRC DST".
func cmdCopyDir(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: copydir SRC DST")
	}
	if err := os.CopyFS(ts.MkAbs(args[1]), os.DirFS(ts.MkAbs(args[0]))); err != nil {
		ts.Fatalf("copydir: %v", err)
	}
}

func mustAbs(p string) string {
	a, err := filepath.Abs(p)
	if err != nil {
		panic(err)
	}
	return a
}

// trainingWorks reports whether experiment.Run trains, rather than answering
// "not implemented": it starts a tiny run with a cancelled context, which a
// working Run answers by stopping at once.
var trainingWorks = sync.OnceValue(func() bool {
	dir, err := os.MkdirTemp("", "resx-probe")
	if err != nil {
		return false
	}
	defer os.RemoveAll(dir)
	cfg, err := config.Load(config.Source{File: "smoke"})
	if err != nil {
		return false
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = experiment.Run(ctx, cfg, experiment.Options{RunDir: filepath.Join(dir, "run")})
	return err == nil || !strings.Contains(err.Error(), "not implemented")
})
