// The weight gradient of the direct 3×3 convolutions as tap broadcasts (see
// dwTapAsm512 in kern_amd64.go).

//go:build amd64 && !purego

#include "textflag.h"

// DTSETUP(wp, stride, ldk, ow) loads a tap kernel's geometry from its
// argument slots: R12, R13 one and two source rows in bytes, R8 the source
// step per pixel, R10 the gradients' step per pixel, R11 the pixels of an
// output row, and R9 the source step from past an output row's last pixel
// to the next row's first.
#define DTSETUP(wp, stride, ldk, ow) \
	MOVQ wp, R12 \
	SHLQ $2, R12 \
	LEAQ (R12)(R12*1), R13 \
	MOVQ stride, R8 \
	SHLQ $2, R8 \
	MOVQ ldk, R10 \
	SHLQ $2, R10 \
	MOVQ ow, R11 \
	MOVQ R12, R9 \
	IMULQ stride, R9 \
	MOVQ R11, AX \
	IMULQ R8, AX \
	SUBQ AX, R9

// DTNEXT(x, ximg, dyt, dimg) steps SI and DI from the image whose start
// the slots x and dyt hold to the next one.
#define DTNEXT(x, ximg, dyt, dimg) \
	MOVQ x, SI \
	MOVQ ximg, AX \
	LEAQ (SI)(AX*4), SI \
	MOVQ dyt, DI \
	MOVQ dimg, AX \
	LEAQ (DI)(AX*4), DI

// ZERO9 zeroes nine vector registers.
#define ZERO9(a, b, c, d, e, f, g, h, i) \
	VXORPS a, a, a \
	VXORPS b, b, b \
	VXORPS c, c, c \
	VXORPS d, d, d \
	VXORPS e, e, e \
	VXORPS f, f, f \
	VXORPS g, g, g \
	VXORPS h, h, h \
	VXORPS i, i, i

// DTLOOP9(BODY) runs BODY, a macro, for every output pixel of nimg images
// (BX counts them) in the argument layout of the one-channel tap kernels:
// SI, DI at the pixel's source and gradients, stepped as DTSETUP says,
// the prefetch started. It leaves AX at part and SI at ldp in bytes.
#define DTLOOP9(BODY) \
	MOVQ x+16(FP), SI \
	MOVQ dyt+40(FP), DI \
	MOVQ nimg+72(FP), BX \
	DTPFINIT(pf+96(FP), npf+104(FP)) \
dtimg: \
	MOVQ SI, x+16(FP) \
	MOVQ DI, dyt+40(FP) \
	MOVQ oh+56(FP), DX \
dtrow: \
	MOVQ R11, CX \
dtpix: \
	BODY \
	ADDQ R8, SI \
	ADDQ R10, DI \
	DECQ CX \
	JNZ  dtpix \
	ADDQ R9, SI \
	DECQ DX \
	JNZ  dtrow \
	DTNEXT(x+16(FP), ximg+80(FP), dyt+40(FP), dimg+88(FP)) \
	DECQ BX \
	JNZ  dtimg \
	MOVQ part+0(FP), AX \
	MOVQ ldp+8(FP), SI \
	SHLQ $2, SI

// DT9(mem, rt, za, zb) adds the tap at mem to the accumulators za, zb: its
// source value broadcast into rt, times the pixel's 32 output gradients in
// Z30, Z31.
#define DT9(mem, rt, za, zb) \
	VBROADCASTSS mem, rt \
	VFMADD231PS Z30, rt, za \
	VFMADD231PS Z31, rt, zb

// DTADD2(za, zb) adds za, zb to the 32 floats at AX and steps AX one row of
// part (SI bytes) on.
#define DTADD2(za, zb) \
	VADDPS (AX), za, za \
	VMOVUPS za, (AX) \
	VADDPS 64(AX), zb, zb \
	VMOVUPS zb, 64(AX) \
	ADDQ SI, AX

