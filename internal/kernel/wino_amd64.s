//go:build amd64 && !purego

#include "textflag.h"

// The Winograd F(2×2, 3×3) transforms (wino.go), 16 tiles per vector. They
// add and subtract in the order of winoInGo and winoOutGo, so the results
// are the same bits.

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

// WINOSTOREV stores Bᵀ (d B) of one vector from the rows' d B (Z0..Z15)
// at R10..R13 (positions 0, 4, 8, 12; R8 = one position, R9 = three) and
// moves them to the next vector.
#define WINOSTOREV \
	WINOCOL(Z0, Z4, Z8, Z12, 0) \
	ADDQ R8, R10 \
	ADDQ R8, R11 \
	ADDQ R8, R12 \
	ADDQ R8, R13 \
	WINOCOL(Z1, Z5, Z9, Z13, 0) \
	ADDQ R8, R10 \
	ADDQ R8, R11 \
	ADDQ R8, R12 \
	ADDQ R8, R13 \
	WINOCOL(Z2, Z6, Z10, Z14, 0) \
	ADDQ R8, R10 \
	ADDQ R8, R11 \
	ADDQ R8, R12 \
	ADDQ R8, R13 \
	WINOCOL(Z3, Z7, Z11, Z15, 0) \
	SUBQ R9, R10 \
	SUBQ R9, R11 \
	SUBQ R9, R12 \
	SUBQ R9, R13 \
	ADDQ $64, R10 \
	ADDQ $64, R11 \
	ADDQ $64, R12 \
	ADDQ $64, R13

// WINOPOS points R10..R13 at positions 0, 4, 8 and 12 from base, R8 bytes
// a position.
#define WINOPOS(base) \
	MOVQ base, R10 \
	LEAQ (R10)(R8*4), R11 \
	LEAQ (R11)(R8*4), R12 \
	LEAQ (R12)(R8*4), R13

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

// WINOOUTVEC computes the 2×2 tiles of one vector from the products at
// R10..R13 + DX (positions 0, 4, 8, 12; R8 = one position, R9 = three) and
// interleaves their columns: the even output row's two halves in Z24 and
// Z20, the odd row's in Z25 and Z22 (Z30, Z31: mergeIdx, kern_amd64.s).
#define WINOOUTVEC \
	WINOOUTCOL(DX*1, Z0, Z4) \
	ADDQ R8, DX \
	WINOOUTCOL(DX*1, Z1, Z5) \
	ADDQ R8, DX \
	WINOOUTCOL(DX*1, Z2, Z6) \
	ADDQ R8, DX \
	WINOOUTCOL(DX*1, Z3, Z7) \
	SUBQ R9, DX \
	VADDPS Z1, Z0, Z20 \
	VADDPS Z2, Z20, Z20 \
	VSUBPS Z2, Z1, Z21 \
	VSUBPS Z3, Z21, Z21 \
	VADDPS Z5, Z4, Z22 \
	VADDPS Z6, Z22, Z22 \
	VSUBPS Z6, Z5, Z23 \
	VSUBPS Z7, Z23, Z23 \
	VMOVAPS Z20, Z24 \
	VPERMT2PS Z21, Z30, Z24 \
	VPERMT2PS Z21, Z31, Z20 \
	VMOVAPS Z22, Z25 \
	VPERMT2PS Z23, Z30, Z25 \
	VPERMT2PS Z23, Z31, Z22

// The lane shifts of the transforms straight from the planes: lane l takes
// lane l-1 (column 2tx-1 from the odd columns) or lane l+1 (column 2tx+2
// from the even ones); the lanes at the ends of a tile row are masked.
DATA winoShift<>+0(SB)/4, $0
DATA winoShift<>+4(SB)/4, $0
DATA winoShift<>+8(SB)/4, $1
DATA winoShift<>+12(SB)/4, $2
DATA winoShift<>+16(SB)/4, $3
DATA winoShift<>+20(SB)/4, $4
DATA winoShift<>+24(SB)/4, $5
DATA winoShift<>+28(SB)/4, $6
DATA winoShift<>+32(SB)/4, $7
DATA winoShift<>+36(SB)/4, $8
DATA winoShift<>+40(SB)/4, $9
DATA winoShift<>+44(SB)/4, $10
DATA winoShift<>+48(SB)/4, $11
DATA winoShift<>+52(SB)/4, $12
DATA winoShift<>+56(SB)/4, $13
DATA winoShift<>+60(SB)/4, $14
DATA winoShift<>+64(SB)/4, $1
DATA winoShift<>+68(SB)/4, $2
DATA winoShift<>+72(SB)/4, $3
DATA winoShift<>+76(SB)/4, $4
DATA winoShift<>+80(SB)/4, $5
DATA winoShift<>+84(SB)/4, $6
DATA winoShift<>+88(SB)/4, $7
DATA winoShift<>+92(SB)/4, $8
DATA winoShift<>+96(SB)/4, $9
DATA winoShift<>+100(SB)/4, $10
DATA winoShift<>+104(SB)/4, $11
DATA winoShift<>+108(SB)/4, $12
DATA winoShift<>+112(SB)/4, $13
DATA winoShift<>+116(SB)/4, $14
DATA winoShift<>+120(SB)/4, $15
DATA winoShift<>+124(SB)/4, $15
GLOBL winoShift<>(SB), RODATA|NOPTR, $128

// WINOPLANEROW turns the two halves of patch row i (Z16: the source row of
// the first 8 or 16 tiles, Z17: the next 16 floats of it or the row of the
// next tile row) into d B: the even columns (Z18) and odd ones (Z16) by
// splitIdx (kern_amd64.s), columns 2tx-1 (Z19) and 2tx+2 (Z20) by the
// shifts, masked with K1 and K2 at the ends of the tile rows.
#define WINOPLANEROW(c0, c1, c2, c3) \
	VMOVAPS Z16, Z18 \
	VPERMT2PS Z17, Z30, Z18 \
	VPERMT2PS Z17, Z31, Z16 \
	VPERMPS.Z Z16, Z28, K1, Z19 \
	VPERMPS.Z Z18, Z29, K2, Z20 \
	VSUBPS Z16, Z19, c0 \
	VADDPS Z16, Z18, c1 \
	VSUBPS Z18, Z16, c2 \
	VSUBPS Z20, Z18, c3

// WINOROW4 loads patch row i of a vector of 4 tile rows of 4 tiles (maps 8
// wide: source rows of 8 floats, the vector's 4 rows 2 rows apart) from CX,
// the row of its first tile row: two rows into each of Z16 and Z17, the
// first load masked with mfirst and the last with mlast.
#define WINOROW4(mfirst, mlast) \
	VMOVUPS.Z (CX), mfirst, Y16 \
	VINSERTF64X4 $1, 64(CX), Z16, Z16 \
	VMOVUPS 128(CX), Y17 \
	VMOVUPS.Z 192(CX), mlast, Y18 \
	VINSERTF64X4 $1, Y18, Z17, Z17

