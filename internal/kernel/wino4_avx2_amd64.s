//go:build amd64 && !purego

#include "textflag.h"
#include "funcdata.h"

// The Winograd F(4×4, 3×3) transforms (wino4.go) on 8-lane vectors, for
// maps 32, 16 and 8 wide: a vector holds 8 tiles, one tile row of a
// 32-wide map, two of a 16-wide one, or tile rows of two 8×8 images
// (winoLane8), and each call runs the two halves of a vector of 16 tiles
// of the other sets. Each transform first runs along the
// columns, on whole rows of 8 pixels (two tiles' columns), then along the
// rows: the 4 columns of each tile are gathered into 4 vectors of 8 tiles
// by unpacking (and scattered back the same way by the output transform).
// They add and subtract in the order of winoIn41, winoOut41 and winoDy41,
// and multiply only by powers of two (and by 5 in a product rounded on its
// own), so the results are the same bits as the Go transforms'.

DATA w4Four<>+0(SB)/4, $4.0
DATA w4Four<>+4(SB)/4, $4.0
DATA w4Four<>+8(SB)/4, $4.0
DATA w4Four<>+12(SB)/4, $4.0
DATA w4Four<>+16(SB)/4, $4.0
DATA w4Four<>+20(SB)/4, $4.0
DATA w4Four<>+24(SB)/4, $4.0
DATA w4Four<>+28(SB)/4, $4.0
GLOBL w4Four<>(SB), RODATA|NOPTR, $32
DATA w4Five<>+0(SB)/4, $5.0
DATA w4Five<>+4(SB)/4, $5.0
DATA w4Five<>+8(SB)/4, $5.0
DATA w4Five<>+12(SB)/4, $5.0
DATA w4Five<>+16(SB)/4, $5.0
DATA w4Five<>+20(SB)/4, $5.0
DATA w4Five<>+24(SB)/4, $5.0
DATA w4Five<>+28(SB)/4, $5.0
GLOBL w4Five<>(SB), RODATA|NOPTR, $32
DATA w4Two<>+0(SB)/4, $2.0
DATA w4Two<>+4(SB)/4, $2.0
DATA w4Two<>+8(SB)/4, $2.0
DATA w4Two<>+12(SB)/4, $2.0
DATA w4Two<>+16(SB)/4, $2.0
DATA w4Two<>+20(SB)/4, $2.0
DATA w4Two<>+24(SB)/4, $2.0
DATA w4Two<>+28(SB)/4, $2.0
GLOBL w4Two<>(SB), RODATA|NOPTR, $32
DATA w4Eight<>+0(SB)/4, $8.0
DATA w4Eight<>+4(SB)/4, $8.0
DATA w4Eight<>+8(SB)/4, $8.0
DATA w4Eight<>+12(SB)/4, $8.0
DATA w4Eight<>+16(SB)/4, $8.0
DATA w4Eight<>+20(SB)/4, $8.0
DATA w4Eight<>+24(SB)/4, $8.0
DATA w4Eight<>+28(SB)/4, $8.0
GLOBL w4Eight<>(SB), RODATA|NOPTR, $32

// Unpacking 4 vectors of 8 columns (two tiles each) leaves the tiles in
// lanes 0 2 4 6 1 3 5 7: w4Gather puts them in order, w4Scatter back.
DATA w4Gather<>+0(SB)/4, $0
DATA w4Gather<>+4(SB)/4, $4
DATA w4Gather<>+8(SB)/4, $1
DATA w4Gather<>+12(SB)/4, $5
DATA w4Gather<>+16(SB)/4, $2
DATA w4Gather<>+20(SB)/4, $6
DATA w4Gather<>+24(SB)/4, $3
DATA w4Gather<>+28(SB)/4, $7
GLOBL w4Gather<>(SB), RODATA|NOPTR, $32
DATA w4Scatter<>+0(SB)/4, $0
DATA w4Scatter<>+4(SB)/4, $2
DATA w4Scatter<>+8(SB)/4, $4
DATA w4Scatter<>+12(SB)/4, $6
DATA w4Scatter<>+16(SB)/4, $1
DATA w4Scatter<>+20(SB)/4, $3
DATA w4Scatter<>+24(SB)/4, $5
DATA w4Scatter<>+28(SB)/4, $7
GLOBL w4Scatter<>(SB), RODATA|NOPTR, $32

