//go:build amd64 && !purego

#include "textflag.h"

// The Winograd F(2×2, 3×3) input and output transforms (wino.go) on 8-lane
// vectors, 8 tiles of one tile row at a time, for maps 16 and 32 wide. They
// add and subtract in the order of winoInGo and winoOutGo, so the results
// are the same bits.

// A row outside the image reads these zeros (from +32 bytes, so that the
// loads 8 bytes before and 40 after stay inside).
DATA winoZeros2<>+0(SB)/8, $0
DATA winoZeros2<>+8(SB)/8, $0
DATA winoZeros2<>+16(SB)/8, $0
DATA winoZeros2<>+24(SB)/8, $0
DATA winoZeros2<>+32(SB)/8, $0
DATA winoZeros2<>+40(SB)/8, $0
DATA winoZeros2<>+48(SB)/8, $0
DATA winoZeros2<>+56(SB)/8, $0
DATA winoZeros2<>+64(SB)/8, $0
DATA winoZeros2<>+72(SB)/8, $0
DATA winoZeros2<>+80(SB)/8, $0
DATA winoZeros2<>+88(SB)/8, $0
DATA winoZeros2<>+96(SB)/8, $0
DATA winoZeros2<>+104(SB)/8, $0
DATA winoZeros2<>+112(SB)/8, $0
DATA winoZeros2<>+120(SB)/8, $0
GLOBL winoZeros2<>(SB), RODATA|NOPTR, $128

// Lane masks of VMASKMOVPS: all lanes; all but the first two (the columns
// left of a tile row's start); all but the last two (right of its end).
DATA winoEdge2<>+0(SB)/8, $-1
DATA winoEdge2<>+8(SB)/8, $-1
DATA winoEdge2<>+16(SB)/8, $-1
DATA winoEdge2<>+24(SB)/8, $-1
DATA winoEdge2<>+32(SB)/8, $0
DATA winoEdge2<>+40(SB)/8, $-1
DATA winoEdge2<>+48(SB)/8, $-1
DATA winoEdge2<>+56(SB)/8, $-1
DATA winoEdge2<>+64(SB)/8, $-1
DATA winoEdge2<>+72(SB)/8, $-1
DATA winoEdge2<>+80(SB)/8, $-1
DATA winoEdge2<>+88(SB)/8, $0
GLOBL winoEdge2<>(SB), RODATA|NOPTR, $96

// EVENODD2 puts the even (imm 0x88) or odd (0xDD) floats of the 16 in lo,
// hi into dst, in order.
#define EVENODD2(imm, lo, hi, dst) \
	VSHUFPS imm, hi, lo, dst \
	VPERMPD $0xD8, dst, dst

// PATCHC2 turns the columns of row i of a patch, d0 (Y10), d1 (c1),
// d2 (c2) and d3 (Y11), into row i of d B: c0 = d0-d2, c1 = d1+d2,
// c2 = d2-d1, c3 = d1-d3. Uses Y8.
#define PATCHC2(c0, c1, c2, c3) \
	VSUBPS c2, Y10, c0 \
	VSUBPS Y11, c1, c3 \
	VMOVAPS c1, Y8 \
	VADDPS c2, c1, c1 \
	VSUBPS Y8, c2, c2

// PATCHROW2 computes row i of d B for 8 tiles from the source row at p
// (column 2·tx0): d0..d3 are columns 2tx-1, 2tx, 2tx+1, 2tx+2, and
// c0 = d0-d2, c1 = d1+d2, c2 = d2-d1, c3 = d1-d3. Y12, Y13 are the left
// and right load masks. Uses Y8..Y11.
#define PATCHROW2(p, c0, c1, c2, c3) \
	VMOVUPS (p), Y8 \
	VMOVUPS 32(p), Y9 \
	EVENODD2($0x88, Y8, Y9, c1) \
	EVENODD2($0xDD, Y8, Y9, c2) \
	VMASKMOVPS -8(p), Y12, Y8 \
	VMOVUPS 24(p), Y9 \
	EVENODD2($0xDD, Y8, Y9, Y10) \
	VMOVUPS 8(p), Y8 \
	VMASKMOVPS 40(p), Y13, Y9 \
	EVENODD2($0x88, Y8, Y9, Y11) \
	PATCHC2(c0, c1, c2, c3)

