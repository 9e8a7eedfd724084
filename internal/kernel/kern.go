package kernel

// convKernels is one implementation of the two inner loops of the float32
// convolutions. The drivers in conv_f32.go own all geometry; the kernels
// only multiply and add, so every implementation computes the same sums.
type convKernels struct {
	name string

	// masked kernels honour lane masks, so plans may read sources in place
	// (direct mode); the others get copy-mode plans, whose lanes are all valid.
	masked bool

	// fwdPix is the number of pixels in one block of fwd.
	fwdPix int
	// fwd computes nblk blocks of fwdPix pixels for nkb blocks of 8 output
	// channels: for kb < nkb, j < 8, i < nblk·fwdPix,
	//	out[(8kb+j)·ldo + i] = Σ_t w[8·ntaps·kb + 8t + j] · x[xoff + offs[t] + i]
	// summed in tap order. The taps come in classes, cls[k] of them in class
	// k; lane i of a tap in class k is read only if bit i%16 of
	// masks[k·mstride + i/16] is set, and counts as zero otherwise. rng is
	// the smallest and the largest of offs, which the drivers keep per plan.
	fwd func(out []float32, ldo int, x []float32, xoff int, offs []int, rng [2]int, w []float32, ntaps, nblk, nkb int, cls []int, masks []uint16, mstride int)

	// dwK×dwT is the tile of dw: output channels by taps.
	dwK, dwT int
	// dw runs, for each output-channel tile kt < nkt and then each tile
	// record in tiles (dwT tap offsets, a mask offset, a column: dwT+2 ints),
	// for kk < dwK and tt < dwT:
	//	part[(dwK·kt+kk)·ldp + col + tt] += Σ dy[dyoff + (dwK·kt+kk)·ldd + g·dystride + i] · x[xoff + off[tt] + g·xstride + i]
	// over images g < nimg and lanes i < 16·nvec whose bit is set in the
	// mask words at masks[maskoff:]. Only x is masked: every lane of dy is
	// read and must lie inside it.
	dw func(part []float32, ldp int, dy []float32, dyoff, ldd, dystride int, x []float32, xoff, xstride int, tiles []int, nkt, nvec, nimg int, masks []uint16)
	// dwStore, where not nil, is dw with part[…] = Σ for part[…] += Σ: the
	// first call into a cleared part without the clearing.
	dwStore func(part []float32, ldp int, dy []float32, dyoff, ldd, dystride int, x []float32, xoff, xstride int, tiles []int, nkt, nvec, nimg int, masks []uint16)

	// split sends row r of src (rows rows of 2·half floats) to row r/2 of
	// e0 (even columns) and o0 (odd columns) when r is even, of e1 and o1
	// when r is odd: the four phases of a stride-2 sampling.
	split func(e0, o0, e1, o1, src []float32, rows, half int)
	// merge is the inverse of split.
	merge func(dst, e0, o0, e1, o1 []float32, rows, half int)

	// winoIn and winoOut are the transforms of the Winograd convolutions
	// (wino.go), read straight from the source planes and written straight
	// into the output planes, for nch channels; nil where the set runs every
	// convolution directly.
	winoIn  func(v []float32, vs, vc int, x []float32, xc, h, w, v0, nvec, nch int)
	winoOut func(y []float32, yc, h, w int, m []float32, ms, mc, v0, nvec, nch int)
	// winoIn4 and winoOut4 are the transforms of F(4×4, 3×3) (wino4.go),
	// with the arguments of winoIn and winoOut; nil where the set runs
	// F(2×2, 3×3) only.
	winoIn4 func(v []float32, vs, vc int, x []float32, xc, h, w, v0, nvec, nch int)
	// winoIn4Pro is winoIn4 of the source as a ConvPrologue maps it, the
	// map applied in registers with the bits of the batch norm's apply
	// where that is an FMA (bnKernels.fma); nil where the set has none (the
	// map then goes to a copy of the images first).
	winoIn4Pro func(v []float32, vs, vc int, x []float32, xc, h, w, v0, nvec, nch int, pro *ConvPrologue)
	winoOut4   func(y []float32, yc, h, w int, m []float32, ms, mc, v0, nvec, nch int)
	// winoDy4 is the output-gradient transform of the F(4×4) weight
	// gradient, with the arguments of winoDy.
	winoDy4 func(m []float32, ms, mc int, dy []float32, yc, h, w, v0, nvec, nch int)
	// winoDy is the output-gradient transform of the Winograd weight
	// gradient (wino_filter.go); nil: the weight gradient runs directly.
	winoDy func(m []float32, ms, mc int, dy []float32, yc, h, w, v0, nvec, nch int)
	// winoIn4x8 and winoDy4x8 are the transforms of the F(4×4) weight
	// gradient on maps 8×8 (wino4.go), vectors spanning four images img
	// floats apart; nil where those run F(2×2).
	winoIn4x8 func(v []float32, vs, vc int, x []float32, xc, img, nvec, nch int)
	// winoIn4x8Pro is winoIn4x8 with a prologue, as winoIn4Pro.
	winoIn4x8Pro func(v []float32, vs, vc int, x []float32, xc, img, nvec, nch int, pro *ConvPrologue)
	winoDy4x8    func(m []float32, ms, mc int, dy []float32, yc, img, nvec, nch int)
	// winoOut4x8, where not nil, is the F(4×4) output transform on maps
	// 8×8, with the vectors of winoIn4x8: the forward pass and the input
	// gradient of those maps then run F(4×4) too.
	winoOut4x8 func(y []float32, yc, img int, m []float32, ms, mc, nvec, nch int)
	// winoGemm, where not nil, runs the products of npos Winograd
	// positions in one call, the positions mps, vps and wps floats apart in
	// m, v and w: for each, fwd with ldo = ld, offs[t] = t·ld, ntaps = c and
	// every lane valid, with fwd's sums. It saves a call per position.
	winoGemm func(m []float32, ld, mps int, v []float32, vps int, w []float32, wps, c, nblk, nkb, npos int)

	// dwOuter, where not nil, runs the Winograd weight gradient's products
	// of one position as outer products, with the transformed inputs
	// transposed by winoTr: for k < nk (a multiple of 8) and c < nc (a
	// multiple of 16),
	//	part[k·ldp + c] (+)= Σ_{t<nt} dm[k·ldm + t] · vt[t·ldv + c]
	// summed in t order from zero, then added to part, or stored into it
	// when store is set. Each sum is a row of dm by a column of vt, so no
	// vector is reduced across its lanes.
	dwOuter func(part []float32, ldp int, dm []float32, ldm int, vt []float32, ldv, nt, nk, nc int, store bool)
	// outerC: the weight gradient runs dwOuter where the input channels are
	// a multiple of outerC (16 or 32), where the set measured it faster.
	outerC int
	// winoTr writes dst[t·ldd + c] = src[c·lds + t] for c < nc and t < nt,
	// both multiples of 16.
	winoTr func(dst []float32, ldd int, src []float32, lds, nc, nt int)

	// dwTap, where not nil, runs the weight gradient of the direct 3×3
	// convolutions that the Winograd adjoint does not (dwtap.go): for the
	// 9·a.nch taps t = 9c + 3r + q of a.nch source channels and the a.nk
	// output channels j < a.nk,
	//	part[t·ldp + j] += Σ_{n<nimg} Σ_{oy<oh, ox<ow}
	//		x[n·ximg + c·plane + (stride·oy + r)·wp + stride·ox + q] ·
	//		dyt[n·dimg + (oy·ow + ox)·ldk + j]
	// summed in that order from zero, then added: x zero-padded planes,
	// dyt each pixel's output gradients in a row. The (nch, nk) it takes
	// are tapTiles'.
	dwTap func(part []float32, ldp int, x []float32, a dwTapArgs, dyt []float32)
	// tapTiles are dwTap's tiles, in order of preference: the most output
	// channels first, and the last of one source channel (tapGeom.tile).
	tapTiles []tapTile
	// dwLane, where not nil, runs the weight gradient of one image's
	// stride-1 3×3 convolution of few source channels (the stem; see
	// dwlane.go) as lane sums: for every output channel j < a.k, source
	// channel i < a.c, tap t = 3r + q < 9 and lane l < L = laneW,
	//	part[((j·a.c + i)·9 + t)·L + l] += Σ_{oy<oh} Σ_{b<ow/L}
	//		x[i·plane + (oy + r)·wp + Lb + l + q] · dy[j·oh·ow + oy·ow + Lb + l]
	// summed in that order from zero, then added: x zero-padded planes, dy
	// the image's output gradients. a.k is a multiple of laneK, a.ow of
	// laneW.
	dwLane       func(part, x []float32, a dwLaneArgs, dy []float32)
	laneK, laneW int
	// winoFilter4x8, where not nil, is winoFilter4 for 8 filters at once,
	// to the bit: g[t·8 + l] are filter l's taps, and U[pos] goes to
	// up[pos·ps + l].
	winoFilter4x8 func(up []float32, ps int, g *[72]float32)
	// winoFilterGrad4x8, where not nil, is winoFilterGrad4 for 8 filters
	// at once, to the bit: their dU at position pos in u[pos·us + l], and
	// filter l's tap t goes to taps[t·8 + l].
	winoFilterGrad4x8 func(taps *[72]float32, u []float32, us int)
	// copyRows, where not nil, is copyRowsGo in assembly.
	copyRows func(dst []float32, ldd int, src []float32, lds, w, rows int)
}

