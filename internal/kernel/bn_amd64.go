//go:build amd64 && !purego

package kernel

import "unsafe"

//go:noescape
func bnSumsAVX512(x *float32, hw, n, stride int, out *float64)

//go:noescape
func bnApplyAVX512(y, x *float32, hw, n, stride int, scale, shift float32, relu, nt int)

//go:noescape
func bnApplyResAVX512(y, x, r *float32, hw, n, stride int, scale, shift float32, relu, nt int)

//go:noescape
func bnGradSumsAVX512(dy, x *float32, hw, n, stride, relu int, scale, shift float32, out *float64)

//go:noescape
func bnGradApplyAVX512(dx, dy, x *float32, hw, n, stride int, a, b, c float32, relu int, scale, shift float32, nt int)

//go:noescape
func bnSumsAVX2(x *float32, hw, n, stride int, out *float64)

//go:noescape
func bnApplyAVX2(y, x *float32, hw, n, stride int, scale, shift float32, relu, nt int)

//go:noescape
func bnApplyResAVX2(y, x, r *float32, hw, n, stride int, scale, shift float32, relu, nt int)

//go:noescape
func bnGradSumsAVX2(dy, x *float32, hw, n, stride, relu int, scale, shift float32, out *float64)

//go:noescape
func bnGradApplyAVX2(dx, dy, x *float32, hw, n, stride int, a, b, c float32, relu int, scale, shift float32, nt int)

// asmISA picks the instruction set of the batch-norm and elementwise
// assembly loops: AVX-512 (16 lanes, mask registers for a row's last
// vector) or AVX2 (8 lanes, VMASKMOVPS).
type asmISA bool

const (
	isaAVX512 asmISA = true
	isaAVX2   asmISA = false
)

var (
	avx512BN = &bnKernels{sums: isaAVX512.sums, apply: isaAVX512.apply, applyRes: isaAVX512.applyRes, gradSums: isaAVX512.gradSums, gradApply: isaAVX512.gradApply, fma: true}
	avx2BN   = &bnKernels{sums: isaAVX2.sums, apply: isaAVX2.apply, applyRes: isaAVX2.applyRes, gradSums: isaAVX2.gradSums, gradApply: isaAVX2.gradApply, fma: true}
)

// checkRows panics unless s holds n rows of hw floats stride apart.
func checkRows(s []float32, hw, n, stride int) {
	_ = s[(n-1)*stride+hw-1]
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

func (isa asmISA) sums(x []float32, hw, n, stride int) (float64, float64) {
	if n <= 0 || hw <= 0 {
		return 0, 0
	}
	checkRows(x, hw, n, stride)
	var out [2]float64
	if isa == isaAVX512 {
		bnSumsAVX512(&x[0], hw, n, stride, &out[0])
	} else {
		bnSumsAVX2(&x[0], hw, n, stride, &out[0])
	}
	return out[0], out[1]
}

// streams reports whether a pass that asked to stream its output stores
// the rows of y (n rows of hw floats, stride apart) with non-temporal
// stores: every vector aligned, so rows of whole vectors from an aligned
// start.
func (isa asmISA) streams(stream bool, y []float32, hw, stride int) int {
	lanes := 8
	if isa == isaAVX512 {
		lanes = 16
	}
	return b2i(stream && hw%lanes == 0 && stride%lanes == 0 && uintptr(unsafe.Pointer(&y[0]))%uintptr(4*lanes) == 0)
}

func (isa asmISA) apply(y, x []float32, hw, n, stride int, scale, shift float32, relu, stream bool) {
	if n <= 0 || hw <= 0 {
		return
	}
	checkRows(x, hw, n, stride)
	checkRows(y, hw, n, stride)
	nt := isa.streams(stream, y, hw, stride)
	if isa == isaAVX512 {
		bnApplyAVX512(&y[0], &x[0], hw, n, stride, scale, shift, b2i(relu), nt)
	} else {
		bnApplyAVX2(&y[0], &x[0], hw, n, stride, scale, shift, b2i(relu), nt)
	}
}

func (isa asmISA) applyRes(y, x, r []float32, hw, n, stride int, scale, shift float32, relu, stream bool) {
	if n <= 0 || hw <= 0 {
		return
	}
	checkRows(x, hw, n, stride)
	checkRows(r, hw, n, stride)
	checkRows(y, hw, n, stride)
	nt := isa.streams(stream, y, hw, stride)
	if isa == isaAVX512 {
		bnApplyResAVX512(&y[0], &x[0], &r[0], hw, n, stride, scale, shift, b2i(relu), nt)
	} else {
		bnApplyResAVX2(&y[0], &x[0], &r[0], hw, n, stride, scale, shift, b2i(relu), nt)
	}
}

func (isa asmISA) gradSums(dy, x []float32, hw, n, stride int, relu bool, scale, shift float32) (float64, float64) {
	if n <= 0 || hw <= 0 {
		return 0, 0
	}
	checkRows(dy, hw, n, stride)
	checkRows(x, hw, n, stride)
	var out [2]float64
	if isa == isaAVX512 {
		bnGradSumsAVX512(&dy[0], &x[0], hw, n, stride, b2i(relu), scale, shift, &out[0])
	} else {
		bnGradSumsAVX2(&dy[0], &x[0], hw, n, stride, b2i(relu), scale, shift, &out[0])
	}
	return out[0], out[1]
}

func (isa asmISA) gradApply(dx, dy, x []float32, hw, n, stride int, a, b, c float32, relu bool, scale, shift float32, stream bool) {
	if n <= 0 || hw <= 0 {
		return
	}
	checkRows(dx, hw, n, stride)
	checkRows(dy, hw, n, stride)
	checkRows(x, hw, n, stride)
	nt := isa.streams(stream, dx, hw, stride)
	if isa == isaAVX512 {
		bnGradApplyAVX512(&dx[0], &dy[0], &x[0], hw, n, stride, a, b, c, b2i(relu), scale, shift, nt)
	} else {
		bnGradApplyAVX2(&dx[0], &dy[0], &x[0], hw, n, stride, a, b, c, b2i(relu), scale, shift, nt)
	}
}
