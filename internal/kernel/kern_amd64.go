//go:build amd64 && !purego

package kernel

import "golang.org/x/sys/cpu"

//go:noescape
func fwdAVX512(out *float32, ldo int, x *float32, offs *int, w *float32, nblk, nkb int, cls *int, ncls int, masks *uint16, mstride, inside int)

//go:noescape
func fwdAVX2(out *float32, ldo int, x *float32, offs *int, w *float32, nblk, nkb int, cls *int, ncls int, masks *uint16, mstride int)

//go:noescape
func dwAVX512(part *float32, ldp int, dy *float32, ldd, dystride int, x *float32, xstride int, tiles *int, ntiles, nkt, nvec, nimg int, masks *uint16, inside, store int)

//go:noescape
func dwAVX2(part *float32, ldp int, dy *float32, ldd int, x *float32, offs *int, nvec, nimg, dystride, xstride int, masks *uint16)

//go:noescape
func winoGemmAVX512(m *float32, ld, mps int, v *float32, vps int, w *float32, wps, c, nblk, nkb, npos int)

//go:noescape
func winoGemmAVX2(m *float32, ld, mps int, v *float32, vps int, w *float32, wps, c, nblk, nkb, npos int)

//go:noescape
func dwOuterAVX512(part *float32, ldp int, dm *float32, ldm int, vt *float32, ldv int, nt, nkb, nc, store int)

//go:noescape
func winoTrAVX512(dst *float32, ldd int, src *float32, lds, nc, nt int)

//go:noescape
func dwOuterAVX2(part *float32, ldp int, dm *float32, ldm int, vt *float32, ldv int, nt, nkb, nc, store int)

//go:noescape
func winoTrAVX2(dst *float32, ldd int, src *float32, lds, nc, nt int)

//go:noescape
func dwTap9AVX512(part *float32, ldp int, x *float32, wp, stride int, dyt *float32, ldk, oh, ow, nimg, ximg, dimg int, pf *float32, npf int)

//go:noescape
func dwTap27AVX512(part *float32, ldp int, x *float32, wp, stride, plane int, dyt *float32, ldk, oh, ow, nimg, ximg, dimg int, pf *float32, npf int)

//go:noescape
func dwTap9x16AVX512(part *float32, ldp int, x *float32, wp, stride int, dyt *float32, ldk, oh, ow, nimg, ximg, dimg int, pf *float32, npf int)

//go:noescape
func dwLaneAVX512(part *float32, x *float32, wp, plane, c int, dy *float32, npix, k, oh, ow int, pf *float32, npf int, pfx *float32, npfx int)

//go:noescape
func dwLaneAVX2(part *float32, x *float32, wp, plane, c int, dy *float32, npix, k, oh, ow int, pf *float32, npf int, pfx *float32, npfx int)

//go:noescape
func winoFilter4x8AVX512(up *float32, ps int, taps *float32)

//go:noescape
func winoFilterGrad4x8AVX512(taps *float32, u *float32, us int)

//go:noescape
func dwTap9AVX2(part *float32, ldp int, x *float32, wp, stride int, dyt *float32, ldk, oh, ow, nimg, ximg, dimg int, pf *float32, npf int)

//go:noescape
func copyRowsAVX512(dst *float32, ldd int, src *float32, lds, w, rows int)

//go:noescape
func splitAVX512(e0, o0, e1, o1, src *float32, rows, half int)

//go:noescape
func mergeAVX512(dst, e0, o0, e1, o1 *float32, rows, half int)

var (
	avx512Kernels = &convKernels{name: "avx512", masked: true, fwdPix: 32, fwd: fwdAsm512, dwK: 4, dwT: 4, dw: dwAsm512, split: splitAsm512, merge: mergeAsm512, winoIn: winoInAsm512, winoOut: winoOutAsm512, winoDy: winoDyAsm512, winoIn4: winoIn4Asm512, winoIn4Pro: winoIn4ProAsm512, winoOut4: winoOut4Asm512, winoDy4: winoDy4Asm512, winoGemm: winoGemmAsm512, dwStore: dwStoreAsm512, winoIn4x8: winoIn4x8Asm512, winoIn4x8Pro: winoIn4x8ProAsm512, winoDy4x8: winoDy4x8Asm512, winoOut4x8: winoOut4x8Asm512, dwOuter: dwOuterAsm512, winoTr: winoTrAsm512, outerC: 32, dwTap: dwTapAsm512, tapTiles: []tapTile{{1, 32}, {3, 16}, {1, 16}}, dwLane: dwLaneAsm512, laneK: 4, laneW: 16, copyRows: copyRowsAsm512, winoFilter4x8: winoFilter4x8Asm512, winoFilterGrad4x8: winoFilterGrad4x8Asm512}
	avx2Kernels   = &convKernels{name: "avx2", masked: true, fwdPix: 16, fwd: fwdAsm2, dwK: 2, dwT: 4, dw: dwAsm2, split: splitAsm2, merge: mergeAsm2, winoIn: winoInAsm2, winoOut: winoOutAsm2, winoDy: winoDyAsm2, winoIn4: winoIn4Asm2, winoOut4: winoOut4Asm2, winoDy4: winoDy4Asm2, winoIn4x8: winoIn4x8Asm2, winoDy4x8: winoDy4x8Asm2, winoOut4x8: winoOut4x8Asm2, winoGemm: winoGemmAsm2, dwOuter: dwOuterAsm2, winoTr: winoTrAsm2, outerC: 16, dwTap: dwTapAsm2, tapTiles: []tapTile{{1, 8}}, dwLane: dwLaneAsm2, laneK: 2, laneW: 8}
)