// The previous tile's last column (w4Right) and the next tile's first
// (w4Left), lane by lane.
DATA w4Right<>+0(SB)/4, $0
DATA w4Right<>+4(SB)/4, $0
DATA w4Right<>+8(SB)/4, $1
DATA w4Right<>+12(SB)/4, $2
DATA w4Right<>+16(SB)/4, $3
DATA w4Right<>+20(SB)/4, $4
DATA w4Right<>+24(SB)/4, $5
DATA w4Right<>+28(SB)/4, $6
GLOBL w4Right<>(SB), RODATA|NOPTR, $32
DATA w4Left<>+0(SB)/4, $1
DATA w4Left<>+4(SB)/4, $2
DATA w4Left<>+8(SB)/4, $3
DATA w4Left<>+12(SB)/4, $4
DATA w4Left<>+16(SB)/4, $5
DATA w4Left<>+20(SB)/4, $6
DATA w4Left<>+24(SB)/4, $7
DATA w4Left<>+28(SB)/4, $7
GLOBL w4Left<>(SB), RODATA|NOPTR, $32

// The lanes those columns keep: not the first (w4Right) or last (w4Left)
// tile of a tile row, on 16-wide maps (4 tiles a row), then 32-wide (8),
// then 8-wide (2, four images a vector: see winoLane8).
DATA w4Edge<>+0(SB)/4, $0
DATA w4Edge<>+4(SB)/4, $-1
DATA w4Edge<>+8(SB)/4, $-1
DATA w4Edge<>+12(SB)/4, $-1
DATA w4Edge<>+16(SB)/4, $0
DATA w4Edge<>+20(SB)/4, $-1
DATA w4Edge<>+24(SB)/4, $-1
DATA w4Edge<>+28(SB)/4, $-1
DATA w4Edge<>+32(SB)/4, $-1
DATA w4Edge<>+36(SB)/4, $-1
DATA w4Edge<>+40(SB)/4, $-1
DATA w4Edge<>+44(SB)/4, $0
DATA w4Edge<>+48(SB)/4, $-1
DATA w4Edge<>+52(SB)/4, $-1
DATA w4Edge<>+56(SB)/4, $-1
DATA w4Edge<>+60(SB)/4, $0
DATA w4Edge<>+64(SB)/4, $0
DATA w4Edge<>+68(SB)/4, $-1
DATA w4Edge<>+72(SB)/4, $-1
DATA w4Edge<>+76(SB)/4, $-1
DATA w4Edge<>+80(SB)/4, $-1
DATA w4Edge<>+84(SB)/4, $-1
DATA w4Edge<>+88(SB)/4, $-1
DATA w4Edge<>+92(SB)/4, $-1
DATA w4Edge<>+96(SB)/4, $-1
DATA w4Edge<>+100(SB)/4, $-1
DATA w4Edge<>+104(SB)/4, $-1
DATA w4Edge<>+108(SB)/4, $-1
DATA w4Edge<>+112(SB)/4, $-1
DATA w4Edge<>+116(SB)/4, $-1
DATA w4Edge<>+120(SB)/4, $-1
DATA w4Edge<>+124(SB)/4, $0
DATA w4Edge<>+128(SB)/4, $0
DATA w4Edge<>+132(SB)/4, $-1
DATA w4Edge<>+136(SB)/4, $0
DATA w4Edge<>+140(SB)/4, $-1
DATA w4Edge<>+144(SB)/4, $0
DATA w4Edge<>+148(SB)/4, $-1
DATA w4Edge<>+152(SB)/4, $0
DATA w4Edge<>+156(SB)/4, $-1
DATA w4Edge<>+160(SB)/4, $-1
DATA w4Edge<>+164(SB)/4, $0
DATA w4Edge<>+168(SB)/4, $-1
DATA w4Edge<>+172(SB)/4, $0
DATA w4Edge<>+176(SB)/4, $-1
DATA w4Edge<>+180(SB)/4, $0
DATA w4Edge<>+184(SB)/4, $-1
DATA w4Edge<>+188(SB)/4, $0
GLOBL w4Edge<>(SB), RODATA|NOPTR, $192