// copyRowsGo writes dst[r·ldd + j] = src[r·lds + j] for r < rows, j < w.
func copyRowsGo(dst []float32, ldd int, src []float32, lds, w, rows int) {
	if !checkCopyRows(dst, ldd, src, lds, w, rows) {
		return
	}
	for r := 0; r < rows; r++ {
		copy(dst[r*ldd:r*ldd+w], src[r*lds:r*lds+w])
	}
}

// checkCopyRows reports whether a copyRows call has work, and panics
// unless its arguments lie inside its slices.
func checkCopyRows(dst []float32, ldd int, src []float32, lds, w, rows int) bool {
	if w <= 0 || rows <= 0 {
		return false
	}
	if ldd < w || lds < w {
		panic("kernel: copyRows: bad shape")
	}
	_ = dst[(rows-1)*ldd+w-1]
	_ = src[(rows-1)*lds+w-1]
	return true
}

// tapTile is a dwTap tile: the taps of nch source channels by nk output
// channels.
type tapTile struct{ nch, nk int }

// dwTapArgs is the geometry of a dwTap call.
type dwTapArgs struct {
	tapTile
	wp, stride, plane int // the padded source planes: row length, stride of the taps, channel stride
	ldk, oh, ow       int // the output gradients' row length; the output plane
	nimg, ximg, dimg  int // images, and their strides in x and dyt

	// pf is memory the next calls will read, which the call prefetches
	// into L2 as it goes: a hint, which changes no result.
	pf []float32
}

