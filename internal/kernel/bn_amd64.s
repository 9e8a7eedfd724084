// The AVX-512 batch-norm loops (see bn_f32.go for what each computes).

//go:build amd64 && !purego

#include "textflag.h"

// func bnSumsAVX512(x *float32, hw, n, stride int, out *float64)
// out[0] = Σx, out[1] = Σx² over n rows of hw floats, in float64.
TEXT ·bnSumsAVX512(SB), NOSPLIT, $0-40
	MOVQ x+0(FP), SI
	MOVQ hw+8(FP), BX
	MOVQ BX, AX
	ANDQ $15, AX
	SHRQ $4, BX
	MOVQ AX, CX
	MOVQ $1, DX
	SHLQ CX, DX
	DECQ DX
	KMOVW DX, K2
	MOVQ stride+24(FP), R12
	SHLQ $2, R12
	// Prefetch the rows ahead at the same column: the next row, or the
	// fourth next when rows are short (under 256 floats).
	MOVQ R12, DX
	CMPQ BX, $16
	JGE pfdist0
	SHLQ $2, DX
pfdist0:
	MOVQ n+16(FP), R13
	VPXORQ Z0, Z0, Z0
	VPXORQ Z1, Z1, Z1
	VPXORQ Z2, Z2, Z2
	VPXORQ Z3, Z3, Z3
	TESTQ R13, R13
	JLE sumsdone
sumsrow:
	MOVQ SI, R8
	MOVQ BX, CX
	TESTQ CX, CX
	JZ sumstail
sumsfull:
	PREFETCHT0 (R8)(DX*1)
	VMOVUPS (R8), Z6
	VCVTPS2PD Y6, Z4
	VEXTRACTF64X4 $1, Z6, Y7
	VCVTPS2PD Y7, Z5
	VADDPD Z4, Z0, Z0
	VADDPD Z5, Z1, Z1
	VFMADD231PD Z4, Z4, Z2
	VFMADD231PD Z5, Z5, Z3
	ADDQ $64, R8
	DECQ CX
	JNZ sumsfull
sumstail:
	TESTQ AX, AX
	JZ sumsnext
	VMOVUPS.Z (R8), K2, Z6
	VCVTPS2PD Y6, Z4
	VEXTRACTF64X4 $1, Z6, Y7
	VCVTPS2PD Y7, Z5
	VADDPD Z4, Z0, Z0
	VADDPD Z5, Z1, Z1
	VFMADD231PD Z4, Z4, Z2
	VFMADD231PD Z5, Z5, Z3
sumsnext:
	ADDQ R12, SI
	DECQ R13
	JNZ sumsrow
sumsdone:
	MOVQ out+32(FP), DI
	VADDPD Z1, Z0, Z0
	VEXTRACTF64X4 $1, Z0, Y8
	VADDPD Y8, Y0, Y0
	VEXTRACTF128 $1, Y0, X8
	VADDPD X8, X0, X0
	VPERMILPD $1, X0, X8
	VADDSD X8, X0, X0
	VMOVSD X0, (DI)
	VADDPD Z3, Z2, Z2
	VEXTRACTF64X4 $1, Z2, Y8
	VADDPD Y8, Y2, Y2
	VEXTRACTF128 $1, Y2, X8
	VADDPD X8, X2, X2
	VPERMILPD $1, X2, X8
	VADDSD X8, X2, X2
	VMOVSD X2, 8(DI)
	VZEROUPPER
	RET

// func bnApplyAVX512(y, x *float32, hw, n, stride int, scale, shift float32, relu, nt int)
// y = x·scale + shift, then max(y, 0) when relu != 0. With nt != 0 the
// whole vectors are stored with VMOVNTPS (y 64-byte aligned, rows whole
// vectors: see streamRows).
TEXT ·bnApplyAVX512(SB), NOSPLIT, $0-64
	MOVQ y+0(FP), DI
	MOVQ x+8(FP), SI
	MOVQ hw+16(FP), BX
	MOVQ BX, AX
	ANDQ $15, AX
	SHRQ $4, BX
	MOVQ AX, CX
	MOVQ $1, DX
	SHLQ CX, DX
	DECQ DX
	KMOVW DX, K2
	MOVQ stride+32(FP), R12
	SHLQ $2, R12
	// Prefetch the rows ahead at the same column: the next row, or the
	// fourth next when rows are short (under 256 floats).
	MOVQ R12, DX
	CMPQ BX, $16
	JGE pfdist1
	SHLQ $2, DX