// W4GATHER turns the 4 vectors in Y0..Y3 (columns 8i..8i+7 in Y(i)) into
// the 4 columns of the 8 tiles, in order: column c in Y(c). Uses Y4..Y7.
#define W4GATHER \
	VUNPCKLPS Y1, Y0, Y4 \
	VUNPCKHPS Y1, Y0, Y5 \
	VUNPCKLPS Y3, Y2, Y6 \
	VUNPCKHPS Y3, Y2, Y7 \
	VUNPCKLPD Y6, Y4, Y0 \
	VUNPCKHPD Y6, Y4, Y1 \
	VUNPCKLPD Y7, Y5, Y2 \
	VUNPCKHPD Y7, Y5, Y3 \
	VPERMPS Y0, Y13, Y0 \
	VPERMPS Y1, Y13, Y1 \
	VPERMPS Y2, Y13, Y2 \
	VPERMPS Y3, Y13, Y3

// W4IN41 is winoIn41 of d0..d5 into the memory operands o0..o5. Uses Y6..Y8
// and the constants 4 in Y15 and 5 in Y14.
#define W4IN41(d0, d1, d2, d3, d4, d5, o0, o1, o2, o3, o4, o5) \
	VMOVAPS d4, Y6 \
	VFNMADD231PS Y15, d2, Y6 \
	VMOVAPS d3, Y7 \
	VFNMADD231PS Y15, d1, Y7 \
	VADDPS Y7, Y6, Y8 \
	VMOVUPS Y8, o1 \
	VSUBPS Y7, Y6, Y8 \
	VMOVUPS Y8, o2 \
	VSUBPS d2, d4, Y6 \
	VSUBPS d1, d3, Y7 \
	VADDPS Y7, Y7, Y7 \
	VADDPS Y7, Y6, Y8 \
	VMOVUPS Y8, o3 \
	VSUBPS Y7, Y6, Y8 \
	VMOVUPS Y8, o4 \
	VMULPS Y14, d2, Y6 \
	VSUBPS Y6, d4, Y6 \
	VFMADD231PS Y15, d0, Y6 \
	VMOVUPS Y6, o0 \
	VMULPS Y14, d3, Y7 \
	VSUBPS Y7, d5, Y7 \
	VFMADD231PS Y15, d1, Y7 \
	VMOVUPS Y7, o5

// W4INCOL transforms the 8 columns at SI plus the byte offset at o(BX)
// (row -1 of their tile row) down their 6 rows (AX bytes apart) into the
// scratch rows at s0..s5 (from R14), the first and last row loaded under
// the masks at mt and mb (from BX).
#define W4INCOL(o, mt, mb, s0, s1, s2, s3, s4, s5) \
	MOVQ o(BX), R10 \
	ADDQ SI, R10 \
	VMOVUPS mt(BX), Y6 \
	VMASKMOVPS (R10), Y6, Y0 \
	VMOVUPS (R10)(AX*1), Y1 \
	VMOVUPS (R10)(AX*2), Y2 \
	LEAQ (R10)(AX*2), R11 \
	ADDQ AX, R11 \
	VMOVUPS (R11), Y3 \
	VMOVUPS (R11)(AX*1), Y4 \
	VMOVUPS mb(BX), Y6 \
	VMASKMOVPS (R11)(AX*2), Y6, Y5 \
	W4IN41(Y0, Y1, Y2, Y3, Y4, Y5, s0(R14), s1(R14), s2(R14), s3(R14), s4(R14), s5(R14))

// W4INROW transforms scratch row k (s0..s3) along the tiles' rows into
// positions 6k..6k+5 at R10 (6k..6k+2) and R11 (6k+3..6k+5), R8 bytes
// apart, and moves R10, R11 on by R9.
#define W4INROW(s0, s1, s2, s3) \
	VMOVUPS s0(R14), Y0 \
	VMOVUPS s1(R14), Y1 \
	VMOVUPS s2(R14), Y2 \
	VMOVUPS s3(R14), Y3 \
	W4GATHER \
	VMOVUPS w4Right<>(SB), Y4 \
	VPERMPS Y3, Y4, Y4 \
	VANDPS (R13), Y4, Y4 \
	VMOVUPS w4Left<>(SB), Y5 \
	VPERMPS Y0, Y5, Y5 \
	VANDPS 32(R13), Y5, Y5 \
	W4IN41(Y4, Y0, Y1, Y2, Y3, Y5, (R10), (R10)(R8*1), (R10)(R8*2), (R11), (R11)(R8*1), (R11)(R8*2)) \
	ADDQ R9, R10 \
	ADDQ R9, R11

