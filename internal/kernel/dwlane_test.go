package kernel

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// TestDwLane checks each kernel set's dwLane against float64 sums of its
// definition, over one to four source channels, two to sixteen output
// channels, rows of one to six vectors and padded rows longer than the
// taps need, and checks that it adds to part.
func TestDwLane(t *testing.T) {
	for _, impl := range kernelSets() {
		if impl.dwLane == nil {
			continue
		}
		L := impl.laneW
		for i, a := range []dwLaneArgs{
			{c: 3, k: 16, oh: 32, ow: 32},
			{c: 1, k: 4, oh: 3, ow: 16},
			{c: 2, k: 8, oh: 5, ow: 48},
			{c: 4, k: 12, oh: 1, ow: 16},
			{c: 2, k: 6, oh: 3, ow: 24}, // AVX2 only
			{c: 3, k: 2, oh: 4, ow: 8},  // AVX2 only
		} {
			if a.k%impl.laneK != 0 || a.ow%L != 0 {
				continue
			}
			t.Run(fmt.Sprintf("%s/%d-%d/%dx%d", impl.name, a.c, a.k, a.oh, a.ow), func(t *testing.T) {
				rng := rand.New(rand.NewPCG(uint64(i), 9))
				a.wp = a.ow + 2 + i%2*3
				a.plane = (a.oh+2)*a.wp + i*5
				npix := a.oh * a.ow
				x := randSlice(rng, (a.c-1)*a.plane+(a.oh+2)*a.wp)
				dy := randSlice(rng, a.k*npix)
				part := randSlice(rng, a.k*a.c*9*L)
				before := append([]float32(nil), part...)
				impl.dwLane(part, x, a, dy)
				for j := 0; j < a.k; j++ {
					for ci := 0; ci < a.c; ci++ {
						for tap := 0; tap < 9; tap++ {
							r, q := tap/3, tap%3
							for l := 0; l < L; l++ {
								at := ((j*a.c+ci)*9+tap)*L + l
								want, mag := float64(before[at]), 0.0
								for oy := 0; oy < a.oh; oy++ {
									for b := 0; b < a.ow/L; b++ {
										v := float64(x[ci*a.plane+(oy+r)*a.wp+L*b+l+q]) * float64(dy[j*npix+oy*a.ow+L*b+l])
										want += v
										mag += math.Abs(v)
									}
								}
								if got := part[at]; math.Abs(float64(got)-want) > 1e-5*(mag+1) {
									t.Fatalf("part[%d][%d][%d][%d] = %v, want %v", j, ci, tap, l, got, want)
								}
							}
						}
					}
				}
			})
		}
	}
}