// DTADDY(y) adds the 8 floats of y to those at AX and steps AX one row of
// part (SI bytes) on.
#define DTADDY(y) \
	VADDPS (AX), y, y \
	VMOVUPS y, (AX) \
	ADDQ SI, AX

// PFSTEP(r, end) prefetches the next line from r into L2 and steps r on
// while it stays below the pointer in the argument slot end (R15 its
// scratch).
#define PFSTEP(r, end) \
	PREFETCHT1 (r) \
	LEAQ 64(r), R15 \
	CMPQ R15, end \
	CMOVQLT R15, r

// PFINIT(r, pf, npf) sets r to pf and the slot npf to the end of its npf
// lines.
#define PFINIT(r, pf, npf) \
	MOVQ pf, r \
	MOVQ npf, R15 \
	SHLQ $6, R15 \
	ADDQ r, R15 \
	MOVQ R15, npf

// DTPF and DTPFINIT are PFSTEP and PFINIT on R14, the tap kernels'
// prefetch pointer.
#define DTPF(end) PFSTEP(R14, end)
#define DTPFINIT(pf, npf) PFINIT(R14, pf, npf)

// DTADD1(za) adds za to the 16 floats at AX and steps AX one row of part
// (SI bytes) on.
#define DTADD1(za) \
	VADDPS (AX), za, za \
	VMOVUPS za, (AX) \
	ADDQ SI, AX

// DT27(mem, z) adds the tap at mem, broadcast, times the pixel's 16 output
// gradients in Z31 to z.
#define DT27(mem, z) VFMADD231PS.BCST mem, Z31, z

// DT27CH(p, z0, ..., z8) adds the nine taps of the channel at p.
#define DT27CH(p, z0, z1, z2, z3, z4, z5, z6, z7, z8) \
	DT27((p), z0) \
	DT27(4(p), z1) \
	DT27(8(p), z2) \
	DT27((p)(R12*1), z3) \
	DT27(4(p)(R12*1), z4) \
	DT27(8(p)(R12*1), z5) \
	DT27((p)(R13*1), z6) \
	DT27(4(p)(R13*1), z7) \
	DT27(8(p)(R13*1), z8)

// DT8(mem, acc) adds the tap at mem, broadcast into Y9, times the pixel's 8
// output gradients in Y15 to acc.
#define DT8(mem, acc) \
	VBROADCASTSS mem, Y9 \
	VFMADD231PS Y15, Y9, acc

// DTADD9 is DTADD1 for nine registers in a row.
#define DTADD9(a, b, c, d, e, f, g, h, i) \
	DTADD1(a) \
	DTADD1(b) \
	DTADD1(c) \
	DTADD1(d) \
	DTADD1(e) \
	DTADD1(f) \
	DTADD1(g) \
	DTADD1(h) \
	DTADD1(i)

// DT9PIX adds one pixel to dwTap9AVX512's accumulators.
#define DT9PIX \
	VMOVUPS (DI), Z30 \
	VMOVUPS 64(DI), Z31 \
	DT9((SI), Z28, Z0, Z1) \
	DT9(4(SI), Z29, Z2, Z3) \
	DT9(8(SI), Z28, Z4, Z5) \
	DT9((SI)(R12*1), Z29, Z6, Z7) \
	DT9(4(SI)(R12*1), Z28, Z8, Z9) \
	DT9(8(SI)(R12*1), Z29, Z10, Z11) \
	DT9((SI)(R13*1), Z28, Z12, Z13) \
	DT9(4(SI)(R13*1), Z29, Z14, Z15) \
	DT9(8(SI)(R13*1), Z28, Z16, Z17) \
	DTPF(npf+104(FP))

// DT16PIX adds one pixel to dwTap9x16AVX512's accumulators.
#define DT16PIX \
	VMOVUPS (DI), Z31 \
	DT27CH(SI, Z0, Z1, Z2, Z3, Z4, Z5, Z6, Z7, Z8) \
	DTPF(npf+104(FP))