// WINOSUB2 stores Y0-Y4, Y1-Y5, Y2-Y6, Y3-Y7 at R9 and the next three
// positions (R8 bytes apart), leaving R9 at the last.
#define WINOSUB2 \
	VSUBPS Y4, Y0, Y0 \
	VMOVUPS Y0, (R9) \
	ADDQ R8, R9 \
	VSUBPS Y5, Y1, Y1 \
	VMOVUPS Y1, (R9) \
	ADDQ R8, R9 \
	VSUBPS Y6, Y2, Y2 \
	VMOVUPS Y2, (R9) \
	ADDQ R8, R9 \
	VSUBPS Y7, Y3, Y3 \
	VMOVUPS Y3, (R9)

// WINOADDSUB2 stores Y4+Y0.. at R9 and the next three positions, and
// Y4-Y0.. four positions further, moving R9 on by four.
#define WINOADDSUB2 \
	VADDPS Y4, Y0, Y8 \
	VMOVUPS Y8, (R9) \
	VSUBPS Y0, Y4, Y8 \
	VMOVUPS Y8, (R9)(R8*4) \
	ADDQ R8, R9 \
	VADDPS Y5, Y1, Y8 \
	VMOVUPS Y8, (R9) \
	VSUBPS Y1, Y5, Y8 \
	VMOVUPS Y8, (R9)(R8*4) \
	ADDQ R8, R9 \
	VADDPS Y6, Y2, Y8 \
	VMOVUPS Y8, (R9) \
	VSUBPS Y2, Y6, Y8 \
	VMOVUPS Y8, (R9)(R8*4) \
	ADDQ R8, R9 \
	VADDPS Y7, Y3, Y8 \
	VMOVUPS Y8, (R9) \
	VSUBPS Y3, Y7, Y8 \
	VMOVUPS Y8, (R9)(R8*4) \
	ADDQ R8, R9

// func winoInAVX2(v *float32, vs, vc int, x *float32, xc, w, nch, flags int)
// V of the 8 tiles of tile row ty from column 2·tx0, for nch channels
// (planes xc floats apart in x, transforms vc apart in v); x is source row
// 2·ty, column 2·tx0, of the first channel. flags: 1, row 2ty-1 is outside
// the image; 2, row 2ty+2 is; 4, tx0 is 0; 8, the tiles end the tile row.
// Position pos goes to v + pos·vs.
TEXT ·winoInAVX2(SB), NOSPLIT, $0-64
	MOVQ v+0(FP), DI
	MOVQ vs+8(FP), R8
	SHLQ $2, R8
	MOVQ vc+16(FP), R15
	SHLQ $2, R15
	MOVQ x+24(FP), SI
	MOVQ xc+32(FP), DX
	SHLQ $2, DX
	MOVQ w+40(FP), AX
	SHLQ $2, AX
	MOVQ flags+56(FP), BX
	// rows: R10 = 2ty-1, SI = 2ty, R11 = 2ty+1, R12 = 2ty+2; R13, R14
	// their steps per channel for the first and the last
	MOVQ SI, R10
	SUBQ AX, R10
	MOVQ DX, R13
	TESTQ $1, BX
	JZ top2ok
	LEAQ winoZeros2<>+32(SB), R10
	XORQ R13, R13
top2ok:
	LEAQ (SI)(AX*1), R11
	LEAQ (R11)(AX*1), R12
	MOVQ DX, R14
	TESTQ $2, BX
	JZ bottom2ok
	LEAQ winoZeros2<>+32(SB), R12
	XORQ R14, R14
