package main

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// tiny are the settings that make a run start and end in a fraction of a
// second, for the cases that need training to begin.
var tiny = []string{"--set", "train.epochs=1", "--set", "data.subset=64", "--set", "data.test_subset=64",
	"--set", "model.depth=8", "--set", "model.width=0.25"}

// badInputCase is one bad input given to the resx binary.
type badInputCase struct {
	name string
	// args follow "resx -q"; "--out out" is added unless the case says
	// otherwise. Each case runs in a folder of its own, so relative paths
	// (out, data, run, c.yaml) are the case's.
	args  []string
	env   []string          // KEY=value, added to a clean environment
	files map[string]string // written into the case's folder first
	// setup prepares what files cannot say: datasets, run folders, mounts.
	setup func(t *testing.T, dir string)
	code  int    // the exit status
	msg   string // stderr contains this, naming the problem
	// check replaces the default check that the case's folder is exactly
	// as it was (what a failure part-way through may leave).
	check func(t *testing.T, dir string)
	noOut bool // do not add --out out
	once  bool // msg appears once only (a grid reports a bad value once, not per run)
}

var badInputCases = []badInputCase{
	// The configuration: keys, types and values, from each layer.
	{name: "unknown key in --set", args: []string{"train", "--set", "train.lrr=0.1"},
		code: 2, msg: "train.lrr: unknown key (did you mean train.lr?)"},
	{name: "unknown short key in --set", args: []string{"train", "--set", "dept=8"},
		code: 2, msg: "dept: unknown key"},
	{name: "unknown key in the file", args: []string{"train", "--config", "c.yaml"},
		files: map[string]string{"c.yaml": "model:\n  dept: 56\n"},
		code:  2, msg: "model.dept: unknown key (did you mean model.depth?) in c.yaml"},
	{name: "wrong type in the file", args: []string{"train", "--config", "c.yaml"},
		files: map[string]string{"c.yaml": "train:\n  lr: fast\n"},
		code:  2, msg: `train.lr: "fast" is not a number (in c.yaml)`},
	{name: "fraction for an integer", args: []string{"train", "--config", "c.yaml"},
		files: map[string]string{"c.yaml": "model:\n  depth: 20.5\n"},
		code:  2, msg: "model.depth: 20.5 is not an integer"},
	{name: "wrong type in the environment", args: []string{"train"}, env: []string{"RESX_TRAIN_BATCH_SIZE=many"},
		code: 2, msg: `train.batch_size: "many" is not an integer (from RESX_TRAIN_BATCH_SIZE)`},
	{name: "wrong type in --set", args: []string{"train", "--set", "data.augment=maybe"},
		code: 2, msg: `data.augment: "maybe" is not a boolean`},
	{name: "depth not 6n+2", args: []string{"train", "--set", "model.depth=57"},
		code: 2, msg: "model.depth: 57 is not 6n+2"},
	{name: "depth not 9n+2 for bottleneck", args: []string{"train", "--set", "model.block=bottleneck", "--set", "model.depth=32"},
		code: 2, msg: "model.depth: 32 is not 9n+2"},
	{name: "zero learning rate", args: []string{"train", "--set", "train.lr=0"},
		code: 2, msg: "train.lr: 0 must be > 0"},
	{name: "negative learning rate in the file", args: []string{"train", "--config", "c.yaml"},
		files: map[string]string{"c.yaml": "train:\n  lr: -0.1\n"},
		code:  2, msg: "train.lr: -0.1 must be > 0"},
	{name: "zero batch size", args: []string{"train", "--set", "train.batch_size=0"},
		code: 2, msg: "train.batch_size: 0 must be >= 1"},
	{name: "negative batch size in the environment", args: []string{"train"}, env: []string{"RESX_TRAIN_BATCH_SIZE=-4"},
		code: 2, msg: "train.batch_size: -4 must be >= 1"},
	{name: "negative threads", args: []string{"train", "--threads", "-1"},
		code: 2, msg: "threads: -1 must be >= 0"},
	{name: "unknown dataset", args: []string{"train", "--set", "data.name=imagenet"},
		code: 2, msg: `data.name: "imagenet" is not one of`},
	{name: "name that is no folder name", args: []string{"train", "--set", "name=a/b"},
		code: 2, msg: `name: "a/b" cannot be a folder name`},
	{name: "--set with no =", args: []string{"train", "--set", "model.depth"},
		code: 2, msg: `--set "model.depth": expected key=value`},
	{name: "config file that does not exist", args: []string{"train", "--config", "missing.yaml"},
		code: 2, msg: "missing.yaml: no such file, and no such preset"},
	{name: "YAML syntax error", args: []string{"train", "--config", "c.yaml"},
		files: map[string]string{"c.yaml": "model:\n  depth: [8\n"},
		code:  2, msg: "config file c.yaml: While parsing config: yaml: line"},
	{name: "section written as a value", args: []string{"train", "--config", "c.yaml"},
		files: map[string]string{"c.yaml": "model: 3\n"},
		code:  2, msg: "model: 3 is an integer, expected a section of model.* keys, in c.yaml"},
	{name: "YAML that is a list", args: []string{"train", "--config", "c.yaml"},
		files: map[string]string{"c.yaml": "- 1\n- 2\n"},
		code:  2, msg: "config file c.yaml"},

	// Grids: compare and sweep.
	{name: "bad --depths list", args: []string{"compare", "plain", "residual", "--depths", "20,abc"},
		code: 2, msg: `model.depth: "abc" is not an integer`, once: true},
	{name: "depth in --depths not 6n+2", args: []string{"compare", "plain", "residual", "--depths", "20,57"},
		code: 2, msg: "model.depth: 57 is not 6n+2"},
	{name: "empty --depths", args: []string{"compare", "plain", "residual", "--depths", ""},
		code: 2, msg: "--depths: no depths given"},
	{name: "unknown architecture", args: []string{"compare", "plain", "resnet"},
		code: 2, msg: `model.arch: "resnet" is not one of plain, residual`},
	{name: "empty grid axis", args: []string{"sweep", "--grid", "depth="},
		code: 2, msg: "model.depth: no values to sweep"},
	{name: "grid axis with no =", args: []string{"sweep", "--grid", "depth"},
		code: 2, msg: `grid "depth": expected key=v1,v2,...`},
	{name: "nothing to sweep", args: []string{"sweep"},
		code: 2, msg: "nothing to sweep"},
	{name: "unknown grid key", args: []string{"sweep", "--grid", "nokey=1,2"},
		code: 2, msg: "nokey: unknown key"},
	{name: "bad value in a sweep", args: []string{"sweep", "lr", "--values", "0.1,fast"},
		code: 2, msg: `train.lr: "fast" is not a number`},

	// Datasets: missing, truncated and corrupt files in both formats.
	{name: "dataset not found", args: append([]string{"train", "--data-dir", "data", "--set", "data.name=cifar10"}, tiny...),
		setup: func(t *testing.T, dir string) { mkdir(t, filepath.Join(dir, "data")) },
		code:  2, msg: "dataset cifar10: folder cifar-10-batches-bin not found"},
	{name: "IDX file missing", args: append([]string{"train", "--data-dir", "data", "--set", "data.name=fashion-mnist"}, tiny...),
		setup: idxDataset("fashion-mnist", true, func(files map[string][]byte) { delete(files, "t10k-labels-idx1-ubyte") }),
		code:  2, msg: "fashion-mnist/t10k-labels-idx1-ubyte.gz: missing file"},
	{name: "IDX file truncated", args: append([]string{"train", "--data-dir", "data", "--set", "data.name=mnist"}, tiny...),
		setup: idxDataset("mnist", false, func(files map[string][]byte) {
			files["train-images-idx3-ubyte"] = files["train-images-idx3-ubyte"][:1000]
		}),
		code: 2, msg: "mnist/train-images-idx3-ubyte: truncated"},
	{name: "IDX gzip stream cut short", args: append([]string{"train", "--data-dir", "data", "--set", "data.name=mnist"}, tiny...),
		setup: idxDataset("mnist", true, nil, "train-images-idx3-ubyte"),
		code:  2, msg: "mnist/train-images-idx3-ubyte.gz: broken gzip stream"},
	{name: "IDX wrong magic number", args: append([]string{"train", "--data-dir", "data", "--set", "data.name=mnist"}, tiny...),
		setup: idxDataset("mnist", false, func(files map[string][]byte) { copy(files["t10k-images-idx3-ubyte"], "XXXX") }),
		code:  2, msg: "mnist/t10k-images-idx3-ubyte: wrong magic number"},
	{name: "IDX labels do not match the images", args: append([]string{"train", "--set", "data.name=mnist"}, tiny...),
		env: []string{"RESX_DATA_DIR=data"},
		setup: idxDataset("mnist", false, func(files map[string][]byte) {
			lbl := files["t10k-labels-idx1-ubyte"]
			binary.BigEndian.PutUint32(lbl[4:], 10)
			files["t10k-labels-idx1-ubyte"] = lbl[:8+10]
		}),
		code: 2, msg: "mnist/t10k-labels-idx1-ubyte: 10 labels for the"},
	{name: "CIFAR batch missing", args: append([]string{"train", "--data-dir", "data", "--set", "data.name=cifar10"}, tiny...),
		setup: cifarDataset(func(files map[string][]byte) { delete(files, "data_batch_3.bin") }),
		code:  2, msg: "data_batch_3.bin"},
	{name: "CIFAR batch truncated", args: append([]string{"train", "--data-dir", "data", "--set", "data.name=cifar10"}, tiny...),
		setup: cifarDataset(func(files map[string][]byte) {
			files["test_batch.bin"] = files["test_batch.bin"][:2*cifarRecord+100]
		}),
		code: 2, msg: "cifar-10-batches-bin/test_batch.bin: truncated"},
	{name: "CIFAR label out of range", args: append([]string{"train", "--data-dir", "data", "--set", "data.name=cifar10"}, tiny...),
		setup: cifarDataset(func(files map[string][]byte) { files["data_batch_2.bin"][cifarRecord] = 10 }),
		code:  2, msg: "data_batch_2.bin: label byte 0 of record 1 is 10"},

	// Run folders and checkpoints.
	{name: "--resume of a folder that holds no run", args: []string{"train", "--resume", "run"},
		setup: func(t *testing.T, dir string) { mkdir(t, filepath.Join(dir, "run")) },
		code:  2, msg: "run holds no run (no config.yaml), nothing to resume", noOut: true},
	{name: "--resume of a folder that does not exist", args: []string{"train", "--config", "smoke", "--resume", "run"},
		code: 2, msg: "run: no such run folder", noOut: true},
	{name: "--resume with another config", args: []string{"train", "--resume", "run", "--set", "train.lr=0.2"},
		setup: smokeRun(false, nil),
		code:  2, msg: "run holds a run of another config", noOut: true},
	{name: "--resume with a broken config.yaml", args: []string{"train", "--resume", "run"},
		setup: smokeRun(false, func(t *testing.T, run string) {
			writeFile(t, filepath.Join(run, "config.yaml"), "model: [\n")
		}),
		code: 2, msg: "run/config.yaml", noOut: true},
	{name: "corrupt checkpoint", args: []string{"train", "--resume", "run"},
		setup: smokeRun(false, damageCheckpoints(func(b []byte) []byte { b[len(b)/2] ^= 1; return b })),
		code:  2, msg: "checksum mismatch (the file is corrupt)", noOut: true},
	{name: "truncated checkpoint", args: []string{"train", "--resume", "run"},
		setup: smokeRun(false, damageCheckpoints(func(b []byte) []byte { return b[:len(b)-100] })),
		code:  2, msg: "checkpoint: truncated: header says", noOut: true},
	{name: "checkpoint of another format version", args: []string{"train", "--resume", "run"},
		setup: smokeRun(false, damageCheckpoints(func(b []byte) []byte { b[8] = 9; return b })),
		code:  2, msg: "format version 9, this resx reads version 1", noOut: true},
	{name: "not a checkpoint", args: []string{"train", "--resume", "run"},
		setup: smokeRun(false, damageCheckpoints(func([]byte) []byte { return []byte("epoch,iteration\n") })),
		code:  2, msg: `not a resx checkpoint (no "RESXCKPT" header)`, noOut: true},
	{name: "folder that already holds a run", args: []string{"train", "--config", "smoke", "--set", "checkpoint.keep=2", "--out", "out"},
		setup: func(t *testing.T, dir string) {
			smokeRun(true, nil)(t, dir)
			if err := os.CopyFS(filepath.Join(dir, "out", "smoke", "residual-8-basic-A-s1"), os.DirFS(filepath.Join(dir, "run"))); err != nil {
				t.Fatal(err)
			}
		},
		code: 2, msg: "residual-8-basic-A-s1 already holds a run; resume it or choose another folder", noOut: true},
	{name: "results folder under a file", args: append([]string{"train", "--out", "file/out"}, tiny...),
		files: map[string]string{"file": "not a folder\n"},
		code:  2, msg: "file/out/quick/residual-8-basic-A-s1: not a directory", noOut: true},
	{name: "read-only results folder", args: append([]string{"train", "--out", "ro/out"}, tiny...),
		setup: mountTmpfs("ro", "ro,size=64k"),
		code:  2, msg: "mkdir ro/out: read-only file system", noOut: true},
	{name: "disk full before the run starts", args: append([]string{"train", "--out", "full/out"}, tiny...),
		setup: mountTmpfs("full", "size=4k"),
		code:  2, msg: "config.yaml: write full/out/quick/residual-8-basic-A-s1/.config.yaml.tmp-", noOut: true},
	{name: "disk full during the run",
		args: []string{"train", "--config", "smoke", "--out", "full/out", "--set", "train.epochs=3",
			"--set", "train.batch_size=8", "--set", "data.subset=64", "--set", "train.log_every=1"},
		setup: mountTmpfs("full", "size=64k"),
		code:  1, msg: "no space left on device", noOut: true,
		check: func(t *testing.T, dir string) {
			run := filepath.Join(dir, "full", "out", "smoke", "residual-8-basic-A-s1")
			assertNoTemporaries(t, run)
			b, err := os.ReadFile(filepath.Join(run, "metrics.csv"))
			if err != nil || len(b) == 0 || b[len(b)-1] != '\n' {
				t.Errorf("metrics.csv does not end in a whole row: %v, %q", err, b[max(0, len(b)-40):])
			}
			var s struct{ Status, Error string }
			if b, err := os.ReadFile(filepath.Join(run, "summary.json")); err == nil {
				if err := json.Unmarshal(b, &s); err != nil || s.Status != "failed" || !strings.Contains(s.Error, "no space left") {
					t.Errorf("summary.json: %v, status %q, error %q", err, s.Status, s.Error)
				}
			}
		}},
	{name: "report of a folder with no runs", args: []string{"report", "empty"},
		setup: func(t *testing.T, dir string) { mkdir(t, filepath.Join(dir, "empty")) },
		code:  2, msg: "no run folders", noOut: true},
}