// W4MASK stores at off(R14) the load mask of a row: all lanes unless bit
// b of DX is set.
#define W4MASK(b, off) \
	MOVQ DX, R10 \
	SHRQ $b, R10 \
	ANDQ $1, R10 \
	DECQ R10 \
	VMOVQ R10, X6 \
	VPBROADCASTQ X6, Y6 \
	VMOVUPS Y6, off(R14)

// W4OFF stores at off(R14) the byte offset of the float offset at i(R12).
#define W4OFF(i, off) \
	MOVQ i(R12), R10 \
	SHLQ $2, R10 \
	MOVQ R10, off(R14)

// func winoIn4AVX2(v *float32, vs, vc int, x *float32, xc, w int, offs *int, flags, edge, nch int)
// The F(4×4) input transform of one vector of 16 tiles, nch channels: V =
// Bᵀ d B, position p at v[p·vs + tile], channels vc floats apart in v and
// xc in x. Tiles 2i and 2i+1 (8 columns) lie at x + offs[i], from row -1
// of their tile row, rows w floats apart; bit i of flags set means that
// row -1 is outside the image (zero), bit 8+i row 4 below the tile row.
// edge is 0 for maps 16 wide, 1 for 32, 2 for 8. Each channel's two
// halves of 8 tiles run one after the other, so that each line of V is
// written whole while it is in L1.
TEXT ·winoIn4AVX2(SB), 0, $1376-80
	NO_LOCAL_POINTERS
	LEAQ 31(SP), R14
	ANDQ $~31, R14 // the scratch rows, aligned; then each half's masks and offsets
	MOVQ flags+56(FP), DX
	W4MASK(0, 768)
	W4MASK(1, 800)
	W4MASK(2, 832)
	W4MASK(3, 864)
	W4MASK(8, 896)
	W4MASK(9, 928)
	W4MASK(10, 960)
	W4MASK(11, 992)
	W4MASK(4, 1056)
	W4MASK(5, 1088)
	W4MASK(6, 1120)
	W4MASK(7, 1152)
	W4MASK(12, 1184)
	W4MASK(13, 1216)
	W4MASK(14, 1248)
	W4MASK(15, 1280)
	MOVQ offs+48(FP), R12
	W4OFF(0, 1024)
	W4OFF(8, 1032)
	W4OFF(16, 1040)
	W4OFF(24, 1048)
	W4OFF(32, 1312)
	W4OFF(40, 1320)
	W4OFF(48, 1328)
	W4OFF(56, 1336)
	MOVQ vs+8(FP), R8
	SHLQ $2, R8
	LEAQ (R8)(R8*2), R9
	SHLQ $1, R9 // six positions
	MOVQ w+40(FP), AX
	SHLQ $2, AX
	MOVQ edge+64(FP), R13
	SHLQ $6, R13
	LEAQ w4Edge<>(SB), R12
	ADDQ R12, R13
	VMOVUPS w4Gather<>(SB), Y13
	VMOVUPS w4Five<>(SB), Y14
	VMOVUPS w4Four<>(SB), Y15
	MOVQ v+0(FP), DI
	MOVQ x+24(FP), SI
	MOVQ nch+72(FP), R15
	TESTQ R15, R15
	JLE w4idone
w4ichan:
	LEAQ 768(R14), BX
	MOVQ DI, DX
	MOVQ $2, CX
