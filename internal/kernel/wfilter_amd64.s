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
	WFSTORE(c)

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

// WFGT(v0, v1, v2, v3, v4, v5, o0, o1, o2) writes Gᵀ's three rows applied
// to the column v0..v5 (float64, 8 filters), in winoFilterGrad4's order of
// operations: o0 = v0/4 - (v1+v2)/6 + (v3+v4)/24, o1 = (v2-v1)/6 +
// (v3-v4)/12, o2 = (v3+v4-v1-v2)/6 + v5. Z24..Z27 are scratch.
#define WFGT(v0, v1, v2, v3, v4, v5, o0, o1, o2) \
	VADDPD v2, v1, Z24 \
	VMULPD.BCST wfQuarter<>(SB), v0, Z25 \
	VMULPD.BCST wfSixth<>(SB), Z24, Z26 \
	VSUBPD Z26, Z25, Z25 \
	VADDPD v4, v3, Z27 \
	VMULPD.BCST wfTwentyFourth<>(SB), Z27, Z26 \
	VADDPD Z26, Z25, o0 \
	VSUBPD v1, v2, Z25 \
	VMULPD.BCST wfSixth<>(SB), Z25, Z25 \
	VSUBPD v4, v3, Z26 \
	VMULPD.BCST wfTwelfth<>(SB), Z26, Z26 \
	VADDPD Z26, Z25, o1 \
	VSUBPD v1, Z27, Z25 \
	VSUBPD v2, Z25, Z25 \
	VMULPD.BCST wfSixth<>(SB), Z25, Z25 \
	VADDPD v5, Z25, o2

// WFCOLP(o0, o1, o2) loads the column of dU that starts at CX (positions
// 6i + j, i < 6, R8 bytes apart), applies Gᵀ to it, and steps CX to the
// next column (one position, DX bytes, on).
#define WFCOLP(o0, o1, o2) \
	MOVQ CX, AX \
	VCVTPS2PD (AX), Z18 \
	ADDQ R8, AX \
	VCVTPS2PD (AX), Z19 \
	ADDQ R8, AX \
	VCVTPS2PD (AX), Z20 \
	ADDQ R8, AX \
	VCVTPS2PD (AX), Z21 \
	ADDQ R8, AX \
	VCVTPS2PD (AX), Z22 \
	ADDQ R8, AX \
	VCVTPS2PD (AX), Z23 \
	WFGT(Z18, Z19, Z20, Z21, Z22, Z23, o0, o1, o2) \
	ADDQ DX, CX

// WFSTORE3(a, b, c) rounds a, b, c to float32 and stores them at DI,
// DI+32, DI+64, then steps DI 96 bytes on.
#define WFSTORE3(a, b, c) \
	VCVTPD2PS a, Y30 \
	VMOVUPS Y30, (DI) \
	VCVTPD2PS b, Y30 \
	VMOVUPS Y30, 32(DI) \
	VCVTPD2PS c, Y30 \
	VMOVUPS Y30, 64(DI) \
	ADDQ $96, DI

// func winoFilterGrad4x8AVX512(taps *float32, u *float32, us int)
// For 8 filters (lane l), their dU at position pos < 36 in u[pos·us + l]:
// writes taps[t·8 + l] = dw[t], dw = Gᵀ dU G as winoFilterGrad4 computes
// it, to the bit.
TEXT ·winoFilterGrad4x8AVX512(SB), NOSPLIT, $0-24
	MOVQ taps+0(FP), DI
	MOVQ u+8(FP), SI
	MOVQ us+16(FP), DX
	SHLQ $2, DX
	// R8: six positions, one row of U, apart
	LEAQ (DX)(DX*2), R8
	SHLQ $1, R8
	// Gᵀ dU, column j into Z(j), Z(6+j), Z(12+j): its rows are Z0..Z5,
	// Z6..Z11, Z12..Z17. Column j of dU starts j positions in.
	MOVQ SI, CX
	WFCOLP(Z0, Z6, Z12)
	WFCOLP(Z1, Z7, Z13)
	WFCOLP(Z2, Z8, Z14)
	WFCOLP(Z3, Z9, Z15)
	WFCOLP(Z4, Z10, Z16)
	WFCOLP(Z5, Z11, Z17)
	WFGT(Z0, Z1, Z2, Z3, Z4, Z5, Z18, Z19, Z20)
	WFSTORE3(Z18, Z19, Z20)
	WFGT(Z6, Z7, Z8, Z9, Z10, Z11, Z18, Z19, Z20)
	WFSTORE3(Z18, Z19, Z20)
	WFGT(Z12, Z13, Z14, Z15, Z16, Z17, Z18, Z19, Z20)
	WFSTORE3(Z18, Z19, Z20)
	VZEROUPPER
	RET
