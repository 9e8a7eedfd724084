//go:build amd64 && !purego

package kernel

//go:noescape
func winoInAVX512(v *float32, vs int, ph *float32, plane, tw, nvec int, masks int)

//go:noescape
func winoOutAVX512(q *float32, T int, m *float32, ms, nvec int)

// The wrappers check the extents the assembly touches, so that a driver
// bug panics instead of corrupting memory.

func winoInAsm512(v []float32, vs int, ph []float32, plane, tw, nvec int) {
	if nvec <= 0 {
		return
	}
	_ = v[15*vs+16*nvec-1]
	_ = ph[3*plane+tw+16*nvec] // the last lane of the odd rows' odd columns
	left, right := winoMasks(tw)
	winoInAVX512(&v[0], vs, &ph[0], plane, tw, nvec, int(left)|int(right)<<16)
}

func winoOutAsm512(q []float32, T int, m []float32, ms, nvec int) {
	if nvec <= 0 {
		return
	}
	_ = q[3*T+16*nvec-1]
	_ = m[15*ms+16*nvec-1]
	winoOutAVX512(&q[0], T, &m[0], ms, nvec)
}
