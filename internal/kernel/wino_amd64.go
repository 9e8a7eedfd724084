//go:build amd64 && !purego

package kernel

// The wrappers check the extents the assembly touches, so that a driver
// bug panics instead of corrupting memory.

//go:noescape
func winoInAVX512(v *float32, vs, vc int, x *float32, xc, w, off2, nvec, nch int, masks, rowmasks int)

//go:noescape
func winoOutAVX512(y *float32, yc, w, off2 int, m *float32, ms, mc, nvec, nch int)

// winoVectors returns the number of 16-tile vectors of an image of h rows
// of w floats, and panics unless the vectors [v0, v0+nvec) lie in it, with
// 4, 8 or 16 tiles a row as the assembly assumes.
func winoVectors(h, w, v0, nvec int) int {
	tw := w / 2
	nv := h / 2 * tw / 16
	if (tw != 4 && tw != 8 && tw != 16) || v0 < 0 || v0+nvec > nv {
		panic("kernel: Winograd rows outside their image")
	}
	return nv
}

// winoRun returns how many vectors from v0 (nvec of them left, nv an
// image) run on one set of row masks, and those masks: an image's first
// and last vectors run on their own, with the loads of their rows outside
// the image masked. The masks are 16 bits each: the first two for the
// vector's first source row (row -1 on the first vector; the second only
// when both loads of that row are outside, both), the last two for its
// last (row h on the last vector).
func winoRun(v0, nvec, nv int, both bool) (n int, rm uint64) {
	n = nvec
	if v0 == 0 || v0 == nv-1 {
		n = 1
	} else {
		n = min(n, nv-1-v0)
	}
	rm = ^uint64(0)
	if v0 == 0 { // row -1
		rm &^= 0xffff
		if both {
			rm &^= 0xffff << 16
		}
	}
	if v0+n == nv { // row h
		rm &^= 0xffff << 48
		if both {
			rm &^= 0xffff << 32
		}
	}
	return n, rm
}

// winoHalf is the byte offset of the second half of a vector's patch row:
// the rest of the row for 16 tiles a row, the row of the next tile row for
// 8. (Maps 8 wide, 4 tiles a row, take another path in the assembly.)
func winoHalf(w int) int {
	if w/2 == 16 {
		return 64
	}
	return 2 * w * 4
}

func winoInAsm512(v []float32, vs, vc int, x []float32, xc, h, w, v0, nvec, nch int) {
	if nvec <= 0 || nch <= 0 {
		return
	}
	tw, nv := w/2, winoVectors(h, w, v0, nvec)
	_ = v[(nch-1)*vc+15*vs+16*nvec-1]
	_ = x[(nch-1)*xc+h*w-1]
	left, right := winoMasks(tw)
	masks := int(left) | int(right)<<16
	// Rows 0 and 3 of the image's first and last vectors lie partly
	// outside it: those vectors run on their own, with those loads masked.
	for nvec > 0 {
		n, rm := winoRun(v0, nvec, nv, tw == 16) // both halves of a row
		ty0 := 16 * v0 / tw
		winoInAVX512(&v[0], vs, vc, &x[2*ty0*w], xc, w, winoHalf(w), n, nch, masks, int(rm))
		v0, nvec = v0+n, nvec-n
		if nvec > 0 {
			v = v[16*n:]
		}
	}
}

func winoOutAsm512(y []float32, yc, h, w int, m []float32, ms, mc, v0, nvec, nch int) {
	if nvec <= 0 || nch <= 0 {
		return
	}
	tw := w / 2
	winoVectors(h, w, v0, nvec)
	_ = y[(nch-1)*yc+h*w-1]
	_ = m[(nch-1)*mc+15*ms+16*nvec-1]
	ty0 := 16 * v0 / tw
	winoOutAVX512(&y[2*ty0*w], yc, w, winoHalf(w), &m[0], ms, mc, nvec, nch)
}