pfdist1:
	MOVQ n+24(FP), R13
	VBROADCASTSS scale+40(FP), Z0
	VBROADCASTSS shift+44(FP), Z1
	VPXORD Z2, Z2, Z2
	MOVQ nt+56(FP), R14
	MOVQ relu+48(FP), CX
	TESTQ CX, CX
	JNZ applyfloor
	MOVL $0xff800000, CX
	VPBROADCASTD CX, Z2
applyfloor:
	TESTQ R13, R13
	JLE applydone
applyrow:
	MOVQ DI, R8
	MOVQ SI, R9
	MOVQ BX, CX
	TESTQ CX, CX
	JZ applytail
applyfull:
	PREFETCHT0 (R9)(DX*1)
	VMOVUPS (R9), Z3
	VFMADD213PS Z1, Z0, Z3
	VMAXPS Z3, Z2, Z3
	TESTQ R14, R14
	JNZ applynt
	VMOVUPS Z3, (R8)
	JMP applystored
applynt:
	VMOVNTPS Z3, (R8)
applystored:
	ADDQ $64, R8
	ADDQ $64, R9
	DECQ CX
	JNZ applyfull
applytail:
	TESTQ AX, AX
	JZ applynext
	VMOVUPS.Z (R9), K2, Z3
	VFMADD213PS Z1, Z0, Z3
	VMAXPS Z3, Z2, Z3
	VMOVUPS Z3, K2, (R8)
applynext:
	ADDQ R12, DI
	ADDQ R12, SI
	DECQ R13
	JNZ applyrow
applydone:
	SFENCE
	VZEROUPPER
	RET

// func bnApplyResAVX512(y, x, r *float32, hw, n, stride int, scale, shift float32, relu, nt int)
// y = (x·scale + shift) + r, then max(y, 0) when relu != 0: the
// instructions of bnApplyAVX512 without its ReLU, then those of eltAVX512's
// addition and ReLU, so the bits are those of the two calls. nt as in
// bnApplyAVX512.
TEXT ·bnApplyResAVX512(SB), NOSPLIT, $0-72
	MOVQ y+0(FP), DI
	MOVQ x+8(FP), SI
	MOVQ r+16(FP), R10
	MOVQ hw+24(FP), BX
	MOVQ BX, AX
	ANDQ $15, AX
	SHRQ $4, BX
	MOVQ AX, CX
	MOVQ $1, DX
	SHLQ CX, DX
	DECQ DX
	KMOVW DX, K2
	MOVQ stride+40(FP), R12
	SHLQ $2, R12
	// Prefetch the rows ahead at the same column: the next row, or the
	// fourth next when rows are short (under 256 floats).
	MOVQ R12, DX
	CMPQ BX, $16
	JGE pfdist4
	SHLQ $2, DX
pfdist4:
	MOVQ n+32(FP), R13
	VBROADCASTSS scale+48(FP), Z0
	VBROADCASTSS shift+52(FP), Z1
	VPXORD Z2, Z2, Z2
	MOVQ relu+56(FP), R15
	MOVQ nt+64(FP), R14
	TESTQ R13, R13
	JLE resdone
resrow:
	MOVQ DI, R8
	MOVQ SI, R9
	MOVQ R10, R11
	MOVQ BX, CX
	TESTQ CX, CX
	JZ restail
resfull:
	PREFETCHT0 (R9)(DX*1)
	PREFETCHT0 (R11)(DX*1)
	VMOVUPS (R9), Z3
	VFMADD213PS Z1, Z0, Z3
	VMOVUPS (R11), Z4
	VADDPS Z4, Z3, Z3
	TESTQ R15, R15
	JZ resstore
	VMAXPS Z3, Z2, Z3
resstore:
	TESTQ R14, R14
	JNZ resnt
	VMOVUPS Z3, (R8)
	JMP resstored
resnt:
	VMOVNTPS Z3, (R8)
resstored:
	ADDQ $64, R8
	ADDQ $64, R9
	ADDQ $64, R11
	DECQ CX
	JNZ resfull
restail:
	TESTQ AX, AX
	JZ resnext
	VMOVUPS.Z (R9), K2, Z3
	VFMADD213PS Z1, Z0, Z3
	VMOVUPS.Z (R11), K2, Z4
	VADDPS Z4, Z3, Z3
	TESTQ R15, R15
	JZ restailstore
	VMAXPS Z3, Z2, Z3
