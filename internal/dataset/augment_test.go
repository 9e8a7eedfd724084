package dataset

import (
	"math/rand/v2"
	"slices"
	"testing"
)

func TestAugmentIntoMatchesSteps(t *testing.T) {
	const c, h, w, pad = 3, 5, 6, 2
	r := rand.New(rand.NewPCG(1, 1))
	img := make([]byte, c*h*w)
	scale, shift := make([]float32, len(img)), make([]float32, len(img))
	for i := range img {
		img[i] = byte(r.IntN(256))
		scale[i], shift[i] = r.Float32(), r.Float32()-0.5
	}
	norm := make([]float32, len(img))
	normalizeInto(norm, img, scale, shift)
	for i := range norm {
		if norm[i] != float32(img[i])*scale[i]+shift[i] {
			t.Fatalf("normalizeInto position %d", i)
		}
	}
	got := make([]float32, len(img))
	for dy := 0; dy <= 2*pad; dy++ {
		for dx := 0; dx <= 2*pad; dx++ {
			for _, flip := range []bool{false, true} {
				want := cropImage(padImage(norm, c, h, w, pad), c, h+2*pad, w+2*pad, dy, dx, h, w)
				if flip {
					want = flipImage(want, c, h, w)
				}
				for i := range got {
					got[i] = 99 // stale content must be overwritten
				}
				augmentInto(got, img, c, h, w, pad, augment{dy, dx, flip}, scale, shift)
				if !slices.Equal(got, want) {
					t.Errorf("dy %d dx %d flip %v:\n got %v\nwant %v", dy, dx, flip, got, want)
				}
			}
		}
	}
}

func TestPadCropFlipSteps(t *testing.T) {
	img := []float32{1, 2, 3, 4} // 1×2×2
	p := padImage(img, 1, 2, 2, 1)
	want := []float32{0, 0, 0, 0, 0, 1, 2, 0, 0, 3, 4, 0, 0, 0, 0, 0}
	if !slices.Equal(p, want) {
		t.Errorf("pad: %v, want %v", p, want)
	}
	if got := cropImage(p, 1, 4, 4, 1, 1, 2, 2); !slices.Equal(got, img) {
		t.Errorf("centre crop: %v, want %v", got, img)
	}
	if got := flipImage(img, 1, 2, 2); !slices.Equal(got, []float32{2, 1, 4, 3}) {
		t.Errorf("flip: %v", got)
	}
}

func TestAugmentForDistribution(t *testing.T) {
	seen := map[augment]int{}
	flips := 0
	const n = 81 * 2 * 200
	for pos := range n {
		a := augmentFor(5, 3, pos, 4)
		if a.dx < 0 || a.dx > 8 || a.dy < 0 || a.dy > 8 {
			t.Fatalf("offset out of range: %+v", a)
		}
		seen[a]++
		if a.flip {
			flips++
		}
	}
	if len(seen) != 162 {
		t.Errorf("%d of the 162 crops and flips drawn", len(seen))
	}
	for a, k := range seen {
		if k < 100 || k > 300 {
			t.Errorf("%+v drawn %d times, expected about 200", a, k)
		}
	}
	if flips < n/2-600 || flips > n/2+600 {
		t.Errorf("%d flips in %d draws", flips, n)
	}
	if augmentFor(5, 3, 17, 4) != augmentFor(5, 3, 17, 4) {
		t.Error("not a function of (seed, epoch, pos)")
	}
	same := 0
	for pos := range 200 {
		if augmentFor(5, 3, pos, 4) == augmentFor(5, 4, pos, 4) {
			same++
		}
	}
	if same > 10 {
		t.Errorf("epochs 3 and 4 share %d of 200 augmentations", same)
	}
}

func TestEpochOrder(t *testing.T) {
	const n = 1000
	a, b, c := make([]int32, n), make([]int32, n), make([]int32, n)
	epochOrder(a, 9, 2, true)
	epochOrder(b, 9, 2, true)
	epochOrder(c, 9, 3, true)
	if !slices.Equal(a, b) {
		t.Error("same (seed, epoch), different order")
	}
	if slices.Equal(a, c) {
		t.Error("different epochs, same order")
	}
	sorted := slices.Clone(a)
	slices.Sort(sorted)
	for i, v := range sorted {
		if v != int32(i) {
			t.Fatalf("not a permutation: sorted[%d] = %d", i, v)
		}
	}
	// The order is pinned: it must not change with the Go release.
	if got := a[:5]; !slices.Equal(got, pinnedOrder) {
		t.Errorf("order of seed 9 epoch 2 starts %v, pinned %v", got, pinnedOrder)
	}
	epochOrder(c, 9, 3, false)
	for i, v := range c {
		if v != int32(i) {
			t.Fatal("unshuffled order is not 0..N-1")
		}
	}
}

var pinnedOrder = []int32{883, 513, 30, 432, 694}