//go:noescape
func winoDyAVX512(m *float32, ms, mc int, dy *float32, yc, w, off2, nvec, nch int)

func winoDyAsm512(m []float32, ms, mc int, dy []float32, yc, h, w, v0, nvec, nch int) {
	if nvec <= 0 || nch <= 0 {
		return
	}
	tw := w / 2
	winoVectors(h, w, v0, nvec)
	_ = m[(nch-1)*mc+15*ms+16*nvec-1]
	_ = dy[(nch-1)*yc+h*w-1]
	ty0 := 16 * v0 / tw
	winoDyAVX512(&m[0], ms, mc, &dy[2*ty0*w], yc, w, winoHalf(w), nvec, nch)
}

//go:noescape
func winoInAVX2(v *float32, vs, vc int, x *float32, xc, w, nch, flags int)

//go:noescape
func winoIn8AVX2(v *float32, vs, vc int, x *float32, xc, nch, flags int)

//go:noescape
func winoOutAVX2(y *float32, yc, w, off2 int, m *float32, ms, mc, nch int)

// winoOff2 is the byte offset of the AVX2 transforms' second 4 tiles of a
// group of 8: in the same source row, or on maps 8 wide (4 tiles a row)
// in the row of the next tile row.
func winoOff2(w int) int {
	if w == 8 {
		return 2 * w * 4
	}
	return 32
}

// winoInAsm2 is winoInGo on AVX2, 8 tiles at a time (two tile rows of 4 on
// maps 8 wide).
func winoInAsm2(v []float32, vs, vc int, x []float32, xc, h, w, v0, nvec, nch int) {
	if nvec <= 0 || nch <= 0 {
		return
	}
	winoVectors(h, w, v0, nvec)
	_ = v[(nch-1)*vc+15*vs+16*nvec-1]
	_ = x[(nch-1)*xc+h*w-1]
	tw, th := w/2, h/2
	for g := 0; g < 2*nvec; g++ {
		t := 16*v0 + 8*g
		ty, tx0 := t/tw, t%tw
		if tw == 4 { // tile rows ty and ty+1
			flags := 0
			if ty == 0 {
				flags |= 1 // row 2ty-1 is outside the image
			}
			if ty+1 == th-1 {
				flags |= 2 // and row 2ty+4
			}
			winoIn8AVX2(&v[8*g], vs, vc, &x[2*ty*w], xc, nch, flags)
			continue
		}
		flags := 0
		if ty == 0 {
			flags |= 1 // row 2ty-1 is outside the image
		}
		if ty == th-1 {
			flags |= 2 // and row 2ty+2
		}
		if tx0 == 0 {
			flags |= 4 // column 2tx0-1
		}
		if tx0+8 == tw {
			flags |= 8 // column 2tx0+16
		}
		winoInAVX2(&v[8*g], vs, vc, &x[2*ty*w+2*tx0], xc, w, nch, flags)
	}
}

// winoOutAsm2 is winoOutGo on AVX2, 8 tiles at a time.
func winoOutAsm2(y []float32, yc, h, w int, m []float32, ms, mc, v0, nvec, nch int) {
	if nvec <= 0 || nch <= 0 {
		return
	}
	winoVectors(h, w, v0, nvec)
	_ = y[(nch-1)*yc+h*w-1]
	_ = m[(nch-1)*mc+15*ms+16*nvec-1]
	tw := w / 2
	for g := 0; g < 2*nvec; g++ {
		t := 16*v0 + 8*g
		ty, tx0 := t/tw, t%tw
		winoOutAVX2(&y[2*ty*w+2*tx0], yc, w, winoOff2(w), &m[8*g], ms, mc, nch)
	}
}

//go:noescape
func winoDyAVX2(m *float32, ms, mc int, dy *float32, yc, w, off2, nch int)