restailstore:
	VMOVUPS Z3, K2, (R8)
resnext:
	ADDQ R12, DI
	ADDQ R12, SI
	ADDQ R12, R10
	DECQ R13
	JNZ resrow
resdone:
	SFENCE
	VZEROUPPER
	RET

// func bnGradSumsAVX512(dy, x *float32, hw, n, stride, relu int, scale, shift float32, out *float64)
// out[0] = Σg, out[1] = Σg·x in float64, g = dy, or 0 where relu != 0 and
// x·scale + shift <= 0 (the FMA of bnApplyAVX512).
TEXT ·bnGradSumsAVX512(SB), NOSPLIT, $0-64
	MOVQ dy+0(FP), DI
	MOVQ x+8(FP), SI
	MOVQ hw+16(FP), BX
	MOVQ BX, AX
	ANDQ $15, AX
	SHRQ $4, BX
	MOVQ AX, CX
	MOVQ $1, DX
	SHLQ CX, DX
	DECQ DX
	KMOVW DX, K2
	MOVQ stride+32(FP), R12
	SHLQ $2, R12
	// Prefetch the rows ahead at the same column: the next row, or the
	// fourth next when rows are short (under 256 floats).
	MOVQ R12, DX
	CMPQ BX, $16
	JGE pfdist2
	SHLQ $2, DX
pfdist2:
	MOVQ n+24(FP), R13
	VPXORQ Z0, Z0, Z0
	VPXORQ Z1, Z1, Z1
	VPXORQ Z2, Z2, Z2
	VPXORQ Z3, Z3, Z3
	VPXORD Z15, Z15, Z15
	VBROADCASTSS scale+48(FP), Z13
	VBROADCASTSS shift+52(FP), Z14
	MOVQ relu+40(FP), R15
	TESTQ R13, R13
	JLE gsumsdone
gsumsrow:
	MOVQ DI, R8
	MOVQ SI, R9
	MOVQ BX, CX
	TESTQ CX, CX
	JZ gsumstail
gsumsfull:
	PREFETCHT0 (R8)(DX*1)
	PREFETCHT0 (R9)(DX*1)
	VMOVUPS (R9), Z9
	TESTQ R15, R15
	JNZ gsumsmask
	KXNORW K1, K1, K1
	JMP gsumsmasked
gsumsmask:
	VMOVAPS Z9, Z6
	VFMADD213PS Z14, Z13, Z6
	VCMPPS $14, Z15, Z6, K1
gsumsmasked:
	VMOVUPS.Z (R8), K1, Z8
	VCVTPS2PD Y8, Z4
	VEXTRACTF64X4 $1, Z8, Y10
	VCVTPS2PD Y10, Z5
	VCVTPS2PD Y9, Z11
	VEXTRACTF64X4 $1, Z9, Y12
	VCVTPS2PD Y12, Z12
	VADDPD Z4, Z0, Z0
	VADDPD Z5, Z1, Z1
	VFMADD231PD Z11, Z4, Z2
	VFMADD231PD Z12, Z5, Z3
	ADDQ $64, R8
	ADDQ $64, R9
	DECQ CX
	JNZ gsumsfull
gsumstail:
	TESTQ AX, AX
	JZ gsumsnext
	VMOVUPS.Z (R9), K2, Z9
	KMOVW K2, K1
	TESTQ R15, R15
	JZ gsumstailmasked
	VMOVAPS Z9, Z6
	VFMADD213PS Z14, Z13, Z6
	VCMPPS $14, Z15, Z6, K1
	KANDW K2, K1, K1
gsumstailmasked:
	VMOVUPS.Z (R8), K1, Z8
	VCVTPS2PD Y8, Z4
	VEXTRACTF64X4 $1, Z8, Y10
	VCVTPS2PD Y10, Z5
	VCVTPS2PD Y9, Z11
	VEXTRACTF64X4 $1, Z9, Y12
	VCVTPS2PD Y12, Z12
	VADDPD Z4, Z0, Z0
	VADDPD Z5, Z1, Z1
	VFMADD231PD Z11, Z4, Z2
	VFMADD231PD Z12, Z5, Z3
gsumsnext:
	ADDQ R12, DI
	ADDQ R12, SI
	DECQ R13
	JNZ gsumsrow