// TestBadInput runs the resx binary on each bad input: it must exit with
// the expected status, print a message that names the problem, and leave
// nothing half-written (the case's folder is as it was, byte for byte,
// unless the case checks what a failed run may keep).
func TestBadInput(t *testing.T) {
	bin := buildResx(t)
	resxBin = bin
	home := t.TempDir()
	for _, tc := range badInputCases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			for name, text := range tc.files {
				writeFile(t, filepath.Join(dir, name), text)
			}
			if tc.setup != nil {
				tc.setup(t, dir)
			}
			args := append([]string{"-q"}, tc.args...)
			if !tc.noOut {
				args = append(args, "--out", "out")
			}
			before := snapshotDir(t, dir)
			cmd := exec.Command(bin, args...)
			cmd.Dir = dir
			cmd.Env = append(cleanEnv(home), tc.env...)
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			err := cmd.Run()
			code := 0
			var ee *exec.ExitError
			if errors.As(err, &ee) {
				code = ee.ExitCode()
			} else if err != nil {
				t.Fatal(err)
			}
			if code != tc.code || !strings.Contains(stderr.String(), tc.msg) {
				t.Errorf("resx %s: exit %d, want %d; stderr does not say %q:\n%s",
					strings.Join(args, " "), code, tc.code, tc.msg, stderr.String())
			}
			if n := strings.Count(stderr.String(), tc.msg); tc.once && n != 1 {
				t.Errorf("stderr says %q %d times, want once:\n%s", tc.msg, n, stderr.String())
			}
			if tc.check != nil {
				tc.check(t, dir)
				return
			}
			after := snapshotDir(t, dir)
			for p, b := range after {
				if a, ok := before[p]; !ok {
					t.Errorf("%s was left behind", p)
				} else if a != b {
					t.Errorf("%s was changed", p)
				}
			}
			for p := range before {
				if _, ok := after[p]; !ok {
					t.Errorf("%s was removed", p)
				}
			}
		})
	}
}

