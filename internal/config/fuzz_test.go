package config

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzLoad feeds arbitrary bytes to Load as a YAML config file. Load and
// Validate must never panic: the result is either a config that passes
// Validate and writes back (YAML) to a file that loads to the same config,
// or a *ValidationError with at least one problem, each with a message.
// Run with: go test -run XXX -fuzz FuzzLoad ./internal/config
func FuzzLoad(f *testing.F) {
	for _, name := range Presets() {
		p, err := Preset(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(p)
	}
	f.Add(Default().YAML())
	for _, s := range []string{
		"",
		"model:\n  dept: 56\n",
		"train:\n  lr: fast\nmodel:\n  depth: 20.5\n",
		"model:\n  depth: [8\n",
		"model:\n\tdepth: 8\n",
		"model: 3\n",
		"- 1\n- 2\n",
		"train:\n  lr_steps: [1, -2, x]\n",
		"train:\n  lr_steps: 4\n",
		"train:\n  batch_size: 1e3\n  epochs: 9223372036854775808\n",
		"seed: -1\nthreads: 0x10\n",
		"model:\n  width: .nan\n  survival: .inf\n",
		"a: &a [1, 1, 1]\nb: &b [*a, *a, *a]\nc: [*b, *b, *b]\n",
		"name: ../x\ndata:\n  name: mnist\n  augment: maybe\n",
		"model:\n  arch: plain\n  block: bottleneck\n  depth: 29\n  survival: 0.5\n",
		"? [a, b]\n: 1\n",
		"train: {lr: 0.1, lr: 0.2}\n",
		"%YAML 1.2\n---\nname: x\n...\n---\nname: y\n",
	} {
		f.Add([]byte(s))
	}
	// The test process's RESX_* variables must not change what a file means.
	for _, kv := range os.Environ() {
		if k, _, _ := strings.Cut(kv, "="); strings.HasPrefix(k, "RESX_") {
			f.Setenv(k, "")
		}
	}
	dir := f.TempDir()
	file := filepath.Join(dir, "fuzz.yaml")
	f.Fuzz(func(t *testing.T, data []byte) {
		if err := os.WriteFile(file, data, 0o644); err != nil {
			t.Fatal(err)
		}
		c, err := Load(Source{File: file})
		if err == nil {
			err = c.Validate()
		}
		if err != nil {
			var ve *ValidationError
			if !errors.As(err, &ve) || len(ve.Problems) == 0 {
				t.Fatalf("error is not a *ValidationError with problems: %#v", err)
			}
			for _, p := range ve.Problems {
				if p.Message == "" {
					t.Fatalf("problem of key %q has no message: %v", p.Key, err)
				}
			}
			return
		}
		// A valid config is what config.yaml holds beside every run: it
		// must read back to itself.
		again := filepath.Join(dir, "again.yaml")
		if err := os.WriteFile(again, c.YAML(), 0o644); err != nil {
			t.Fatal(err)
		}
		back, err := Load(Source{File: again})
		if err != nil {
			t.Fatalf("the valid config %+v does not load back: %v\n%s", c, err, c.YAML())
		}
		if !Equal(back, c) {
			t.Fatalf("config changed in a YAML round trip:\n%+v\n%+v", c, back)
		}
	})
}
