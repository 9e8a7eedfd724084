package experiment

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

const lockName = ".lock"

// folderLock is an exclusive lock on a run folder's .lock file (flock on
// Unix, LockFileEx on Windows). The operating system drops it when its
// process dies, however it dies, so a lock is never stale.
type folderLock struct{ f *os.File }

// lockFolder takes dir's lock without waiting. The lock file holds the
// holder's pid, so that the error can name the process in the way.
func lockFolder(dir string) (*folderLock, error) {
	f, err := os.OpenFile(filepath.Join(dir, lockName), os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, err
	}
	if busy, err := tryLock(f); busy || err != nil {
		pid, _ := os.ReadFile(f.Name())
		f.Close()
		if busy {
			return nil, fmt.Errorf("%s: %w (held by pid %s)", dir, ErrBusy, strings.TrimSpace(string(pid)))
		}
		return nil, fmt.Errorf("lock %s: %w", dir, err)
	}
	if err := f.Truncate(0); err == nil {
		f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	}
	return &folderLock{f: f}, nil
}

func (l *folderLock) unlock() error {
	if l == nil {
		return nil
	}
	return l.f.Close()
}
