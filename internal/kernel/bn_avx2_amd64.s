// The AVX2 batch-norm and elementwise loops: those of bn_amd64.s and
// eltwise_amd64.s on 8 lanes, with the same operations in the same order,
// and VMASKMOVPS for the last partial vector of a row.

//go:build amd64 && !purego

#include "textflag.h"

// avx2Tail: 8 all-ones words, then 8 zero words; the 8 words from
// avx2Tail+4·(8-t) are the lane mask of a tail of t floats.
DATA avx2Tail<>+0(SB)/8, $-1
DATA avx2Tail<>+8(SB)/8, $-1
DATA avx2Tail<>+16(SB)/8, $-1
DATA avx2Tail<>+24(SB)/8, $-1
DATA avx2Tail<>+32(SB)/8, $0
DATA avx2Tail<>+40(SB)/8, $0
DATA avx2Tail<>+48(SB)/8, $0
DATA avx2Tail<>+56(SB)/8, $0
GLOBL avx2Tail<>(SB), RODATA|NOPTR, $64

// ROWSETUP splits hw (in BX) into whole vectors (BX) and a tail (AX) and
// loads the tail's lane mask into Y15.
#define ROWSETUP \
	MOVQ BX, AX \
	ANDQ $7, AX \
	SHRQ $3, BX \
	LEAQ avx2Tail<>+32(SB), CX \
	MOVQ AX, DX \
	SHLQ $2, DX \
	SUBQ DX, CX \
	VMOVDQU (CX), Y15

// HSUMPD adds the four doubles of y (using X14) into the low double of x.
#define HSUMPD(y, x) \
	VEXTRACTF128 $1, y, X14 \
	VADDPD X14, x, x \
	VPERMILPD $1, x, X14 \
	VADDSD X14, x, x

// func bnSumsAVX2(x *float32, hw, n, stride int, out *float64)
TEXT ·bnSumsAVX2(SB), NOSPLIT, $0-40
	MOVQ x+0(FP), SI
	MOVQ hw+8(FP), BX
	ROWSETUP
	MOVQ stride+24(FP), R12
	SHLQ $2, R12
	MOVQ n+16(FP), R13
	VXORPD Y0, Y0, Y0
	VXORPD Y1, Y1, Y1
	VXORPD Y2, Y2, Y2
	VXORPD Y3, Y3, Y3
	TESTQ R13, R13
	JLE sums2done
sums2row:
	MOVQ SI, R8
	MOVQ BX, CX
	TESTQ CX, CX
	JZ sums2tail
sums2full:
	VMOVUPS (R8), Y6
	VCVTPS2PD X6, Y4
	VEXTRACTF128 $1, Y6, X7
	VCVTPS2PD X7, Y5
	VADDPD Y4, Y0, Y0
	VADDPD Y5, Y1, Y1
	VFMADD231PD Y4, Y4, Y2
	VFMADD231PD Y5, Y5, Y3
	ADDQ $32, R8
	DECQ CX
	JNZ sums2full
sums2tail:
	TESTQ AX, AX
	JZ sums2next
	VMASKMOVPS (R8), Y15, Y6
	VCVTPS2PD X6, Y4
	VEXTRACTF128 $1, Y6, X7
	VCVTPS2PD X7, Y5
	VADDPD Y4, Y0, Y0
	VADDPD Y5, Y1, Y1
	VFMADD231PD Y4, Y4, Y2
	VFMADD231PD Y5, Y5, Y3
sums2next:
	ADDQ R12, SI
	DECQ R13
	JNZ sums2row
sums2done:
	MOVQ out+32(FP), DI
	VADDPD Y1, Y0, Y0
	HSUMPD(Y0, X0)
	VMOVSD X0, (DI)
	VADDPD Y3, Y2, Y2
	HSUMPD(Y2, X2)
	VMOVSD X2, 8(DI)
	VZEROUPPER
	RET

