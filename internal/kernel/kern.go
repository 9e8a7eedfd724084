package kernel

// convKernels is one implementation of the two inner loops of the float32
// convolutions. The drivers in conv_f32.go own all geometry; the kernels
// only multiply and add, so every implementation computes the same sums.
type convKernels struct {
	name string

	// fwdPix is the number of pixels in one block of fwd.
	fwdPix int
	// fwd computes nblk blocks of fwdPix pixels for 8 output channels:
	//	out[j·ldo + i] = Σ_t w[8t+j] · x[xoff + offs[t] + i],  j < 8, i < nblk·fwdPix.
	// The sum runs over t in tap order.
	fwd func(out []float32, ldo int, x []float32, xoff int, offs []int, w []float32, ntaps, nblk int)

	// dwK×dwT is the tile of dw.
	dwK, dwT int
	// dw adds to part[kk·ldp + tt], kk < dwK, tt < dwT, the sum over images
	// g < nimg and pixels i < 16·nvec of
	//	dy[kk·ldd + g·istride + i] · x[offs[tt] + g·istride + i].
	dw func(part []float32, ldp int, dy []float32, ldd int, x []float32, offs []int, nvec, nimg, istride int)

	// split sends row r of src (rows rows of 2·half floats) to row r/2 of
	// e0 (even columns) and o0 (odd columns) when r is even, of e1 and o1
	// when r is odd: the four phases of a stride-2 sampling.
	split func(e0, o0, e1, o1, src []float32, rows, half int)
	// merge is the inverse of split.
	merge func(dst, e0, o0, e1, o1 []float32, rows, half int)
}

// goKernels is the plain-Go implementation, used where no assembly fits the
// CPU and with the purego build tag.
var goKernels = &convKernels{name: "go", fwdPix: 16, fwd: fwdGo, dwK: 4, dwT: 4, dw: dwGo, split: splitGo, merge: mergeGo}

func fwdGo(out []float32, ldo int, x []float32, xoff int, offs []int, w []float32, ntaps, nblk int) {
	const pb = 16
	offs = offs[:ntaps]
	w = w[:8*ntaps]
	for blk := 0; blk < nblk; blk++ {
		var acc [8][pb]float32
		base := xoff + blk*pb
		for t, o := range offs {
			xs := x[base+o : base+o+pb]
			wt := w[8*t : 8*t+8]
			for j := range acc {
				wj := wt[j]
				a := &acc[j]
				for i := range a {
					a[i] += wj * xs[i]
				}
			}
		}
		for j := range acc {
			copy(out[j*ldo+blk*pb:j*ldo+blk*pb+pb], acc[j][:])
		}
	}
}

func dwGo(part []float32, ldp int, dy []float32, ldd int, x []float32, offs []int, nvec, nimg, istride int) {
	n := 16 * nvec
	for kk := 0; kk < 4; kk++ {
		for tt := 0; tt < 4; tt++ {
			var acc [16]float32
			for g := 0; g < nimg; g++ {
				d := dy[kk*ldd+g*istride : kk*ldd+g*istride+n]
				xs := x[offs[tt]+g*istride : offs[tt]+g*istride+n]
				for i := 0; i < n; i += 16 {
					for l := range acc {
						acc[l] += d[i+l] * xs[i+l]
					}
				}
			}
			var s float32
			for _, v := range acc {
				s += v
			}
			part[kk*ldp+tt] += s
		}
	}
}

func splitGo(e0, o0, e1, o1, src []float32, rows, half int) {
	for r := 0; r < rows; r++ {
		row := src[2*r*half : 2*(r+1)*half]
		e, o := e0, o0
		if r%2 == 1 {
			e, o = e1, o1
		}
		u := r / 2
		e, o = e[u*half:(u+1)*half], o[u*half:(u+1)*half]
		for i := range e {
			e[i], o[i] = row[2*i], row[2*i+1]
		}
	}
}

func mergeGo(dst, e0, o0, e1, o1 []float32, rows, half int) {
	for r := 0; r < rows; r++ {
		row := dst[2*r*half : 2*(r+1)*half]
		e, o := e0, o0
		if r%2 == 1 {
			e, o = e1, o1
		}
		u := r / 2
		e, o = e[u*half:(u+1)*half], o[u*half:(u+1)*half]
		for i := range e {
			row[2*i], row[2*i+1] = e[i], o[i]
		}
	}
}