// hasAVX512: the AVX-512 kernels also use instructions of AVX-512DQ
// (VINSERTF32X8, VXORPS on zmm registers) and of VL.
var hasAVX512 = cpu.X86.HasAVX512F && cpu.X86.HasAVX512VL && cpu.X86.HasAVX512DQ
var hasAVX2 = cpu.X86.HasAVX2 && cpu.X86.HasFMA

var bestBN = func() *bnKernels {
	switch {
	case hasAVX512:
		return avx512BN
	case hasAVX2:
		return avx2BN
	}
	return goBN
}()

var bestKernels = func() *convKernels {
	switch {
	case hasAVX512:
		return avx512Kernels
	case hasAVX2:
		return avx2Kernels
	}
	return goKernels
}()

// kernelSets lists the implementations this CPU can run.
func kernelSets() []*convKernels {
	ks := []*convKernels{goKernels, goCopyKernels}
	if hasAVX2 {
		direct := *avx2Kernels
		direct.name, direct.winoIn, direct.winoOut, direct.winoDy = "avx2-direct", nil, nil, nil
		direct.winoIn4, direct.winoOut4, direct.winoDy4 = nil, nil, nil
		ks = append(ks, avx2Kernels, &direct)
	}
	if hasAVX512 {
		direct := *avx512Kernels
		direct.name, direct.winoIn, direct.winoOut, direct.winoDy = "avx512-direct", nil, nil, nil
		direct.winoIn4, direct.winoOut4, direct.winoDy4 = nil, nil, nil
		ks = append(ks, avx512Kernels, &direct)
	}
	return ks
}

// The wrappers check the extents the assembly will touch, so a driver bug
// panics instead of corrupting memory. In direct mode the masked kernels also
// form addresses of lanes outside x; those lanes are never loaded.

func checkFwd(out []float32, ldo int, x []float32, xoff int, offs []int, w []float32, ntaps, nblk, nkb, pix int) {
	_ = out[(8*nkb-1)*ldo+nblk*pix-1]
	_ = x[xoff]
	if ntaps > 0 {
		_ = offs[ntaps-1]
		_ = w[8*ntaps*nkb-1]
	}
}

// checkClasses panics unless the classes cover the taps and the masks cover
// words blocks of every class.
func checkClasses(cls []int, ntaps int, masks []uint16, mstride, words int) {
	n := 0
	for _, c := range cls {
		n += c
	}
	if n != ntaps {
		panic("kernel: tap classes do not add up to the taps")
	}
	_ = masks[(len(cls)-1)*mstride+words-1]
}

func fwdAsm512(out []float32, ldo int, x []float32, xoff int, offs []int, rng [2]int, w []float32, ntaps, nblk, nkb int, cls []int, masks []uint16, mstride int) {
	if nblk <= 0 || nkb <= 0 {
		return
	}
	checkFwd(out, ldo, x, xoff, offs, w, ntaps, nblk, nkb, 32)
	checkClasses(cls, ntaps, masks, mstride, 2*nblk)
	in := 0
	// Every lane the taps address lies inside x: whole vectors may be loaded.
	if ntaps > 0 && xoff+rng[0] >= 0 && xoff+rng[1]+nblk*32 <= len(x) {
		in = 1
	}
	fwdAVX512(&out[0], ldo, &x[xoff], unsafeFirst(offs), firstOrNil(w), nblk, nkb, &cls[0], len(cls), &masks[0], 2*mstride, in)
}

