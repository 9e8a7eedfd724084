package experiment

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"go.yaml.in/yaml/v3"

	"github.com/resx-dev/resx/internal/config"
)

// PlanFile, in an experiment folder, lists every run of a compare or sweep
// with its resolved config, so the experiment can be resumed by folder
// (resx compare/sweep --resume DIR) even where some runs never started.
const PlanFile = "plan.json"

type planEntry struct {
	Name   string `json:"name"`
	Dir    string `json:"dir"` // relative to the experiment folder
	Config string `json:"config"`
}

// WritePlan records runs in expDir/plan.json (atomically). Run folders must
// lie inside expDir.
func WritePlan(expDir string, runs []RunSpec) error {
	entries := make([]planEntry, len(runs))
	for i, r := range runs {
		rel, err := filepath.Rel(expDir, r.Dir)
		if err != nil || !filepath.IsLocal(rel) {
			return fmt.Errorf("run %s: folder %s is not inside %s: %w", r.Name, r.Dir, expDir, ErrInvalidInput)
		}
		y, err := configYAML(r.Config)
		if err != nil {
			return fmt.Errorf("run %s: %w", r.Name, err)
		}
		entries[i] = planEntry{Name: r.Name, Dir: rel, Config: string(y)}
	}
	b, err := json.MarshalIndent(entries, "", "  ")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(expDir, 0o755); err != nil {
		return invalid(err)
	}
	return writeFileAtomic(expDir, PlanFile, append(b, '\n'), nil)
}

// ReadPlan reads the runs WritePlan recorded in expDir. Every config is
// decoded strictly and validated; a missing or damaged plan is an error
// wrapping ErrInvalidInput.
func ReadPlan(expDir string) ([]RunSpec, error) {
	path := filepath.Join(expDir, PlanFile)
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%s has no %s: not a folder that resx compare or sweep wrote: %w", expDir, PlanFile, ErrInvalidInput)
	}
	if err != nil {
		return nil, invalid(err)
	}
	var entries []planEntry
	d := json.NewDecoder(bytes.NewReader(b))
	d.DisallowUnknownFields()
	if err := d.Decode(&entries); err != nil {
		return nil, fmt.Errorf("%s: %v: %w", path, err, ErrInvalidInput)
	}
	if len(entries) == 0 {
		return nil, fmt.Errorf("%s lists no runs: %w", path, ErrInvalidInput)
	}
	runs := make([]RunSpec, len(entries))
	for i, e := range entries {
		if e.Name == "" || !filepath.IsLocal(e.Dir) {
			return nil, fmt.Errorf("%s: entry %d has no name or a folder outside the experiment: %w", path, i+1, ErrInvalidInput)
		}
		var cfg config.Config
		yd := yaml.NewDecoder(bytes.NewReader([]byte(e.Config)))
		yd.KnownFields(true)
		if err := yd.Decode(&cfg); err != nil {
			return nil, fmt.Errorf("%s: run %s: %v: %w", path, e.Name, err, ErrInvalidInput)
		}
		if err := cfg.Validate(); err != nil {
			return nil, fmt.Errorf("%s: run %s: %w", path, e.Name, invalid(err))
		}
		runs[i] = RunSpec{Name: e.Name, Dir: filepath.Join(expDir, e.Dir), Config: cfg}
	}
	return runs, nil
}
