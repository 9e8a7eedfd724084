//go:build amd64 && !purego

package kernel

//go:noescape
func winoIn4AVX2(v *float32, vs, vc int, x *float32, xc, w int, offs *int, flags, edge, nch int)

//go:noescape
func winoOut4AVX2(y *float32, yc, w int, offs *int, m *float32, ms, mc, nch int)

//go:noescape
func winoDy4AVX2(m *float32, ms, mc int, dy *float32, yc, w int, offs *int, nch int)

// The AVX2 F(4×4) transforms run on vectors of 8 tiles, half a vector of
// the other sets, whose pairs of tiles 2i, 2i+1 (8 columns of a tile row)
// they address one by one; edge names the tile rows' edges within them.
const (
	edge16 = iota // the edges of the tile rows of maps 16 wide (4 tiles a row)
	edge32        // 32 wide (8)
	edge8         // 8 wide (2), four images a vector
)

// winoVector4 fills offs for vector v (of 16 tiles) of an F(4×4) transform
// on maps h×w (16 or 32 wide): offs[i] is where pair i (tiles 2i and 2i+1)
// starts in the plane, row 0 of its tile row. Bit i of edges is set where
// that tile row is the image's first, bit 8+i where it is its last.
func winoVector4(h, w, v int, offs *[8]int) (edges int) {
	for i := range offs {
		t := 16*v + 2*i
		ty, tx := t/(w/4), t%(w/4)
		offs[i] = 4*ty*w + 4*tx
		if ty == 0 {
			edges |= 1 << i
		}
		if ty == h/4-1 {
			edges |= 1 << (8 + i)
		}
	}
	return edges
}

// winoVector4x8 is winoVector4 for maps 8×8, whose vectors span four
// images (img floats apart, see winoLane8); each pair is both tiles of a
// tile row.
func winoVector4x8(img, v int, offs *[8]int) (edges int) {
	for i := range offs {
		im, ty, _ := winoLane8(2 * i)
		offs[i] = (4*v+im)*img + 4*ty*8
		edges |= 1 << (8*ty + i)
	}
	return edges
}

// winoIn4Asm2 is winoIn4Go on AVX2.
func winoIn4Asm2(v []float32, vs, vc int, x []float32, xc, h, w, v0, nvec, nch int) {
	if nvec <= 0 || nch <= 0 {
		return
	}
	winoVectors4(h, w, v0, nvec)
	_ = v[(nch-1)*vc+35*vs+16*nvec-1]
	_ = x[(nch-1)*xc+h*w-1]
	edge := edge16
	if w == 32 {
		edge = edge32
	}
	var offs [8]int
	for i := 0; i < nvec; i++ {
		// Row -1 of the top tile row and row h of the bottom one are zeros:
		// the kernel does not load them.
		edges := winoVector4(h, w, v0+i, &offs)
		for c := range offs {
			offs[c] -= w
		}
		winoIn4AVX2(&v[16*i], vs, vc, &x[0], xc, w, &offs[0], edges, edge, nch)
	}
}

// winoOut4Asm2 is winoOut4Go on AVX2.
func winoOut4Asm2(y []float32, yc, h, w int, m []float32, ms, mc, v0, nvec, nch int) {
	if nvec <= 0 || nch <= 0 {
		return
	}
	winoVectors4(h, w, v0, nvec)
	_ = y[(nch-1)*yc+h*w-1]
	_ = m[(nch-1)*mc+35*ms+16*nvec-1]
	var offs [8]int
	for i := 0; i < nvec; i++ {
		winoVector4(h, w, v0+i, &offs)
		winoOut4AVX2(&y[0], yc, w, &offs[0], &m[16*i], ms, mc, nch)
	}
}

// winoDy4Asm2 is winoDy4Go on AVX2.
func winoDy4Asm2(m []float32, ms, mc int, dy []float32, yc, h, w, v0, nvec, nch int) {
	if nvec <= 0 || nch <= 0 {
		return
	}
	winoVectors4(h, w, v0, nvec)
	_ = m[(nch-1)*mc+35*ms+16*nvec-1]
	_ = dy[(nch-1)*yc+h*w-1]
	var offs [8]int
	for i := 0; i < nvec; i++ {
		winoVector4(h, w, v0+i, &offs)
		winoDy4AVX2(&m[16*i], ms, mc, &dy[0], yc, w, &offs[0], nch)
	}
}

// winoIn4x8Asm2 is winoIn4x8Go on AVX2.
func winoIn4x8Asm2(v []float32, vs, vc int, x []float32, xc, img, nvec, nch int) {
	if !check4x8(v, vs, vc, x, xc, img, nvec, nch) {
		return
	}
	var offs [8]int
	for i := 0; i < nvec; i++ {
		edges := winoVector4x8(img, i, &offs)
		for c := range offs {
			offs[c] -= 8
		}
		winoIn4AVX2(&v[16*i], vs, vc, &x[0], xc, 8, &offs[0], edges, edge8, nch)
	}
}

// winoOut4x8Asm2 is winoOut4x8Go on AVX2.
func winoOut4x8Asm2(y []float32, yc, img int, m []float32, ms, mc, nvec, nch int) {
	if !check4x8(m, ms, mc, y, yc, img, nvec, nch) {
		return
	}
	var offs [8]int
	for i := 0; i < nvec; i++ {
		winoVector4x8(img, i, &offs)
		winoOut4AVX2(&y[0], yc, 8, &offs[0], &m[16*i], ms, mc, nch)
	}
}

// winoDy4x8Asm2 is winoDy4x8Go on AVX2.
func winoDy4x8Asm2(m []float32, ms, mc int, dy []float32, yc, img, nvec, nch int) {
	if !check4x8(m, ms, mc, dy, yc, img, nvec, nch) {
		return
	}
	var offs [8]int
	for i := 0; i < nvec; i++ {
		winoVector4x8(img, i, &offs)
		winoDy4AVX2(&m[16*i], ms, mc, &dy[0], yc, 8, &offs[0], nch)
	}
}
