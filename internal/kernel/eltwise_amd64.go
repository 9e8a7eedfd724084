//go:build amd64 && !purego

package kernel

//go:noescape
func eltAVX512(op int, y, a, b *float32, n int)

//go:noescape
func eltAVX2(op int, y, a, b *float32, n int)

func eltAsm(op int, y, a, b []float32) { eltISA(true, op, y, a, b) }

func eltAsm2(op int, y, a, b []float32) { eltISA(false, op, y, a, b) }

// eltISA runs the AVX-512 loop if avx512, else the AVX2 one.
func eltISA(avx512 bool, op int, y, a, b []float32) {
	n := len(a)
	if n == 0 {
		return
	}
	_ = y[n-1]
	bp := &a[0]
	if b != nil {
		_ = b[n-1]
		bp = &b[0]
	}
	if avx512 {
		eltAVX512(op, &y[0], &a[0], bp, n)
	} else {
		eltAVX2(op, &y[0], &a[0], bp, n)
	}
}

var bestElt = func() func(op int, y, a, b []float32) {
	switch {
	case hasAVX512:
		return eltAsm
	case hasAVX2:
		return eltAsm2
	}
	return eltGo
}()