// resxBin is the resx binary that TestBadInput builds (main_test.go's
// TestMain belongs to the test scripts, so the build happens there).
var resxBin string

// buildResx builds resx into a temporary folder of t.
func buildResx(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "resx")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// cleanEnv is the environment without RESX_* variables, with the dataset
// search's user and system folders inside home.
func cleanEnv(home string) []string {
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		switch {
		case strings.HasPrefix(k, "RESX_"), k == "HOME", strings.HasPrefix(k, "XDG_"):
		default:
			env = append(env, kv)
		}
	}
	return append(env, "HOME="+home, "XDG_CACHE_HOME="+filepath.Join(home, "cache"),
		"XDG_DATA_DIRS="+filepath.Join(home, "share"))
}

// snapshotDir maps every file and folder under dir to its contents ("/" for
// a folder). A .lock file counts by its presence only: taking a run folder's
// lock writes the taker's pid into it.
func snapshotDir(t *testing.T, dir string) map[string]string {
	t.Helper()
	m := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		switch {
		case d.IsDir():
			m[rel] = "/"
		case d.Name() == ".lock":
			m[rel] = "lock"
		default:
			b, err := os.ReadFile(p)
			m[rel] = string(b)
			return err
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func assertNoTemporaries(t *testing.T, dir string) {
	t.Helper()
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && strings.Contains(d.Name(), ".tmp") {
			t.Errorf("temporary file %s left behind", p)
		}
		return nil
	})
}