// winoDyAsm2 is winoDyGo on AVX2, 8 tiles at a time.
func winoDyAsm2(m []float32, ms, mc int, dy []float32, yc, h, w, v0, nvec, nch int) {
	if nvec <= 0 || nch <= 0 {
		return
	}
	winoVectors(h, w, v0, nvec)
	_ = m[(nch-1)*mc+15*ms+16*nvec-1]
	_ = dy[(nch-1)*yc+h*w-1]
	tw := w / 2
	for g := 0; g < 2*nvec; g++ {
		t := 16*v0 + 8*g
		ty, tx0 := t/tw, t%tw
		winoDyAVX2(&m[8*g], ms, mc, &dy[2*ty*w+2*tx0], yc, w, winoOff2(w), nch)
	}
}

//go:noescape
func winoIn4AVX512(v *float32, vs, vc int, x *float32, xc, w, off1, nvec, nch int, masks, rowmasks int, scale, shift *float32, floor uint32)

//go:noescape
func winoOut4AVX512(y *float32, yc, w, off1 int, m *float32, ms, mc, nvec, nch int)

// winoVectors4 is winoVectors for F(4×4): maps 16 or 32 wide, 4 or 8 tiles
// a row.
func winoVectors4(h, w, v0, nvec int) int {
	tw := w / 4
	nv := h / 4 * tw / 16
	if (tw != 4 && tw != 8) || v0 < 0 || v0+nvec > nv {
		panic("kernel: Winograd F(4×4) rows outside their image")
	}
	return nv
}

// winoSlot1 is the byte offset of a vector's second slot of source or
// output rows: the second half of the row for 8 tiles a row, the row of the
// next tile row for 4.
func winoSlot1(w int) int {
	if w == 32 {
		return 64
	}
	return 4 * w * 4
}

func winoIn4Asm512(v []float32, vs, vc int, x []float32, xc, h, w, v0, nvec, nch int) {
	winoIn4ProAsm512(v, vs, vc, x, xc, h, w, v0, nvec, nch, nil)
}

// proArgs are the assembly's arguments for the prologue pro of nch
// channels: its maps (nil without one) and the floor's bits, 0 for the
// ReLU and -Inf without, as the batch norm's kernels take it.
func proArgs(pro *ConvPrologue, nch int) (scale, shift *float32, floor uint32) {
	floor = 0xff800000 // -Inf: the maximum keeps every value
	if pro == nil {
		return nil, nil, floor
	}
	_, _ = pro.Scale[nch-1], pro.Shift[nch-1]
	if pro.ReLU {
		floor = 0
	}
	return &pro.Scale[0], &pro.Shift[0], floor
}

// winoIn4ProAsm512 is winoIn4Asm512 of the source as pro maps it (nil:
// the source itself), in registers as the rows are loaded, with the bits
// of bnApplyAVX512 (one rounding for x·scale + shift).
func winoIn4ProAsm512(v []float32, vs, vc int, x []float32, xc, h, w, v0, nvec, nch int, pro *ConvPrologue) {
	if nvec <= 0 || nch <= 0 {
		return
	}
	scale, shift, floor := proArgs(pro, nch)
	tw, nv := w/4, winoVectors4(h, w, v0, nvec)
	_ = v[(nch-1)*vc+35*vs+16*nvec-1]
	_ = x[(nch-1)*xc+h*w-1]
	left, right := winoMasks(tw)
	masks := int(left) | int(right)<<16
	// Row 0 of the first vector's first tile row and row 5 of the last
	// vector's last tile row lie outside the image: those vectors run on
	// their own, with those loads masked.
	for nvec > 0 {
		n, rm := winoRun(v0, nvec, nv, tw == 8) // both slots of a tile row
		ty0 := 16 * v0 / tw
		winoIn4AVX512(&v[0], vs, vc, &x[4*ty0*w], xc, w, winoSlot1(w), n, nch, masks, int(rm), scale, shift, floor)
		v0, nvec = v0+n, nvec-n
		if nvec > 0 {
			v = v[16*n:]
		}
	}
}