// func winoInAVX512(v *float32, vs, vc int, x *float32, xc, w, off2, nvec, nch int, masks, rowmasks int)
// x is source row 2·ty0 of the first channel; patch row i of a vector reads
// row 2·ty0-1+i at x and off2 bytes on (the second half). rowmasks holds
// the load masks of row 0's halves and row 3's halves, 16 bits each, which
// zero the rows outside the image.
TEXT ·winoInAVX512(SB), NOSPLIT, $0-88
	MOVQ masks+72(FP), DX
	KMOVW DX, K1
	SHRQ $16, DX
	KMOVW DX, K2
	MOVQ rowmasks+80(FP), DX
	KMOVW DX, K3
	SHRQ $16, DX
	KMOVW DX, K4
	SHRQ $16, DX
	KMOVW DX, K5
	SHRQ $16, DX
	KMOVW DX, K6
	KXNORW K7, K7, K7
	VMOVUPS ·splitIdx+0(SB), Z30
	VMOVUPS ·splitIdx+64(SB), Z31
	VMOVUPS winoShift<>+0(SB), Z28
	VMOVUPS winoShift<>+64(SB), Z29
	MOVQ vs+8(FP), R8
	SHLQ $2, R8
	LEAQ (R8)(R8*2), R9
	MOVQ w+40(FP), AX
	SHLQ $2, AX
	MOVQ off2+48(FP), BX
	CMPQ nvec+56(FP), $0
	JLE winoirdone
	CMPQ nch+64(FP), $0
	JLE winoirdone
winoirchan:
	WINOPOS(v+0(FP))
	MOVQ x+24(FP), SI
	MOVQ nvec+56(FP), DI
winoirloop:
	CMPQ AX, $32
	JEQ winoir4
	MOVQ SI, CX
	SUBQ AX, CX
	VMOVUPS.Z (CX), K3, Z16
	VMOVUPS.Z (CX)(BX*1), K4, Z17
	WINOPLANEROW(Z0, Z1, Z2, Z3)
	VMOVUPS (SI), Z16
	VMOVUPS (SI)(BX*1), Z17
	WINOPLANEROW(Z4, Z5, Z6, Z7)
	LEAQ (SI)(AX*1), CX
	VMOVUPS (CX), Z16
	VMOVUPS (CX)(BX*1), Z17
	WINOPLANEROW(Z8, Z9, Z10, Z11)
	LEAQ (SI)(AX*2), CX
	VMOVUPS.Z (CX), K5, Z16
	VMOVUPS.Z (CX)(BX*1), K6, Z17
	WINOPLANEROW(Z12, Z13, Z14, Z15)
	JMP winoirstore
winoir4:
	// maps 8 wide: four tile rows, each patch row four loads (WINOROW4);
	// only the first of row 0 and the last of row 3 may lie outside
	LEAQ -32(SI), CX
	WINOROW4(K3, K7)
	WINOPLANEROW(Z0, Z1, Z2, Z3)
	MOVQ SI, CX
	WINOROW4(K7, K7)
	WINOPLANEROW(Z4, Z5, Z6, Z7)
	LEAQ 32(SI), CX
	WINOROW4(K7, K7)
	WINOPLANEROW(Z8, Z9, Z10, Z11)
	LEAQ 64(SI), CX
	WINOROW4(K7, K6)
	WINOPLANEROW(Z12, Z13, Z14, Z15)
winoirstore:
	WINOSTOREV
	ADDQ $256, SI // 64 source floats: 16 tiles of 2×2
	DECQ DI
	JNZ winoirloop
	MOVQ vc+16(FP), DX
	SHLQ $2, DX
	ADDQ DX, v+0(FP)
	MOVQ xc+32(FP), DX
	SHLQ $2, DX
	ADDQ DX, x+24(FP)
	DECQ nch+64(FP)
	JNZ winoirchan
winoirdone:
	VZEROUPPER
	RET

// func winoOutAVX512(y *float32, yc, w, off2 int, m *float32, ms, mc, nvec, nch int)
// y is output row 2·ty0 of the first channel; the even row of a vector's
// tiles goes to y (first half) and off2 bytes on (second half), the odd row
// w floats further.
TEXT ·winoOutAVX512(SB), NOSPLIT, $0-72
	VMOVUPS ·mergeIdx+0(SB), Z30
	VMOVUPS ·mergeIdx+64(SB), Z31
	MOVQ w+16(FP), AX
	SHLQ $2, AX
	MOVQ off2+24(FP), BX
	MOVQ ms+40(FP), R8
	SHLQ $2, R8
	LEAQ (R8)(R8*2), R9
	CMPQ nvec+56(FP), $0
	JLE winoordone
	CMPQ nch+64(FP), $0
	JLE winoordone
winoorchan:
	MOVQ y+0(FP), DI
	WINOPOS(m+32(FP))
	MOVQ nvec+56(FP), CX
	XORQ DX, DX
winoorloop:
	WINOOUTVEC
	CMPQ AX, $32
	JEQ winoor4
	VMOVUPS Z24, (DI)
	VMOVUPS Z20, (DI)(BX*1)
	LEAQ (DI)(AX*1), SI
	VMOVUPS Z25, (SI)
	VMOVUPS Z22, (SI)(BX*1)
	JMP winoornext
winoor4:
	// maps 8 wide: each half of an interleaved row holds two output rows
	// of 8 floats, 2 rows apart; the odd rows follow the even ones
	VMOVUPS Y24, (DI)
	VEXTRACTF64X4 $1, Z24, 64(DI)
	VMOVUPS Y20, 128(DI)
	VEXTRACTF64X4 $1, Z20, 192(DI)
	VMOVUPS Y25, 32(DI)
	VEXTRACTF64X4 $1, Z25, 96(DI)
	VMOVUPS Y22, 160(DI)
	VEXTRACTF64X4 $1, Z22, 224(DI)
winoornext:
	ADDQ $256, DI
	ADDQ $64, DX
	DECQ CX
	JNZ winoorloop
	MOVQ yc+8(FP), SI
	SHLQ $2, SI
	ADDQ SI, y+0(FP)
	MOVQ mc+48(FP), SI
	SHLQ $2, SI
	ADDQ SI, m+32(FP)
	DECQ nch+64(FP)
	JNZ winoorchan
winoordone:
	VZEROUPPER
	RET


// DYROW stores row (a, b) of A dY, times Aᵀ: a, a+b, a-b, 0-b at positions
// 4i..4i+3, from base (position 4i) ms (R8) bytes apart; Z31 is zero.
#define DYROW(a, b, base) \
	VADDPS b, a, Z20 \
	VSUBPS b, a, Z21 \
	VSUBPS b, Z31, Z22 \
	VMOVUPS a, (base) \
	VMOVUPS Z20, (base)(R8*1) \
	VMOVUPS Z21, (base)(R8*2) \
	VMOVUPS Z22, (base)(R9*1)

// WINODY computes dM for one vector from y00 (Z0), y01 (Z1), y10 (Z2),
// y11 (Z3) and stores it at R10..R13 (positions 0, 4, 8, 12).
#define WINODY \
	VADDPS Z2, Z0, Z4 \
	VADDPS Z3, Z1, Z5 \
	VSUBPS Z2, Z0, Z6 \
	VSUBPS Z3, Z1, Z7 \
	VSUBPS Z2, Z31, Z8 \
	VSUBPS Z3, Z31, Z9 \
	DYROW(Z0, Z1, R10) \
	DYROW(Z4, Z5, R11) \
	DYROW(Z6, Z7, R12) \
	DYROW(Z8, Z9, R13)