func winoGemmAsm512(m []float32, ld, mps int, v []float32, vps int, w []float32, wps, c, nblk, nkb, npos int) {
	if checkWinoGemm(m, ld, mps, v, vps, w, wps, c, nblk, nkb, npos, 32) {
		winoGemmAVX512(&m[0], ld, mps, &v[0], vps, &w[0], wps, c, nblk, nkb, npos)
	}
}

func winoGemmAsm2(m []float32, ld, mps int, v []float32, vps int, w []float32, wps, c, nblk, nkb, npos int) {
	if checkWinoGemm(m, ld, mps, v, vps, w, wps, c, nblk, nkb, npos, 16) {
		winoGemmAVX2(&m[0], ld, mps, &v[0], vps, &w[0], wps, c, nblk, nkb, npos)
	}
}

// checkWinoGemm reports whether a one-call product has work, and panics
// unless its slices hold every lane it touches (blocks of pix lanes).
func checkWinoGemm(m []float32, ld, mps int, v []float32, vps int, w []float32, wps, c, nblk, nkb, npos, pix int) bool {
	if npos <= 0 || nblk <= 0 || nkb <= 0 || c <= 0 {
		return false
	}
	_ = m[(npos-1)*mps+(8*nkb-1)*ld+pix*nblk-1]
	_ = v[(npos-1)*vps+(c-1)*ld+pix*nblk-1]
	_ = w[(npos-1)*wps+8*nkb*c-1]
	return true
}

func fwdAsm2(out []float32, ldo int, x []float32, xoff int, offs []int, _ [2]int, w []float32, ntaps, nblk, nkb int, cls []int, masks []uint16, mstride int) {
	if nblk <= 0 || nkb <= 0 {
		return
	}
	checkFwd(out, ldo, x, xoff, offs, w, ntaps, nblk, nkb, 16)
	// The kernel reads each mask word as 32 bits.
	checkClasses(cls, ntaps, masks, mstride, nblk+1)
	fwdAVX2(&out[0], ldo, &x[xoff], unsafeFirst(offs), firstOrNil(w), nblk, nkb, &cls[0], len(cls), &masks[0], 2*mstride)
}

func checkDw(part []float32, ldp int, dy []float32, dyoff, ldd, dystride int, x []float32, xoff int, tiles []int, k, t, nkt, nvec, nimg int, masks []uint16) {
	cols := 0
	for r := 0; r+t+2 <= len(tiles); r += t + 2 {
		cols = max(cols, tiles[r+t+1]+t)
		_ = masks[tiles[r+t]+nvec-1]
	}
	_ = part[(k*nkt-1)*ldp+cols-1]
	_ = dy[dyoff+(k*nkt-1)*ldd+(nimg-1)*dystride+16*nvec-1]
	_ = x[xoff]
}

func dwAsm512(part []float32, ldp int, dy []float32, dyoff, ldd, dystride int, x []float32, xoff, xstride int, tiles []int, nkt, nvec, nimg int, masks []uint16) {
	dwCall512(part, ldp, dy, dyoff, ldd, dystride, x, xoff, xstride, tiles, nkt, nvec, nimg, masks, 0)
}

// dwStoreAsm512 is dwAsm512 with = for +=.
func dwStoreAsm512(part []float32, ldp int, dy []float32, dyoff, ldd, dystride int, x []float32, xoff, xstride int, tiles []int, nkt, nvec, nimg int, masks []uint16) {
	dwCall512(part, ldp, dy, dyoff, ldd, dystride, x, xoff, xstride, tiles, nkt, nvec, nimg, masks, 1)
}

func dwCall512(part []float32, ldp int, dy []float32, dyoff, ldd, dystride int, x []float32, xoff, xstride int, tiles []int, nkt, nvec, nimg int, masks []uint16, store int) {
	if nimg <= 0 || nvec <= 0 || nkt <= 0 || len(tiles) < 6 {
		return
	}
	checkDw(part, ldp, dy, dyoff, ldd, dystride, x, xoff, tiles, 4, 4, nkt, nvec, nimg, masks)
	in := 0
	if dwReadsInside(x, xoff, xstride, tiles, nvec, nimg) {
		in = 1
	}
	dwAVX512(&part[0], ldp, &dy[dyoff], ldd, dystride, &x[xoff], xstride, &tiles[0], len(tiles)/6, nkt, nvec, nimg, &masks[0], in, store)
}

func dwOuterAsm512(part []float32, ldp int, dm []float32, ldm int, vt []float32, ldv, nt, nk, nc int, store bool) {
	dwOuterCall(dwOuterAVX512, 8, part, ldp, dm, ldm, vt, ldv, nt, nk, nc, store)
}

