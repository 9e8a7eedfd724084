package kernel

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// TestDwTap checks each kernel set's dwTap against float64 sums of its
// definition, over one and three source channels, strides 1 and 2, one and
// several images, and checks that it adds to part and writes nothing
// outside the rows and columns it sums.
func TestDwTap(t *testing.T) {
	for _, impl := range kernelSets() {
		if impl.dwTap == nil {
			continue
		}
		for i, a := range []dwTapArgs{
			{stride: 1, oh: 5, ow: 7, nimg: 1},
			{stride: 2, oh: 4, ow: 3, nimg: 3},
			{stride: 1, oh: 6, ow: 5, nimg: 2},
			{stride: 2, oh: 3, ow: 8, nimg: 1},
			{stride: 1, oh: 1, ow: 1, nimg: 2},
			{stride: 3, oh: 2, ow: 2, nimg: 4},
		} {
			a.tapTile = impl.tapTiles[i%len(impl.tapTiles)]
			t.Run(fmt.Sprintf("%s/%dx%d/s%d/%dx%d/n%d", impl.name, a.nch, a.nk, a.stride, a.oh, a.ow, a.nimg), func(t *testing.T) {
				rng := rand.New(rand.NewPCG(uint64(i), 7))
				nk := a.nk
				a.wp = a.stride*(a.ow-1) + 3 + 2 // rows longer than the taps need
				hp := a.stride*(a.oh-1) + 3
				a.plane = hp*a.wp + 5
				a.ximg = a.nch*a.plane + 3
				a.ldk = nk + 7
				a.dimg = a.oh*a.ow*a.ldk + 2
				ldp := nk + 5
				x := randSlice(rng, (a.nimg-1)*a.ximg+(a.nch-1)*a.plane+hp*a.wp)
				dyt := randSlice(rng, (a.nimg-1)*a.dimg+(a.oh*a.ow-1)*a.ldk+nk)
				part := randSlice(rng, 9*a.nch*ldp)
				before := append([]float32(nil), part...)
				impl.dwTap(part, ldp, x, a, dyt)
				for tap := 0; tap < 9*a.nch; tap++ {
					c, r, q := tap/9, tap%9/3, tap%3
					for j := 0; j < ldp; j++ {
						got := part[tap*ldp+j]
						if j >= nk {
							if math.Float32bits(got) != math.Float32bits(before[tap*ldp+j]) {
								t.Fatalf("part[%d][%d] written outside the sums", tap, j)
							}
							continue
						}
						want, mag := float64(before[tap*ldp+j]), 0.0
						for n := 0; n < a.nimg; n++ {
							for oy := 0; oy < a.oh; oy++ {
								for ox := 0; ox < a.ow; ox++ {
									v := float64(x[n*a.ximg+c*a.plane+(a.stride*oy+r)*a.wp+a.stride*ox+q]) *
										float64(dyt[n*a.dimg+(oy*a.ow+ox)*a.ldk+j])
									want += v
									mag += math.Abs(v)
								}
							}
						}
						if math.Abs(float64(got)-want) > 1e-5*(mag+1) {
							t.Fatalf("part[%d][%d] = %v, want %v", tap, j, got, want)
						}
					}
				}
			})
		}
	}
}

// TestTapGeometry checks the tiles the tap-broadcast weight gradient
// chooses: the widest that fits, and one taking three source channels only
// where they come in whole threes, so that no channel is padded in vain.
func TestTapGeometry(t *testing.T) {
	set := &convKernels{tapTiles: []tapTile{{1, 32}, {3, 16}, {1, 16}}}
	for _, c := range []struct {
		s     ConvShape
		tiles []tapTile // from k = 0 on
		cg    int
		calls int // per group of images
	}{
		{ConvShape{N: 8, C: 3, H: 32, W: 32, K: 16, R: 3, S: 3, Stride: 1, Pad: 1}, []tapTile{{3, 16}}, 3, 1},
		{ConvShape{N: 8, C: 1, H: 32, W: 32, K: 16, R: 3, S: 3, Stride: 1, Pad: 1}, []tapTile{{1, 16}}, 1, 1},
		{ConvShape{N: 8, C: 16, H: 8, W: 8, K: 48, R: 3, S: 3, Stride: 2, Pad: 1}, []tapTile{{1, 32}, {1, 16}}, 1, 32},
		{ConvShape{N: 8, C: 6, H: 8, W: 8, K: 48, R: 3, S: 3, Stride: 2, Pad: 1}, []tapTile{{1, 32}, {3, 16}}, 3, 8},
		{ConvShape{N: 8, C: 32, H: 16, W: 16, K: 64, R: 3, S: 3, Stride: 2, Pad: 1}, []tapTile{{1, 32}, {1, 32}}, 1, 64},
	} {
		g := tapGeometry(c.s, set, 8)
		var got []tapTile
		for k := 0; k < g.k; k += g.tile(k).nk {
			got = append(got, g.tile(k))
		}
		if fmt.Sprint(got) != fmt.Sprint(c.tiles) || g.cg != c.cg || g.calls != c.calls {
			t.Errorf("%v: tiles %v, cg %d, calls %d; want %v, %d, %d", c.s, got, g.cg, g.calls, c.tiles, c.cg, c.calls)
		}
	}
}