// func winoDyAVX512(m *float32, ms, mc int, dy *float32, yc, w, off2, nvec, nch int)
// dy is row 2·ty0 of the first channel; a vector's even row is at dy (first
// half) and off2 bytes on (second half), its odd row w floats further.
TEXT ·winoDyAVX512(SB), NOSPLIT, $0-72
	VMOVUPS ·splitIdx+0(SB), Z30
	VMOVUPS ·splitIdx+64(SB), Z29
	VXORPS Z31, Z31, Z31
	MOVQ ms+8(FP), R8
	SHLQ $2, R8
	LEAQ (R8)(R8*2), R9
	MOVQ w+40(FP), AX
	SHLQ $2, AX
	MOVQ off2+48(FP), BX
	CMPQ nvec+56(FP), $0
	JLE winodydone
	CMPQ nch+64(FP), $0
	JLE winodydone
winodychan:
	WINOPOS(m+0(FP))
	MOVQ dy+24(FP), SI
	MOVQ nvec+56(FP), CX
winodyloop:
	CMPQ AX, $32
	JEQ winody4
	VMOVUPS (SI), Z0
	VMOVUPS (SI)(BX*1), Z16
	LEAQ (SI)(AX*1), DX
	VMOVUPS (DX), Z2
	VMOVUPS (DX)(BX*1), Z17
	JMP winodysplit
winody4:
	// maps 8 wide: the vector's 4 even rows of 8 floats, 2 rows apart,
	// each followed by its odd row
	VMOVUPS (SI), Y0
	VINSERTF64X4 $1, 64(SI), Z0, Z0
	VMOVUPS 128(SI), Y16
	VINSERTF64X4 $1, 192(SI), Z16, Z16
	VMOVUPS 32(SI), Y2
	VINSERTF64X4 $1, 96(SI), Z2, Z2
	VMOVUPS 160(SI), Y17
	VINSERTF64X4 $1, 224(SI), Z17, Z17
winodysplit:
	VMOVAPS Z0, Z1
	VPERMT2PS Z16, Z30, Z0
	VPERMT2PS Z16, Z29, Z1
	VMOVAPS Z2, Z3
	VPERMT2PS Z17, Z30, Z2
	VPERMT2PS Z17, Z29, Z3
	WINODY
	ADDQ $256, SI
	ADDQ $64, R10
	ADDQ $64, R11
	ADDQ $64, R12
	ADDQ $64, R13
	DECQ CX
	JNZ winodyloop
	MOVQ mc+16(FP), DX
	SHLQ $2, DX
	ADDQ DX, m+0(FP)
	MOVQ yc+32(FP), DX
	SHLQ $2, DX
	ADDQ DX, dy+24(FP)
	DECQ nch+64(FP)
	JNZ winodychan
winodydone:
	VZEROUPPER
	RET



// The Winograd F(4×4, 3×3) transforms (wino4.go) for maps 32 wide (a
// vector of 16 tiles is two tile rows of 8) and 16 wide (four tile rows of
// 4, a whole image). A vector's source rows come in four slots of 16
// floats: the two halves of the two tile rows' rows (32 wide) or the rows
// of the four tile rows (16 wide), off1 bytes apart for the second and
// 512 for the third. They add in the order of winoIn4Go and winoOut4Go, so
// the results are the same bits.

// Phases of a slot pair: lane t < 8 takes column 4t+m of the pair (m = 0,
// 2), lane 8+t column 4t+m+1; for maps 16 wide the pair's second slot
// holds the next tile row, and the same indices pick its tiles.
DATA wino4Idx01<>+0(SB)/4, $0
DATA wino4Idx01<>+4(SB)/4, $4
DATA wino4Idx01<>+8(SB)/4, $8
DATA wino4Idx01<>+12(SB)/4, $12
DATA wino4Idx01<>+16(SB)/4, $16
DATA wino4Idx01<>+20(SB)/4, $20
DATA wino4Idx01<>+24(SB)/4, $24
DATA wino4Idx01<>+28(SB)/4, $28
DATA wino4Idx01<>+32(SB)/4, $1
DATA wino4Idx01<>+36(SB)/4, $5
DATA wino4Idx01<>+40(SB)/4, $9
DATA wino4Idx01<>+44(SB)/4, $13
DATA wino4Idx01<>+48(SB)/4, $17
DATA wino4Idx01<>+52(SB)/4, $21
DATA wino4Idx01<>+56(SB)/4, $25
DATA wino4Idx01<>+60(SB)/4, $29
GLOBL wino4Idx01<>(SB), RODATA|NOPTR, $64
DATA wino4Idx23<>+0(SB)/4, $2
DATA wino4Idx23<>+4(SB)/4, $6
DATA wino4Idx23<>+8(SB)/4, $10
DATA wino4Idx23<>+12(SB)/4, $14
DATA wino4Idx23<>+16(SB)/4, $18
DATA wino4Idx23<>+20(SB)/4, $22
DATA wino4Idx23<>+24(SB)/4, $26
DATA wino4Idx23<>+28(SB)/4, $30
DATA wino4Idx23<>+32(SB)/4, $3
DATA wino4Idx23<>+36(SB)/4, $7
DATA wino4Idx23<>+40(SB)/4, $11
DATA wino4Idx23<>+44(SB)/4, $15
DATA wino4Idx23<>+48(SB)/4, $19
DATA wino4Idx23<>+52(SB)/4, $23
DATA wino4Idx23<>+56(SB)/4, $27
DATA wino4Idx23<>+60(SB)/4, $31
GLOBL wino4Idx23<>(SB), RODATA|NOPTR, $64

// The inverse, for the outputs: column c of a slot, tile c/4, column c%4 of
// the tile, from the pair of (column 0, 1) and (column 2, 3) vectors.
DATA wino4Out0<>+0(SB)/4, $0
DATA wino4Out0<>+4(SB)/4, $8
DATA wino4Out0<>+8(SB)/4, $16
DATA wino4Out0<>+12(SB)/4, $24
DATA wino4Out0<>+16(SB)/4, $1
DATA wino4Out0<>+20(SB)/4, $9
DATA wino4Out0<>+24(SB)/4, $17
DATA wino4Out0<>+28(SB)/4, $25
DATA wino4Out0<>+32(SB)/4, $2
DATA wino4Out0<>+36(SB)/4, $10
DATA wino4Out0<>+40(SB)/4, $18
DATA wino4Out0<>+44(SB)/4, $26
DATA wino4Out0<>+48(SB)/4, $3
DATA wino4Out0<>+52(SB)/4, $11
DATA wino4Out0<>+56(SB)/4, $19
DATA wino4Out0<>+60(SB)/4, $27
GLOBL wino4Out0<>(SB), RODATA|NOPTR, $64
DATA wino4Out1<>+0(SB)/4, $4
DATA wino4Out1<>+4(SB)/4, $12
DATA wino4Out1<>+8(SB)/4, $20
DATA wino4Out1<>+12(SB)/4, $28
DATA wino4Out1<>+16(SB)/4, $5
DATA wino4Out1<>+20(SB)/4, $13
DATA wino4Out1<>+24(SB)/4, $21
DATA wino4Out1<>+28(SB)/4, $29
DATA wino4Out1<>+32(SB)/4, $6
DATA wino4Out1<>+36(SB)/4, $14
DATA wino4Out1<>+40(SB)/4, $22
DATA wino4Out1<>+44(SB)/4, $30
DATA wino4Out1<>+48(SB)/4, $7
DATA wino4Out1<>+52(SB)/4, $15
DATA wino4Out1<>+56(SB)/4, $23
DATA wino4Out1<>+60(SB)/4, $31
GLOBL wino4Out1<>(SB), RODATA|NOPTR, $64