// dwLaneArgs is the geometry of a dwLane call.
type dwLaneArgs struct {
	wp, plane int // the padded source planes: row length, channel stride
	c, k      int // source and output channels
	oh, ow    int // the output plane

	// pf and pfx are memory the next calls will read, which the call
	// prefetches into L2 as it goes: hints, which change no result.
	pf, pfx []float32
}

// checkDwLane reports whether a dwLane call has work, and panics unless
// its geometry is one dwLane takes and every element it addresses lies
// inside its slices.
func checkDwLane(part, x []float32, a dwLaneArgs, dy []float32, laneK, laneW int) bool {
	if a.c <= 0 || a.k <= 0 || a.oh <= 0 || a.ow <= 0 {
		return false
	}
	if a.k%laneK != 0 || a.ow%laneW != 0 || a.wp < a.ow+2 || a.plane < (a.oh+2)*a.wp {
		panic("kernel: dwLane: bad shape")
	}
	_ = part[a.k*a.c*9*laneW-1]
	_ = x[(a.c-1)*a.plane+(a.oh+1)*a.wp+a.ow+1]
	_ = dy[a.k*a.oh*a.ow-1]
	return true
}

// checkDwTap reports whether a dwTap call has work, and panics unless every
// element it addresses lies inside its slices.
func checkDwTap(part []float32, ldp int, x []float32, a dwTapArgs, dyt []float32) bool {
	if a.nimg <= 0 || a.oh <= 0 || a.ow <= 0 {
		return false
	}
	nk := a.nk
	if a.nch <= 0 || nk <= 0 || ldp < nk || a.ldk < nk || a.stride <= 0 || a.wp < a.stride*(a.ow-1)+3 || a.ximg < 0 || a.dimg < 0 || a.plane < 0 {
		panic("kernel: dwTap: bad shape")
	}
	_ = part[(9*a.nch-1)*ldp+nk-1]
	_ = x[(a.nimg-1)*a.ximg+(a.nch-1)*a.plane+(a.stride*(a.oh-1)+2)*a.wp+a.stride*(a.ow-1)+2]
	_ = dyt[(a.nimg-1)*a.dimg+(a.oh*a.ow-1)*a.ldk+nk-1]
	return true
}

