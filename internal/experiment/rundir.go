package experiment

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"

	"go.yaml.in/yaml/v3"

	"github.com/resx-dev/resx/internal/config"
)

const configName = "config.yaml"

// configYAML is the resolved config as config.yaml holds it.
func configYAML(cfg config.Config) ([]byte, error) {
	return yaml.Marshal(cfg)
}

// storedConfig returns dir's config.yaml, or nil if it has none.
func storedConfig(dir string) ([]byte, error) {
	b, err := os.ReadFile(filepath.Join(dir, configName))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	return b, err
}

// checkStoredConfig refuses a run folder whose config.yaml is not want: a run
// folder belongs to one config, and resx never overwrites another's results.
func checkStoredConfig(dir string, want []byte) (stored bool, err error) {
	got, err := storedConfig(dir)
	if err != nil || got == nil {
		return false, err
	}
	if !bytes.Equal(got, want) {
		return true, invalidf("%s holds a run of another config (%s differs from the requested one); "+
			"refusing to overwrite it: choose another folder", dir, configName)
	}
	return true, nil
}

// finishedRun returns the summary of the run in dir if it finished with the
// config want, and nil otherwise (no summary yet, a run that stopped early,
// or another config, which checkStoredConfig reports).
func finishedRun(dir string, want []byte) *Summary {
	s, err := ReadSummary(dir)
	if err != nil || s.Status != StatusFinished {
		return nil
	}
	if got, err := storedConfig(dir); err != nil || !bytes.Equal(got, want) {
		return nil
	}
	return s
}

// CheckResumable returns nil if dir holds a run to continue (its
// config.yaml), and otherwise an error wrapping ErrInvalidInput that says why
// not, so that resuming a mistyped folder does not start a new run there.
func CheckResumable(dir string) error {
	fi, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return invalidf("%s: no such run folder, nothing to resume", dir)
	case err != nil:
		return invalidf("run folder: %w", err)
	case !fi.IsDir():
		return invalidf("%s is not a run folder (not a folder), nothing to resume", dir)
	}
	b, err := storedConfig(dir)
	if err != nil {
		return invalidf("run folder: %w", err)
	}
	if b == nil {
		return invalidf("%s holds no run (no %s), nothing to resume", dir, configName)
	}
	return nil
}
