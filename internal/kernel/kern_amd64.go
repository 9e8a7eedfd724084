//go:build amd64 && !purego

package kernel

import "golang.org/x/sys/cpu"

//go:noescape
func fwdAVX512(out *float32, ldo int, x *float32, offs *int, w *float32, ntaps, nblk int)

//go:noescape
func fwdAVX2(out *float32, ldo int, x *float32, offs *int, w *float32, ntaps, nblk int)

//go:noescape
func dwAVX512(part *float32, ldp int, dy *float32, ldd int, x *float32, offs *int, nvec, nimg, istride int)

//go:noescape
func dwAVX2(part *float32, ldp int, dy *float32, ldd int, x *float32, offs *int, nvec, nimg, istride int)

var (
	avx512Kernels = &convKernels{name: "avx512", fwdPix: 32, fwd: fwdAsm512, dwK: 4, dwT: 6, dw: dwAsm512}
	avx2Kernels   = &convKernels{name: "avx2", fwdPix: 24, fwd: fwdAsm2, dwK: 3, dwT: 4, dw: dwAsm2}
)

var hasAVX512 = cpu.X86.HasAVX512F && cpu.X86.HasAVX512VL
var hasAVX2 = cpu.X86.HasAVX2 && cpu.X86.HasFMA

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
	ks := []*convKernels{goKernels}
	if hasAVX2 {
		ks = append(ks, avx2Kernels)
	}
	if hasAVX512 {
		ks = append(ks, avx512Kernels)
	}
	return ks
}

// The wrappers check the extents the assembly will touch, so a driver bug
// panics instead of corrupting memory.

func checkFwd(out []float32, ldo int, x []float32, xoff int, offs []int, w []float32, ntaps, nblk, pix int) {
	if nblk <= 0 {
		return
	}
	_ = out[7*ldo+nblk*pix-1]
	_ = x[xoff]
	if ntaps > 0 {
		_ = offs[ntaps-1]
		_ = w[8*ntaps-1]
	}
}

func fwdAsm512(out []float32, ldo int, x []float32, xoff int, offs []int, w []float32, ntaps, nblk int) {
	if nblk <= 0 {
		return
	}
	checkFwd(out, ldo, x, xoff, offs, w, ntaps, nblk, 32)
	fwdAVX512(&out[0], ldo, &x[xoff], unsafeFirst(offs), firstOrNil(w), ntaps, nblk)
}

func fwdAsm2(out []float32, ldo int, x []float32, xoff int, offs []int, w []float32, ntaps, nblk int) {
	if nblk <= 0 {
		return
	}
	checkFwd(out, ldo, x, xoff, offs, w, ntaps, nblk, 24)
	fwdAVX2(&out[0], ldo, &x[xoff], unsafeFirst(offs), firstOrNil(w), ntaps, nblk)
}

func checkDw(part []float32, ldp int, dy []float32, ldd int, offs []int, k, t, nvec, nimg, istride int) {
	_ = part[(k-1)*ldp+t-1]
	_ = offs[t-1]
	_ = dy[(k-1)*ldd+(nimg-1)*istride+16*nvec-1]
}

func dwAsm512(part []float32, ldp int, dy []float32, ldd int, x []float32, offs []int, nvec, nimg, istride int) {
	checkDw(part, ldp, dy, ldd, offs, 4, 6, nvec, nimg, istride)
	dwAVX512(&part[0], ldp, &dy[0], ldd, &x[0], &offs[0], nvec, nimg, istride)
}

func dwAsm2(part []float32, ldp int, dy []float32, ldd int, x []float32, offs []int, nvec, nimg, istride int) {
	checkDw(part, ldp, dy, ldd, offs, 3, 4, nvec, nimg, istride)
	dwAVX2(&part[0], ldp, &dy[0], ldd, &x[0], &offs[0], nvec, nimg, istride)
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
