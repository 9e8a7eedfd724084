//go:build amd64 && !purego

package kernel

//go:noescape
func eltAVX512(op int, y, a, b *float32, n int)

func eltAsm(op int, y, a, b []float32) {
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
	eltAVX512(op, &y[0], &a[0], bp, n)
}

var bestElt = func() func(op int, y, a, b []float32) {
	if hasAVX512 {
		return eltAsm
	}
	return eltGo
}()