bottom2ok:
	VMOVDQU winoEdge2<>+0(SB), Y12
	TESTQ $4, BX
	JZ left2ok
	VMOVDQU winoEdge2<>+32(SB), Y12
left2ok:
	VMOVDQU winoEdge2<>+0(SB), Y13
	TESTQ $8, BX
	JZ right2ok
	VMOVDQU winoEdge2<>+64(SB), Y13
right2ok:
	MOVQ nch+48(FP), CX
	TESTQ CX, CX
	JLE win2done
win2chan:
	// rows 0 and 2 of d B, then Bᵀ's first row: positions 0..3
	PATCHROW2(R10, Y0, Y1, Y2, Y3)
	PATCHROW2(R11, Y4, Y5, Y6, Y7)
	MOVQ DI, R9
	WINOSUB2
	ADDQ R8, R9
	// row 1: positions 4..7 (c1+c2) and 8..11 (c2-c1)
	PATCHROW2(SI, Y0, Y1, Y2, Y3)
	WINOADDSUB2
	// row 3: positions 12..15 (c1-c3)
	LEAQ (R9)(R8*4), R9
	PATCHROW2(R12, Y4, Y5, Y6, Y7)
	WINOSUB2
	ADDQ R15, DI
	ADDQ R13, R10
	ADDQ DX, SI
	ADDQ DX, R11
	ADDQ R14, R12
	DECQ CX
	JNZ win2chan
win2done:
	VZEROUPPER
	RET

// OUTCOL2 loads column j of the products (positions j, 4+j, 8+j, 12+j from
// R9, R8 bytes apart) and computes r0 = m0+m1+m2, r1 = m1-m2-m3.
#define OUTCOL2(r0, r1) \
	VMOVUPS (R9), Y8 \
	VMOVUPS (R9)(R8*4), Y9 \
	LEAQ (R9)(R8*8), R10 \
	VMOVUPS (R10), Y10 \
	VMOVUPS (R10)(R8*4), Y11 \
	VADDPS Y9, Y8, r0 \
	VADDPS Y10, r0, r0 \
	VSUBPS Y10, Y9, r1 \
	VSUBPS Y11, r1, r1 \
	ADDQ R8, R9

// OUTROW2 computes output row a (r_a0..r_a3 in q0..q3): columns 2tx
// (q0+q1+q2) and 2tx+1 (q1-q2-q3), interleaved, stored at p: the first 4
// tiles' 8 floats there, the last 4 tiles' BX bytes on (the rest of the
// row, or on maps 8 wide the row of the next tile row).
#define OUTROW2(q0, q1, q2, q3, p) \
	VADDPS q1, q0, Y8 \
	VADDPS q2, Y8, Y8 \
	VSUBPS q2, q1, Y9 \
	VSUBPS q3, Y9, Y9 \
	VUNPCKLPS Y9, Y8, Y10 \
	VUNPCKHPS Y9, Y8, Y11 \
	VPERM2F128 $0x20, Y11, Y10, Y8 \
	VPERM2F128 $0x31, Y11, Y10, Y9 \
	VMOVUPS Y8, (p) \
	VMOVUPS Y9, (p)(BX*1)

// func winoOutAVX2(y *float32, yc, w, off2 int, m *float32, ms, mc, nch int)
// The 2×2 outputs of 8 tiles (of one tile row, or on maps 8 wide of two)
// from their products (positions ms floats apart, channels mc apart in m),
// for nch channels: y is output row 2·ty, column 2·tx0, of the first
// channel (planes yc floats apart); the last 4 tiles' columns are off2
// bytes on.
TEXT ·winoOutAVX2(SB), NOSPLIT, $0-64
	MOVQ y+0(FP), DI
	MOVQ yc+8(FP), DX
	SHLQ $2, DX
	MOVQ w+16(FP), AX
	SHLQ $2, AX
	MOVQ off2+24(FP), BX
	MOVQ m+32(FP), SI
	MOVQ ms+40(FP), R8
	SHLQ $2, R8
	MOVQ mc+48(FP), R15
	SHLQ $2, R15
	MOVQ nch+56(FP), CX
	TESTQ CX, CX
	JLE wout2done