// func bnApplyAVX2(y, x *float32, hw, n, stride int, scale, shift float32, relu, nt int)
TEXT ·bnApplyAVX2(SB), NOSPLIT, $0-64
	MOVQ y+0(FP), DI
	MOVQ x+8(FP), SI
	MOVQ hw+16(FP), BX
	ROWSETUP
	MOVQ stride+32(FP), R12
	SHLQ $2, R12
	MOVQ n+24(FP), R13
	VBROADCASTSS scale+40(FP), Y0
	VBROADCASTSS shift+44(FP), Y1
	VXORPS Y2, Y2, Y2
	MOVQ nt+56(FP), R14
	MOVQ relu+48(FP), CX
	TESTQ CX, CX
	JNZ apply2floor
	MOVL $0xff800000, CX // -Inf: VMAXPS then keeps every value, as bnApplyAVX512
	VMOVQ CX, X2
	VPBROADCASTD X2, Y2
apply2floor:
	TESTQ R13, R13
	JLE apply2done
apply2row:
	MOVQ DI, R8
	MOVQ SI, R9
	MOVQ BX, CX
	TESTQ CX, CX
	JZ apply2tail
apply2full:
	VMOVUPS (R9), Y3
	VFMADD213PS Y1, Y0, Y3
	VMAXPS Y3, Y2, Y3
	TESTQ R14, R14
	JNZ apply2nt
	VMOVUPS Y3, (R8)
	JMP apply2stored
apply2nt:
	VMOVNTPS Y3, (R8)
apply2stored:
	ADDQ $32, R8
	ADDQ $32, R9
	DECQ CX
	JNZ apply2full
apply2tail:
	TESTQ AX, AX
	JZ apply2next
	VMASKMOVPS (R9), Y15, Y3
	VFMADD213PS Y1, Y0, Y3
	VMAXPS Y3, Y2, Y3
	VMASKMOVPS Y3, Y15, (R8)
apply2next:
	ADDQ R12, DI
	ADDQ R12, SI
	DECQ R13
	JNZ apply2row
apply2done:
	SFENCE
	VZEROUPPER
	RET

// func bnApplyResAVX2(y, x, r *float32, hw, n, stride int, scale, shift float32, relu, nt int)
TEXT ·bnApplyResAVX2(SB), NOSPLIT, $0-72
	MOVQ y+0(FP), DI
	MOVQ x+8(FP), SI
	MOVQ r+16(FP), R10
	MOVQ hw+24(FP), BX
	ROWSETUP
	MOVQ stride+40(FP), R12
	SHLQ $2, R12
	MOVQ n+32(FP), R13
	VBROADCASTSS scale+48(FP), Y0
	VBROADCASTSS shift+52(FP), Y1
	VXORPS Y2, Y2, Y2
	MOVQ relu+56(FP), R15
	MOVQ nt+64(FP), R14
	TESTQ R13, R13
	JLE res2done
res2row:
	MOVQ DI, R8
	MOVQ SI, R9
	MOVQ R10, R11
	MOVQ BX, CX
	TESTQ CX, CX
	JZ res2tail
res2full:
	VMOVUPS (R9), Y3
	VFMADD213PS Y1, Y0, Y3
	VMOVUPS (R11), Y4
	VADDPS Y4, Y3, Y3
	TESTQ R15, R15
	JZ res2store
	VMAXPS Y3, Y2, Y3
res2store:
	TESTQ R14, R14
	JNZ res2nt
	VMOVUPS Y3, (R8)
	JMP res2stored
res2nt:
	VMOVNTPS Y3, (R8)
res2stored:
	ADDQ $32, R8
	ADDQ $32, R9
	ADDQ $32, R11
	DECQ CX
	JNZ res2full
res2tail:
	TESTQ AX, AX
	JZ res2next
	VMASKMOVPS (R9), Y15, Y3
	VFMADD213PS Y1, Y0, Y3
	VMASKMOVPS (R11), Y15, Y4
	VADDPS Y4, Y3, Y3
	TESTQ R15, R15
	JZ res2tailstore
	VMAXPS Y3, Y2, Y3
res2tailstore:
	VMASKMOVPS Y3, Y15, (R8)
res2next:
	ADDQ R12, DI
	ADDQ R12, SI
	ADDQ R12, R10
	DECQ R13
	JNZ res2row