// DT8PIX adds one pixel to dwTap9AVX2's accumulators.
#define DT8PIX \
	VMOVUPS (DI), Y15 \
	DT8((SI), Y0) \
	DT8(4(SI), Y1) \
	DT8(8(SI), Y2) \
	DT8((SI)(R12*1), Y3) \
	DT8(4(SI)(R12*1), Y4) \
	DT8(8(SI)(R12*1), Y5) \
	DT8((SI)(R13*1), Y6) \
	DT8(4(SI)(R13*1), Y7) \
	DT8(8(SI)(R13*1), Y8) \
	DTPF(npf+104(FP))

// DLDY loads four output channels' gradients at DI (R8 bytes apart, R9
// three times that) into Z24..Z27.
#define DLDY \
	VMOVUPS (DI), Z24 \
	VMOVUPS (DI)(R8*1), Z25 \
	VMOVUPS (DI)(R8*2), Z26 \
	VMOVUPS (DI)(R9*1), Z27

// DLFMA4(x, a, b, c, d) adds the source vector x times each of the four
// gradient vectors Z24..Z27 to a, b, c, d.
#define DLFMA4(x, a, b, c, d) \
	VFMADD231PS Z24, x, a \
	VFMADD231PS Z25, x, b \
	VFMADD231PS Z26, x, c \
	VFMADD231PS Z27, x, d

// DLADD(mem, z) adds z to the 16 floats at mem.
#define DLADD(mem, z) \
	VADDPS mem, z, z \
	VMOVUPS z, mem

// DLADD3(o, a, b, c) adds a, b, c to the vectors o, o+64 and o+128 bytes
// past AX, the partial sums of the first of four output channels;
// DLADD3J, DLADD3K and DLADD3L do the same for the second, third and
// fourth, R10, 2·R10 and CX (3·R10) bytes on.
#define DLADD3(o, a, b, c) \
	DLADD(o(AX), a) \
	DLADD(o+64(AX), b) \
	DLADD(o+128(AX), c)

#define DLADD3J(o, a, b, c) \
	DLADD(o(AX)(R10*1), a) \
	DLADD(o+64(AX)(R10*1), b) \
	DLADD(o+128(AX)(R10*1), c)

#define DLADD3K(o, a, b, c) \
	DLADD(o(AX)(R10*2), a) \
	DLADD(o+64(AX)(R10*2), b) \
	DLADD(o+128(AX)(R10*2), c)

#define DLADD3L(o, a, b, c) \
	DLADD(o(AX)(CX*1), a) \
	DLADD(o+64(AX)(CX*1), b) \
	DLADD(o+128(AX)(CX*1), c)


// DLSETUP(vb, vshift, kshift) loads a lane-sum kernel's geometry, for
// vectors of vb = 1<<vshift bytes and tiles of 1<<kshift output channels:
// R8 one output channel's gradients in bytes, R10 one output channel's
// partial sums (c·9 vectors), R12 a padded source row, R13 the step from
// past a row's last vector to the next row's first; the slot ow becomes
// vectors per row, the slot k tiles of output channels; the two prefetch
// streams start (R14 and R11); AX is part.
#define DLSETUP(vb, vshift, kshift) \
	MOVQ npix+48(FP), R8 \
	SHLQ $2, R8 \
	MOVQ c+32(FP), R10 \
	IMULQ $(9*vb), R10 \
	MOVQ wp+16(FP), R12 \
	SHLQ $2, R12 \
	MOVQ ow+72(FP), AX \
	SHLQ $2, AX \
	MOVQ R12, R13 \
	SUBQ AX, R13 \
	SHRQ $vshift, AX \
	MOVQ AX, ow+72(FP) \
	SHRQ $kshift, k+56(FP) \
	DTPFINIT(pf+80(FP), npf+88(FP)) \
	PFINIT(R11, pfx+96(FP), npfx+104(FP)) \
	MOVQ part+0(FP), AX

