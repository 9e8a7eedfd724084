package kernel

// The fast float32 convolutions are implicit GEMMs. Every output pixel p of an
// outH×outW plane (p = oy·outW + ox) is a sum over taps, and each tap reads
// one plane at a fixed offset from p, so a tap is one contiguous vector load
// per block of pixels and nothing like an im2col matrix is built.
//
// A plan runs in one of two modes. In direct mode (kernels that take lane
// masks; stride-1 sources as wide as the output, or stride-2 sources split
// into their four even/odd phases) the taps read the source planes, or the
// phase planes, in place at offset a·width + b. Each tap's class (a, b, ra)
// carries a mask of the lanes that fall inside the plane; masked lanes are
// neither loaded nor counted, which is what the zero padding would give.
//
// In copy mode every lane is valid: each image is first copied into planes
// where the copy for row phase ra, column phase qb and column shift b holds,
// at virtual index u·outW + v, the source value at row stride·u + ra and
// column stride·(v+b) + qb, or zero outside the source. A tap then reads its
// copy at offset a·outW from p.

// copyKey names one copy of a source channel in copy mode.
type copyKey struct{ ra, qb, b int }

// tapPlan is the geometry of one implicit GEMM: its taps, its copies and
// where each tap's data lies.
type tapPlan struct {
	srcC, srcH, srcW, stride int // the source planes
	outH, outW, npix         int // the computed plane
	direct                   bool
	split2                   bool // stride 2 from an even-width source: work from its four phases

	// per-channel taps
	tapRa, tapQb, tapA, tapB []int
	tapR, tapQ               []int // filter position, for packing weights
	tapCls                   []int

	// copy mode
	copies   []copyKey
	tapCopy  []int
	lo       int // virtual index of a plane's first element
	planeLen int // floats per plane (one channel, one copy, one image)

	// global taps (channel c = gC[t], per-channel tap gI[t]), class-major
	gC, gI  []int
	clsTaps []int    // number of global taps in each class
	masks   []uint16 // class k's lane masks at masks[k·mwords:], bit i of word m is pixel 16m+i
	mwords  int
}

// overrun is how far past the last pixel a kernel may read: one pixel block.
const overrun = 32

