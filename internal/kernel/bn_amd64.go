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

var avx512BN = &bnKernels{sums: bnSumsAsm, apply: bnApplyAsm, applyRes: bnApplyResAsm, gradSums: bnGradSumsAsm, gradApply: bnGradApplyAsm}

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

func bnSumsAsm(x []float32, hw, n, stride int) (float64, float64) {
	if n <= 0 || hw <= 0 {
		return 0, 0
	}
	checkRows(x, hw, n, stride)
	var out [2]float64
	bnSumsAVX512(&x[0], hw, n, stride, &out[0])
	return out[0], out[1]
}

func bnApplyAsm(y, x []float32, hw, n, stride int, scale, shift float32, relu bool) {
	if n <= 0 || hw <= 0 {
		return
	}
	checkRows(x, hw, n, stride)
	checkRows(y, hw, n, stride)
	bnApplyAVX512(&y[0], &x[0], hw, n, stride, scale, shift, b2i(relu))
}

func bnApplyResAsm(y, x, r []float32, hw, n, stride int, scale, shift float32, relu bool) {
	if n <= 0 || hw <= 0 {
		return
	}
	checkRows(x, hw, n, stride)
	checkRows(r, hw, n, stride)
	checkRows(y, hw, n, stride)
	bnApplyResAVX512(&y[0], &x[0], &r[0], hw, n, stride, scale, shift, b2i(relu))
}

func bnGradSumsAsm(dy, x []float32, hw, n, stride int, relu bool, scale, shift float32) (float64, float64) {
	if n <= 0 || hw <= 0 {
		return 0, 0
	}
	checkRows(dy, hw, n, stride)
	checkRows(x, hw, n, stride)
	var out [2]float64
	bnGradSumsAVX512(&dy[0], &x[0], hw, n, stride, b2i(relu), scale, shift, &out[0])
	return out[0], out[1]
}

func bnGradApplyAsm(dx, dy, x []float32, hw, n, stride int, a, b, c float32, relu bool, scale, shift float32) {
	if n <= 0 || hw <= 0 {
		return
	}
	checkRows(dx, hw, n, stride)
	checkRows(dy, hw, n, stride)
	checkRows(x, hw, n, stride)
	bnGradApplyAVX512(&dx[0], &dy[0], &x[0], hw, n, stride, a, b, c, b2i(relu), scale, shift)
}