// DLCHANNELS starts a tile of output channels on the first source
// channel: BX at its planes, the frame slot cc counting the channels.
#define DLCHANNELS \
	MOVQ x+8(FP), BX \
	MOVQ c+32(FP), DX \
	MOVQ DX, cc-8(SP)

// DLNEXTCH(vb, ch) steps AX past a source channel's 9 partial-sum vectors
// of vb bytes and BX to the next channel's planes, and jumps to ch while
// channels are left.
#define DLNEXTCH(vb, ch) \
	ADDQ $(9*vb), AX \
	MOVQ plane+24(FP), DX \
	LEAQ (BX)(DX*4), BX \
	DECQ cc-8(SP) \
	JNZ  ch

// DLROWS(row, vec, BODY, vb) runs BODY, a macro, for every vector of vb
// bytes of the oh output rows of one image, with row and vec its labels:
// DI from the gradients at the slot dy, SI from the source vector the
// caller set, each stepped vb bytes a vector and SI R13 more a row.
#define DLROWS(row, vec, BODY, vb) \
	MOVQ dy+40(FP), DI \
	MOVQ oh+64(FP), DX \
row: \
	MOVQ ow+72(FP), CX \
vec: \
	BODY \
	ADDQ $vb, SI \
	ADDQ $vb, DI \
	DECQ CX \
	JNZ  vec \
	ADDQ R13, SI \
	DECQ DX \
	JNZ  row

// DLA512 adds a pixel vector to dwLaneAVX512's 4 × 6 tile: taps of rows 0
// and 1, Z(6j + t) for output channel j, tap t.
#define DLA512 \
	DLDY \
	VMOVUPS (SI), Z28 \
	DLFMA4(Z28, Z0, Z6, Z12, Z18) \
	VMOVUPS 4(SI), Z29 \
	DLFMA4(Z29, Z1, Z7, Z13, Z19) \
	VMOVUPS 8(SI), Z28 \
	DLFMA4(Z28, Z2, Z8, Z14, Z20) \
	VMOVUPS (SI)(R12*1), Z29 \
	DLFMA4(Z29, Z3, Z9, Z15, Z21) \
	VMOVUPS 4(SI)(R12*1), Z28 \
	DLFMA4(Z28, Z4, Z10, Z16, Z22) \
	VMOVUPS 8(SI)(R12*1), Z29 \
	DLFMA4(Z29, Z5, Z11, Z17, Z23) \
	DTPF(npf+88(FP)) \
	PFSTEP(R11, npfx+104(FP))

// DLB512 adds a pixel vector to dwLaneAVX512's 4 × 3 tile of row 2's
// taps, Z(3j + t).
#define DLB512 \
	DLDY \
	VMOVUPS (SI), Z28 \
	DLFMA4(Z28, Z0, Z3, Z6, Z9) \
	VMOVUPS 4(SI), Z29 \
	DLFMA4(Z29, Z1, Z4, Z7, Z10) \
	VMOVUPS 8(SI), Z28 \
	DLFMA4(Z28, Z2, Z5, Z8, Z11) \
	DTPF(npf+88(FP))

// DLDY2 loads two output channels' gradients at DI (R8 bytes apart) into
// Y12, Y13.
#define DLDY2 \
	VMOVUPS (DI), Y12 \
	VMOVUPS (DI)(R8*1), Y13

// DLFMA2(x, a, b) adds the source vector x times each of the two gradient
// vectors Y12, Y13 to a, b.
#define DLFMA2(x, a, b) \
	VFMADD231PS Y12, x, a \
	VFMADD231PS Y13, x, b

// DLADD3Y(o, a, b, c) adds a, b, c to the vectors o, o+32 and o+64 bytes
// past AX, the partial sums of the first of two output channels; DLADD3YJ
// does the same for the second, R10 bytes on.
#define DLADD3Y(o, a, b, c) \
	DLADD(o(AX), a) \
	DLADD(o+32(AX), b) \
	DLADD(o+64(AX), c)

