//go:build amd64 && !purego

package kernel

//go:noescape
func eltAVX512(op int, y, a, b *float32, n int)

//go:noescape
func eltAVX2(op int, y, a, b *float32, n int)

func eltAsm(op int, y, a, b []float32) { isaAVX512.elt(op, y, a, b) }

func eltAsm2(op int, y, a, b []float32) { isaAVX2.elt(op, y, a, b) }

// elt runs the elementwise loop of isa.
func (isa asmISA) elt(op int, y, a, b []float32) {
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
	if isa == isaAVX512 {
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