func winoOut4Asm512(y []float32, yc, h, w int, m []float32, ms, mc, v0, nvec, nch int) {
	if nvec <= 0 || nch <= 0 {
		return
	}
	tw := w / 4
	winoVectors4(h, w, v0, nvec)
	_ = y[(nch-1)*yc+h*w-1]
	_ = m[(nch-1)*mc+35*ms+16*nvec-1]
	ty0 := 16 * v0 / tw
	winoOut4AVX512(&y[4*ty0*w], yc, w, winoSlot1(w), &m[0], ms, mc, nvec, nch)
}

//go:noescape
func winoDy4AVX512(m *float32, ms, mc int, dy *float32, yc, w, off1, nvec, nch int)

func winoDy4Asm512(m []float32, ms, mc int, dy []float32, yc, h, w, v0, nvec, nch int) {
	if nvec <= 0 || nch <= 0 {
		return
	}
	tw := w / 4
	winoVectors4(h, w, v0, nvec)
	_ = m[(nch-1)*mc+35*ms+16*nvec-1]
	_ = dy[(nch-1)*yc+h*w-1]
	ty0 := 16 * v0 / tw
	winoDy4AVX512(&m[0], ms, mc, &dy[4*ty0*w], yc, w, winoSlot1(w), nvec, nch)
}

//go:noescape
func winoIn4x8AVX512(v *float32, vs, vc int, x *float32, xc, img, nvec, nch int, masks int, scale, shift *float32, floor uint32)

//go:noescape
func winoDy4x8AVX512(m *float32, ms, mc int, dy *float32, yc, img, nvec, nch int)

//go:noescape
func winoOut4x8AVX512(y *float32, yc, img int, m *float32, ms, mc, nvec, nch int)

// check4x8 reports whether an F(4×4) transform of maps 8×8 has work, and
// panics unless its slices hold every element it touches: the 36
// positions of nvec vectors of nch channels in t (positions ts apart,
// channels tc apart), and the 8×8 planes of 4·nvec images in p (images img
// apart, channels pc apart).
func check4x8(t []float32, ts, tc int, p []float32, pc, img, nvec, nch int) bool {
	if nvec <= 0 || nch <= 0 {
		return false
	}
	_ = t[(nch-1)*tc+35*ts+16*nvec-1]
	_ = p[(4*nvec-1)*img+(nch-1)*pc+63]
	return true
}

func winoOut4x8Asm512(y []float32, yc, img int, m []float32, ms, mc, nvec, nch int) {
	if check4x8(m, ms, mc, y, yc, img, nvec, nch) {
		winoOut4x8AVX512(&y[0], yc, img, &m[0], ms, mc, nvec, nch)
	}
}

func winoIn4x8Asm512(v []float32, vs, vc int, x []float32, xc, img, nvec, nch int) {
	winoIn4x8ProAsm512(v, vs, vc, x, xc, img, nvec, nch, nil)
}

// winoIn4x8ProAsm512 is winoIn4x8Asm512 of the source as pro maps it (nil:
// the source itself), as winoIn4ProAsm512.
func winoIn4x8ProAsm512(v []float32, vs, vc int, x []float32, xc, img, nvec, nch int, pro *ConvPrologue) {
	if check4x8(v, vs, vc, x, xc, img, nvec, nch) {
		left, right := winoMasks(2)
		scale, shift, floor := proArgs(pro, nch)
		winoIn4x8AVX512(&v[0], vs, vc, &x[0], xc, img, nvec, nch, int(left)|int(right)<<16, scale, shift, floor)
	}
}

func winoDy4x8Asm512(m []float32, ms, mc int, dy []float32, yc, img, nvec, nch int) {
	if check4x8(m, ms, mc, dy, yc, img, nvec, nch) {
		winoDy4x8AVX512(&m[0], ms, mc, &dy[0], yc, img, nvec, nch)
	}
}
