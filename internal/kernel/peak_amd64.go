//go:build amd64 && !purego

package kernel

// peakAVX512 runs n iterations of 24 independent 16-lane FMAs on registers.
//
//go:noescape
func peakAVX512(n int)

// peakAVX2 runs n iterations of 12 independent 8-lane FMAs on registers.
//
//go:noescape
func peakAVX2(n int)

var peakKind = func() string {
	switch {
	case hasAVX512:
		return "avx512"
	case hasAVX2:
		return "avx2"
	}
	return "go"
}()

// peakFLOPsPerIter is the FLOPs of one iteration of peakLoop.
var peakFLOPsPerIter = func() float64 {
	switch peakKind {
	case "avx512":
		return 24 * 16 * 2
	case "avx2":
		return 12 * 8 * 2
	}
	return peakGoFLOPs
}()

// peakLoop runs n iterations of the loop PeakKind names.
func peakLoop(n int) {
	switch peakKind {
	case "avx512":
		peakAVX512(n)
	case "avx2":
		peakAVX2(n)
	default:
		peakGo(n)
	}
}

// peakAsm says whether peakLoop may run an assembly loop.
const peakAsm = true
