package kernel

// The plain-Go products of the Winograd convolutions, for the platforms
// without assembly (and the purego build). Both are blocked so that a 4×4
// tile of sums stays in local variables over the whole reduction: each
// step loads four values of each operand for 16 multiply-adds, instead of
// a load and a store of the sum per multiply-add. Every sum runs in the
// order of the reference kernels (fwdGo's taps, dwOuter's t), from zero.

// winoGemmGo is winoGemm in plain Go (blocks of 16 lanes, as fwdGo's), with
// the bits of fwdGo called once per position.
func winoGemmGo(m []float32, ld, mps int, v []float32, vps int, w []float32, wps, c, nblk, nkb, npos int) {
	n := 16 * nblk
	for p := 0; p < npos; p++ {
		mp, vp, wp := m[p*mps:], v[p*vps:], w[p*wps:]
		for kb := 0; kb < nkb; kb++ {
			wk := wp[kb*c*8 : (kb+1)*c*8]
			for j := 0; j < 8; j += 4 {
				for i := 0; i < n; i += 4 {
					gemm4x4(mp[(8*kb+j)*ld+i:], ld, wk[j:], 8, 1, vp[i:], ld, c)
				}
			}
		}
	}
}

// gemm4x4 writes out[r·ldo + q] = Σ_{t<n} a[t·lda + r·ar] · b[t·ldb + q]
// for r, q < 4, summed in t order from zero.
func gemm4x4(out []float32, ldo int, a []float32, lda, ar int, b []float32, ldb, n int) {
	var s00, s01, s02, s03, s10, s11, s12, s13, s20, s21, s22, s23, s30, s31, s32, s33 float32
	for t := 0; t < n; t++ {
		i := t * lda
		a0, a1, a2, a3 := a[i], a[i+ar], a[i+2*ar], a[i+3*ar]
		bt := b[t*ldb : t*ldb+4]
		b0, b1, b2, b3 := bt[0], bt[1], bt[2], bt[3]
		s00 += a0 * b0
		s01 += a0 * b1
		s02 += a0 * b2
		s03 += a0 * b3
		s10 += a1 * b0
		s11 += a1 * b1
		s12 += a1 * b2
		s13 += a1 * b3
		s20 += a2 * b0
		s21 += a2 * b1
		s22 += a2 * b2
		s23 += a2 * b3
		s30 += a3 * b0
		s31 += a3 * b1
		s32 += a3 * b2
		s33 += a3 * b3
	}
	o := out[:3*ldo+4]
	o[0], o[1], o[2], o[3] = s00, s01, s02, s03
	o = out[ldo:]
	o[0], o[1], o[2], o[3] = s10, s11, s12, s13
	o = out[2*ldo:]
	o[0], o[1], o[2], o[3] = s20, s21, s22, s23
	o = out[3*ldo:]
	o[0], o[1], o[2], o[3] = s30, s31, s32, s33
}

// dwOuterGo is dwOuter in plain Go: tiles of 4 channels by 4 columns
// (gemm4x4 over the rows of dm and the columns of vt), each sum in t order
// from zero, then added to part (or stored).
func dwOuterGo(part []float32, ldp int, dm []float32, ldm int, vt []float32, ldv, nt, nk, nc int, store bool) {
	var tile [16]float32
	for k := 0; k < nk; k += 4 {
		for c := 0; c < nc; c += 4 {
			gemm4x4(tile[:], 4, dm[k*ldm:], 1, ldm, vt[c:], ldv, nt)
			for r := 0; r < 4; r++ {
				p := part[(k+r)*ldp+c : (k+r)*ldp+c+4]
				for q := range p {
					if store {
						p[q] = tile[4*r+q]
					} else {
						p[q] += tile[4*r+q]
					}
				}
			}
		}
	}
}

