package experiment

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// writeHook, if not nil, wraps every writer a run opens on its folder; tests
// use it to make writes fail as on a full disk. name is the file's base name.
type writeHook func(name string, w io.Writer) io.Writer

func (h writeHook) wrap(name string, w io.Writer) io.Writer {
	if h == nil {
		return w
	}
	return h(name, w)
}

// writeFileAtomic replaces dir/name with data so that a reader (or a crash)
// sees either the old file or the new one, never a part: it writes a
// temporary file in the same folder, syncs it, renames it over name and
// syncs the folder. On error the temporary file is removed.
func writeFileAtomic(dir, name string, data []byte, hook writeHook) (err error) {
	f, err := os.CreateTemp(dir, "."+name+".tmp-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(tmp)
		}
	}()
	// CreateTemp makes the file private (0600); results are for sharing.
	if err = f.Chmod(0o644); err != nil {
		return err
	}
	if _, err = hook.wrap(name, f).Write(data); err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	if err = f.Sync(); err != nil {
		return err
	}
	if err = f.Close(); err != nil {
		return err
	}
	if err = os.Rename(tmp, filepath.Join(dir, name)); err != nil {
		return err
	}
	return syncDir(dir)
}

// removeTemporaries removes what writeFileAtomic leaves in dir when its
// process is killed mid-write. Only the holder of the folder's lock may call it.
func removeTemporaries(dir string) error {
	tmps, err := filepath.Glob(filepath.Join(dir, ".*.tmp-*"))
	for _, p := range tmps {
		if err := os.Remove(p); err != nil {
			return err
		}
	}
	return err
}

// syncDir makes a rename in dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// Checkpoint files are checkpoints/ckpt-<iteration>.bin, the iteration
// zero-padded so that names sort like iterations.
const (
	ckptDir    = "checkpoints"
	ckptPrefix = "ckpt-"
	ckptSuffix = ".bin"
)

func ckptName(iteration int) string {
	return fmt.Sprintf("%s%09d%s", ckptPrefix, iteration, ckptSuffix)
}

// listCheckpoints returns the checkpoint files of dir, newest first.
func listCheckpoints(dir string) ([]string, error) {
	ents, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	type named struct {
		name string
		it   int
	}
	var found []named
	for _, e := range ents {
		n := e.Name()
		if !e.Type().IsRegular() || !strings.HasPrefix(n, ckptPrefix) || !strings.HasSuffix(n, ckptSuffix) {
			continue
		}
		it, err := strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(n, ckptPrefix), ckptSuffix))
		if err != nil {
			continue
		}
		found = append(found, named{n, it})
	}
	sort.Slice(found, func(i, j int) bool { return found[i].it > found[j].it })
	names := make([]string, len(found))
	for i, f := range found {
		names[i] = f.name
	}
	return names, nil
}

// saveCheckpoint writes c atomically as dir/ckpt-<iteration>.bin and removes
// all but the newest keep checkpoints.
func saveCheckpoint(dir string, c *checkpoint, keep int, hook writeHook) error {
	if err := writeFileAtomic(dir, ckptName(c.Iteration), c.marshal(), hook); err != nil {
		return fmt.Errorf("checkpoint at iteration %d: %w", c.Iteration, err)
	}
	names, err := listCheckpoints(dir)
	if err != nil {
		return err
	}
	for _, n := range names[min(len(names), max(keep, 1)):] {
		if err := os.Remove(filepath.Join(dir, n)); err != nil {
			return err
		}
	}
	return nil
}

// loadNewestCheckpoint returns the newest checkpoint of dir that reads back
// intact, reporting each newer one it had to skip on log. It returns nil and
// no error when dir holds no checkpoint, and an error wrapping
// ErrInvalidInput when it holds only unusable ones.
func loadNewestCheckpoint(dir string, log io.Writer) (*checkpoint, string, error) {
	names, err := listCheckpoints(dir)
	if err != nil {
		return nil, "", err
	}
	var errs []error
	for i, n := range names {
		b, err := os.ReadFile(filepath.Join(dir, n))
		if err == nil {
			var c *checkpoint
			if c, err = unmarshalCheckpoint(b); err == nil {
				return c, n, nil
			}
		}
		errs = append(errs, fmt.Errorf("%s: %w", n, err))
		if i+1 < len(names) {
			fmt.Fprintf(log, "resx: skipping checkpoint %s: %v; falling back to an older one\n", filepath.Join(dir, n), err)
		}
	}
	if len(errs) > 0 {
		return nil, "", invalidf("no usable checkpoint in %s: %w", dir, errors.Join(errs...))
	}
	return nil, "", nil
}