#define DLADD3YJ(o, a, b, c) \
	DLADD(o(AX)(R10*1), a) \
	DLADD(o+32(AX)(R10*1), b) \
	DLADD(o+64(AX)(R10*1), c)

// DLA2 and DLB2 are DLA512 and DLB512 for dwLaneAVX2's 2 × 6 and 2 × 3
// tiles, Y(6j + t) and Y(3j + t).
#define DLA2 \
	DLDY2 \
	VMOVUPS (SI), Y14 \
	DLFMA2(Y14, Y0, Y6) \
	VMOVUPS 4(SI), Y15 \
	DLFMA2(Y15, Y1, Y7) \
	VMOVUPS 8(SI), Y14 \
	DLFMA2(Y14, Y2, Y8) \
	VMOVUPS (SI)(R12*1), Y15 \
	DLFMA2(Y15, Y3, Y9) \
	VMOVUPS 4(SI)(R12*1), Y14 \
	DLFMA2(Y14, Y4, Y10) \
	VMOVUPS 8(SI)(R12*1), Y15 \
	DLFMA2(Y15, Y5, Y11) \
	DTPF(npf+88(FP)) \
	PFSTEP(R11, npfx+104(FP))

#define DLB2 \
	DLDY2 \
	VMOVUPS (SI), Y14 \
	DLFMA2(Y14, Y0, Y3) \
	VMOVUPS 4(SI), Y15 \
	DLFMA2(Y15, Y1, Y4) \
	VMOVUPS 8(SI), Y14 \
	DLFMA2(Y14, Y2, Y5) \
	DTPF(npf+88(FP))

// func dwTap9AVX512(part *float32, ldp int, x *float32, wp, stride int, dyt *float32, ldk, oh, ow, nimg, ximg, dimg int, pf *float32, npf int)
// For the taps t = 3r + q < 9 of one source channel and j < 32:
//	part[t·ldp + j] += Σ_{n<nimg} Σ_{oy<oh, ox<ow}
//		x[n·ximg + (stride·oy + r)·wp + stride·ox + q] · dyt[n·dimg + (oy·ow + ox)·ldk + j]
// summed in that order from zero, then added. x is a zero-padded plane
// of rows wp wide; dyt holds each pixel's output gradients in a row.
// Meanwhile it prefetches the npf cache lines from pf into L2, one per
// pixel until they run out.
TEXT ·dwTap9AVX512(SB), NOSPLIT, $0-112
	DTSETUP(wp+24(FP), stride+32(FP), ldk+48(FP), ow+64(FP))
	ZERO9(Z0, Z1, Z2, Z3, Z4, Z5, Z6, Z7, Z8)
	ZERO9(Z9, Z10, Z11, Z12, Z13, Z14, Z15, Z16, Z17)
	DTLOOP9(DT9PIX)
	DTADD2(Z0, Z1)
	DTADD2(Z2, Z3)
	DTADD2(Z4, Z5)
	DTADD2(Z6, Z7)
	DTADD2(Z8, Z9)
	DTADD2(Z10, Z11)
	DTADD2(Z12, Z13)
	DTADD2(Z14, Z15)
	DTADD2(Z16, Z17)
	VZEROUPPER
	RET

// func dwTap27AVX512(part *float32, ldp int, x *float32, wp, stride, plane int, dyt *float32, ldk, oh, ow, nimg, ximg, dimg int, pf *float32, npf int)
// dwTap9AVX512 for three source channels plane floats apart (taps
// t = 9c + 3r + q < 27) and 16 output gradients (j < 16).
TEXT ·dwTap27AVX512(SB), NOSPLIT, $0-120
	DTSETUP(wp+24(FP), stride+32(FP), ldk+56(FP), ow+72(FP))
	ZERO9(Z0, Z1, Z2, Z3, Z4, Z5, Z6, Z7, Z8)
	ZERO9(Z9, Z10, Z11, Z12, Z13, Z14, Z15, Z16, Z17)
	ZERO9(Z18, Z19, Z20, Z21, Z22, Z23, Z24, Z25, Z26)
	MOVQ x+16(FP), SI
	MOVQ dyt+48(FP), DI
	DTPFINIT(pf+104(FP), npf+112(FP))