// fwdGo is the plain-Go fwd: for each block of 16 lanes, tiles of 4 output
// channels by 4 lanes summed in local variables over the taps, in tap
// order; a tap whose mask covers the tile's lanes takes 16 multiply-adds
// without tests, one that covers none is skipped, others go lane by lane.
func fwdGo(out []float32, ldo int, x []float32, xoff int, offs []int, _ [2]int, w []float32, ntaps, nblk, nkb int, cls []int, masks []uint16, mstride int) {
	const pb = 16
	offs = offs[:ntaps]
	for kb := 0; kb < nkb; kb++ {
		wk := w[8*ntaps*kb : 8*ntaps*(kb+1)]
		for blk := 0; blk < nblk; blk++ {
			base := xoff + blk*pb
			for j := 0; j < 8; j += 4 {
				for i := 0; i < pb; i += 4 {
					var s [4][4]float32 // channel 8kb+j+r, lane i+q
					var s00, s01, s02, s03, s10, s11, s12, s13, s20, s21, s22, s23, s30, s31, s32, s33 float32
					t := 0
					for k, n := range cls {
						m := (masks[k*mstride+blk] >> i) & 0xf
						if m == 0 {
							t += n
							continue
						}
						for ; n > 0; n-- {
							o := base + offs[t] + i
							wt := wk[8*t+j : 8*t+j+4]
							a0, a1, a2, a3 := wt[0], wt[1], wt[2], wt[3]
							t++
							if m == 0xf {
								xt := x[o : o+4]
								b0, b1, b2, b3 := xt[0], xt[1], xt[2], xt[3]
								s00 += a0 * b0
								s01 += a0 * b1
								s02 += a0 * b2
								s03 += a0 * b3
								s10 += a1 * b0
								s11 += a1 * b1
								s12 += a1 * b2
								s13 += a1 * b3
								s20 += a2 * b0
								s21 += a2 * b1
								s22 += a2 * b2
								s23 += a2 * b3
								s30 += a3 * b0
								s31 += a3 * b1
								s32 += a3 * b2
								s33 += a3 * b3
								continue
							}
							s = [4][4]float32{{s00, s01, s02, s03}, {s10, s11, s12, s13}, {s20, s21, s22, s23}, {s30, s31, s32, s33}}
							for q := 0; q < 4; q++ {
								if m&(1<<q) == 0 {
									continue
								}
								b := x[o+q]
								s[0][q] += a0 * b
								s[1][q] += a1 * b
								s[2][q] += a2 * b
								s[3][q] += a3 * b
							}
							s00, s01, s02, s03 = s[0][0], s[0][1], s[0][2], s[0][3]
							s10, s11, s12, s13 = s[1][0], s[1][1], s[1][2], s[1][3]
							s20, s21, s22, s23 = s[2][0], s[2][1], s[2][2], s[2][3]
							s30, s31, s32, s33 = s[3][0], s[3][1], s[3][2], s[3][3]
						}
					}
					s = [4][4]float32{{s00, s01, s02, s03}, {s10, s11, s12, s13}, {s20, s21, s22, s23}, {s30, s31, s32, s33}}
					for r := range s {
						o := (8*kb+j+r)*ldo + blk*pb + i
						copy(out[o:o+4], s[r][:])
					}
				}
			}
		}
	}
}

// dwGo is the plain-Go dw: for each output-channel tile and tile record, a
// 4×4 tile of sums (channel by tap) in local variables over the images,
// vectors and lanes, in that order, 16 multiply-adds a valid lane.
func dwGo(part []float32, ldp int, dy []float32, dyoff, ldd, dystride int, x []float32, xoff, xstride int, tiles []int, nkt, nvec, nimg int, masks []uint16) {
	for kt := 0; kt < nkt; kt++ {
		for r := 0; r+6 <= len(tiles); r += 6 {
			rec := tiles[r : r+6]
			m := masks[rec[4] : rec[4]+nvec]
			var s00, s01, s02, s03, s10, s11, s12, s13, s20, s21, s22, s23, s30, s31, s32, s33 float32
			for g := 0; g < nimg; g++ {
				d := dyoff + 4*kt*ldd + g*dystride
				xo := xoff + g*xstride
				for v, mv := range m {
					if mv == 0 {
						continue
					}
					n := 16 * v
					d0, d1, d2, d3 := dy[d+n:d+n+16], dy[d+ldd+n:d+ldd+n+16], dy[d+2*ldd+n:d+2*ldd+n+16], dy[d+3*ldd+n:d+3*ldd+n+16]
					o0, o1, o2, o3 := xo+rec[0]+n, xo+rec[1]+n, xo+rec[2]+n, xo+rec[3]+n
					for l := 0; l < 16; l++ {
						if mv&(1<<l) == 0 {
							continue // masked-off lanes of x may lie outside it
						}
						a0, a1, a2, a3 := d0[l], d1[l], d2[l], d3[l]
						b0, b1, b2, b3 := x[o0+l], x[o1+l], x[o2+l], x[o3+l]
						s00 += a0 * b0
						s01 += a0 * b1
						s02 += a0 * b2
						s03 += a0 * b3
						s10 += a1 * b0
						s11 += a1 * b1
						s12 += a1 * b2
						s13 += a1 * b3
						s20 += a2 * b0
						s21 += a2 * b1
						s22 += a2 * b2
						s23 += a2 * b3
						s30 += a3 * b0
						s31 += a3 * b1
						s32 += a3 * b2
						s33 += a3 * b3
					}
				}
			}
			s := [4][4]float32{{s00, s01, s02, s03}, {s10, s11, s12, s13}, {s20, s21, s22, s23}, {s30, s31, s32, s33}} // channel 4kt+kk, tap tt
			for kk := range s {
				p := part[(4*kt+kk)*ldp+rec[5] : (4*kt+kk)*ldp+rec[5]+4]
				for tt := range p {
					p[tt] += s[kk][tt]
				}
			}
		}
	}
}
