//go:build !amd64 || purego

package kernel

var peakKind = "go"

// peakFLOPsPerIter is the FLOPs of one iteration of peakLoop.
const peakFLOPsPerIter = peakGoFLOPs

// peakLoop runs n iterations of the Go loop.
func peakLoop(n int) { peakGo(n) }

// peakAsm says whether peakLoop may run an assembly loop.
const peakAsm = false