// Constants of the transforms' multiply-adds, broadcast from memory; each
// multiplies exactly (a power of two) or is rounded on its own (5x), so
// the results are those of winoIn41, winoOut41 and winoDy41.
DATA wino4Two<>+0(SB)/4, $2.0
GLOBL wino4Two<>(SB), RODATA|NOPTR, $4
DATA wino4Four<>+0(SB)/4, $4.0
GLOBL wino4Four<>(SB), RODATA|NOPTR, $4
DATA wino4Five<>+0(SB)/4, $5.0
GLOBL wino4Five<>(SB), RODATA|NOPTR, $4
DATA wino4Eight<>+0(SB)/4, $8.0
GLOBL wino4Eight<>(SB), RODATA|NOPTR, $4

// WINO4VERT is Bᵀ d over the six source rows in Z24..Z29 (one slot), into
// t0..t5, in the order of winoIn41. Uses Z30, Z31.
#define WINO4VERT(t0, t1, t2, t3, t4, t5) \
	VMOVAPS Z28, Z30 \
	VFNMADD231PS.BCST wino4Four<>(SB), Z26, Z30 \
	VMOVAPS Z27, Z31 \
	VFNMADD231PS.BCST wino4Four<>(SB), Z25, Z31 \
	VADDPS Z31, Z30, t1 \
	VSUBPS Z31, Z30, t2 \
	VSUBPS Z26, Z28, Z30 \
	VSUBPS Z25, Z27, Z31 \
	VADDPS Z31, Z31, Z31 \
	VADDPS Z31, Z30, t3 \
	VSUBPS Z31, Z30, t4 \
	VMULPS.BCST wino4Five<>(SB), Z26, Z30 \
	VSUBPS Z30, Z28, t0 \
	VFMADD231PS.BCST wino4Four<>(SB), Z24, t0 \
	VMULPS.BCST wino4Five<>(SB), Z27, Z30 \
	VSUBPS Z30, Z29, t5 \
	VFMADD231PS.BCST wino4Four<>(SB), Z25, t5

// WINO4HORIZ turns row k of Bᵀ d (slots in a, b, c, e) into positions
// 6k..6k+5 at R10 (6k, 6k+1, 6k+2) and R11 (6k+3..6k+5), R8 bytes apart:
// the phases by the index tables, columns 4tx-1 and 4tx+4 by the shifts
// (K1, K2 zero them at the ends of the tile rows), then winoIn41. Uses
// Z24..Z31; a, b, c, e are overwritten.
#define WINO4HORIZ(a, b, c, e) \
	VMOVUPS wino4Idx01<>(SB), Z24 \
	VPERMI2PS b, a, Z24 \
	VMOVUPS wino4Idx23<>(SB), Z25 \
	VPERMI2PS b, a, Z25 \
	VMOVUPS wino4Idx01<>(SB), Z26 \
	VPERMI2PS e, c, Z26 \
	VMOVUPS wino4Idx23<>(SB), Z27 \
	VPERMI2PS e, c, Z27 \
	VSHUFF64X2 $0x44, Z26, Z24, Z28 \
	VSHUFF64X2 $0xEE, Z26, Z24, Z29 \
	VSHUFF64X2 $0x44, Z27, Z25, Z30 \
	VSHUFF64X2 $0xEE, Z27, Z25, Z31 \
	VMOVUPS winoShift<>+0(SB), a \
	VPERMPS.Z Z31, a, K1, a \
	VMOVUPS winoShift<>+64(SB), b \
	VPERMPS.Z Z28, b, K2, b \
	VMOVAPS Z31, Z24 \
	VFNMADD231PS.BCST wino4Four<>(SB), Z29, Z24 \
	VMOVAPS Z30, Z25 \
	VFNMADD231PS.BCST wino4Four<>(SB), Z28, Z25 \
	VADDPS Z25, Z24, c \
	VMOVUPS c, (R10)(R8*1) \
	VSUBPS Z25, Z24, c \
	VMOVUPS c, (R10)(R8*2) \
	VSUBPS Z29, Z31, Z24 \
	VSUBPS Z28, Z30, Z25 \
	VADDPS Z25, Z25, Z25 \
	VADDPS Z25, Z24, c \
	VMOVUPS c, (R11) \
	VSUBPS Z25, Z24, c \
	VMOVUPS c, (R11)(R8*1) \
	VMULPS.BCST wino4Five<>(SB), Z29, Z26 \
	VSUBPS Z26, Z31, Z26 \
	VFMADD231PS.BCST wino4Four<>(SB), a, Z26 \
	VMOVUPS Z26, (R10) \
	VMULPS.BCST wino4Five<>(SB), Z30, Z27 \
	VSUBPS Z27, b, Z27 \
	VFMADD231PS.BCST wino4Four<>(SB), Z28, Z27 \
	VMOVUPS Z27, (R11)(R8*2) \
	ADDQ R9, R10 \
	ADDQ R9, R11

// WINO4PRO applies a convolution's prologue to the six source rows in
// Z24..Z29 of one slot: x·scale + shift (one rounding, as bnApplyAVX512),
// then the maximum with the floor as bnApplyAVX512 takes it (0 for the
// ReLU, -Inf without), then zeros again in the lanes of the row the slot
// loads masked (mrow, with mask km), which are padding. R13 and R14 point
// at the channel's scale and shift. Uses Z30, Z31.
#define WINO4PRO(mrow, km) \
	VBROADCASTSS (R13), Z30 \
	VBROADCASTSS floor+104(FP), Z31 \
	VFMADD213PS.BCST (R14), Z30, Z24 \
	VFMADD213PS.BCST (R14), Z30, Z25 \
	VFMADD213PS.BCST (R14), Z30, Z26 \
	VFMADD213PS.BCST (R14), Z30, Z27 \
	VFMADD213PS.BCST (R14), Z30, Z28 \
	VFMADD213PS.BCST (R14), Z30, Z29 \
	VMAXPS Z24, Z31, Z24 \
	VMAXPS Z25, Z31, Z25 \
	VMAXPS Z26, Z31, Z26 \
	VMAXPS Z27, Z31, Z27 \
	VMAXPS Z28, Z31, Z28 \
	VMAXPS Z29, Z31, Z29 \
	VMOVAPS.Z mrow, km, mrow

// func winoIn4AVX512(v *float32, vs, vc int, x *float32, xc, w, off1, nvec, nch int, masks, rowmasks int, scale, shift *float32, floor uint32)
// x is source row 4·ty0 of the first channel; a vector's slot q reads rows
// 4·ty0-1 .. 4·ty0+4 at x - w floats + its offset. rowmasks: the load masks
// of row 0 of slots 0 and 1 and of row 5 of slots 2 and 3, 16 bits each.
// scale, if not nil, and shift are the prologue's maps, one float per
// channel, and floor its floor's bits (see WINO4PRO).
TEXT ·winoIn4AVX512(SB), NOSPLIT, $0-108
	MOVQ masks+72(FP), DX
	KMOVW DX, K1
	SHRQ $16, DX
	KMOVW DX, K2
	MOVQ rowmasks+80(FP), DX
	KMOVW DX, K3
	SHRQ $16, DX
	KMOVW DX, K4
	SHRQ $16, DX
	KMOVW DX, K5
	SHRQ $16, DX
	KMOVW DX, K6
	KXNORW K7, K7, K7
	MOVQ vs+8(FP), R8
	SHLQ $2, R8
	LEAQ (R8)(R8*2), R9
	SHLQ $1, R9 // six positions
	MOVQ w+40(FP), AX
	SHLQ $2, AX
	MOVQ off1+48(FP), BX
	CMPQ nvec+56(FP), $0
	JLE wino4idone
	CMPQ nch+64(FP), $0
	JLE wino4idone
	MOVQ scale+88(FP), R13
	MOVQ shift+96(FP), R14
