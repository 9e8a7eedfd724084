//go:build amd64 && !purego

#include "textflag.h"

// The Winograd F(2×2, 3×3) transforms (wino.go), 16 tiles per vector. They
// add and subtract in the order of winoInGo and winoOutGo, so the results
// are the same bits.

// WINOROW loads row i of 16 patches from the even-column phase at base
// (and the odd-column phase PL = AX bytes after it) and computes d B:
// c0 = d0-d2, c1 = d1+d2, c2 = d2-d1, c3 = d1-d3. Column tx-1 is masked
// with K1 and column tx+1 with K2 where they fall outside the tile row.
#define WINOROW(base, c0, c1, c2, c3) \
	VMOVUPS.Z -4(base)(AX*1), K1, Z16 \
	VMOVUPS (base), Z17 \
	VMOVUPS (base)(AX*1), Z18 \
	VMOVUPS.Z 4(base), K2, Z19 \
	VSUBPS Z18, Z16, c0 \
	VADDPS Z18, Z17, c1 \
	VSUBPS Z17, Z18, c2 \
	VSUBPS Z19, Z17, c3

// WINOCOL computes column j of Bᵀ (d B) from c0..c3 (rows 0..3 of column
// j) and stores position 4i'+j at dst + i'·4·vs.
#define WINOCOL(r0, r1, r2, r3, off) \
	VSUBPS r2, r0, Z20 \
	VADDPS r2, r1, Z21 \
	VSUBPS r1, r2, Z22 \
	VSUBPS r3, r1, Z23 \
	VMOVUPS Z20, off(R10) \
	VMOVUPS Z21, off(R11) \
	VMOVUPS Z22, off(R12) \
	VMOVUPS Z23, off(R13)

// func winoInAVX512(v *float32, vs, vc int, ph *float32, plane, pc, tw, nvec, nch int, masks int)
TEXT ·winoInAVX512(SB), NOSPLIT, $0-80
	MOVQ masks+72(FP), DX
	KMOVW DX, K1
	SHRQ $16, DX
	KMOVW DX, K2
	MOVQ vs+8(FP), R8
	SHLQ $2, R8
	LEAQ (R8)(R8*2), R9
	MOVQ plane+32(FP), AX
	SHLQ $2, AX
	MOVQ tw+48(FP), BX
	SHLQ $2, BX
	CMPQ nvec+56(FP), $0
	JLE winoindone
	CMPQ nch+64(FP), $0
	JLE winoindone
winoinchan:
	MOVQ v+0(FP), R10
	LEAQ (R10)(R8*4), R11
	LEAQ (R11)(R8*4), R12
	LEAQ (R12)(R8*4), R13
	MOVQ ph+24(FP), SI
	LEAQ 4(SI)(BX*1), SI // the data of the even rows' even columns
	MOVQ nvec+56(FP), DI
winoinloop:
	// patch rows: odd row ty-1, even row ty, odd row ty, even row ty+1
	LEAQ (SI)(AX*2), CX
	SUBQ BX, CX
	WINOROW(CX, Z0, Z1, Z2, Z3)
	WINOROW(SI, Z4, Z5, Z6, Z7)
	LEAQ (SI)(AX*2), CX
	WINOROW(CX, Z8, Z9, Z10, Z11)
	LEAQ (SI)(BX*1), CX
	WINOROW(CX, Z12, Z13, Z14, Z15)
	WINOCOL(Z0, Z4, Z8, Z12, 0)
	ADDQ R8, R10
	ADDQ R8, R11
	ADDQ R8, R12
	ADDQ R8, R13
	WINOCOL(Z1, Z5, Z9, Z13, 0)
	ADDQ R8, R10
	ADDQ R8, R11
	ADDQ R8, R12
	ADDQ R8, R13
	WINOCOL(Z2, Z6, Z10, Z14, 0)
	ADDQ R8, R10
	ADDQ R8, R11
	ADDQ R8, R12
	ADDQ R8, R13
	WINOCOL(Z3, Z7, Z11, Z15, 0)
	SUBQ R9, R10
	SUBQ R9, R11
	SUBQ R9, R12
	SUBQ R9, R13
	ADDQ $64, R10
	ADDQ $64, R11
	ADDQ $64, R12
	ADDQ $64, R13
	ADDQ $64, SI
	DECQ DI
	JNZ winoinloop
	// the next channel
	MOVQ vc+16(FP), DX
	SHLQ $2, DX
	ADDQ DX, v+0(FP)
	MOVQ pc+40(FP), DX
	SHLQ $2, DX
	ADDQ DX, ph+24(FP)
	DECQ nch+64(FP)
	JNZ winoinchan