gsumsdone:
	MOVQ out+56(FP), DI
	VADDPD Z1, Z0, Z0
	VEXTRACTF64X4 $1, Z0, Y8
	VADDPD Y8, Y0, Y0
	VEXTRACTF128 $1, Y0, X8
	VADDPD X8, X0, X0
	VPERMILPD $1, X0, X8
	VADDSD X8, X0, X0
	VMOVSD X0, (DI)
	VADDPD Z3, Z2, Z2
	VEXTRACTF64X4 $1, Z2, Y8
	VADDPD Y8, Y2, Y2
	VEXTRACTF128 $1, Y2, X8
	VADDPD X8, X2, X2
	VPERMILPD $1, X2, X8
	VADDSD X8, X2, X2
	VMOVSD X2, 8(DI)
	VZEROUPPER
	RET

// func bnGradApplyAVX512(dx, dy, x *float32, hw, n, stride int, a, b, c float32, relu int, scale, shift float32, nt int)
// dx = a·g + b·x + c with g as in bnGradSumsAVX512; nt as in bnApplyAVX512.
TEXT ·bnGradApplyAVX512(SB), NOSPLIT, $0-88
	MOVQ dx+0(FP), DI
	MOVQ dy+8(FP), SI
	MOVQ x+16(FP), R14
	MOVQ hw+24(FP), BX
	MOVQ BX, AX
	ANDQ $15, AX
	SHRQ $4, BX
	MOVQ AX, CX
	MOVQ $1, DX
	SHLQ CX, DX
	DECQ DX
	KMOVW DX, K2
	MOVQ stride+40(FP), R12
	SHLQ $2, R12
	// Prefetch the rows ahead at the same column: the next row, or the
	// fourth next when rows are short (under 256 floats).
	MOVQ R12, DX
	CMPQ BX, $16
	JGE pfdist3
	SHLQ $2, DX
pfdist3:
	MOVQ n+32(FP), R13
	VBROADCASTSS a+48(FP), Z0
	VBROADCASTSS b+52(FP), Z1
	VBROADCASTSS c+56(FP), Z2
	VBROADCASTSS scale+72(FP), Z13
	VBROADCASTSS shift+76(FP), Z14
	VPXORD Z15, Z15, Z15
	MOVQ relu+64(FP), R15
	MOVQ nt+80(FP), R11
	TESTQ R13, R13
	JLE gapplydone
gapplyrow:
	MOVQ DI, R8
	MOVQ SI, R9
	MOVQ R14, R10
	MOVQ BX, CX
	TESTQ CX, CX
	JZ gapplytail
gapplyfull:
	PREFETCHT0 (R9)(DX*1)
	PREFETCHT0 (R10)(DX*1)
	VMOVUPS (R10), Z9
	TESTQ R15, R15
	JNZ gapplymask
	KXNORW K1, K1, K1
	JMP gapplymasked
gapplymask:
	VMOVAPS Z9, Z6
	VFMADD213PS Z14, Z13, Z6
	VCMPPS $14, Z15, Z6, K1
gapplymasked:
	VMOVUPS.Z (R9), K1, Z8
	VMULPS Z0, Z8, Z8
	VFMADD231PS Z1, Z9, Z8
	VADDPS Z2, Z8, Z8
	TESTQ R11, R11
	JNZ gapplynt
	VMOVUPS Z8, (R8)
	JMP gapplystored
gapplynt:
	VMOVNTPS Z8, (R8)
gapplystored:
	ADDQ $64, R8
	ADDQ $64, R9
	ADDQ $64, R10
	DECQ CX
	JNZ gapplyfull
gapplytail:
	TESTQ AX, AX
	JZ gapplynext
	VMOVUPS.Z (R10), K2, Z9
	KMOVW K2, K1
	TESTQ R15, R15
	JZ gapplytailmasked
	VMOVAPS Z9, Z6
	VFMADD213PS Z14, Z13, Z6
	VCMPPS $14, Z15, Z6, K1
	KANDW K2, K1, K1
gapplytailmasked:
	VMOVUPS.Z (R9), K1, Z8
	VMULPS Z0, Z8, Z8
	VFMADD231PS Z1, Z9, Z8
	VADDPS Z2, Z8, Z8
	VMOVUPS Z8, K2, (R8)
gapplynext:
	ADDQ R12, DI
	ADDQ R12, SI
	ADDQ R12, R14
	DECQ R13
	JNZ gapplyrow
gapplydone:
	SFENCE
	VZEROUPPER
	RET