w4ihalf:
	W4INCOL(256, 0, 128, 0, 128, 256, 384, 512, 640)
	W4INCOL(264, 32, 160, 32, 160, 288, 416, 544, 672)
	W4INCOL(272, 64, 192, 64, 192, 320, 448, 576, 704)
	W4INCOL(280, 96, 224, 96, 224, 352, 480, 608, 736)
	MOVQ DX, R10
	LEAQ (R10)(R8*2), R11
	ADDQ R8, R11
	W4INROW(0, 32, 64, 96)
	W4INROW(128, 160, 192, 224)
	W4INROW(256, 288, 320, 352)
	W4INROW(384, 416, 448, 480)
	W4INROW(512, 544, 576, 608)
	W4INROW(640, 672, 704, 736)
	ADDQ $288, BX
	ADDQ $32, DX
	DECQ CX
	JNZ w4ihalf
	MOVQ vc+16(FP), R10
	LEAQ (DI)(R10*4), DI
	MOVQ xc+32(FP), R10
	LEAQ (SI)(R10*4), SI
	DECQ R15
	JNZ w4ichan
w4idone:
	VZEROUPPER
	RET

// W4OUT41 is winoOut41 of m0..m5 into o0..o3 (registers). Uses Y6..Y9.
#define W4OUT41(m0, m1, m2, m3, m4, m5, o0, o1, o2, o3) \
	VADDPS m2, m1, Y6 \
	VSUBPS m2, m1, Y7 \
	VADDPS m4, m3, Y8 \
	VSUBPS m4, m3, Y9 \
	VADDPS Y6, m0, o0 \
	VADDPS Y8, o0, o0 \
	VMOVAPS Y7, o1 \
	VFMADD231PS w4Two<>(SB), Y9, o1 \
	VMOVAPS Y6, o2 \
	VFMADD231PS w4Four<>(SB), Y8, o2 \
	VMOVAPS Y7, o3 \
	VFMADD231PS w4Eight<>(SB), Y9, o3 \
	VADDPS m5, o3, o3

// W4OUTCOL transforms column j of the products (positions j, 6+j, ..., 30+j
// from R10, R8 bytes apart; R11 = R10 + 3 positions) down into the scratch
// rows s0..s3, then moves R10 and R11 to the next column.
#define W4OUTCOL(s0, s1, s2, s3) \
	VMOVUPS (R10), Y0 \
	VMOVUPS (R10)(R9*1), Y1 \
	VMOVUPS (R10)(R9*2), Y2 \
	VMOVUPS (R11), Y3 \
	VMOVUPS (R11)(R9*1), Y4 \
	VMOVUPS (R11)(R9*2), Y5 \
	W4OUT41(Y0, Y1, Y2, Y3, Y4, Y5, Y10, Y11, Y12, Y13) \
	VMOVUPS Y10, s0(R14) \
	VMOVUPS Y11, s1(R14) \
	VMOVUPS Y12, s2(R14) \
	VMOVUPS Y13, s3(R14) \
	ADDQ R8, R10 \
	ADDQ R8, R11

// W4OUTROW transforms scratch row a (s0..s5) along the tiles' rows and
// writes output row a of the tiles, tiles 2i and 2i+1 at R10, R11, R12,
// R13 for i = 0..3, then moves them down a row.
#define W4OUTROW(s0, s1, s2, s3, s4, s5) \
	VMOVUPS s0(R14), Y0 \
	VMOVUPS s1(R14), Y1 \
	VMOVUPS s2(R14), Y2 \
	VMOVUPS s3(R14), Y3 \
	VMOVUPS s4(R14), Y4 \
	VMOVUPS s5(R14), Y5 \
	W4OUT41(Y0, Y1, Y2, Y3, Y4, Y5, Y10, Y11, Y12, Y13) \
	VPERMPS Y10, Y14, Y10 \
	VPERMPS Y11, Y14, Y11 \
	VPERMPS Y12, Y14, Y12 \
	VPERMPS Y13, Y14, Y13 \
	VUNPCKLPS Y11, Y10, Y0 \
	VUNPCKHPS Y11, Y10, Y1 \
	VUNPCKLPS Y13, Y12, Y2 \
	VUNPCKHPS Y13, Y12, Y3 \
	VUNPCKLPD Y2, Y0, Y4 \
	VUNPCKHPD Y2, Y0, Y5 \
	VUNPCKLPD Y3, Y1, Y6 \
	VUNPCKHPD Y3, Y1, Y7 \
	VMOVUPS Y4, (R10) \
	VMOVUPS Y5, (R11) \
	VMOVUPS Y6, (R12) \
	VMOVUPS Y7, (R13) \
	ADDQ AX, R10 \
	ADDQ AX, R11 \
	ADDQ AX, R12 \
	ADDQ AX, R13