winoindone:
	VZEROUPPER
	RET

// WINOOUTCOL loads column j of the products (positions j, 4+j, 8+j, 12+j
// at R10..R13) and computes column j of Aᵀ M: r0 = m0+m1+m2, r1 = m1-m2-m3.
#define WINOOUTCOL(idx, r0, r1) \
	VMOVUPS (R10)(idx), Z16 \
	VMOVUPS (R11)(idx), Z17 \
	VMOVUPS (R12)(idx), Z18 \
	VMOVUPS (R13)(idx), Z19 \
	VADDPS Z17, Z16, r0 \
	VADDPS Z18, r0, r0 \
	VSUBPS Z18, Z17, r1 \
	VSUBPS Z19, r1, r1

// func winoOutAVX512(q *float32, T, qc int, m *float32, ms, mc, nvec, nch int)
TEXT ·winoOutAVX512(SB), NOSPLIT, $0-64
	MOVQ T+8(FP), AX
	SHLQ $2, AX
	LEAQ (AX)(AX*2), BX
	MOVQ ms+32(FP), R8
	SHLQ $2, R8
	LEAQ (R8)(R8*2), R9
	CMPQ nvec+48(FP), $0
	JLE winooutdone
	CMPQ nch+56(FP), $0
	JLE winooutdone
winooutchan:
	MOVQ q+0(FP), DI
	MOVQ m+24(FP), R10
	LEAQ (R10)(R8*4), R11
	LEAQ (R11)(R8*4), R12
	LEAQ (R12)(R8*4), R13
	MOVQ nvec+48(FP), CX
	XORQ DX, DX
winooutloop:
	WINOOUTCOL(DX*1, Z0, Z4)
	ADDQ R8, DX
	WINOOUTCOL(DX*1, Z1, Z5)
	ADDQ R8, DX
	WINOOUTCOL(DX*1, Z2, Z6)
	ADDQ R8, DX
	WINOOUTCOL(DX*1, Z3, Z7)
	SUBQ R9, DX
	// (Aᵀ M) A for rows 0 (Z0..Z3) and 1 (Z4..Z7)
	VADDPS Z1, Z0, Z20
	VADDPS Z2, Z20, Z20
	VSUBPS Z2, Z1, Z21
	VSUBPS Z3, Z21, Z21
	VADDPS Z5, Z4, Z22
	VADDPS Z6, Z22, Z22
	VSUBPS Z6, Z5, Z23
	VSUBPS Z7, Z23, Z23
	VMOVUPS Z20, (DI)
	VMOVUPS Z21, (DI)(AX*1)
	VMOVUPS Z22, (DI)(AX*2)
	VMOVUPS Z23, (DI)(BX*1)
	ADDQ $64, DI
	ADDQ $64, DX
	DECQ CX
	JNZ winooutloop
	// the next channel
	MOVQ qc+16(FP), DX
	SHLQ $2, DX
	ADDQ DX, q+0(FP)
	MOVQ mc+40(FP), DX
	SHLQ $2, DX
	ADDQ DX, m+24(FP)
	DECQ nch+56(FP)
	JNZ winooutchan
winooutdone:
	VZEROUPPER
	RET