wino4ichan:
	MOVQ v+0(FP), DI
	MOVQ x+24(FP), SI
	MOVQ nvec+56(FP), R12
wino4iloop:
	MOVQ SI, CX
	SUBQ AX, CX
	LEAQ (CX)(AX*2), DX
	ADDQ AX, DX
	VMOVUPS.Z (CX), K3, Z24
	VMOVUPS (CX)(AX*1), Z25
	VMOVUPS (CX)(AX*2), Z26
	VMOVUPS (DX), Z27
	VMOVUPS (DX)(AX*1), Z28
	VMOVUPS.Z (DX)(AX*2), K7, Z29
	TESTQ R13, R13
	JZ wino4inopro0
	WINO4PRO(Z24, K3)
wino4inopro0:
	WINO4VERT(Z0, Z4, Z8, Z12, Z16, Z20)
	ADDQ BX, CX
	ADDQ BX, DX
	VMOVUPS.Z (CX), K4, Z24
	VMOVUPS (CX)(AX*1), Z25
	VMOVUPS (CX)(AX*2), Z26
	VMOVUPS (DX), Z27
	VMOVUPS (DX)(AX*1), Z28
	VMOVUPS.Z (DX)(AX*2), K7, Z29
	TESTQ R13, R13
	JZ wino4inopro1
	WINO4PRO(Z24, K4)
wino4inopro1:
	WINO4VERT(Z1, Z5, Z9, Z13, Z17, Z21)
	SUBQ BX, CX
	SUBQ BX, DX
	ADDQ $512, CX
	ADDQ $512, DX
	VMOVUPS.Z (CX), K7, Z24
	VMOVUPS (CX)(AX*1), Z25
	VMOVUPS (CX)(AX*2), Z26
	VMOVUPS (DX), Z27
	VMOVUPS (DX)(AX*1), Z28
	VMOVUPS.Z (DX)(AX*2), K5, Z29
	TESTQ R13, R13
	JZ wino4inopro2
	WINO4PRO(Z29, K5)
wino4inopro2:
	WINO4VERT(Z2, Z6, Z10, Z14, Z18, Z22)
	ADDQ BX, CX
	ADDQ BX, DX
	VMOVUPS.Z (CX), K7, Z24
	VMOVUPS (CX)(AX*1), Z25
	VMOVUPS (CX)(AX*2), Z26
	VMOVUPS (DX), Z27
	VMOVUPS (DX)(AX*1), Z28
	VMOVUPS.Z (DX)(AX*2), K6, Z29
	TESTQ R13, R13
	JZ wino4inopro3
	WINO4PRO(Z29, K6)
wino4inopro3:
	WINO4VERT(Z3, Z7, Z11, Z15, Z19, Z23)
	MOVQ DI, R10
	LEAQ (R10)(R8*2), R11
	ADDQ R8, R11
	WINO4HORIZ(Z0, Z1, Z2, Z3)
	WINO4HORIZ(Z4, Z5, Z6, Z7)
	WINO4HORIZ(Z8, Z9, Z10, Z11)
	WINO4HORIZ(Z12, Z13, Z14, Z15)
	WINO4HORIZ(Z16, Z17, Z18, Z19)
	WINO4HORIZ(Z20, Z21, Z22, Z23)
	ADDQ $1024, SI // 16 tiles of 4×4
	ADDQ $64, DI
	DECQ R12
	JNZ wino4iloop
	MOVQ vc+16(FP), DX
	SHLQ $2, DX
	ADDQ DX, v+0(FP)
	MOVQ xc+32(FP), DX
	SHLQ $2, DX
	ADDQ DX, x+24(FP)
	TESTQ R13, R13
	JZ wino4inext
	ADDQ $4, R13
	ADDQ $4, R14
wino4inext:
	DECQ nch+64(FP)
	JNZ wino4ichan
wino4idone:
	VZEROUPPER
	RET

// WINO4OUT1 is winoOut41 of m0..m5 into o0..o3, using Z30, Z31 (the caller
// keeps the m's and o's apart from them and o2, o3 apart from the m's
// still read).
#define WINO4OUT1(m0, m1, m2, m3, m4, m5, o0, o1, o2, o3) \
	VADDPS m2, m1, Z30 \
	VSUBPS m2, m1, Z31 \
	VADDPS m4, m3, o2 \
	VSUBPS m4, m3, o3 \
	VADDPS Z30, m0, o0 \
	VADDPS o2, o0, o0 \
	VMOVAPS Z31, o1 \
	VFMADD231PS.BCST wino4Two<>(SB), o3, o1 \
	VFMADD132PS.BCST wino4Four<>(SB), Z30, o2 \
	VFMADD132PS.BCST wino4Eight<>(SB), Z31, o3 \
	VADDPS m5, o3, o3

// WINO4COL loads column j of the products (positions j, 6+j, .., 30+j from
// R10 and R11 = R10 + 18 positions, R9 bytes = six positions apart) and
// computes rows 0..3 of Aᵀ M into o0..o3; it moves R10 to the next column.
#define WINO4COL(o0, o1, o2, o3) \
	LEAQ (R10)(R9*2), R11 \
	ADDQ R9, R11 \
	VMOVUPS (R10), Z24 \
	VMOVUPS (R10)(R9*1), Z25 \
	VMOVUPS (R10)(R9*2), Z26 \
	VMOVUPS (R11), Z27 \
	VMOVUPS (R11)(R9*1), Z28 \
	VMOVUPS (R11)(R9*2), Z29 \
	WINO4OUT1(Z24, Z25, Z26, Z27, Z28, Z29, o0, o1, o2, o3) \
	ADDQ R8, R10

// WINO4OCOLS computes Aᵀ M of a vector's products at SI (positions R8
// bytes apart, R9 = six positions): row a, column j in Z(6a+j).
#define WINO4OCOLS \
	MOVQ SI, R10 \
	WINO4COL(Z0, Z6, Z12, Z18) \
	WINO4COL(Z1, Z7, Z13, Z19) \
	WINO4COL(Z2, Z8, Z14, Z20) \
	WINO4COL(Z3, Z9, Z15, Z21) \
	WINO4COL(Z4, Z10, Z16, Z22) \
	WINO4COL(Z5, Z11, Z17, Z23)