func mkdir(t *testing.T, dir string) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
}

// smokeRun trains the smoke preset (2 epochs, 2 checkpoints kept) into
// dir/run, as finished or as killed before its end (no summary.json), and
// then lets edit damage it.
func smokeRun(finished bool, edit func(t *testing.T, run string)) func(*testing.T, string) {
	return func(t *testing.T, dir string) {
		tmp := t.TempDir()
		cmd := exec.Command(resxBin, "-q", "train", "--config", "smoke", "--out", tmp, "--set", "checkpoint.keep=2")
		cmd.Env = cleanEnv(t.TempDir())
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("smoke run: %v\n%s", err, out)
		}
		run := filepath.Join(dir, "run")
		if err := os.CopyFS(run, os.DirFS(filepath.Join(tmp, "smoke", "residual-8-basic-A-s1"))); err != nil {
			t.Fatal(err)
		}
		if !finished {
			if err := os.Remove(filepath.Join(run, "summary.json")); err != nil {
				t.Fatal(err)
			}
		}
		if edit != nil {
			edit(t, run)
		}
	}
}

// damageCheckpoints rewrites every checkpoint of a run folder with damage.
func damageCheckpoints(damage func([]byte) []byte) func(*testing.T, string) {
	return func(t *testing.T, run string) {
		paths, _ := filepath.Glob(filepath.Join(run, "checkpoints", "ckpt-*.bin"))
		if len(paths) != 2 {
			t.Fatalf("run has checkpoints %v, want 2", paths)
		}
		for _, p := range paths {
			b, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(p, damage(b), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// idxDataset writes the embedded Fashion-MNIST subset as dir/data/<name>/,
// gzipped or raw, after edit changes the raw files (keyed by base name).
// The files named in cut are written gzipped with the stream cut in half.
func idxDataset(name string, gz bool, edit func(map[string][]byte), cut ...string) func(*testing.T, string) {
	return func(t *testing.T, dir string) {
		src := "../../internal/dataset/embedded/fashion-mnist-mini"
		files := map[string][]byte{}
		for _, base := range []string{"train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"} {
			f, err := os.Open(filepath.Join(src, base+".gz"))
			if err != nil {
				t.Fatal(err)
			}
			zr, err := gzip.NewReader(f)
			if err != nil {
				t.Fatal(err)
			}
			if files[base], err = io.ReadAll(zr); err != nil {
				t.Fatal(err)
			}
			f.Close()
		}
		if edit != nil {
			edit(files)
		}
		out := filepath.Join(dir, "data", name)
		mkdir(t, out)
		for base, b := range files {
			cutHere := false
			for _, c := range cut {
				cutHere = cutHere || c == base
			}
			if !gz && !cutHere {
				if err := os.WriteFile(filepath.Join(out, base), b, 0o644); err != nil {
					t.Fatal(err)
				}
				continue
			}
			var buf bytes.Buffer
			zw := gzip.NewWriter(&buf)
			zw.Write(b)
			zw.Close()
			z := buf.Bytes()
			if cutHere {
				z = z[:len(z)/2]
			}
			if err := os.WriteFile(filepath.Join(out, base+".gz"), z, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// cifarRecord is the size of one CIFAR-10 record: a label byte and a
// 3×32×32 image.
const cifarRecord = 1 + 3*32*32

// cifarDataset writes a small CIFAR-10 folder, dir/data/cifar-10-batches-bin
// with 4 records in each batch file, after edit changes its files.
func cifarDataset(edit func(map[string][]byte)) func(*testing.T, string) {
	return func(t *testing.T, dir string) {
		files := map[string][]byte{}
		for i, name := range []string{"data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin", "data_batch_5.bin", "test_batch.bin"} {
			b := make([]byte, 4*cifarRecord)
			for r := range 4 {
				b[r*cifarRecord] = byte((i + r) % 10)
				for j := 1; j < cifarRecord; j++ {
					b[r*cifarRecord+j] = byte(i*31 + r*7 + j)
				}
			}
			files[name] = b
		}
		if edit != nil {
			edit(files)
		}
		out := filepath.Join(dir, "data", "cifar-10-batches-bin")
		mkdir(t, out)
		for name, b := range files {
			if err := os.WriteFile(filepath.Join(out, name), b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
}