func floorDiv(a, b int) int {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

func roundUp(a, m int) int { return (a + m - 1) / m * m }

func (p *tapPlan) addTap(ra, qb, a, b, r, q int) {
	p.tapRa = append(p.tapRa, ra)
	p.tapQb = append(p.tapQb, qb)
	p.tapA = append(p.tapA, a)
	p.tapB = append(p.tapB, b)
	p.tapR = append(p.tapR, r)
	p.tapQ = append(p.tapQ, q)
}

// finish chooses the mode and lays out copies, classes and masks.
func (p *tapPlan) finish(allowDirect bool) {
	p.npix = p.outH * p.outW
	p.direct = allowDirect && (p.split2 || p.stride == 1 && p.outW == p.srcW)
	p.mwords = roundUp(p.npix, 32)/16 + 2
	type cls struct{ a, b, ra int }
	var classes []cls
	p.tapCls = make([]int, len(p.tapA))
	for i := range p.tapA {
		k := cls{}
		if p.direct {
			k = cls{p.tapA[i], p.tapB[i], p.tapRa[i]}
		}
		j := -1
		for ci, c := range classes {
			if c == k {
				j = ci
			}
		}
		if j < 0 {
			j = len(classes)
			classes = append(classes, k)
		}
		p.tapCls[i] = j
	}
	if len(classes) == 0 {
		classes = append(classes, cls{})
	}
	p.clsTaps = make([]int, len(classes))
	for k := range classes {
		for c := 0; c < p.srcC; c++ {
			for i, ti := range p.tapCls {
				if ti == k {
					p.gC = append(p.gC, c)
					p.gI = append(p.gI, i)
					p.clsTaps[k]++
				}
			}
		}
	}
	p.masks = make([]uint16, len(classes)*p.mwords)
	for k, cl := range classes {
		m := p.masks[k*p.mwords : (k+1)*p.mwords]
		for i := 0; i < 16*p.mwords; i++ {
			ok := !p.direct
			if p.direct && i < p.npix {
				oy, ox := i/p.outW+cl.a, i%p.outW+cl.b
				rows, cols := p.srcH, p.srcW
				if p.split2 {
					rows, cols = (p.srcH-cl.ra+1)/2, p.outW
				}
				ok = oy >= 0 && oy < rows && ox >= 0 && ox < cols
			}
			if ok {
				m[i/16] |= 1 << (i % 16)
			}
		}
	}
	if p.direct {
		return
	}
	p.tapCopy = make([]int, len(p.tapA))
	lo, hi := 0, 0
	for i := range p.tapA {
		k := copyKey{p.tapRa[i], p.tapQb[i], p.tapB[i]}
		j := -1
		for ci, c := range p.copies {
			if c == k {
				j = ci
			}
		}
		if j < 0 {
			j = len(p.copies)
			p.copies = append(p.copies, k)
		}
		p.tapCopy[i] = j
		lo, hi = min(lo, p.tapA[i]*p.outW), max(hi, p.tapA[i]*p.outW)
	}
	p.lo = lo
	p.planeLen = roundUp(p.npix+overrun+hi-lo, 16)
}

// taps is the number of taps per source channel.
func (p *tapPlan) taps() int { return len(p.tapA) }

// forwardPlan is the plan of ConvForward (and of the weight gradient).
func forwardPlan(s ConvShape, allowDirect bool) *tapPlan {
	p := &tapPlan{srcC: s.C, srcH: s.H, srcW: s.W, stride: s.Stride, outH: s.OutH(), outW: s.OutW()}
	for r := 0; r < s.R; r++ {
		a := floorDiv(r-s.Pad, s.Stride)
		ra := r - s.Pad - a*s.Stride
		for q := 0; q < s.S; q++ {
			b := floorDiv(q-s.Pad, s.Stride)
			qb := q - s.Pad - b*s.Stride
			p.addTap(ra, qb, a, b, r, q)
		}
	}
	p.split2 = s.Stride == 2 && s.W%2 == 0 && p.outW == s.W/2
	p.finish(allowDirect)
	return p
}

// phaseLen is the size of one phase of a source plane split for stride 2.
func (p *tapPlan) phaseLen() int { return (p.srcH + 1) / 2 * (p.srcW / 2) }

// backwardDataPlan is the plan for the input pixels (stride·u+py, stride·v+px)
// of the input gradient: a stride-1 correlation of dy with the filter taps of
// that phase, flipped. It returns nil when the phase has no pixels.
func backwardDataPlan(s ConvShape, py, px int, allowDirect bool) *tapPlan {
	st := s.Stride
	hs, wsub := (s.H-py+st-1)/st, (s.W-px+st-1)/st
	if hs <= 0 || wsub <= 0 {
		return nil
	}
	p := &tapPlan{srcC: s.K, srcH: s.OutH(), srcW: s.OutW(), stride: 1, outH: hs, outW: wsub}
	for r := 0; r < s.R; r++ {
		dr := py + s.Pad - r
		if floorDiv(dr, st)*st != dr {
			continue
		}
		for q := 0; q < s.S; q++ {
			dq := px + s.Pad - q
			if floorDiv(dq, st)*st != dq {
				continue
			}
			p.addTap(0, 0, dr/st, dq/st, r, q)
		}
	}
	p.finish(allowDirect)
	return p
}

// planeBase is the offset of the plane of source channel c, copy j, image
// slot g in a buffer holding G images per plane group.
func (p *tapPlan) planeBase(c, j, g, G int) int {
	return ((c*len(p.copies)+j)*G + g) * p.planeLen
}

// bufLen is the size of a copy buffer for G images, with room for the reads
// of padding lanes past the last plane.
func (p *tapPlan) bufLen(G int) int {
	return p.srcC*len(p.copies)*G*p.planeLen + p.planeLen
}

// tapOffsets fills offs (one per global tap) with the offset of the value
// that pixel 0 of image slot 0 reads: from the image's first source plane in
// direct mode, from the copy buffer's start in copy mode.
func (p *tapPlan) tapOffsets(offs []int, G int) {
	for t, c := range p.gC {
		i := p.gI[t]
		switch {
		case p.direct && p.split2:
			n := p.phaseLen()
			offs[t] = (4*c+2*p.tapRa[i]+p.tapQb[i])*n + p.tapA[i]*p.outW + p.tapB[i]
		case p.direct:
			offs[t] = c*p.srcH*p.srcW + p.tapA[i]*p.srcW + p.tapB[i]
		default:
			offs[t] = p.planeBase(c, p.tapCopy[i], 0, G) + p.tapA[i]*p.outW - p.lo
		}
	}
}

// fill copies one image's source planes (srcC×srcH×srcW) into slot g. ph is
// scratch of 4·phaseLen floats, used when the plan splits a strided source.
func (p *tapPlan) fill(buf, src []float32, g, G int, ph []float32, k *convKernels) {
	hw := p.srcH * p.srcW
	for c := 0; c < p.srcC; c++ {
		sp := src[c*hw : (c+1)*hw]
		if p.split2 {
			n, half := p.phaseLen(), p.srcW/2
			k.split(ph[:n], ph[n:2*n], ph[2*n:3*n], ph[3*n:4*n], sp, p.srcH, half)
		}
		for j, ck := range p.copies {
			base := p.planeBase(c, j, g, G)
			dst := buf[base : base+p.planeLen]
			if p.split2 {
				n := p.phaseLen()
				rows := (p.srcH + 1 - ck.ra) / 2
				p.fillShifted(dst, ph[(2*ck.ra+ck.qb)*n:][:rows*p.outW], rows, ck.b)
				continue
			}
			p.fillPlane(dst, sp, ck)
		}
	}
}

func (p *tapPlan) fillPlane(dst, sp []float32, ck copyKey) {
	ow, st := p.outW, p.stride
	if st == 1 && ow == p.srcW && ck.ra == 0 && ck.qb == 0 {
		p.fillShifted(dst, sp, p.srcH, ck.b)
		return
	}
	// Copy column v reads source column st·(v+b)+qb, which must lie in
	// [0, srcW); qb is in [0, st).
	colLo := max(0, -ck.b)
	colHi := min(ow, (p.srcW-ck.qb+st-1)/st-ck.b)
	v, pos := p.lo, 0
	for pos < len(dst) {
		u := floorDiv(v, ow)
		col := v - u*ow
		n := min(ow-col, len(dst)-pos)
		seg := dst[pos : pos+n]
		sr := st*u + ck.ra
		a, b := max(col, colLo), min(col+n, colHi)
		if sr < 0 || sr >= p.srcH || a >= b {
			clear(seg)
		} else {
			clear(seg[:a-col])
			clear(seg[b-col:])
			row := sp[sr*p.srcW : (sr+1)*p.srcW]
			out := seg[a-col : b-col]
			if st == 1 {
				copy(out, row[a+ck.b+ck.qb:])
			} else {
				si := st*(a+ck.b) + ck.qb
				for i := range out {
					out[i] = row[si]
					si += st
				}
			}
		}
		pos += n
		v += n
	}
}

// fillShifted is fillPlane for a stride-1 source of rows rows as wide as
// the output: one shifted block copy, then the wrapped columns are zeroed.
func (p *tapPlan) fillShifted(dst, sp []float32, rows, b int) {
	ow, lo := p.outW, p.lo
	n := rows * ow
	i0, i1 := max(lo, 0), min(lo+len(dst), n)
	if i0 >= i1 || b >= ow || -b >= ow {
		clear(dst)
		return
	}
	clear(dst[:i0-lo])
	clear(dst[i1-lo:])
	seg := dst[i0-lo : i1-lo]
	j0 := min(max(-b, i0), i1)
	j1 := min(max(n-b, j0), i1)
	clear(seg[:j0-i0])
	copy(seg[j0-i0:j1-i0], sp[j0+b:j1+b])
	clear(seg[j1-i0:])
	if b == 0 {
		return
	}
	c0, c1 := 0, -b // zero columns [c0, c1) of every row
	if b > 0 {
		c0, c1 = ow-b, ow
	}
	for u := i0 / ow; u*ow < i1; u++ {
		for c := c0; c < c1; c++ {
			if i := u*ow + c; i >= i0 && i < i1 {
				seg[i-i0] = 0
			}
		}
	}
}

// splitImage writes the four phases of every source channel of one image
// (direct mode with split2) to dst, channel by channel.
func (p *tapPlan) splitImage(dst, src []float32, k *convKernels) {
	hw, n, half := p.srcH*p.srcW, p.phaseLen(), p.srcW/2
	for c := 0; c < p.srcC; c++ {
		d := dst[4*c*n : 4*(c+1)*n]
		k.split(d[:n], d[n:2*n], d[2*n:3*n], d[3*n:], src[c*hw:(c+1)*hw], p.srcH, half)
	}
}