// WINO4ROWV computes output row a of a vector's tiles from row a of Aᵀ M
// (m0..m5): its four slots, in Z24..Z27.
#define WINO4ROWV(m0, m1, m2, m3, m4, m5) \
	WINO4OUT1(m0, m1, m2, m3, m4, m5, Z24, Z25, Z26, Z27) \
	VSHUFF64X2 $0x44, Z25, Z24, Z28 \
	VSHUFF64X2 $0x44, Z27, Z26, Z29 \
	VSHUFF64X2 $0xEE, Z25, Z24, Z30 \
	VSHUFF64X2 $0xEE, Z27, Z26, Z31 \
	VMOVUPS wino4Out0<>(SB), Z24 \
	VPERMI2PS Z29, Z28, Z24 \
	VMOVUPS wino4Out1<>(SB), Z25 \
	VPERMI2PS Z29, Z28, Z25 \
	VMOVUPS wino4Out0<>(SB), Z26 \
	VPERMI2PS Z31, Z30, Z26 \
	VMOVUPS wino4Out1<>(SB), Z27 \
	VPERMI2PS Z31, Z30, Z27

// WINO4ROW computes output row a of a vector's tiles (WINO4ROWV) and stores
// its four slots at R12 (off1 in BX, then 512 on).
#define WINO4ROW(m0, m1, m2, m3, m4, m5) \
	WINO4ROWV(m0, m1, m2, m3, m4, m5) \
	VMOVUPS Z24, (R12) \
	VMOVUPS Z25, (R12)(BX*1) \
	VMOVUPS Z26, 512(R12) \
	VMOVUPS Z27, 512(R12)(BX*1) \
	ADDQ AX, R12

// func winoOut4AVX512(y *float32, yc, w, off1 int, m *float32, ms, mc, nvec, nch int)
// y is output row 4·ty0 of the first channel; row a of a vector's tiles
// goes to its four slots, as the input transform reads them.
TEXT ·winoOut4AVX512(SB), NOSPLIT, $0-72
	MOVQ w+16(FP), AX
	SHLQ $2, AX
	MOVQ off1+24(FP), BX
	MOVQ ms+40(FP), R8
	SHLQ $2, R8
	LEAQ (R8)(R8*2), R9
	SHLQ $1, R9
	CMPQ nvec+56(FP), $0
	JLE wino4odone
	CMPQ nch+64(FP), $0
	JLE wino4odone
wino4ochan:
	MOVQ y+0(FP), DI
	MOVQ m+32(FP), SI
	MOVQ nvec+56(FP), R13
wino4oloop:
	WINO4OCOLS
	MOVQ DI, R12
	WINO4ROW(Z0, Z1, Z2, Z3, Z4, Z5)
	WINO4ROW(Z6, Z7, Z8, Z9, Z10, Z11)
	WINO4ROW(Z12, Z13, Z14, Z15, Z16, Z17)
	WINO4ROW(Z18, Z19, Z20, Z21, Z22, Z23)
	ADDQ $1024, DI
	ADDQ $64, SI
	DECQ R13
	JNZ wino4oloop
	MOVQ yc+8(FP), DX
	SHLQ $2, DX
	ADDQ DX, y+0(FP)
	MOVQ mc+48(FP), DX
	SHLQ $2, DX
	ADDQ DX, m+32(FP)
	DECQ nch+64(FP)
	JNZ wino4ochan
wino4odone:
	VZEROUPPER
	RET


// WINO4DY1 is winoDy41 of y0..y3 into m0..m5, using Z28, Z29 (the m's apart
// from the y's, but for m0 and m5, which may be y0 and y3 themselves).
#define WINO4DY1(y0, y1, y2, y3, m0, m1, m2, m3, m4, m5) \
	VADDPS y2, y0, Z28 \
	VADDPS y3, y1, Z29 \
	VADDPS Z29, Z28, m1 \
	VSUBPS Z29, Z28, m2 \
	VMOVAPS y0, Z28 \
	VFMADD231PS.BCST wino4Four<>(SB), y2, Z28 \
	VMOVAPS y1, Z29 \
	VFMADD231PS.BCST wino4Four<>(SB), y3, Z29 \
	VADDPS Z29, Z29, Z29 \
	VADDPS Z29, Z28, m3 \
	VSUBPS Z29, Z28, m4 \
	VMOVAPS y0, m0 \
	VMOVAPS y3, m5

// WINO4DYSLOT computes A dY over the four rows of one slot (from CX, AX
// bytes apart) into t0..t5.
#define WINO4DYSLOT(t0, t1, t2, t3, t4, t5) \
	VMOVUPS (CX), Z24 \
	VMOVUPS (CX)(AX*1), Z25 \
	VMOVUPS (CX)(AX*2), Z26 \
	LEAQ (CX)(AX*2), DX \
	VMOVUPS (DX)(AX*1), Z27 \
	WINO4DY1(Z24, Z25, Z26, Z27, t0, t1, t2, t3, t4, t5)

// WINO4DYROW turns row k of A dY (slots in a, b, c, e) into positions
// 6k..6k+5 at R10 and R11, as WINO4HORIZ: the four phases, then winoDy41.
#define WINO4DYROW(a, b, c, e) \
	VMOVUPS wino4Idx01<>(SB), Z24 \
	VPERMI2PS b, a, Z24 \
	VMOVUPS wino4Idx23<>(SB), Z25 \
	VPERMI2PS b, a, Z25 \
	VMOVUPS wino4Idx01<>(SB), Z26 \
	VPERMI2PS e, c, Z26 \
	VMOVUPS wino4Idx23<>(SB), Z27 \
	VPERMI2PS e, c, Z27 \
	VSHUFF64X2 $0x44, Z26, Z24, Z30 \
	VSHUFF64X2 $0xEE, Z26, Z24, Z31 \
	VSHUFF64X2 $0x44, Z27, Z25, a \
	VSHUFF64X2 $0xEE, Z27, Z25, b \
	WINO4DY1(Z30, Z31, a, b, Z24, Z25, Z26, Z27, c, e) \
	VMOVUPS Z24, (R10) \
	VMOVUPS Z25, (R10)(R8*1) \
	VMOVUPS Z26, (R10)(R8*2) \
	VMOVUPS Z27, (R11) \
	VMOVUPS c, (R11)(R8*1) \
	VMOVUPS e, (R11)(R8*2) \
	ADDQ R9, R10 \
	ADDQ R9, R11

// func winoDy4AVX512(m *float32, ms, mc int, dy *float32, yc, w, off1, nvec, nch int)
// dM = A dY Aᵀ of the F(4×4) weight gradient: dy is row 4·ty0 of the first
// channel; a vector's rows come in the four slots of the transforms above.
TEXT ·winoDy4AVX512(SB), NOSPLIT, $0-72
	MOVQ ms+8(FP), R8
	SHLQ $2, R8
	LEAQ (R8)(R8*2), R9
	SHLQ $1, R9
	MOVQ w+40(FP), AX
	SHLQ $2, AX
	MOVQ off1+48(FP), BX
	CMPQ nvec+56(FP), $0
	JLE wino4ddone
	CMPQ nch+64(FP), $0
	JLE wino4ddone
wino4dchan:
	MOVQ m+0(FP), DI
	MOVQ dy+24(FP), SI
	MOVQ nvec+56(FP), R12
