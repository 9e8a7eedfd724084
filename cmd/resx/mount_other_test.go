//go:build !linux

package main

import "testing"

// mountTmpfs skips the case: tmpfs mounts are Linux's.
func mountTmpfs(name, opts string) func(*testing.T, string) {
	return func(t *testing.T, _ string) { t.Skipf("no tmpfs to mount %s (%s) on this platform", name, opts) }
}
