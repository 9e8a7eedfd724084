//go:build amd64 && !purego

package kernel

//go:noescape
func winoInAVX512(v *float32, vs, vc int, ph *float32, plane, pc, tw, nvec, nch int, masks int)

//go:noescape
func winoOutAVX512(q *float32, T, qc int, m *float32, ms, mc, nvec, nch int)

// The wrappers check the extents the assembly touches, so that a driver
// bug panics instead of corrupting memory.

func winoInAsm512(v []float32, vs, vc int, ph []float32, plane, pc, tw, nvec, nch int) {
	if nvec <= 0 || nch <= 0 {
		return
	}
	_ = v[(nch-1)*vc+15*vs+16*nvec-1]
	_ = ph[(nch-1)*pc+3*plane+tw+16*nvec] // the last lane of the odd rows' odd columns
	left, right := winoMasks(tw)
	winoInAVX512(&v[0], vs, vc, &ph[0], plane, pc, tw, nvec, nch, int(left)|int(right)<<16)
}

func winoOutAsm512(q []float32, T, qc int, m []float32, ms, mc, nvec, nch int) {
	if nvec <= 0 || nch <= 0 {
		return
	}
	_ = q[(nch-1)*qc+3*T+16*nvec-1]
	_ = m[(nch-1)*mc+15*ms+16*nvec-1]
	winoOutAVX512(&q[0], T, qc, &m[0], ms, mc, nvec, nch)
}
