package config

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func writeFile(t *testing.T, text string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "c.yaml")
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func mustLoad(t *testing.T, src Source) Config {
	t.Helper()
	c, err := Load(src)
	if err != nil {
		t.Fatalf("Load(%+v): %v", src, err)
	}
	return c
}

// The four precedence tests set train.lr at one more level each and check
// that the highest level wins.

func TestPrecedenceDefault(t *testing.T) {
	c := mustLoad(t, Source{})
	if c.Train.LR != Default().Train.LR || !Equal(c, Default()) {
		t.Errorf("Load with no layers = %+v, want Default()", c)
	}
}

func TestPrecedenceFileOverDefault(t *testing.T) {
	c := mustLoad(t, Source{File: writeFile(t, "train:\n  lr: 0.2\n")})
	if c.Train.LR != 0.2 {
		t.Errorf("train.lr = %v, want 0.2 from the file", c.Train.LR)
	}
	if c.Train.BatchSize != Default().Train.BatchSize {
		t.Errorf("train.batch_size = %v, want the default", c.Train.BatchSize)
	}
}

func TestPrecedenceEnvOverFile(t *testing.T) {
	t.Setenv("RESX_TRAIN_LR", "0.3")
	t.Setenv("RESX_TRAIN_BATCH_SIZE", "64")
	c := mustLoad(t, Source{File: writeFile(t, "train:\n  lr: 0.2\n")})
	if c.Train.LR != 0.3 || c.Train.BatchSize != 64 {
		t.Errorf("train.lr, batch_size = %v, %v, want 0.3, 64 from the environment", c.Train.LR, c.Train.BatchSize)
	}
}

func TestPrecedenceFlagOverEnv(t *testing.T) {
	t.Setenv("RESX_TRAIN_LR", "0.3")
	c := mustLoad(t, Source{File: writeFile(t, "train:\n  lr: 0.2\n"), Sets: []string{"train.lr=0.4"}})
	if c.Train.LR != 0.4 {
		t.Errorf("train.lr = %v, want 0.4 from the flag", c.Train.LR)
	}
}

func TestSetsLaterWinsAndShortKeys(t *testing.T) {
	c := mustLoad(t, Source{Sets: []string{"depth=56", "model.depth=110", "lr_steps=1,2", "data.augment=false"}})
	if c.Model.Depth != 110 || len(c.Train.LRSteps) != 2 || c.Train.LRSteps[1] != 2 || c.Data.Augment {
		t.Errorf("got depth %d, lr_steps %v, augment %v", c.Model.Depth, c.Train.LRSteps, c.Data.Augment)
	}
}

func TestEnvList(t *testing.T) {
	t.Setenv("RESX_TRAIN_LR_STEPS", "[100, 200, 300]")
	c := mustLoad(t, Source{})
	if len(c.Train.LRSteps) != 3 || c.Train.LRSteps[2] != 300 {
		t.Errorf("lr_steps = %v", c.Train.LRSteps)
	}
}

func problemsOf(t *testing.T, err error) []Problem {
	t.Helper()
	var ve *ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("error %v (%T) is not a *ValidationError", err, err)
	}
	return ve.Problems
}

func TestUnknownKeyIsNamed(t *testing.T) {
	_, err := Load(Source{File: writeFile(t, "train:\n  lrr: 0.2\nmodel:\n  dept: 56\n")})
	ps := problemsOf(t, err)
	msg := err.Error()
	for _, want := range []string{"train.lrr: unknown key (did you mean train.lr?)", "model.dept: unknown key (did you mean model.depth?)"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error %q does not contain %q", msg, want)
		}
	}
	if len(ps) != 2 {
		t.Errorf("got %d problems, want 2: %v", len(ps), ps)
	}
}

func TestUnknownKeyInSet(t *testing.T) {
	_, err := Load(Source{Sets: []string{"train.lrate=0.1"}})
	if ps := problemsOf(t, err); len(ps) != 1 || ps[0].Key != "train.lrate" {
		t.Errorf("problems = %v, want one about train.lrate", ps)
	}
}

func TestWrongTypes(t *testing.T) {
	for _, tc := range []struct {
		name, file, env, set string
		key, want            string
	}{
		{name: "string for float", file: "train:\n  lr: fast\n", key: "train.lr", want: `"fast" is not a number`},
		{name: "fraction for int", file: "model:\n  depth: 20.5\n", key: "model.depth", want: "20.5 is not an integer"},
		{name: "number for string", file: "model:\n  arch: 1\n", key: "model.arch", want: "expected a string"},
		{name: "scalar for list", file: "train:\n  lr_steps: 5\n", key: "train.lr_steps", want: "expected a list of integers"},
		{name: "section for value", file: "train:\n  lr:\n    x: 1\n", key: "train.lr", want: "section"},
		{name: "bad bool in env", env: "maybe", key: "data.augment", want: `"maybe" is not a boolean (true or false) (from RESX_DATA_AUGMENT)`},
		{name: "bad int in set", set: "train.batch_size=lots", key: "train.batch_size", want: `"lots" is not an integer (from the command line)`},
		{name: "negative seed", set: "seed=-1", key: "seed", want: "negative"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src := Source{}
			if tc.file != "" {
				src.File = writeFile(t, tc.file)
			}
			if tc.env != "" {
				t.Setenv(EnvName(tc.key), tc.env)
			}
			if tc.set != "" {
				src.Sets = []string{tc.set}
			}
			_, err := Load(src)
			if err == nil {
				t.Fatal("Load succeeded")
			}
			ps := problemsOf(t, err)
			found := false
			for _, p := range ps {
				if p.Key == tc.key && strings.Contains(p.Message, tc.want) {
					found = true
				}
			}
			if !found {
				t.Errorf("problems %v: none for %s containing %q", ps, tc.key, tc.want)
			}
		})
	}
}