wino4dloop:
	MOVQ SI, CX
	WINO4DYSLOT(Z0, Z4, Z8, Z12, Z16, Z20)
	ADDQ BX, CX
	WINO4DYSLOT(Z1, Z5, Z9, Z13, Z17, Z21)
	LEAQ 512(SI), CX
	WINO4DYSLOT(Z2, Z6, Z10, Z14, Z18, Z22)
	ADDQ BX, CX
	WINO4DYSLOT(Z3, Z7, Z11, Z15, Z19, Z23)
	MOVQ DI, R10
	LEAQ (R10)(R8*2), R11
	ADDQ R8, R11
	WINO4DYROW(Z0, Z1, Z2, Z3)
	WINO4DYROW(Z4, Z5, Z6, Z7)
	WINO4DYROW(Z8, Z9, Z10, Z11)
	WINO4DYROW(Z12, Z13, Z14, Z15)
	WINO4DYROW(Z16, Z17, Z18, Z19)
	WINO4DYROW(Z20, Z21, Z22, Z23)
	ADDQ $1024, SI
	ADDQ $64, DI
	DECQ R12
	JNZ wino4dloop
	MOVQ mc+16(FP), DX
	SHLQ $2, DX
	ADDQ DX, m+0(FP)
	MOVQ yc+32(FP), DX
	SHLQ $2, DX
	ADDQ DX, dy+24(FP)
	DECQ nch+64(FP)
	JNZ wino4dchan
wino4ddone:
	VZEROUPPER
	RET

// W48TOP loads the rows of an image pair's first slot (images at CX and
// DX, rows 0..4, two 256-bit loads a row) into Z25..Z29, and W48BOTTOM
// those of its second slot (rows 3..7) into Z24..Z28.
#define W48TOP \
	VMOVUPS 0(CX), Y25 \
	VINSERTF32X8 $1, 0(DX), Z25, Z25 \
	VMOVUPS 32(CX), Y26 \
	VINSERTF32X8 $1, 32(DX), Z26, Z26 \
	VMOVUPS 64(CX), Y27 \
	VINSERTF32X8 $1, 64(DX), Z27, Z27 \
	VMOVUPS 96(CX), Y28 \
	VINSERTF32X8 $1, 96(DX), Z28, Z28 \
	VMOVUPS 128(CX), Y29 \
	VINSERTF32X8 $1, 128(DX), Z29, Z29

#define W48BOTTOM \
	VMOVUPS 96(CX), Y24 \
	VINSERTF32X8 $1, 96(DX), Z24, Z24 \
	VMOVUPS 128(CX), Y25 \
	VINSERTF32X8 $1, 128(DX), Z25, Z25 \
	VMOVUPS 160(CX), Y26 \
	VINSERTF32X8 $1, 160(DX), Z26, Z26 \
	VMOVUPS 192(CX), Y27 \
	VINSERTF32X8 $1, 192(DX), Z27, Z27 \
	VMOVUPS 224(CX), Y28 \
	VINSERTF32X8 $1, 224(DX), Z28, Z28

// W48IPAIR loads the two slots of an image pair (tile rows 0 and 1, rows
// -1 and 8 zero) and computes Bᵀ d of each into a0..a5 and b0..b5.
#define W48IPAIR(a0, a1, a2, a3, a4, a5, b0, b1, b2, b3, b4, b5) \
	VPXORD Z24, Z24, Z24 \
	W48TOP \
	WINO4VERT(a0, a1, a2, a3, a4, a5) \
	W48BOTTOM \
	VPXORD Z29, Z29, Z29 \
	WINO4VERT(b0, b1, b2, b3, b4, b5)

// W48PRO5 applies a convolution's prologue (as WINO4PRO) to the five
// loaded rows r0..r4 of a slot, the sixth being padding; BX holds the
// floor's bits.
#define W48PRO5(r0, r1, r2, r3, r4) \
	VBROADCASTSS (R13), Z30 \
	VPBROADCASTD BX, Z31 \
	VFMADD213PS.BCST (R14), Z30, r0 \
	VFMADD213PS.BCST (R14), Z30, r1 \
	VFMADD213PS.BCST (R14), Z30, r2 \
	VFMADD213PS.BCST (R14), Z30, r3 \
	VFMADD213PS.BCST (R14), Z30, r4 \
	VMAXPS r0, Z31, r0 \
	VMAXPS r1, Z31, r1 \
	VMAXPS r2, Z31, r2 \
	VMAXPS r3, Z31, r3 \
	VMAXPS r4, Z31, r4

// W48IPAIRP is W48IPAIR with the prologue applied to the loaded rows.
#define W48IPAIRP(a0, a1, a2, a3, a4, a5, b0, b1, b2, b3, b4, b5) \
	VPXORD Z24, Z24, Z24 \
	W48TOP \
	W48PRO5(Z25, Z26, Z27, Z28, Z29) \
	WINO4VERT(a0, a1, a2, a3, a4, a5) \
	W48BOTTOM \
	W48PRO5(Z24, Z25, Z26, Z27, Z28) \
	VPXORD Z29, Z29, Z29 \
	WINO4VERT(b0, b1, b2, b3, b4, b5)

// W48DPAIR is W48IPAIR for the output gradient: rows 0..3 and 4..7, A dY.
#define W48DPAIR(a0, a1, a2, a3, a4, a5, b0, b1, b2, b3, b4, b5) \
	VMOVUPS 0(CX), Y24 \
	VINSERTF32X8 $1, 0(DX), Z24, Z24 \
	VMOVUPS 32(CX), Y25 \
	VINSERTF32X8 $1, 32(DX), Z25, Z25 \
	VMOVUPS 64(CX), Y26 \
	VINSERTF32X8 $1, 64(DX), Z26, Z26 \
	VMOVUPS 96(CX), Y27 \
	VINSERTF32X8 $1, 96(DX), Z27, Z27 \
	WINO4DY1(Z24, Z25, Z26, Z27, a0, a1, a2, a3, a4, a5) \
	VMOVUPS 128(CX), Y24 \
	VINSERTF32X8 $1, 128(DX), Z24, Z24 \
	VMOVUPS 160(CX), Y25 \
	VINSERTF32X8 $1, 160(DX), Z25, Z25 \
	VMOVUPS 192(CX), Y26 \
	VINSERTF32X8 $1, 192(DX), Z26, Z26 \
	VMOVUPS 224(CX), Y27 \
	VINSERTF32X8 $1, 224(DX), Z27, Z27 \
	WINO4DY1(Z24, Z25, Z26, Z27, b0, b1, b2, b3, b4, b5)

// func winoIn4x8AVX512(v *float32, vs, vc int, x *float32, xc, img, nvec, nch int, masks int, scale, shift *float32, floor uint32)
// winoIn4x8Go: the slots of a vector are rows of two 8×8 images side by
// side (two 256-bit loads each), then the 16-wide transform (K1, K2 zero
// the columns left and right of each image). scale, shift and floor as in
// winoIn4AVX512.
TEXT ·winoIn4x8AVX512(SB), NOSPLIT, $0-92
	MOVQ masks+64(FP), DX
	KMOVW DX, K1
	SHRQ $16, DX
	KMOVW DX, K2
	MOVQ vs+8(FP), R8
	SHLQ $2, R8
	LEAQ (R8)(R8*2), R9
	SHLQ $1, R9 // six positions
	MOVQ img+40(FP), AX
	SHLQ $2, AX
	CMPQ nvec+48(FP), $0
	JLE w48idone
	CMPQ nch+56(FP), $0
	JLE w48idone
	MOVQ scale+72(FP), R13
	MOVQ shift+80(FP), R14
	MOVL floor+88(FP), BX