// winoTrGo is winoTr in plain Go.
func winoTrGo(dst []float32, ldd int, src []float32, lds, nc, nt int) {
	for c := 0; c < nc; c++ {
		for t := 0; t < nt; t++ {
			dst[t*ldd+c] = src[c*lds+t]
		}
	}
}

// checkDwOuter panics unless every element dwOuter's arguments address
// lies inside its slices, and nk, nc are whole multiples of 8 and 16.
func checkDwOuter(part []float32, ldp int, dm []float32, ldm int, vt []float32, ldv, nt, nk, nc int) {
	if nk%8 != 0 || nc%16 != 0 || ldp < nc || ldm < nt || ldv < nc {
		panic("kernel: dwOuter: bad shape")
	}
	_ = part[(nk-1)*ldp+nc-1]
	_ = dm[(nk-1)*ldm+nt-1]
	_ = vt[(nt-1)*ldv+nc-1]
}

// checkWinoTr reports whether a winoTr call has work, and panics unless
// its arguments lie inside its slices.
func checkWinoTr(dst []float32, ldd int, src []float32, lds, nc, nt int) bool {
	if nc <= 0 || nt <= 0 {
		return false
	}
	if nc%16 != 0 || nt%16 != 0 || ldd < nc || lds < nt {
		panic("kernel: winoTr: bad shape")
	}
	_ = dst[(nt-1)*ldd+nc-1]
	_ = src[(nc-1)*lds+nt-1]
	return true
}

// goKernels is the plain-Go implementation, used where no assembly fits the
// CPU and with the purego build tag. goCopyKernels is the same restricted to
// copy-mode plans, so that tests cover both modes on every platform.
var (
	goKernels     = &convKernels{name: "go", masked: true, fwdPix: 16, fwd: fwdGo, dwK: 4, dwT: 4, dw: dwGo, split: splitGo, merge: mergeGo, winoIn: winoInGo, winoOut: winoOutGo, winoDy: winoDyGo, winoIn4: winoIn4Go, winoOut4: winoOut4Go, winoDy4: winoDy4Go, winoIn4x8: winoIn4x8Go, winoDy4x8: winoDy4x8Go, winoOut4x8: winoOut4x8Go, winoGemm: winoGemmGo, dwOuter: dwOuterGo, winoTr: winoTrGo, outerC: 16}
	goCopyKernels = &convKernels{name: "go-copy", fwdPix: 16, fwd: fwdGo, dwK: 4, dwT: 4, dw: dwGo, split: splitGo, merge: mergeGo}
)

// KernelSet names the float32 kernels this process runs, chosen at start
// from the CPU: "avx512", "avx2" or "go" (other architectures, the purego
// build tag, or an amd64 CPU without AVX2 and FMA). GODEBUG settings such
// as cpu.avx512f=off, which golang.org/x/sys/cpu honours, change the
// choice.
func KernelSet() string { return bestKernels.name }

func splitGo(e0, o0, e1, o1, src []float32, rows, half int) {
	splitTail(e0, o0, e1, o1, src, rows, half, 0)
}

// splitTail is splitGo from column pair i0 of each row on.
func splitTail(e0, o0, e1, o1, src []float32, rows, half, i0 int) {
	for r := 0; r < rows; r++ {
		row := src[2*r*half : 2*(r+1)*half]
		e, o := e0, o0
		if r%2 == 1 {
			e, o = e1, o1
		}
		u := r / 2
		e, o = e[u*half:(u+1)*half], o[u*half:(u+1)*half]
		for i := i0; i < half; i++ {
			e[i], o[i] = row[2*i], row[2*i+1]
		}
	}
}

func mergeGo(dst, e0, o0, e1, o1 []float32, rows, half int) {
	mergeTail(dst, e0, o0, e1, o1, rows, half, 0)
}

// mergeTail is mergeGo from column pair i0 of each row on.
func mergeTail(dst, e0, o0, e1, o1 []float32, rows, half, i0 int) {
	for r := 0; r < rows; r++ {
		row := dst[2*r*half : 2*(r+1)*half]
		e, o := e0, o0
		if r%2 == 1 {
			e, o = e1, o1
		}
		u := r / 2
		e, o = e[u*half:(u+1)*half], o[u*half:(u+1)*half]
		for i := i0; i < half; i++ {
			row[2*i], row[2*i+1] = e[i], o[i]
		}
	}
}