func TestMissingFile(t *testing.T) {
	_, err := Load(Source{File: "no/such.yaml"})
	if err == nil || !strings.Contains(err.Error(), "no/such.yaml") || !strings.Contains(err.Error(), "quick") {
		t.Errorf("err = %v, want the file named and the presets listed", err)
	}
	problemsOf(t, err)
}

func TestBrokenYAML(t *testing.T) {
	_, err := Load(Source{File: writeFile(t, "train: [\n")})
	problemsOf(t, err)
}

func TestPresetsLoadAndValidate(t *testing.T) {
	names := Presets()
	if len(names) < 10 {
		t.Fatalf("only %d presets: %v", len(names), names)
	}
	for _, name := range names {
		c, err := Load(Source{File: name})
		if err != nil {
			t.Errorf("preset %s: %v", name, err)
			continue
		}
		if err := c.Validate(); err != nil {
			t.Errorf("preset %s: %v", name, err)
		}
	}
}

func TestPaperRecipe(t *testing.T) {
	for _, d := range []string{"20", "32", "44", "56", "110", "1202"} {
		for _, arch := range []string{"plain", "residual"} {
			c := mustLoad(t, Source{File: "cifar10-" + arch + "-" + d})
			tr := c.Train
			if c.Model.Arch != arch || tr.BatchSize != 128 || tr.LR != 0.1 || tr.Iterations != 64000 ||
				tr.WeightDecay != 1e-4 || tr.Momentum != 0.9 || len(tr.LRSteps) != 2 ||
				tr.LRSteps[0] != 32000 || tr.LRSteps[1] != 48000 || !c.Data.Augment || c.Data.Normalize != "pixel" {
				t.Errorf("cifar10-%s-%s does not follow the paper: %+v", arch, d, c)
			}
		}
	}
	if c := mustLoad(t, Source{File: "cifar10-residual-110"}); !c.Train.Warmup {
		t.Error("cifar10-residual-110 has no warm-up")
	}
}

func TestYAMLRoundTrip(t *testing.T) {
	want := mustLoad(t, Source{File: "quick", Sets: []string{"train.lr_steps=3,5", "model.width=0.25"}})
	p := writeFile(t, string(want.YAML()))
	got := mustLoad(t, Source{File: p})
	if !Equal(got, want) {
		t.Errorf("round trip:\n got %+v\nwant %+v", got, want)
	}
}

func TestDiskFileWinsOverPreset(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	if err := os.WriteFile("quick", []byte("seed: 7\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if c := mustLoad(t, Source{File: "quick"}); c.Seed != 7 {
		t.Errorf("seed = %d, want 7 from the file on disk", c.Seed)
	}
}

func TestResolveKey(t *testing.T) {
	for in, want := range map[string]string{"depth": "model.depth", "lr": "train.lr", "name": "name", "train.lr": "train.lr", "Survival": "model.survival"} {
		if got, err := ResolveKey(in); err != nil || got != want {
			t.Errorf("ResolveKey(%q) = %q, %v, want %q", in, got, err, want)
		}
	}
	if _, err := ResolveKey("every"); err != nil {
		t.Errorf("every: %v", err)
	}
	if _, err := ResolveKey("dir"); err != nil {
		t.Errorf("dir: %v", err)
	}
	if _, err := ResolveKey("depht"); err == nil || !strings.Contains(err.Error(), "model.depth") {
		t.Errorf("depht: err = %v, want a suggestion", err)
	}
}

func TestEnvName(t *testing.T) {
	if got := EnvName("train.batch_size"); got != "RESX_TRAIN_BATCH_SIZE" {
		t.Errorf("EnvName = %s", got)
	}
}

func TestDataDirEnvIsNotAConfigKey(t *testing.T) {
	t.Setenv("RESX_DATA_DIR", "/somewhere")
	if c := mustLoad(t, Source{}); c.Data.Dir != "" {
		t.Errorf("data.dir = %q from RESX_DATA_DIR, want it left to the dataset search", c.Data.Dir)
	}
}

// TestREADMEDocumentsEveryKey keeps the README's configuration reference
// complete: each key must have a row there.
func TestREADMEDocumentsEveryKey(t *testing.T) {
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range Keys() {
		if !strings.Contains(string(b), "| `"+k+"` |") {
			t.Errorf("README.md has no row for the key %s", k)
		}
	}
}