res2done:
	SFENCE
	VZEROUPPER
	RET

// GRADMASK zeroes the lanes of dy (Y8) where the ReLU was off: where
// x (Y9)·scale (Y13) + shift (Y14) > 0 fails, unless Y11 (all ones without
// relu, else zero) keeps them.
#define GRADMASK \
	VMOVAPS Y9, Y6 \
	VFMADD213PS Y14, Y13, Y6 \
	VCMPPS $14, Y12, Y6, Y7 \
	VORPS Y11, Y7, Y7 \
	VANDPS Y7, Y8, Y8

// GRADSUMS adds g (Y8) and g·x (x in Y9) into Y0..Y3 in float64.
#define GRADSUMS \
	VCVTPS2PD X8, Y4 \
	VEXTRACTF128 $1, Y8, X6 \
	VCVTPS2PD X6, Y5 \
	VCVTPS2PD X9, Y6 \
	VEXTRACTF128 $1, Y9, X7 \
	VCVTPS2PD X7, Y7 \
	VADDPD Y4, Y0, Y0 \
	VADDPD Y5, Y1, Y1 \
	VFMADD231PD Y6, Y4, Y2 \
	VFMADD231PD Y7, Y5, Y3

// NORELU sets Y11 to all ones when the relu argument is zero, else zero.
#define NORELU(relu) \
	MOVQ $-1, DX \
	XORQ R11, R11 \
	MOVQ relu, CX \
	TESTQ CX, CX \
	CMOVQNE R11, DX \
	VMOVQ DX, X11 \
	VPBROADCASTQ X11, Y11

// func bnGradSumsAVX2(dy, x *float32, hw, n, stride, relu int, scale, shift float32, out *float64)
TEXT ·bnGradSumsAVX2(SB), NOSPLIT, $0-64
	MOVQ dy+0(FP), DI
	MOVQ x+8(FP), SI
	MOVQ hw+16(FP), BX
	ROWSETUP
	MOVQ stride+32(FP), R12
	SHLQ $2, R12
	MOVQ n+24(FP), R13
	VXORPD Y0, Y0, Y0
	VXORPD Y1, Y1, Y1
	VXORPD Y2, Y2, Y2
	VXORPD Y3, Y3, Y3
	VXORPS Y12, Y12, Y12
	VBROADCASTSS scale+48(FP), Y13
	VBROADCASTSS shift+52(FP), Y14
	NORELU(relu+40(FP))
	TESTQ R13, R13
	JLE gsums2done
gsums2row:
	MOVQ DI, R8
	MOVQ SI, R9
	MOVQ BX, CX
	TESTQ CX, CX
	JZ gsums2tail
gsums2full:
	VMOVUPS (R9), Y9
	VMOVUPS (R8), Y8
	GRADMASK
	GRADSUMS
	ADDQ $32, R8
	ADDQ $32, R9
	DECQ CX
	JNZ gsums2full
gsums2tail:
	TESTQ AX, AX
	JZ gsums2next
	VMASKMOVPS (R9), Y15, Y9
	VMASKMOVPS (R8), Y15, Y8
	GRADMASK
	GRADSUMS
gsums2next:
	ADDQ R12, DI
	ADDQ R12, SI
	DECQ R13
	JNZ gsums2row
gsums2done:
	MOVQ out+56(FP), DI
	VADDPD Y1, Y0, Y0
	HSUMPD(Y0, X0)
	VMOVSD X0, (DI)
	VADDPD Y3, Y2, Y2
	HSUMPD(Y2, X2)
	VMOVSD X2, 8(DI)
	VZEROUPPER
	RET

