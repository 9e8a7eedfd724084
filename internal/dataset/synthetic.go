package dataset

import (
	"fmt"
	"math/rand/v2"
)

// SyntheticOptions shapes the synthetic dataset. Zero fields take the
// defaults in brackets.
type SyntheticOptions struct {
	Classes     int    // number of classes [10]
	C, H, W     int    // image shape [3×8×8]
	Train, Test int    // images per split [1000, 200]
	Seed        uint64 // generator seed [0]
}

func (o SyntheticOptions) withDefaults() SyntheticOptions {
	def := func(v *int, d int) {
		if *v == 0 {
			*v = d
		}
	}
	def(&o.Classes, 10)
	def(&o.C, 3)
	def(&o.H, 8)
	def(&o.W, 8)
	def(&o.Train, 1000)
	def(&o.Test, 200)
	return o
}

// Synthetic generates a small dataset for tests, deterministically from
// opt.Seed and with no files. Each class has a random prototype image (a
// coarse 2×2-pixel-block pattern, so it survives a crop by a few pixels);
// image i has label i mod Classes and is its class's prototype plus uniform
// noise, so a small network or even a nearest-mean classifier learns it.
func Synthetic(opt SyntheticOptions) (*Dataset, error) {
	o := opt.withDefaults()
	if o.Classes < 1 || o.Classes > 256 || o.C < 1 || o.H < 1 || o.W < 1 || o.Train < 1 || o.Test < 0 {
		return nil, fmt.Errorf("synthetic: bad options %+v", opt)
	}
	sz := o.C * o.H * o.W
	protos := make([]byte, o.Classes*sz)
	for k := range o.Classes {
		r := rand.New(rand.NewPCG(o.Seed, uint64(k)))
		p := protos[k*sz : (k+1)*sz]
		for c := range o.C {
			for y := 0; y < o.H; y += 2 {
				for x := 0; x < o.W; x += 2 {
					v := byte(32 + r.IntN(192))
					for dy := 0; dy < 2 && y+dy < o.H; dy++ {
						for dx := 0; dx < 2 && x+dx < o.W; dx++ {
							p[(c*o.H+y+dy)*o.W+x+dx] = v
						}
					}
				}
			}
		}
	}
	gen := func(n int, stream uint64) Split {
		r := rand.New(rand.NewPCG(o.Seed^0x5eed5eed, stream))
		s := Split{N: n, C: o.C, H: o.H, W: o.W, Images: make([]byte, n*sz), Labels: make([]int32, n)}
		for i := range n {
			k := i % o.Classes
			s.Labels[i] = int32(k)
			img, p := s.Images[i*sz:(i+1)*sz], protos[k*sz:(k+1)*sz]
			for j := range img {
				v := int(p[j]) + r.IntN(65) - 32
				img[j] = byte(min(max(v, 0), 255))
			}
		}
		return s
	}
	return &Dataset{Name: "synthetic", Classes: o.Classes, Train: gen(o.Train, 1), Test: gen(o.Test, 2), Source: "generated"}, nil
}
