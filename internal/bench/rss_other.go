//go:build !(linux || freebsd || netbsd || openbsd || dragonfly || darwin || windows)

package bench

// PeakRSSMiB is 0: this platform's peak resident memory is not read.
func PeakRSSMiB() float64 { return 0 }
