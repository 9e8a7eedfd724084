package dataset

import (
	"fmt"
	"math"
)

// Normalisation modes of ComputeStats.
const (
	NormChannel = "channel" // per-channel mean and standard deviation
	NormPixel   = "pixel"   // per-pixel mean subtraction (He et al. 2016)
	NormNone    = "none"    // pixels scaled to [0, 1] only
)

// Stats are normalisation statistics, in units of pixel/255 (pixels are first
// scaled to [0, 1]). A Loader maps pixel v at position i (c, y, x) to
// (v/255 - Mean[i']) / Std[i'], where i' is c in channel mode and i in pixel
// mode.
type Stats struct {
	// Mode is NormChannel, NormPixel or NormNone.
	Mode string
	// Mean has C entries (channel), C*H*W entries in CHW order (pixel), or is
	// nil (none).
	Mean []float32
	// Std has C entries (channel) or is nil: pixel mode subtracts the mean
	// image only, as in the paper, and none divides by nothing. A constant
	// channel gets Std 1 rather than 0.
	Std []float32
}

// ComputeStats computes the statistics of mode over train, which must be the
// training split only, so that nothing about the test images leaks into the
// inputs. Sums are taken in float64. It fails for an unknown mode or an empty
// split.
func ComputeStats(train Split, mode string) (Stats, error) {
	if mode != NormChannel && mode != NormPixel && mode != NormNone {
		return Stats{}, fmt.Errorf("normalisation %q: want %s, %s or %s", mode, NormChannel, NormPixel, NormNone)
	}
	if mode == NormNone {
		return Stats{Mode: NormNone}, nil
	}
	if train.N == 0 {
		return Stats{}, fmt.Errorf("normalisation %s: no training images", mode)
	}
	sz, plane := train.ImageSize(), train.H*train.W
	sum := make([]float64, sz)
	sq := make([]float64, train.C)
	for n := range train.N {
		img := train.Image(n)
		for i, v := range img {
			f := float64(v)
			sum[i] += f
			sq[i/plane] += f * f
		}
	}
	if mode == NormPixel {
		mean := make([]float32, sz)
		for i, s := range sum {
			mean[i] = float32(s / float64(train.N) / 255)
		}
		return Stats{Mode: NormPixel, Mean: mean}, nil
	}
	mean, std := make([]float32, train.C), make([]float32, train.C)
	cnt := float64(train.N * plane)
	for c := range train.C {
		s := 0.0
		for _, v := range sum[c*plane : (c+1)*plane] {
			s += v
		}
		m := s / cnt
		variance := max(sq[c]/cnt-m*m, 0)
		mean[c] = float32(m / 255)
		std[c] = float32(math.Sqrt(variance) / 255)
		if std[c] == 0 {
			std[c] = 1
		}
	}
	return Stats{Mode: NormChannel, Mean: mean, Std: std}, nil
}

// affine expands st to per-position coefficients for images of c×h×w:
// x = float32(v)*scale[i] + shift[i]. It fails if st does not fit the shape.
func (st Stats) affine(c, h, w int) (scale, shift []float32, err error) {
	sz, plane := c*h*w, h*w
	scale, shift = make([]float32, sz), make([]float32, sz)
	for i := range sz {
		scale[i] = 1.0 / 255
	}
	switch st.Mode {
	case NormNone:
	case NormPixel:
		if len(st.Mean) != sz {
			return nil, nil, fmt.Errorf("pixel statistics have %d means, images have %d pixels", len(st.Mean), sz)
		}
		for i, m := range st.Mean {
			shift[i] = -m
		}
	case NormChannel:
		if len(st.Mean) != c || len(st.Std) != c {
			return nil, nil, fmt.Errorf("channel statistics have %d means and %d deviations, images have %d channels", len(st.Mean), len(st.Std), c)
		}
		for i := range sz {
			m, s := st.Mean[i/plane], st.Std[i/plane]
			if !(s > 0) {
				return nil, nil, fmt.Errorf("channel %d has deviation %g", i/plane, s)
			}
			scale[i] = 1 / (255 * s)
			shift[i] = -m / s
		}
	default:
		return nil, nil, fmt.Errorf("normalisation %q: want %s, %s or %s", st.Mode, NormChannel, NormPixel, NormNone)
	}
	return scale, shift, nil
}