// func bnGradApplyAVX2(dx, dy, x *float32, hw, n, stride int, a, b, c float32, relu int, scale, shift float32, nt int)
TEXT ·bnGradApplyAVX2(SB), NOSPLIT, $0-88
	MOVQ dx+0(FP), DI
	MOVQ dy+8(FP), SI
	MOVQ x+16(FP), R14
	MOVQ hw+24(FP), BX
	ROWSETUP
	MOVQ stride+40(FP), R12
	SHLQ $2, R12
	MOVQ n+32(FP), R13
	VBROADCASTSS a+48(FP), Y0
	VBROADCASTSS b+52(FP), Y1
	VBROADCASTSS c+56(FP), Y2
	VBROADCASTSS scale+72(FP), Y13
	VBROADCASTSS shift+76(FP), Y14
	VXORPS Y12, Y12, Y12
	NORELU(relu+64(FP))
	MOVQ nt+80(FP), R11
	TESTQ R13, R13
	JLE gapply2done
gapply2row:
	MOVQ DI, R8
	MOVQ SI, R9
	MOVQ R14, R10
	MOVQ BX, CX
	TESTQ CX, CX
	JZ gapply2tail
gapply2full:
	VMOVUPS (R10), Y9
	VMOVUPS (R9), Y8
	GRADMASK
	VMULPS Y0, Y8, Y8
	VFMADD231PS Y1, Y9, Y8
	VADDPS Y2, Y8, Y8
	TESTQ R11, R11
	JNZ gapply2nt
	VMOVUPS Y8, (R8)
	JMP gapply2stored
gapply2nt:
	VMOVNTPS Y8, (R8)
gapply2stored:
	ADDQ $32, R8
	ADDQ $32, R9
	ADDQ $32, R10
	DECQ CX
	JNZ gapply2full
gapply2tail:
	TESTQ AX, AX
	JZ gapply2next
	VMASKMOVPS (R10), Y15, Y9
	VMASKMOVPS (R9), Y15, Y8
	GRADMASK
	VMULPS Y0, Y8, Y8
	VFMADD231PS Y1, Y9, Y8
	VADDPS Y2, Y8, Y8
	VMASKMOVPS Y8, Y15, (R8)
gapply2next:
	ADDQ R12, DI
	ADDQ R12, SI
	ADDQ R12, R14
	DECQ R13
	JNZ gapply2row
gapply2done:
	SFENCE
	VZEROUPPER
	RET

// func eltAVX2(op int, y, a, b *float32, n int)
// The operations of eltAVX512.
TEXT ·eltAVX2(SB), NOSPLIT, $0-40
	MOVQ op+0(FP), R8
	MOVQ y+8(FP), DI
	MOVQ a+16(FP), SI
	MOVQ b+24(FP), R10
	MOVQ n+32(FP), BX
	ROWSETUP
	VXORPS Y12, Y12, Y12
	MOVQ BX, CX
	TESTQ CX, CX
	JZ elt2tail
elt2full:
	VMOVUPS (SI), Y0
	CMPQ R8, $2
	JEQ elt2relu
	JGT elt2grad
	VMOVUPS (R10), Y1
	VADDPS Y1, Y0, Y0
	CMPQ R8, $0
	JEQ elt2store
elt2relu:
	VMAXPS Y0, Y12, Y0
	JMP elt2store
elt2grad:
	VCMPPS $14, Y12, Y0, Y7
	VMOVUPS (R10), Y0
	VANDPS Y7, Y0, Y0
elt2store:
	VMOVUPS Y0, (DI)
	ADDQ $32, SI
	ADDQ $32, R10
	ADDQ $32, DI
	DECQ CX
	JNZ elt2full
elt2tail:
	TESTQ AX, AX
	JZ elt2done
	VMASKMOVPS (SI), Y15, Y0
	CMPQ R8, $2
	JEQ elt2tailrelu
	JGT elt2tailgrad
	VMASKMOVPS (R10), Y15, Y1
	VADDPS Y1, Y0, Y0
	CMPQ R8, $0
	JEQ elt2tailstore
elt2tailrelu:
	VMAXPS Y0, Y12, Y0
	JMP elt2tailstore
elt2tailgrad:
	VCMPPS $14, Y12, Y0, Y7
	VMASKMOVPS (R10), Y15, Y0
	VANDPS Y7, Y0, Y0
elt2tailstore:
	VMASKMOVPS Y0, Y15, (DI)
elt2done:
	VZEROUPPER
	RET
