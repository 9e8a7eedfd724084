package main

import (
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// mountTmpfs mounts a tmpfs with the given options at dir/name for the
// case, or skips it where mounting is not allowed.
func mountTmpfs(name, opts string) func(*testing.T, string) {
	return func(t *testing.T, dir string) {
		p := filepath.Join(dir, name)
		mkdir(t, p)
		var flags uintptr
		var data []string
		for _, o := range strings.Split(opts, ",") {
			if o == "ro" {
				flags |= unix.MS_RDONLY
			} else {
				data = append(data, o)
			}
		}
		if err := unix.Mount("tmpfs", p, "tmpfs", flags, strings.Join(data, ",")); err != nil {
			t.Skipf("cannot mount a tmpfs (%v): needs root", err)
		}
		t.Cleanup(func() {
			if err := unix.Unmount(p, 0); err != nil {
				t.Errorf("unmount %s: %v", p, err)
			}
		})
	}
}