// func winoOut4AVX2(y *float32, yc, w int, offs *int, m *float32, ms, mc, nch int)
// The F(4×4) output transform of one vector of 16 tiles, nch channels: Y =
// Aᵀ M A from the products at m[p·ms + tile], written into the planes at
// y (yc floats apart, rows w floats long), tiles 2i and 2i+1 from row 0 of
// their tile row at y + offs[i]. Each channel's two halves of 8 tiles run
// one after the other, reading each line of M whole while it is in L1.
TEXT ·winoOut4AVX2(SB), 0, $864-64
	NO_LOCAL_POINTERS
	LEAQ 31(SP), R14
	ANDQ $~31, R14
	MOVQ offs+24(FP), R12
	W4OFF(0, 768)
	W4OFF(8, 776)
	W4OFF(16, 784)
	W4OFF(24, 792)
	W4OFF(32, 800)
	W4OFF(40, 808)
	W4OFF(48, 816)
	W4OFF(56, 824)
	MOVQ ms+40(FP), R8
	SHLQ $2, R8
	LEAQ (R8)(R8*2), R9 // the six rows of M are 6 positions apart
	SHLQ $1, R9
	MOVQ w+16(FP), AX
	SHLQ $2, AX
	VMOVUPS w4Scatter<>(SB), Y14
	MOVQ m+32(FP), DI
	MOVQ y+0(FP), SI
	MOVQ nch+56(FP), R15
	TESTQ R15, R15
	JLE w4odone
w4ochan:
	LEAQ 768(R14), BX
	MOVQ DI, DX
	MOVQ $2, CX
w4ohalf:
	MOVQ DX, R10
	LEAQ (R10)(R9*2), R11
	ADDQ R9, R11
	W4OUTCOL(0, 192, 384, 576)
	W4OUTCOL(32, 224, 416, 608)
	W4OUTCOL(64, 256, 448, 640)
	W4OUTCOL(96, 288, 480, 672)
	W4OUTCOL(128, 320, 512, 704)
	W4OUTCOL(160, 352, 544, 736)
	MOVQ 0(BX), R10
	ADDQ SI, R10
	MOVQ 8(BX), R11
	ADDQ SI, R11
	MOVQ 16(BX), R12
	ADDQ SI, R12
	MOVQ 24(BX), R13
	ADDQ SI, R13
	W4OUTROW(0, 32, 64, 96, 128, 160)
	W4OUTROW(192, 224, 256, 288, 320, 352)
	W4OUTROW(384, 416, 448, 480, 512, 544)
	W4OUTROW(576, 608, 640, 672, 704, 736)
	ADDQ $32, BX
	ADDQ $32, DX
	DECQ CX
	JNZ w4ohalf
	MOVQ mc+48(FP), R10
	LEAQ (DI)(R10*4), DI
	MOVQ yc+8(FP), R10
	LEAQ (SI)(R10*4), SI
	DECQ R15
	JNZ w4ochan
w4odone:
	VZEROUPPER
	RET

// W4DY41 is winoDy41 of y0..y3 into the memory operands o0..o5. Uses Y6..Y8.
#define W4DY41(y0, y1, y2, y3, o0, o1, o2, o3, o4, o5) \
	VMOVUPS y0, o0 \
	VMOVUPS y3, o5 \
	VADDPS y2, y0, Y6 \
	VADDPS y3, y1, Y7 \
	VADDPS Y7, Y6, Y8 \
	VMOVUPS Y8, o1 \
	VSUBPS Y7, Y6, Y8 \
	VMOVUPS Y8, o2 \
	VMOVAPS y0, Y6 \
	VFMADD231PS Y15, y2, Y6 \
	VMOVAPS y1, Y7 \
	VFMADD231PS Y15, y3, Y7 \
	VADDPS Y7, Y7, Y7 \
	VADDPS Y7, Y6, Y8 \
	VMOVUPS Y8, o3 \
	VSUBPS Y7, Y6, Y8 \
	VMOVUPS Y8, o4