dt27img:
	MOVQ SI, x+16(FP)
	MOVQ DI, dyt+48(FP)
	MOVQ plane+40(FP), AX
	LEAQ (SI)(AX*4), AX
	MOVQ plane+40(FP), BX
	LEAQ (AX)(BX*4), BX
	MOVQ oh+64(FP), DX

dt27row:
	MOVQ R11, CX

dt27pix:
	VMOVUPS (DI), Z31
	DT27CH(SI, Z0, Z1, Z2, Z3, Z4, Z5, Z6, Z7, Z8)
	DT27CH(AX, Z9, Z10, Z11, Z12, Z13, Z14, Z15, Z16, Z17)
	DT27CH(BX, Z18, Z19, Z20, Z21, Z22, Z23, Z24, Z25, Z26)
	DTPF(npf+112(FP))
	ADDQ R8, SI
	ADDQ R8, AX
	ADDQ R8, BX
	ADDQ R10, DI
	DECQ CX
	JNZ  dt27pix
	ADDQ R9, SI
	ADDQ R9, AX
	ADDQ R9, BX
	DECQ DX
	JNZ  dt27row

	DTNEXT(x+16(FP), ximg+88(FP), dyt+48(FP), dimg+96(FP))
	DECQ nimg+80(FP)
	JNZ  dt27img

	MOVQ part+0(FP), AX
	MOVQ ldp+8(FP), SI
	SHLQ $2, SI
	DTADD9(Z0, Z1, Z2, Z3, Z4, Z5, Z6, Z7, Z8)
	DTADD9(Z9, Z10, Z11, Z12, Z13, Z14, Z15, Z16, Z17)
	DTADD9(Z18, Z19, Z20, Z21, Z22, Z23, Z24, Z25, Z26)
	VZEROUPPER
	RET

// func dwTap9x16AVX512(part *float32, ldp int, x *float32, wp, stride int, dyt *float32, ldk, oh, ow, nimg, ximg, dimg int, pf *float32, npf int)
// dwTap9AVX512 for 16 output gradients (j < 16).
TEXT ·dwTap9x16AVX512(SB), NOSPLIT, $0-112
	DTSETUP(wp+24(FP), stride+32(FP), ldk+48(FP), ow+64(FP))
	ZERO9(Z0, Z1, Z2, Z3, Z4, Z5, Z6, Z7, Z8)
	DTLOOP9(DT16PIX)
	DTADD9(Z0, Z1, Z2, Z3, Z4, Z5, Z6, Z7, Z8)
	VZEROUPPER
	RET

// func copyRowsAVX512(dst *float32, ldd int, src *float32, lds, w, rows int)
// dst[r·ldd + j] = src[r·lds + j] for r < rows, j < w. Rows of 16 and 32
// floats, the padded copies' usual, take loops of their own.
TEXT ·copyRowsAVX512(SB), NOSPLIT, $0-48
	MOVQ dst+0(FP), DI
	MOVQ ldd+8(FP), R8
	SHLQ $2, R8
	MOVQ src+16(FP), SI
	MOVQ lds+24(FP), R9
	SHLQ $2, R9
	MOVQ w+32(FP), R10
	MOVQ rows+40(FP), DX
	CMPQ R10, $16
	JEQ  cr16
	CMPQ R10, $32
	JEQ  cr32
	// K1: the lanes of a last part vector
	MOVQ R10, CX
	ANDQ $15, CX
	MOVL $1, AX
	SHLL CX, AX
	DECL AX
	KMOVW AX, K1
	SHRQ $4, R10

crrow:
	MOVQ SI, AX
	MOVQ DI, BX
	MOVQ R10, CX
	TESTQ CX, CX
	JZ   crtail

