//go:build amd64 && !purego

package kernel

//go:noescape
func splitAVX2(e0, o0, e1, o1, src *float32, rows, n8, half int)

//go:noescape
func mergeAVX2(dst, e0, o0, e1, o1 *float32, rows, n8, half int)

// splitAsm2 is splitGo on AVX2: the kernel moves 8 pairs of columns at a
// time, Go a row's last half%8.
func splitAsm2(e0, o0, e1, o1, src []float32, rows, half int) {
	if rows <= 0 || half <= 0 {
		return
	}
	checkPhases(e0, o0, e1, o1, src, rows, half)
	n8 := half / 8
	if n8 > 0 {
		a, b := &e1[0], &o1[0]
		if rows == 1 {
			a, b = &e0[0], &o0[0]
		}
		splitAVX2(&e0[0], &o0[0], a, b, &src[0], rows, n8, half)
	}
	if 8*n8 < half {
		splitTail(e0, o0, e1, o1, src, rows, half, 8*n8)
	}
}

// mergeAsm2 is mergeGo on AVX2, as splitAsm2.
func mergeAsm2(dst, e0, o0, e1, o1 []float32, rows, half int) {
	if rows <= 0 || half <= 0 {
		return
	}
	checkPhases(e0, o0, e1, o1, dst, rows, half)
	n8 := half / 8
	if n8 > 0 {
		a, b := &e1[0], &o1[0]
		if rows == 1 {
			a, b = &e0[0], &o0[0]
		}
		mergeAVX2(&dst[0], &e0[0], &o0[0], a, b, rows, n8, half)
	}
	if 8*n8 < half {
		mergeTail(dst, e0, o0, e1, o1, rows, half, 8*n8)
	}
}
