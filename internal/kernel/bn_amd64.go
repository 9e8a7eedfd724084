//go:build amd64 && !purego

package kernel

//go:noescape
func bnSumsAVX512(x *float32, hw, n, stride int, out *float64)

//go:noescape
func bnApplyAVX512(y, x *float32, hw, n, stride int, scale, shift float32, relu int)

//go:noescape
func bnApplyResAVX512(y, x, r *float32, hw, n, stride int, scale, shift float32, relu int)

//go:noescape
func bnGradSumsAVX512(dy, x *float32, hw, n, stride, relu int, scale, shift float32, out *float64)

//go:noescape
func bnGradApplyAVX512(dx, dy, x *float32, hw, n, stride int, a, b, c float32, relu int, scale, shift float32)

//go:noescape
func bnSumsAVX2(x *float32, hw, n, stride int, out *float64)

//go:noescape
func bnApplyAVX2(y, x *float32, hw, n, stride int, scale, shift float32, relu int)

//go:noescape
func bnApplyResAVX2(y, x, r *float32, hw, n, stride int, scale, shift float32, relu int)

//go:noescape
func bnGradSumsAVX2(dy, x *float32, hw, n, stride, relu int, scale, shift float32, out *float64)

//go:noescape
func bnGradApplyAVX2(dx, dy, x *float32, hw, n, stride int, a, b, c float32, relu int, scale, shift float32)

// bnISA picks the instruction set of the assembly loops: AVX-512 (16
// lanes, mask registers for a row's last vector) or AVX2 (8 lanes,
// VMASKMOVPS).
type bnISA bool

const (
	bnAVX512 bnISA = true
	bnAVX2   bnISA = false
)

var (
	avx512BN = &bnKernels{sums: bnAVX512.sums, apply: bnAVX512.apply, applyRes: bnAVX512.applyRes, gradSums: bnAVX512.gradSums, gradApply: bnAVX512.gradApply}
	avx2BN   = &bnKernels{sums: bnAVX2.sums, apply: bnAVX2.apply, applyRes: bnAVX2.applyRes, gradSums: bnAVX2.gradSums, gradApply: bnAVX2.gradApply}
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

func (isa bnISA) sums(x []float32, hw, n, stride int) (float64, float64) {
	if n <= 0 || hw <= 0 {
		return 0, 0
	}
	checkRows(x, hw, n, stride)
	var out [2]float64
	if isa == bnAVX512 {
		bnSumsAVX512(&x[0], hw, n, stride, &out[0])
	} else {
		bnSumsAVX2(&x[0], hw, n, stride, &out[0])
	}
	return out[0], out[1]
}

func (isa bnISA) apply(y, x []float32, hw, n, stride int, scale, shift float32, relu bool) {
	if n <= 0 || hw <= 0 {
		return
	}
	checkRows(x, hw, n, stride)
	checkRows(y, hw, n, stride)
	if isa == bnAVX512 {
		bnApplyAVX512(&y[0], &x[0], hw, n, stride, scale, shift, b2i(relu))
	} else {
		bnApplyAVX2(&y[0], &x[0], hw, n, stride, scale, shift, b2i(relu))
	}
}

func (isa bnISA) applyRes(y, x, r []float32, hw, n, stride int, scale, shift float32, relu bool) {
	if n <= 0 || hw <= 0 {
		return
	}
	checkRows(x, hw, n, stride)
	checkRows(r, hw, n, stride)
	checkRows(y, hw, n, stride)
	if isa == bnAVX512 {
		bnApplyResAVX512(&y[0], &x[0], &r[0], hw, n, stride, scale, shift, b2i(relu))
	} else {
		bnApplyResAVX2(&y[0], &x[0], &r[0], hw, n, stride, scale, shift, b2i(relu))
	}
}

func (isa bnISA) gradSums(dy, x []float32, hw, n, stride int, relu bool, scale, shift float32) (float64, float64) {
	if n <= 0 || hw <= 0 {
		return 0, 0
	}
	checkRows(dy, hw, n, stride)
	checkRows(x, hw, n, stride)
	var out [2]float64
	if isa == bnAVX512 {
		bnGradSumsAVX512(&dy[0], &x[0], hw, n, stride, b2i(relu), scale, shift, &out[0])
	} else {
		bnGradSumsAVX2(&dy[0], &x[0], hw, n, stride, b2i(relu), scale, shift, &out[0])
	}
	return out[0], out[1]
}

func (isa bnISA) gradApply(dx, dy, x []float32, hw, n, stride int, a, b, c float32, relu bool, scale, shift float32) {
	if n <= 0 || hw <= 0 {
		return
	}
	checkRows(dx, hw, n, stride)
	checkRows(dy, hw, n, stride)
	checkRows(x, hw, n, stride)
	if isa == bnAVX512 {
		bnGradApplyAVX512(&dx[0], &dy[0], &x[0], hw, n, stride, a, b, c, b2i(relu), scale, shift)
	} else {
		bnGradApplyAVX2(&dx[0], &dy[0], &x[0], hw, n, stride, a, b, c, b2i(relu), scale, shift)
	}
}
