// The AVX-512 elementwise loops (see eltwise.go).

//go:build amd64 && !purego

#include "textflag.h"

// func eltAVX512(op int, y, a, b *float32, n int)
// op 0: y = a+b; 1: y = max(a+b, 0); 2: y = max(a, 0); 3: y = b where a > 0, else 0.
TEXT ·eltAVX512(SB), NOSPLIT, $0-40
	MOVQ op+0(FP), R8
	MOVQ y+8(FP), DI
	MOVQ a+16(FP), SI
	MOVQ b+24(FP), DX
	MOVQ n+32(FP), BX
	MOVQ BX, AX
	ANDQ $15, AX
	SHRQ $4, BX
	MOVQ AX, CX
	MOVQ $1, R9
	SHLQ CX, R9
	DECQ R9
	KMOVW R9, K2
	VPXORD Z15, Z15, Z15
	CMPQ R8, $0
	JEQ op0
	CMPQ R8, $1
	JEQ op1
	CMPQ R8, $2
	JEQ op2
	CMPQ R8, $3
	JEQ op3
	RET
op0:
	TESTQ BX, BX
	JZ op0tail
op0loop:
	VMOVUPS (SI), Z0
	VMOVUPS (DX), Z1
	VADDPS Z1, Z0, Z0
	VMOVUPS Z0, (DI)
	ADDQ $64, SI
	ADDQ $64, DX
	ADDQ $64, DI
	DECQ BX
	JNZ op0loop
op0tail:
	TESTQ AX, AX
	JZ done
	VMOVUPS.Z (SI), K2, Z0
	VMOVUPS.Z (DX), K2, Z1
	VADDPS Z1, Z0, Z0
	VMOVUPS Z0, K2, (DI)
	JMP done
op1:
	TESTQ BX, BX
	JZ op1tail
op1loop:
	VMOVUPS (SI), Z0
	VMOVUPS (DX), Z1
	VADDPS Z1, Z0, Z0
	VMAXPS Z0, Z15, Z0
	VMOVUPS Z0, (DI)
	ADDQ $64, SI
	ADDQ $64, DX
	ADDQ $64, DI
	DECQ BX
	JNZ op1loop
op1tail:
	TESTQ AX, AX
	JZ done
	VMOVUPS.Z (SI), K2, Z0
	VMOVUPS.Z (DX), K2, Z1
	VADDPS Z1, Z0, Z0
	VMAXPS Z0, Z15, Z0
	VMOVUPS Z0, K2, (DI)
	JMP done
op2:
	TESTQ BX, BX
	JZ op2tail
op2loop:
	VMOVUPS (SI), Z0
	VMAXPS Z0, Z15, Z0
	VMOVUPS Z0, (DI)
	ADDQ $64, SI
	ADDQ $64, DI
	DECQ BX
	JNZ op2loop
op2tail:
	TESTQ AX, AX
	JZ done
	VMOVUPS.Z (SI), K2, Z0
	VMAXPS Z0, Z15, Z0
	VMOVUPS Z0, K2, (DI)
	JMP done
op3:
	TESTQ BX, BX
	JZ op3tail
op3loop:
	VMOVUPS (SI), Z1
	VCMPPS $14, Z15, Z1, K1
	VMOVUPS.Z (DX), K1, Z0
	VMOVUPS Z0, (DI)
	ADDQ $64, SI
	ADDQ $64, DX
	ADDQ $64, DI
	DECQ BX
	JNZ op3loop
op3tail:
	TESTQ AX, AX
	JZ done
	VMOVUPS.Z (SI), K2, Z1
	VCMPPS $14, Z15, Z1, K1
	KANDW K2, K1, K1
	VMOVUPS.Z (DX), K1, Z0
	VMOVUPS Z0, K2, (DI)
	JMP done
done:
	VZEROUPPER
	RET
