package dataset

import (
	"bytes"
	"testing"
)

func TestSyntheticDeterministic(t *testing.T) {
	a, err := Synthetic(SyntheticOptions{Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := Open("synthetic", OpenOptions{Synthetic: SyntheticOptions{Seed: 7}})
	c, _ := Synthetic(SyntheticOptions{Seed: 8})
	if !bytes.Equal(a.Train.Images, b.Train.Images) || !bytes.Equal(a.Test.Images, b.Test.Images) {
		t.Error("same seed, different images")
	}
	if bytes.Equal(a.Train.Images, c.Train.Images) {
		t.Error("different seeds, same images")
	}
	if a.Train.N != 1000 || a.Test.N != 200 || a.Train.C != 3 || a.Train.H != 8 || a.Train.W != 8 || a.Classes != 10 {
		t.Errorf("defaults: %d+%d images of %d×%d×%d, %d classes", a.Train.N, a.Test.N, a.Train.C, a.Train.H, a.Train.W, a.Classes)
	}
	if err := a.Train.check("train", a.Classes); err != nil {
		t.Error(err)
	}
	g, _ := Synthetic(SyntheticOptions{Classes: 4, C: 1, H: 5, W: 7, Train: 9, Test: 3})
	if g.Train.N != 9 || g.Train.C != 1 || g.Train.H != 5 || g.Train.W != 7 || len(g.Train.Images) != 9*35 {
		t.Errorf("options not honoured: %+v", g.Train)
	}
	if _, err := Synthetic(SyntheticOptions{Classes: 1000}); err == nil {
		t.Error("1000 classes accepted")
	}
}

// TestSyntheticLearnable checks that the classes are separable: a
// nearest-class-mean classifier fit on the training split is nearly perfect
// on the test split.
func TestSyntheticLearnable(t *testing.T) {
	d, _ := Synthetic(SyntheticOptions{Seed: 3})
	sz := d.Train.ImageSize()
	means := make([][]float64, d.Classes)
	counts := make([]int, d.Classes)
	for k := range means {
		means[k] = make([]float64, sz)
	}
	for i := range d.Train.N {
		k := d.Train.Labels[i]
		counts[k]++
		for j, v := range d.Train.Image(i) {
			means[k][j] += float64(v)
		}
	}
	correct := 0
	for i := range d.Test.N {
		best, bestD := -1, 0.0
		for k := range means {
			dist := 0.0
			for j, v := range d.Test.Image(i) {
				e := float64(v) - means[k][j]/float64(counts[k])
				dist += e * e
			}
			if best < 0 || dist < bestD {
				best, bestD = k, dist
			}
		}
		if int32(best) == d.Test.Labels[i] {
			correct++
		}
	}
	if acc := float64(correct) / float64(d.Test.N); acc < 0.95 {
		t.Errorf("nearest-mean accuracy %.2f, want >= 0.95", acc)
	}
}
