package dataset

import (
	"math/bits"
	"math/rand/v2"
)

// The augmentation of He et al. 2016 (section 4.2): "4 pixels are padded on
// each side, and a 32×32 crop is randomly sampled from the padded image or its
// horizontal flip". resx pads after normalisation, so padding is the mean
// (zero), as in fb.resnet.torch.

// DefaultPad is the padding of the paper's CIFAR augmentation.
const DefaultPad = 4

// augment is the random part of one image's augmentation: the crop's top-left
// corner (dy, dx) in the padded image, each in [0, 2*pad], and the flip.
type augment struct {
	dy, dx int
	flip   bool
}

// augmentFor returns the augmentation of the image at position pos of epoch
// epoch's order, a pure function of (seed, epoch, pos): resuming at any batch
// reproduces it.
func augmentFor(seed uint64, epoch, pos, pad int) augment {
	h := mix64(mix64(seed^0x6a09e667f3bcc909) + uint64(epoch)<<32 + uint64(pos))
	n := uint64(2*pad + 1)
	return augment{dy: int(h % n), dx: int((h >> 16) % n), flip: h>>63 == 1}
}

// mix64 is the SplitMix64 finaliser: a bijection that scrambles its input.
func mix64(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return x
}

// epochOrder writes into order (len N) the order of epoch's images: 0..N-1,
// or if shuffle a permutation drawn from PCG(seed, epoch) by Fisher-Yates with
// unbiased bounded draws. It uses only PCG's fixed output stream, so the order
// does not change with the Go release.
func epochOrder(order []int32, seed uint64, epoch int, shuffle bool) {
	for i := range order {
		order[i] = int32(i)
	}
	if !shuffle {
		return
	}
	r := rand.NewPCG(seed, uint64(epoch))
	for i := len(order) - 1; i > 0; i-- {
		j := boundedDraw(r, uint64(i+1))
		order[i], order[j] = order[j], order[i]
	}
}

// boundedDraw returns a uniform draw in [0, n) (Lemire's multiply and reject).
func boundedDraw(r *rand.PCG, n uint64) uint64 {
	for {
		hi, lo := bits.Mul64(r.Uint64(), n)
		if lo >= n || lo >= (-n)%n {
			return hi
		}
	}
}

// normalizeInto writes image img (c×h×w bytes) normalised into dst:
// dst[i] = img[i]*scale[i] + shift[i].
func normalizeInto(dst []float32, img []byte, scale, shift []float32) {
	dst = dst[:len(img)]
	scale, shift = scale[:len(img)], shift[:len(img)]
	for i, v := range img {
		dst[i] = float32(v)*scale[i] + shift[i]
	}
}

// augmentInto writes into dst (c×h×w) the normalised image img padded by pad
// zeros on each side, cropped back to h×w at (a.dy, a.dx) and, if a.flip,
// flipped left to right. It is the fused form of normalise, padImage,
// cropImage and flipImage.
func augmentInto(dst []float32, img []byte, c, h, w, pad int, a augment, scale, shift []float32) {
	offY, offX := a.dy-pad, a.dx-pad
	// Output column x reads source column x+offX, or w-1-x+offX if flipped;
	// [lo, hi) is where that lies inside the image.
	lo, hi := max(0, -offX), min(w, w-offX)
	if a.flip {
		lo, hi = max(0, offX), min(w, w+offX)
	}
	for ch := range c {
		for y := range h {
			row := dst[(ch*h+y)*w : (ch*h+y+1)*w]
			sy := y + offY
			if sy < 0 || sy >= h || lo >= hi {
				clear(row)
				continue
			}
			base := (ch*h + sy) * w
			src, sc, sh := img[base:base+w], scale[base:base+w], shift[base:base+w]
			clear(row[:lo])
			clear(row[hi:])
			if a.flip {
				for x := lo; x < hi; x++ {
					sx := w - 1 - x + offX
					row[x] = float32(src[sx])*sc[sx] + sh[sx]
				}
			} else {
				for x := lo; x < hi; x++ {
					sx := x + offX
					row[x] = float32(src[sx])*sc[sx] + sh[sx]
				}
			}
		}
	}
}

// padImage returns img (c×h×w) with pad zeros on each side: c×(h+2p)×(w+2p).
func padImage(img []float32, c, h, w, pad int) []float32 {
	ph, pw := h+2*pad, w+2*pad
	out := make([]float32, c*ph*pw)
	for ch := range c {
		for y := range h {
			copy(out[(ch*ph+y+pad)*pw+pad:], img[(ch*h+y)*w:(ch*h+y+1)*w])
		}
	}
	return out
}

// cropImage returns the oh×ow window of img (c×h×w) whose top-left corner is
// (dy, dx).
func cropImage(img []float32, c, h, w, dy, dx, oh, ow int) []float32 {
	out := make([]float32, c*oh*ow)
	for ch := range c {
		for y := range oh {
			copy(out[(ch*oh+y)*ow:(ch*oh+y+1)*ow], img[(ch*h+y+dy)*w+dx:])
		}
	}
	return out
}

// flipImage returns img (c×h×w) mirrored left to right.
func flipImage(img []float32, c, h, w int) []float32 {
	out := make([]float32, len(img))
	for r := range c * h {
		for x := range w {
			out[r*w+x] = img[r*w+w-1-x]
		}
	}
	return out
}
