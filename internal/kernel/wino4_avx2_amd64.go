//go:build amd64 && !purego

package kernel

//go:noescape
func winoIn4AVX2(v *float32, vs, vc int, x *float32, xc, w, cb0, cb1, flags, wide, nch int)

//go:noescape
func winoOut4AVX2(y *float32, yc, w, rb0, rb1 int, m *float32, ms, mc, nch int)

//go:noescape
func winoDy4AVX2(m *float32, ms, mc int, dy *float32, yc, w, rb0, rb1, nch int)

// winoHalves4 yields, for each vector of 8 tiles (half a vector of 16) of
// the vectors v0 .. v0+nvec-1 of an F(4×4) transform on maps w wide, its
// index from v0's first and the tile rows of its first and last 4 tiles:
// one tile row of 8 on maps 32 wide, two of 4 on maps 16 wide.
func winoHalves4(w, v0, nvec int, f func(i, ty0, ty1 int)) {
	for i := 0; i < 2*nvec; i++ {
		hv := 2*v0 + i
		if w == 32 {
			f(i, hv, hv)
		} else {
			f(i, 2*hv, 2*hv+1)
		}
	}
}

// winoRows4 are the offsets in a plane w floats wide of row r of the
// first and last 4 tiles of a vector of 8 whose tile rows are ty0, ty1.
func winoRows4(w, ty0, ty1, r int) (int, int) {
	if w == 32 {
		o := (4*ty0 + r) * w
		return o, o + 16
	}
	return (4*ty0 + r) * w, (4*ty1 + r) * w
}

// winoIn4Asm2 is winoIn4Go on AVX2, 8 tiles at a time.
func winoIn4Asm2(v []float32, vs, vc int, x []float32, xc, h, w, v0, nvec, nch int) {
	if nvec <= 0 || nch <= 0 {
		return
	}
	winoVectors4(h, w, v0, nvec)
	_ = v[(nch-1)*vc+35*vs+16*nvec-1]
	_ = x[(nch-1)*xc+h*w-1]
	th, wide := h/4, 0
	if w == 32 {
		wide = 1
	}
	winoHalves4(w, v0, nvec, func(i, ty0, ty1 int) {
		// Row -1 of the top tile row and row h of the bottom one are
		// zeros: the kernel does not load them.
		flags := 0
		if ty0 == 0 {
			flags |= 0x03
		}
		if ty1 == 0 {
			flags |= 0x0c
		}
		if ty0 == th-1 {
			flags |= 0x30
		}
		if ty1 == th-1 {
			flags |= 0xc0
		}
		cb0, cb1 := winoRows4(w, ty0, ty1, -1)
		winoIn4AVX2(&v[8*i], vs, vc, &x[0], xc, w, cb0, cb1, flags, wide, nch)
	})
}

// winoOut4Asm2 is winoOut4Go on AVX2, 8 tiles at a time.
func winoOut4Asm2(y []float32, yc, h, w int, m []float32, ms, mc, v0, nvec, nch int) {
	if nvec <= 0 || nch <= 0 {
		return
	}
	winoVectors4(h, w, v0, nvec)
	_ = y[(nch-1)*yc+h*w-1]
	_ = m[(nch-1)*mc+35*ms+16*nvec-1]
	winoHalves4(w, v0, nvec, func(i, ty0, ty1 int) {
		rb0, rb1 := winoRows4(w, ty0, ty1, 0)
		winoOut4AVX2(&y[0], yc, w, rb0, rb1, &m[8*i], ms, mc, nch)
	})
}

// winoDy4Asm2 is winoDy4Go on AVX2, 8 tiles at a time.
func winoDy4Asm2(m []float32, ms, mc int, dy []float32, yc, h, w, v0, nvec, nch int) {
	if nvec <= 0 || nch <= 0 {
		return
	}
	winoVectors4(h, w, v0, nvec)
	_ = m[(nch-1)*mc+35*ms+16*nvec-1]
	_ = dy[(nch-1)*yc+h*w-1]
	winoHalves4(w, v0, nvec, func(i, ty0, ty1 int) {
		rb0, rb1 := winoRows4(w, ty0, ty1, 0)
		winoDy4AVX2(&m[8*i], ms, mc, &dy[0], yc, w, rb0, rb1, nch)
	})
}