// W4DYCOL transforms the 8 columns at SI plus the byte offset at o(BX)
// down the 4 rows of their tile row (AX bytes apart) into the scratch rows
// s0..s5.
#define W4DYCOL(o, s0, s1, s2, s3, s4, s5) \
	MOVQ o(BX), R10 \
	ADDQ SI, R10 \
	VMOVUPS (R10), Y0 \
	VMOVUPS (R10)(AX*1), Y1 \
	VMOVUPS (R10)(AX*2), Y2 \
	LEAQ (R10)(AX*2), R11 \
	VMOVUPS (R11)(AX*1), Y3 \
	W4DY41(Y0, Y1, Y2, Y3, s0(R14), s1(R14), s2(R14), s3(R14), s4(R14), s5(R14))

// W4DYROW transforms scratch row k (s0..s3) along the tiles' rows into
// positions 6k..6k+5, as W4INROW.
#define W4DYROW(s0, s1, s2, s3) \
	VMOVUPS s0(R14), Y0 \
	VMOVUPS s1(R14), Y1 \
	VMOVUPS s2(R14), Y2 \
	VMOVUPS s3(R14), Y3 \
	W4GATHER \
	W4DY41(Y0, Y1, Y2, Y3, (R10), (R10)(R8*1), (R10)(R8*2), (R11), (R11)(R8*1), (R11)(R8*2)) \
	ADDQ R9, R10 \
	ADDQ R9, R11

// func winoDy4AVX2(m *float32, ms, mc int, dy *float32, yc, w int, offs *int, nch int)
// The F(4×4) output-gradient transform of one vector of 16 tiles, nch
// channels: dM = A dY Aᵀ, position p at m[p·ms + tile], of the tiles 2i
// and 2i+1 from row 0 of their tile row at dy + offs[i], planes yc floats
// apart, rows w floats long; the two halves as in winoIn4AVX2.
TEXT ·winoDy4AVX2(SB), 0, $864-64
	NO_LOCAL_POINTERS
	LEAQ 31(SP), R14
	ANDQ $~31, R14
	MOVQ offs+48(FP), R12
	W4OFF(0, 768)
	W4OFF(8, 776)
	W4OFF(16, 784)
	W4OFF(24, 792)
	W4OFF(32, 800)
	W4OFF(40, 808)
	W4OFF(48, 816)
	W4OFF(56, 824)
	MOVQ ms+8(FP), R8
	SHLQ $2, R8
	LEAQ (R8)(R8*2), R9
	SHLQ $1, R9
	MOVQ w+40(FP), AX
	SHLQ $2, AX
	VMOVUPS w4Gather<>(SB), Y13
	VMOVUPS w4Four<>(SB), Y15
	MOVQ m+0(FP), DI
	MOVQ dy+24(FP), SI
	MOVQ nch+56(FP), R15
	TESTQ R15, R15
	JLE w4ddone
w4dchan:
	LEAQ 768(R14), BX
	MOVQ DI, DX
	MOVQ $2, CX
w4dhalf:
	W4DYCOL(0, 0, 128, 256, 384, 512, 640)
	W4DYCOL(8, 32, 160, 288, 416, 544, 672)
	W4DYCOL(16, 64, 192, 320, 448, 576, 704)
	W4DYCOL(24, 96, 224, 352, 480, 608, 736)
	MOVQ DX, R10
	LEAQ (R10)(R8*2), R11
	ADDQ R8, R11
	W4DYROW(0, 32, 64, 96)
	W4DYROW(128, 160, 192, 224)
	W4DYROW(256, 288, 320, 352)
	W4DYROW(384, 416, 448, 480)
	W4DYROW(512, 544, 576, 608)
	W4DYROW(640, 672, 704, 736)
	ADDQ $32, BX
	ADDQ $32, DX
	DECQ CX
	JNZ w4dhalf
	MOVQ mc+16(FP), R10
	LEAQ (DI)(R10*4), DI
	MOVQ yc+32(FP), R10
	LEAQ (SI)(R10*4), SI
	DECQ R15
	JNZ w4dchan
w4ddone:
	VZEROUPPER
	RET