func dwOuterAsm2(part []float32, ldp int, dm []float32, ldm int, vt []float32, ldv, nt, nk, nc int, store bool) {
	dwOuterCall(dwOuterAVX2, 4, part, ldp, dm, ldm, vt, ldv, nt, nk, nc, store)
}

// dwOuterCall checks a dwOuter call and runs it on kernel f, whose tiles
// are rows output channels high.
func dwOuterCall(f func(part *float32, ldp int, dm *float32, ldm int, vt *float32, ldv int, nt, nkb, nc, store int), rows int, part []float32, ldp int, dm []float32, ldm int, vt []float32, ldv, nt, nk, nc int, store bool) {
	if nt <= 0 || nk <= 0 || nc <= 0 {
		return
	}
	checkDwOuter(part, ldp, dm, ldm, vt, ldv, nt, nk, nc)
	st := 0
	if store {
		st = 1
	}
	f(&part[0], ldp, &dm[0], ldm, &vt[0], ldv, nt, nk/rows, nc, st)
}

func dwTapAsm512(part []float32, ldp int, x []float32, a dwTapArgs, dyt []float32) {
	if !checkDwTap(part, ldp, x, a, dyt) {
		return
	}
	pf, npf := prefetchArgs(x, a.pf)
	switch a.tapTile {
	case tapTile{1, 32}:
		dwTap9AVX512(&part[0], ldp, &x[0], a.wp, a.stride, &dyt[0], a.ldk, a.oh, a.ow, a.nimg, a.ximg, a.dimg, pf, npf)
	case tapTile{1, 16}:
		dwTap9x16AVX512(&part[0], ldp, &x[0], a.wp, a.stride, &dyt[0], a.ldk, a.oh, a.ow, a.nimg, a.ximg, a.dimg, pf, npf)
	case tapTile{3, 16}:
		dwTap27AVX512(&part[0], ldp, &x[0], a.wp, a.stride, a.plane, &dyt[0], a.ldk, a.oh, a.ow, a.nimg, a.ximg, a.dimg, pf, npf)
	default:
		panic("kernel: dwTap: no such tile")
	}
}

func dwLaneAsm512(part, x []float32, a dwLaneArgs, dy []float32) {
	dwLaneAsm(dwLaneAVX512, 4, 16, part, x, a, dy)
}

func dwLaneAsm2(part, x []float32, a dwLaneArgs, dy []float32) {
	dwLaneAsm(dwLaneAVX2, 2, 8, part, x, a, dy)
}

// dwLaneAsm calls kern, a dwLane kernel of laneK output channels a tile and
// laneW lanes, on checked arguments.
func dwLaneAsm(kern func(part *float32, x *float32, wp, plane, c int, dy *float32, npix, k, oh, ow int, pf *float32, npf int, pfx *float32, npfx int), laneK, laneW int, part, x []float32, a dwLaneArgs, dy []float32) {
	if !checkDwLane(part, x, a, dy, laneK, laneW) {
		return
	}
	pf, npf := prefetchArgs(x, a.pf)
	pfx, npfx := prefetchArgs(x, a.pfx)
	kern(&part[0], &x[0], a.wp, a.plane, a.c, &dy[0], a.oh*a.ow, a.k, a.oh, a.ow, pf, npf, pfx, npfx)
}

func winoFilter4x8Asm512(up []float32, ps int, g *[72]float32) {
	_ = up[35*ps+7]
	winoFilter4x8AVX512(&up[0], ps, &g[0])
}

func winoFilterGrad4x8Asm512(taps *[72]float32, u []float32, us int) {
	_ = u[35*us+7]
	winoFilterGrad4x8AVX512(&taps[0], &u[0], us)
}

func dwTapAsm2(part []float32, ldp int, x []float32, a dwTapArgs, dyt []float32) {
	if !checkDwTap(part, ldp, x, a, dyt) {
		return
	}
	if a.tapTile != (tapTile{1, 8}) {
		panic("kernel: dwTap: no such tile")
	}
	pf, npf := prefetchArgs(x, a.pf)
	dwTap9AVX2(&part[0], ldp, &x[0], a.wp, a.stride, &dyt[0], a.ldk, a.oh, a.ow, a.nimg, a.ximg, a.dimg, pf, npf)
}

// prefetchArgs are the pointer and line count of a kernel's prefetch of pf
// (none, from x's first element, when pf is empty).
func prefetchArgs(x, pf []float32) (*float32, int) {
	if len(pf) == 0 {
		return &x[0], 0
	}
	return &pf[0], (4*len(pf) + 63) / 64
}