crvec:
	VMOVUPS (AX), Z0
	VMOVUPS Z0, (BX)
	ADDQ $64, AX
	ADDQ $64, BX
	DECQ CX
	JNZ  crvec

crtail:
	KORTESTW K1, K1
	JZ   crnext
	VMOVUPS (AX), K1, Z0
	VMOVUPS Z0, K1, (BX)

crnext:
	ADDQ R9, SI
	ADDQ R8, DI
	DECQ DX
	JNZ  crrow
	VZEROUPPER
	RET

cr16:
	VMOVUPS (SI), Z0
	VMOVUPS Z0, (DI)
	ADDQ R9, SI
	ADDQ R8, DI
	DECQ DX
	JNZ  cr16
	VZEROUPPER
	RET

cr32:
	VMOVUPS (SI), Z0
	VMOVUPS 64(SI), Z1
	VMOVUPS Z0, (DI)
	VMOVUPS Z1, 64(DI)
	ADDQ R9, SI
	ADDQ R8, DI
	DECQ DX
	JNZ  cr32
	VZEROUPPER
	RET

// func dwTap9AVX2(part *float32, ldp int, x *float32, wp, stride int, dyt *float32, ldk, oh, ow, nimg, ximg, dimg int, pf *float32, npf int)
// dwTap9AVX512 for 8 output channels (j < 8), on 8-lane vectors.
TEXT ·dwTap9AVX2(SB), NOSPLIT, $0-112
	DTSETUP(wp+24(FP), stride+32(FP), ldk+48(FP), ow+64(FP))
	ZERO9(Y0, Y1, Y2, Y3, Y4, Y5, Y6, Y7, Y8)
	DTLOOP9(DT8PIX)
	DTADDY(Y0)
	DTADDY(Y1)
	DTADDY(Y2)
	DTADDY(Y3)
	DTADDY(Y4)
	DTADDY(Y5)
	DTADDY(Y6)
	DTADDY(Y7)
	DTADDY(Y8)
	VZEROUPPER
	RET

// func dwLaneAVX512(part *float32, x *float32, wp, plane, c int, dy *float32, npix, k, oh, ow int, pf *float32, npf int, pfx *float32, npfx int)
// The weight gradient of one image's stride-1 3×3 convolution as lane
// sums: for every output channel j < k, source channel i < c, tap
// t = 3r + q < 9 and lane l < 16,
//	part[((j·c + i)·9 + t)·16 + l] += Σ_{oy<oh} Σ_{b<ow/16}
//		x[i·plane + (oy + r)·wp + 16b + l + q] · dy[j·npix + oy·ow + 16b + l]
// summed in that order from zero, then added. x is zero-padded planes
// of rows wp wide; k is a multiple of 4 and ow of 16. Four output
// channels at a time, each source channel's taps of rows 0 and 1 sum in a
// 4 × 6 tile of accumulators, those of row 2 in a 4 × 3 one: 24 and 12
// FMAs for every 10 and 7 vector loads. Meanwhile it prefetches the npf
// cache lines from pf into L2, one per pixel vector until they run out,
// and the npfx lines from pfx, one per pixel vector of the 4 × 6 tiles.
TEXT ·dwLaneAVX512(SB), NOSPLIT, $8-112
	DLSETUP(64, 6, 2)
	LEAQ (R8)(R8*2), R9

dlkg:
	DLCHANNELS