wout2chan:
	MOVQ SI, R9
	OUTCOL2(Y0, Y4)
	OUTCOL2(Y1, Y5)
	OUTCOL2(Y2, Y6)
	OUTCOL2(Y3, Y7)
	OUTROW2(Y0, Y1, Y2, Y3, DI)
	LEAQ (DI)(AX*1), R10
	OUTROW2(Y4, Y5, Y6, Y7, R10)
	ADDQ DX, DI
	ADDQ R15, SI
	DECQ CX
	JNZ wout2chan
wout2done:
	VZEROUPPER
	RET

// DYROW2 stores row (a, b) of A dY, times Aᵀ: a, a+b, a-b, 0-b at positions
// 4i..4i+3 from R9, R8 bytes apart, and moves R9 to position 4i+4; Y15 is
// zero.
#define DYROW2(a, b) \
	VADDPS b, a, Y8 \
	VSUBPS b, a, Y9 \
	VSUBPS b, Y15, Y10 \
	VMOVUPS a, (R9) \
	VMOVUPS Y8, (R9)(R8*1) \
	VMOVUPS Y9, (R9)(R8*2) \
	VMOVUPS Y10, (R9)(R10*1) \
	LEAQ (R9)(R8*4), R9

// func winoDyAVX2(m *float32, ms, mc int, dy *float32, yc, w, off2, nch int)
// dM = A dY Aᵀ of 8 tiles (of one tile row, or on maps 8 wide of two) from
// column 2·tx0, for nch channels (planes yc floats apart in dy, transforms
// mc apart in m): dy is row 2·ty, column 2·tx0, of the first channel; the
// last 4 tiles' columns are off2 bytes on. Position pos goes to
// m + pos·ms.
TEXT ·winoDyAVX2(SB), NOSPLIT, $0-64
	MOVQ m+0(FP), DI
	MOVQ ms+8(FP), R8
	SHLQ $2, R8
	LEAQ (R8)(R8*2), R10
	MOVQ mc+16(FP), R15
	SHLQ $2, R15
	MOVQ dy+24(FP), SI
	MOVQ yc+32(FP), DX
	SHLQ $2, DX
	MOVQ w+40(FP), AX
	SHLQ $2, AX
	MOVQ off2+48(FP), BX
	VXORPS Y15, Y15, Y15
	MOVQ nch+56(FP), CX
	TESTQ CX, CX
	JLE wdy2done
wdy2chan:
	VMOVUPS (SI), Y8
	VMOVUPS (SI)(BX*1), Y9
	EVENODD2($0x88, Y8, Y9, Y0)
	EVENODD2($0xDD, Y8, Y9, Y1)
	LEAQ (SI)(AX*1), R11
	VMOVUPS (R11), Y8
	VMOVUPS (R11)(BX*1), Y9
	EVENODD2($0x88, Y8, Y9, Y2)
	EVENODD2($0xDD, Y8, Y9, Y3)
	// rows of A dY: (y00, y01), (y00+y10, y01+y11), (y00-y10, y01-y11),
	// (0-y10, 0-y11)
	VADDPS Y2, Y0, Y4
	VADDPS Y3, Y1, Y5
	VSUBPS Y2, Y0, Y6
	VSUBPS Y3, Y1, Y7
	VSUBPS Y2, Y15, Y2
	VSUBPS Y3, Y15, Y3
	MOVQ DI, R9
	DYROW2(Y0, Y1)
	DYROW2(Y4, Y5)
	DYROW2(Y6, Y7)
	DYROW2(Y2, Y3)
	ADDQ R15, DI
	ADDQ DX, SI
	DECQ CX
	JNZ wdy2chan
