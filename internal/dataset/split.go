package dataset

import "fmt"

// Split is one part (training or test) of a dataset held in memory.
//
// Images holds N images of C×H×W uint8 pixels, image-major, then
// channel-major, then row-major (NCHW): pixel (n, c, y, x) is
// Images[((n*C+c)*H+y)*W+x]. Labels holds N class indices in [0, classes).
type Split struct {
	Images     []byte
	Labels     []int32
	N, C, H, W int
}

// Dataset is a dataset loaded by Open.
type Dataset struct {
	// Name is one of Names().
	Name string
	// Classes is the number of classes; every label is in [0, Classes).
	Classes     int
	Train, Test Split
	// Source is the folder the files were read from, "embedded" or "generated".
	Source string
}

// ImageSize returns C*H*W, the number of bytes of one image.
func (s Split) ImageSize() int { return s.C * s.H * s.W }

// Image returns the C×H×W pixels of image i, sharing memory with s.
// It panics if i is out of [0, N).
func (s Split) Image(i int) []byte {
	sz := s.ImageSize()
	return s.Images[i*sz : (i+1)*sz : (i+1)*sz]
}

// Head returns the first n images of s, sharing memory with s. n <= 0 or
// n >= N returns s unchanged, so Head(cfg.Subset) works for "no subset" (0).
func (s Split) Head(n int) Split {
	if n <= 0 || n >= s.N {
		return s
	}
	return s.slice(0, n)
}

// slice returns images [lo, hi) of s, sharing memory with s.
func (s Split) slice(lo, hi int) Split {
	sz := s.ImageSize()
	out := s
	out.Images = s.Images[lo*sz : hi*sz : hi*sz]
	out.Labels = s.Labels[lo:hi:hi]
	out.N = hi - lo
	return out
}

// ValidationSplit holds out the last n images of train as a validation split
// and returns the first N-n as rest; both share memory with train. Taking the
// tail is deterministic and, since the CIFAR batches are stored in random
// order, close to class-balanced (the paper's 45k/5k split uses n = 5000).
// n <= 0 returns train and an empty split; n >= N panics, since nothing
// would be left to train on.
func ValidationSplit(train Split, n int) (rest, val Split) {
	if n <= 0 {
		val = train.slice(train.N, train.N)
		return train, val
	}
	if n >= train.N {
		panic(fmt.Sprintf("dataset: validation split of %d images leaves nothing of %d to train on", n, train.N))
	}
	return train.slice(0, train.N-n), train.slice(train.N-n, train.N)
}

// check reports whether s is consistent: lengths match N×C×H×W and every
// label is in [0, classes). name names the split in the error.
func (s Split) check(name string, classes int) error {
	if s.N < 0 || s.C <= 0 || s.H <= 0 || s.W <= 0 {
		return invalidf(name, "bad shape %d×%d×%d×%d", s.N, s.C, s.H, s.W)
	}
	if len(s.Images) != s.N*s.ImageSize() {
		return invalidf(name, "%d pixel bytes for %d images of %d×%d×%d", len(s.Images), s.N, s.C, s.H, s.W)
	}
	if len(s.Labels) != s.N {
		return invalidf(name, "%d labels for %d images", len(s.Labels), s.N)
	}
	for i, l := range s.Labels {
		if l < 0 || int(l) >= classes {
			return invalidf(name, "label %d of image %d is out of range [0, %d)", l, i, classes)
		}
	}
	return nil
}
