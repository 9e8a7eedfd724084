//go:build !unix && !windows

package experiment

import "os"

// tryLock has no lock to take on this platform (no flock, no LockFileEx):
// two runs writing one folder at once are not refused here.
func tryLock(*os.File) (busy bool, err error) { return false, nil }