func copyRowsAsm512(dst []float32, ldd int, src []float32, lds, w, rows int) {
	if checkCopyRows(dst, ldd, src, lds, w, rows) {
		copyRowsAVX512(&dst[0], ldd, &src[0], lds, w, rows)
	}
}

func winoTrAsm512(dst []float32, ldd int, src []float32, lds, nc, nt int) {
	if checkWinoTr(dst, ldd, src, lds, nc, nt) {
		winoTrAVX512(&dst[0], ldd, &src[0], lds, nc, nt)
	}
}

func winoTrAsm2(dst []float32, ldd int, src []float32, lds, nc, nt int) {
	if checkWinoTr(dst, ldd, src, lds, nc, nt) {
		winoTrAVX2(&dst[0], ldd, &src[0], lds, nc, nt)
	}
}

// dwReadsInside reports whether every lane of x a 4-tap weight-gradient
// call addresses, masked off or not, lies inside x: the taps of every tile
// record, over nimg images xstride apart. Then whole vectors may be loaded
// and the FMAs masked instead of the loads.
func dwReadsInside(x []float32, xoff, xstride int, tiles []int, nvec, nimg int) bool {
	lo, hi := tiles[0], tiles[0]
	for r := 0; r+6 <= len(tiles); r += 6 {
		for _, o := range tiles[r : r+4] {
			lo, hi = min(lo, o), max(hi, o)
		}
	}
	n := (nimg-1)*xstride + 16*nvec
	return xoff+lo >= 0 && xoff+hi+n <= len(x)
}

func dwAsm2(part []float32, ldp int, dy []float32, dyoff, ldd, dystride int, x []float32, xoff, xstride int, tiles []int, nkt, nvec, nimg int, masks []uint16) {
	if nimg <= 0 || nvec <= 0 || nkt <= 0 || len(tiles) < 6 {
		return
	}
	checkDw(part, ldp, dy, dyoff, ldd, dystride, x, xoff, tiles, 2, 4, nkt, nvec, nimg, masks)
	for kt := 0; kt < nkt; kt++ {
		for r := 0; r+6 <= len(tiles); r += 6 {
			_ = masks[tiles[r+4]+nvec] // read as 32 bits
			dwAVX2(&part[2*kt*ldp+tiles[r+5]], ldp, &dy[dyoff+2*kt*ldd], ldd, &x[xoff], &tiles[r], nvec, nimg, dystride, xstride, &masks[tiles[r+4]])
		}
	}
}

func unsafeFirst(s []int) *int {
	if len(s) == 0 {
		return nil
	}
	return &s[0]
}

func firstOrNil(s []float32) *float32 {
	if len(s) == 0 {
		return nil
	}
	return &s[0]
}

func checkPhases(e0, o0, e1, o1, full []float32, rows, half int) {
	_ = full[2*rows*half-1]
	_ = e0[(rows+1)/2*half-1]
	_ = o0[(rows+1)/2*half-1]
	if rows > 1 {
		_ = e1[rows/2*half-1]
		_ = o1[rows/2*half-1]
	}
}

func splitAsm512(e0, o0, e1, o1, src []float32, rows, half int) {
	if rows <= 0 || half <= 0 {
		return
	}
	checkPhases(e0, o0, e1, o1, src, rows, half)
	if rows == 1 {
		e1, o1 = e0, o0
	}
	splitAVX512(&e0[0], &o0[0], &e1[0], &o1[0], &src[0], rows, half)
}

func mergeAsm512(dst, e0, o0, e1, o1 []float32, rows, half int) {
	if rows <= 0 || half <= 0 {
		return
	}
	checkPhases(e0, o0, e1, o1, dst, rows, half)
	if rows == 1 {
		e1, o1 = e0, o0
	}
	mergeAVX512(&dst[0], &e0[0], &o0[0], &e1[0], &o1[0], rows, half)
}

type namedBN struct {
	name string
	k    *bnKernels
}

// bnSets lists the batch-norm implementations this CPU can run.
func bnSets() []namedBN {
	ks := []namedBN{{"go", goBN}}
	if hasAVX2 {
		ks = append(ks, namedBN{"avx2", avx2BN})
	}
	if hasAVX512 {
		ks = append(ks, namedBN{"avx512", avx512BN})
	}
	return ks
}

// eltSets lists the elementwise implementations this CPU can run.
func eltSets() []func(op int, y, a, b []float32) {
	ks := []func(op int, y, a, b []float32){eltGo}
	if hasAVX2 {
		ks = append(ks, eltAsm2)
	}
	if hasAVX512 {
		ks = append(ks, eltAsm)
	}
	return ks
}
