//go:build amd64 && !purego

#include "textflag.h"

// The even/odd split of the stride-2 convolutions' sources and the merge of
// their input gradients on AVX2: 8 pairs of columns at a time, each row's
// last half%8 pairs left to the caller.

// func splitAVX2(e0, o0, e1, o1, src *float32, rows, n8, half int)
// Row r of src (2·half floats) goes, its first 8·n8 pairs, even columns to
// e and odd columns to o, of pair 0 for even r and pair 1 for odd r; each
// pair advances by half.
TEXT ·splitAVX2(SB), NOSPLIT, $0-64
	MOVQ e0+0(FP), R8
	MOVQ o0+8(FP), R9
	MOVQ e1+16(FP), R10
	MOVQ o1+24(FP), R11
	MOVQ src+32(FP), SI
	MOVQ rows+40(FP), R13
	MOVQ n8+48(FP), BX
	MOVQ half+56(FP), R12
	SHLQ $2, R12
	TESTQ R13, R13
	JLE split2done
	TESTQ BX, BX
	JLE split2done
split2row:
	MOVQ R8, DI
	MOVQ R9, DX
	MOVQ SI, AX
	MOVQ BX, CX
split2loop:
	VMOVUPS (AX), Y0
	VMOVUPS 32(AX), Y1
	VSHUFPS $0x88, Y1, Y0, Y2
	VSHUFPS $0xDD, Y1, Y0, Y3
	VPERMPD $0xD8, Y2, Y2
	VPERMPD $0xD8, Y3, Y3
	VMOVUPS Y2, (DI)
	VMOVUPS Y3, (DX)
	ADDQ $64, AX
	ADDQ $32, DI
	ADDQ $32, DX
	DECQ CX
	JNZ split2loop
	LEAQ (SI)(R12*2), SI
	ADDQ R12, R8
	ADDQ R12, R9
	XCHGQ R8, R10
	XCHGQ R9, R11
	DECQ R13
	JNZ split2row
split2done:
	VZEROUPPER
	RET

// func mergeAVX2(dst, e0, o0, e1, o1 *float32, rows, n8, half int)
// The inverse of splitAVX2.
TEXT ·mergeAVX2(SB), NOSPLIT, $0-64
	MOVQ dst+0(FP), SI
	MOVQ e0+8(FP), R8
	MOVQ o0+16(FP), R9
	MOVQ e1+24(FP), R10
	MOVQ o1+32(FP), R11
	MOVQ rows+40(FP), R13
	MOVQ n8+48(FP), BX
	MOVQ half+56(FP), R12
	SHLQ $2, R12
	TESTQ R13, R13
	JLE merge2done
	TESTQ BX, BX
	JLE merge2done
merge2row:
	MOVQ R8, DI
	MOVQ R9, DX
	MOVQ SI, AX
	MOVQ BX, CX
merge2loop:
	VMOVUPS (DI), Y0
	VMOVUPS (DX), Y1
	VUNPCKLPS Y1, Y0, Y2
	VUNPCKHPS Y1, Y0, Y3
	VPERM2F128 $0x20, Y3, Y2, Y4
	VPERM2F128 $0x31, Y3, Y2, Y5
	VMOVUPS Y4, (AX)
	VMOVUPS Y5, 32(AX)
	ADDQ $64, AX
	ADDQ $32, DI
	ADDQ $32, DX
	DECQ CX
	JNZ merge2loop
	LEAQ (SI)(R12*2), SI
	ADDQ R12, R8
	ADDQ R12, R9
	XCHGQ R8, R10
	XCHGQ R9, R11
	DECQ R13
	JNZ merge2row
merge2done:
	VZEROUPPER
	RET
