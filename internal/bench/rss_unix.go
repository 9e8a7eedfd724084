//go:build linux || freebsd || netbsd || openbsd || dragonfly || darwin

package bench

import (
	"runtime"
	"syscall"
)

// PeakRSSMiB is the process's peak resident memory so far (0 where it
// cannot be read).
func PeakRSSMiB() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	if runtime.GOOS == "darwin" {
		return float64(ru.Maxrss) / (1 << 20) // bytes on macOS
	}
	return float64(ru.Maxrss) / 1024 // kilobytes on Linux and the BSDs
}