wdy2done:
	VZEROUPPER
	RET


// PATCHROW8 is PATCHROW2 for maps 8 wide: 8 tiles of two tile rows, the
// first 4 from the source row at pa, the last 4 from the row at pb (two
// rows down); each row is read whole, and at columns -2 and 2 with its
// outside lanes masked (Y12, Y13).
#define PATCHROW8(pa, pb, c0, c1, c2, c3) \
	VMOVUPS (pa), Y8 \
	VMOVUPS (pb), Y9 \
	EVENODD2($0x88, Y8, Y9, c1) \
	EVENODD2($0xDD, Y8, Y9, c2) \
	VMASKMOVPS -8(pa), Y12, Y8 \
	VMASKMOVPS -8(pb), Y12, Y9 \
	EVENODD2($0xDD, Y8, Y9, Y10) \
	VMASKMOVPS 8(pa), Y13, Y8 \
	VMASKMOVPS 8(pb), Y13, Y9 \
	EVENODD2($0x88, Y8, Y9, Y11) \
	PATCHC2(c0, c1, c2, c3)

// func winoIn8AVX2(v *float32, vs, vc int, x *float32, xc, nch, flags int)
// winoInAVX2 for maps 8 wide: the 8 tiles of tile rows ty and ty+1, x at
// source row 2·ty of the first channel. flags: 1, row 2ty-1 is outside
// the image; 2, row 2ty+4 is.
TEXT ·winoIn8AVX2(SB), NOSPLIT, $0-56
	MOVQ v+0(FP), DI
	MOVQ vs+8(FP), R8
	SHLQ $2, R8
	MOVQ vc+16(FP), R15
	SHLQ $2, R15
	MOVQ x+24(FP), SI
	MOVQ xc+32(FP), DX
	SHLQ $2, DX
	MOVQ flags+48(FP), BX
	// R10 = row 2ty-1 and R12 = row 2ty+4 (or zeros), R13 and R14 their
	// steps per channel; rows 2ty..2ty+3 are SI + 32 bytes each
	LEAQ -32(SI), R10
	MOVQ DX, R13
	TESTQ $1, BX
	JZ top8ok
	LEAQ winoZeros2<>+32(SB), R10
	XORQ R13, R13
top8ok:
	LEAQ 128(SI), R12
	MOVQ DX, R14
	TESTQ $2, BX
	JZ bottom8ok
	LEAQ winoZeros2<>+32(SB), R12
	XORQ R14, R14
bottom8ok:
	VMOVDQU winoEdge2<>+32(SB), Y12
	VMOVDQU winoEdge2<>+64(SB), Y13
	MOVQ nch+40(FP), CX
	TESTQ CX, CX
	JLE win8done
win8chan:
	// patch row i reads rows 2ty-1+i (tile row ty) and 2ty+1+i (ty+1):
	// R11, AX, BX are rows 2ty+1, 2ty+2, 2ty+3
	LEAQ 32(SI), R11
	LEAQ 64(SI), AX
	LEAQ 96(SI), BX
	PATCHROW8(R10, R11, Y0, Y1, Y2, Y3)
	PATCHROW8(R11, BX, Y4, Y5, Y6, Y7)
	MOVQ DI, R9
	WINOSUB2
	ADDQ R8, R9
	PATCHROW8(SI, AX, Y0, Y1, Y2, Y3)
	WINOADDSUB2
	LEAQ (R9)(R8*4), R9
	PATCHROW8(AX, R12, Y4, Y5, Y6, Y7)
	WINOSUB2
	ADDQ R15, DI
	ADDQ R13, R10
	ADDQ DX, SI
	ADDQ R14, R12
	DECQ CX
	JNZ win8chan
win8done:
	VZEROUPPER
	RET
