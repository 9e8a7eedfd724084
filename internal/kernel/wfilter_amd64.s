// The F(4×4) filter transform (winoFilter4) of 8 filters at once.

//go:build amd64 && !purego

#include "textflag.h"

// G's fractions as winoFilter4 multiplies by them, in float64.
DATA wfQuarter<>+0(SB)/8, $0x3fd0000000000000
GLOBL wfQuarter<>(SB), RODATA|NOPTR, $8
DATA wfNegSixth<>+0(SB)/8, $0xbfc5555555555555
GLOBL wfNegSixth<>(SB), RODATA|NOPTR, $8
DATA wfSixth<>+0(SB)/8, $0x3fc5555555555555
GLOBL wfSixth<>(SB), RODATA|NOPTR, $8
DATA wfTwelfth<>+0(SB)/8, $0x3fb5555555555555
GLOBL wfTwelfth<>(SB), RODATA|NOPTR, $8
DATA wfTwentyFourth<>+0(SB)/8, $0x3fa5555555555555
GLOBL wfTwentyFourth<>(SB), RODATA|NOPTR, $8

// WFG(a, b, c, t0, t1, t2, t3, t4) writes G's six rows applied to the
// column a, b, c (float64, 8 filters), in winoFilter4's order of
// operations: t0 = a/4, t1 = -(a+c+b)/6, t2 = -(a+c-b)/6,
// t3 = a/24 + b/12 + c/6, t4 = a/24 - b/12 + c/6 (the sixth row is c
// itself). Z26..Z29 are scratch; -(x)·(1/6) is x·(-1/6), to the bit.
#define WFG(a, b, c, t0, t1, t2, t3, t4) \
	VADDPD c, a, Z26 \
	VMULPD.BCST wfQuarter<>(SB), a, t0 \
	VADDPD b, Z26, Z27 \
	VMULPD.BCST wfNegSixth<>(SB), Z27, t1 \
	VSUBPD b, Z26, Z27 \
	VMULPD.BCST wfNegSixth<>(SB), Z27, t2 \
	VMULPD.BCST wfTwentyFourth<>(SB), a, Z27 \
	VMULPD.BCST wfTwelfth<>(SB), b, Z28 \
	VMULPD.BCST wfSixth<>(SB), c, Z29 \
	VADDPD Z28, Z27, t3 \
	VADDPD Z29, t3, t3 \
	VSUBPD Z28, Z27, t4 \
	VADDPD Z29, t4, t4

// WFSTORE(z) rounds z to float32 and stores it at DI, then steps DI one
// position (SI bytes) on.
#define WFSTORE(z) \
	VCVTPD2PS z, Y30 \
	VMOVUPS Y30, (DI) \
	ADDQ SI, DI

// WFROW(a, b, c) writes one row of U: G applied to the row a, b, c of G·g.
#define WFROW(a, b, c) \
	WFG(a, b, c, Z18, Z19, Z20, Z21, Z22) \
	WFSTORE(Z18) \
	WFSTORE(Z19) \
	WFSTORE(Z20) \
	WFSTORE(Z21) \
	WFSTORE(Z22) \
	VCVTPD2PS c, Y30 \
	VMOVUPS Y30, (DI) \
	ADDQ SI, DI

// func winoFilter4x8AVX512(up *float32, ps int, taps *float32)
// For 8 filters (lane l), taps[t·8 + l] their taps t < 9: writes
// up[pos·ps + l] = U[pos], U = G g Gᵀ as winoFilter4 computes it, to the
// bit.
TEXT ·winoFilter4x8AVX512(SB), NOSPLIT, $0-24
	MOVQ up+0(FP), DI
	MOVQ ps+8(FP), SI
	SHLQ $2, SI
	MOVQ taps+16(FP), AX
	// G g, column s into Z(s), Z(3+s), ..., Z(15+s): row i of G g is
	// Z(3i), Z(3i+1), Z(3i+2)
	VCVTPS2PD (AX), Z23
	VCVTPS2PD 96(AX), Z24
	VCVTPS2PD 192(AX), Z15
	WFG(Z23, Z24, Z15, Z0, Z3, Z6, Z9, Z12)
	VCVTPS2PD 32(AX), Z23
	VCVTPS2PD 128(AX), Z24
	VCVTPS2PD 224(AX), Z16
	WFG(Z23, Z24, Z16, Z1, Z4, Z7, Z10, Z13)
	VCVTPS2PD 64(AX), Z23
	VCVTPS2PD 160(AX), Z24
	VCVTPS2PD 256(AX), Z17
	WFG(Z23, Z24, Z17, Z2, Z5, Z8, Z11, Z14)
	WFROW(Z0, Z1, Z2)
	WFROW(Z3, Z4, Z5)
	WFROW(Z6, Z7, Z8)
	WFROW(Z9, Z10, Z11)
	WFROW(Z12, Z13, Z14)
	WFROW(Z15, Z16, Z17)
	VZEROUPPER
	RET