dlch:
	// rows 0 and 1 of the channel's taps
	ZERO9(Z0, Z1, Z2, Z3, Z4, Z5, Z6, Z7, Z8)
	ZERO9(Z9, Z10, Z11, Z12, Z13, Z14, Z15, Z16, Z17)
	VXORPS Z18, Z18, Z18
	VXORPS Z19, Z19, Z19
	VXORPS Z20, Z20, Z20
	VXORPS Z21, Z21, Z21
	VXORPS Z22, Z22, Z22
	VXORPS Z23, Z23, Z23
	MOVQ BX, SI
	DLROWS(dlarow, dlavec, DLA512, 64)

	LEAQ (R10)(R10*2), CX
	DLADD3(0, Z0, Z1, Z2)
	DLADD3(192, Z3, Z4, Z5)
	DLADD3J(0, Z6, Z7, Z8)
	DLADD3J(192, Z9, Z10, Z11)
	DLADD3K(0, Z12, Z13, Z14)
	DLADD3K(192, Z15, Z16, Z17)
	DLADD3L(0, Z18, Z19, Z20)
	DLADD3L(192, Z21, Z22, Z23)

	// row 2
	ZERO9(Z0, Z1, Z2, Z3, Z4, Z5, Z6, Z7, Z8)
	VXORPS Z9, Z9, Z9
	VXORPS Z10, Z10, Z10
	VXORPS Z11, Z11, Z11
	LEAQ (BX)(R12*2), SI
	DLROWS(dlbrow, dlbvec, DLB512, 64)

	LEAQ (R10)(R10*2), CX
	DLADD3(384, Z0, Z1, Z2)
	DLADD3J(384, Z3, Z4, Z5)
	DLADD3K(384, Z6, Z7, Z8)
	DLADD3L(384, Z9, Z10, Z11)

	DLNEXTCH(64, dlch)

	// the next four output channels: AX has stepped one channel's c·9
	// vectors; their gradients are 4·npix floats on
	LEAQ (R10)(R10*2), CX
	ADDQ CX, AX
	MOVQ dy+40(FP), DX
	LEAQ (DX)(R8*4), DX
	MOVQ DX, dy+40(FP)
	DECQ k+56(FP)
	JNZ  dlkg
	VZEROUPPER
	RET

// func dwLaneAVX2(part *float32, x *float32, wp, plane, c int, dy *float32, npix, k, oh, ow int, pf *float32, npf int, pfx *float32, npfx int)
// dwLaneAVX512 on 8-lane vectors: part[((j·c + i)·9 + t)·8 + l] for
// l < 8, with k a multiple of 2 and ow of 8. Two output channels at a
// time, a source channel's taps of rows 0 and 1 sum in a 2 × 6 tile, those
// of row 2 in a 2 × 3 one: 12 and 6 FMAs for every 8 and 5 vector loads.
TEXT ·dwLaneAVX2(SB), NOSPLIT, $8-112
	DLSETUP(32, 5, 1)

dl2kg:
	DLCHANNELS

dl2ch:
	// rows 0 and 1 of the channel's taps
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	VXORPS Y4, Y4, Y4
	VXORPS Y5, Y5, Y5
	VXORPS Y6, Y6, Y6
	VXORPS Y7, Y7, Y7
	VXORPS Y8, Y8, Y8
	VXORPS Y9, Y9, Y9
	VXORPS Y10, Y10, Y10
	VXORPS Y11, Y11, Y11
	MOVQ BX, SI
	DLROWS(dl2arow, dl2avec, DLA2, 32)

	DLADD3Y(0, Y0, Y1, Y2)
	DLADD3Y(96, Y3, Y4, Y5)
	DLADD3YJ(0, Y6, Y7, Y8)
	DLADD3YJ(96, Y9, Y10, Y11)

	// row 2
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	VXORPS Y4, Y4, Y4
	VXORPS Y5, Y5, Y5
	LEAQ (BX)(R12*2), SI
	DLROWS(dl2brow, dl2bvec, DLB2, 32)

	DLADD3Y(192, Y0, Y1, Y2)
	DLADD3YJ(192, Y3, Y4, Y5)

	DLNEXTCH(32, dl2ch)

	// the next two output channels: AX has stepped one channel's c·9
	// vectors; their gradients are 2·npix floats on
	ADDQ R10, AX
	MOVQ dy+40(FP), DX
	LEAQ (DX)(R8*2), DX
	MOVQ DX, dy+40(FP)
	DECQ k+56(FP)
	JNZ  dl2kg
	VZEROUPPER
	RET