w48ichan:
	MOVQ v+0(FP), DI
	MOVQ x+24(FP), SI
	MOVQ nvec+48(FP), R12
w48iloop:
	MOVQ SI, CX
	LEAQ (CX)(AX*1), DX
	TESTQ R13, R13
	JNZ w48ipro
	W48IPAIR(Z0, Z4, Z8, Z12, Z16, Z20, Z1, Z5, Z9, Z13, Z17, Z21)
	LEAQ (SI)(AX*2), CX
	LEAQ (CX)(AX*1), DX
	W48IPAIR(Z2, Z6, Z10, Z14, Z18, Z22, Z3, Z7, Z11, Z15, Z19, Z23)
	JMP w48ihoriz
w48ipro:
	W48IPAIRP(Z0, Z4, Z8, Z12, Z16, Z20, Z1, Z5, Z9, Z13, Z17, Z21)
	LEAQ (SI)(AX*2), CX
	LEAQ (CX)(AX*1), DX
	W48IPAIRP(Z2, Z6, Z10, Z14, Z18, Z22, Z3, Z7, Z11, Z15, Z19, Z23)
w48ihoriz:
	MOVQ DI, R10
	LEAQ (R10)(R8*2), R11
	ADDQ R8, R11
	WINO4HORIZ(Z0, Z1, Z2, Z3)
	WINO4HORIZ(Z4, Z5, Z6, Z7)
	WINO4HORIZ(Z8, Z9, Z10, Z11)
	WINO4HORIZ(Z12, Z13, Z14, Z15)
	WINO4HORIZ(Z16, Z17, Z18, Z19)
	WINO4HORIZ(Z20, Z21, Z22, Z23)
	LEAQ (SI)(AX*4), SI // four images
	ADDQ $64, DI
	DECQ R12
	JNZ w48iloop
	MOVQ vc+16(FP), DX
	SHLQ $2, DX
	ADDQ DX, v+0(FP)
	MOVQ xc+32(FP), DX
	SHLQ $2, DX
	ADDQ DX, x+24(FP)
	TESTQ R13, R13
	JZ w48inext
	ADDQ $4, R13
	ADDQ $4, R14
w48inext:
	DECQ nch+56(FP)
	JNZ w48ichan
w48idone:
	VZEROUPPER
	RET

// func winoDy4x8AVX512(m *float32, ms, mc int, dy *float32, yc, img, nvec, nch int)
// winoDy4x8Go, with the slots of winoIn4x8AVX512.
TEXT ·winoDy4x8AVX512(SB), NOSPLIT, $0-64
	MOVQ ms+8(FP), R8
	SHLQ $2, R8
	LEAQ (R8)(R8*2), R9
	SHLQ $1, R9
	MOVQ img+40(FP), AX
	SHLQ $2, AX
	CMPQ nvec+48(FP), $0
	JLE w48ddone
	CMPQ nch+56(FP), $0
	JLE w48ddone
w48dchan:
	MOVQ m+0(FP), DI
	MOVQ dy+24(FP), SI
	MOVQ nvec+48(FP), R12
w48dloop:
	MOVQ SI, CX
	LEAQ (CX)(AX*1), DX
	W48DPAIR(Z0, Z4, Z8, Z12, Z16, Z20, Z1, Z5, Z9, Z13, Z17, Z21)
	LEAQ (SI)(AX*2), CX
	LEAQ (CX)(AX*1), DX
	W48DPAIR(Z2, Z6, Z10, Z14, Z18, Z22, Z3, Z7, Z11, Z15, Z19, Z23)
	MOVQ DI, R10
	LEAQ (R10)(R8*2), R11
	ADDQ R8, R11
	WINO4DYROW(Z0, Z1, Z2, Z3)
	WINO4DYROW(Z4, Z5, Z6, Z7)
	WINO4DYROW(Z8, Z9, Z10, Z11)
	WINO4DYROW(Z12, Z13, Z14, Z15)
	WINO4DYROW(Z16, Z17, Z18, Z19)
	WINO4DYROW(Z20, Z21, Z22, Z23)
	LEAQ (SI)(AX*4), SI
	ADDQ $64, DI
	DECQ R12
	JNZ w48dloop
	MOVQ mc+16(FP), DX
	SHLQ $2, DX
	ADDQ DX, m+0(FP)
	MOVQ yc+32(FP), DX
	SHLQ $2, DX
	ADDQ DX, dy+24(FP)
	DECQ nch+56(FP)
	JNZ w48dchan
w48ddone:
	VZEROUPPER
	RET

// W48OROW computes output row a of a vector's tiles (WINO4ROWV) and
// stores each slot's halves into the two images of its pair: slot 0 to
// images 0 and 1 at R12, R12+BX (row a), slot 1 to them 128 bytes on (row
// 4+a), slots 2 and 3 to images 2 and 3 at R12+2·BX and R14 = R12+3·BX; it
// moves R12 and R14 to the next row.
#define W48OROW(m0, m1, m2, m3, m4, m5) \
	WINO4ROWV(m0, m1, m2, m3, m4, m5) \
	VMOVUPS Y24, (R12) \
	VEXTRACTF64X4 $1, Z24, (R12)(BX*1) \
	VMOVUPS Y25, 128(R12) \
	VEXTRACTF64X4 $1, Z25, 128(R12)(BX*1) \
	VMOVUPS Y26, (R12)(BX*2) \
	VEXTRACTF64X4 $1, Z26, (R14) \
	VMOVUPS Y27, 128(R12)(BX*2) \
	VEXTRACTF64X4 $1, Z27, 128(R14) \
	ADDQ $32, R12 \
	ADDQ $32, R14

// func winoOut4x8AVX512(y *float32, yc, img int, m *float32, ms, mc, nvec, nch int)
// winoOut4x8Go: the inverse of winoIn4x8AVX512's slots, each row of a slot
// written as two 256-bit halves into its two images.
TEXT ·winoOut4x8AVX512(SB), NOSPLIT, $0-64
	MOVQ img+16(FP), BX
	SHLQ $2, BX
	MOVQ ms+32(FP), R8
	SHLQ $2, R8
	LEAQ (R8)(R8*2), R9
	SHLQ $1, R9
	CMPQ nvec+48(FP), $0
	JLE w48odone
	CMPQ nch+56(FP), $0
	JLE w48odone
w48ochan:
	MOVQ y+0(FP), DI
	MOVQ m+24(FP), SI
	MOVQ nvec+48(FP), R13
w48oloop:
	WINO4OCOLS
	MOVQ DI, R12
	LEAQ (DI)(BX*2), R14
	ADDQ BX, R14
	W48OROW(Z0, Z1, Z2, Z3, Z4, Z5)
	W48OROW(Z6, Z7, Z8, Z9, Z10, Z11)
	W48OROW(Z12, Z13, Z14, Z15, Z16, Z17)
	W48OROW(Z18, Z19, Z20, Z21, Z22, Z23)
	LEAQ (DI)(BX*4), DI
	ADDQ $64, SI
	DECQ R13
	JNZ w48oloop
	MOVQ yc+8(FP), DX
	SHLQ $2, DX
	ADDQ DX, y+0(FP)
	MOVQ mc+40(FP), DX
	SHLQ $2, DX
	ADDQ DX, m+24(FP)
	DECQ nch+56(FP)
	JNZ w48ochan
w48odone:
	VZEROUPPER
	RET
