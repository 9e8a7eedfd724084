//go:build amd64 && !purego

package kernel

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
	"unsafe"
)

// alignedFloats returns n floats starting on a 64-byte boundary, plus one
// float in front of them, so that s[1:] is misaligned.
func alignedFloats(n int) []float32 {
	b := make([]float32, n+32)
	i := 16 - int(uintptr(unsafe.Pointer(&b[0]))%64)/4
	return b[i-1 : i+n]
}

// TestBNStreamSameBits holds the batch-wide passes that stream their output
// past the caches (VMOVNTPS) to the bits of the ordinary stores, over a
// destination full of stale NaNs, and checks that the streaming path is the
// one taken where the rows allow it and not where they do not.
func TestBNStreamSameBits(t *testing.T) {
	type set struct {
		name string
		isa  asmISA
		ok   bool
	}
	rng := rand.New(rand.NewPCG(3, 4))
	for _, s := range []set{{"avx2", isaAVX2, hasAVX2}, {"avx512", isaAVX512, hasAVX512}} {
		if !s.ok {
			continue
		}
		// hw 64 and 256 stream on both sets, 24 on AVX2 only; 20 on neither.
		for _, cs := range []bnCase{{5, 3, 64}, {3, 2, 256}, {4, 3, 24}, {3, 2, 20}} {
			for _, misalign := range []bool{false, true} {
				t.Run(fmt.Sprintf("%s/%v/misaligned=%v", s.name, cs, misalign), func(t *testing.T) {
					n, st := cs.n, cs.c*cs.hw
					size := cs.n * st
					lanes := 8
					if s.isa == isaAVX512 {
						lanes = 16
					}
					want := !misalign && cs.hw%lanes == 0
					x, dy := randSlice(rng, size), randSlice(rng, size)
					r := randSlice(rng, size)
					dst := func() []float32 {
						b := alignedFloats(size + 1)
						if !misalign {
							b = b[1:]
						}
						for i := range b {
							b[i] = float32(math.NaN())
						}
						return b[:size]
					}
					for ch := 0; ch < cs.c; ch++ {
						off := ch * cs.hw
						for _, relu := range []bool{false, true} {
							plain, streamed := dst(), dst()
							if got := s.isa.streams(true, streamed[off:], cs.hw, st) == 1; got != want {
								t.Fatalf("channel %d: streams = %v, want %v", ch, got, want)
							}
							if s.isa.streams(false, streamed[off:], cs.hw, st) != 0 {
								t.Fatal("streams without being asked")
							}
							s.isa.apply(plain[off:], x[off:], cs.hw, n, st, 1.5, -0.25, relu, false)
							s.isa.apply(streamed[off:], x[off:], cs.hw, n, st, 1.5, -0.25, relu, true)
							sameBits(t, "apply", plain, streamed)
							s.isa.applyRes(plain[off:], x[off:], r[off:], cs.hw, n, st, 0.75, 0.5, relu, false)
							s.isa.applyRes(streamed[off:], x[off:], r[off:], cs.hw, n, st, 0.75, 0.5, relu, true)
							sameBits(t, "applyRes", plain, streamed)
							s.isa.gradApply(plain[off:], dy[off:], x[off:], cs.hw, n, st, 1.25, -0.5, 0.125, relu, 0.5, -0.1, false)
							s.isa.gradApply(streamed[off:], dy[off:], x[off:], cs.hw, n, st, 1.25, -0.5, 0.125, relu, 0.5, -0.1, true)
							sameBits(t, "gradApply", plain, streamed)
						}
					}
				})
			}
		}
	}
}
