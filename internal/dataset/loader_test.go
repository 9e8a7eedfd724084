package dataset

import (
	"context"
	"slices"
	"testing"
	"time"
)

// testLoader returns a loader over a synthetic 3×8×8 training split of n images.
func testLoader(t testing.TB, n int, opt LoaderOptions) (*Loader, Split) {
	t.Helper()
	d, err := Synthetic(SyntheticOptions{Train: n, Test: 1, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	st, err := ComputeStats(d.Train, NormPixel)
	if err != nil {
		t.Fatal(err)
	}
	l, err := NewLoader(d.Train, st, opt)
	if err != nil {
		t.Fatal(err)
	}
	return l, d.Train
}

// collect drains a stream into copies of its batches, releasing each.
func collect(t testing.TB, ch <-chan *Batch) []Batch {
	t.Helper()
	var out []Batch
	for b := range ch {
		out = append(out, Batch{X: slices.Clone(b.X), Y: slices.Clone(b.Y), Items: slices.Clone(b.Items), N: b.N, Epoch: b.Epoch, Index: b.Index})
		b.Release()
	}
	return out
}

func TestBatchesPerEpoch(t *testing.T) {
	cases := []struct {
		n, bs    int
		dropLast bool
		want     int
	}{{100, 10, false, 10}, {100, 10, true, 10}, {101, 10, false, 11}, {101, 10, true, 10}, {5, 10, false, 1}}
	for _, c := range cases {
		l, _ := testLoader(t, c.n, LoaderOptions{BatchSize: c.bs, DropLast: c.dropLast})
		if got := l.BatchesPerEpoch(); got != c.want {
			t.Errorf("N %d batch %d dropLast %v: %d batches, want %d", c.n, c.bs, c.dropLast, got, c.want)
		}
		if got := len(collect(t, l.Epoch(t.Context(), 0, 0))); got != c.want {
			t.Errorf("N %d batch %d dropLast %v: streamed %d batches, want %d", c.n, c.bs, c.dropLast, got, c.want)
		}
	}
}

func TestNewLoaderErrors(t *testing.T) {
	d, _ := Synthetic(SyntheticOptions{Train: 10, Test: 1})
	st, _ := ComputeStats(d.Train, NormChannel)
	cases := []struct {
		name string
		s    Split
		st   Stats
		opt  LoaderOptions
	}{
		{"zero batch", d.Train, st, LoaderOptions{}},
		{"empty split", d.Train.slice(0, 0), st, LoaderOptions{BatchSize: 2}},
		{"stats of other shape", d.Train, Stats{Mode: NormPixel, Mean: []float32{0}}, LoaderOptions{BatchSize: 2}},
		{"no full batch", d.Train, st, LoaderOptions{BatchSize: 20, DropLast: true}},
	}
	for _, c := range cases {
		if _, err := NewLoader(c.s, c.st, c.opt); err == nil {
			t.Errorf("%s: accepted", c.name)
		}
	}
}

func TestLoaderEpochContents(t *testing.T) {
	l, s := testLoader(t, 103, LoaderOptions{BatchSize: 10, Shuffle: true, Seed: 4})
	batches := collect(t, l.Epoch(t.Context(), 2, 0))
	seen := make([]bool, s.N)
	sz := s.ImageSize()
	want := make([]float32, sz)
	for k, b := range batches {
		if b.Epoch != 2 || b.Index != k {
			t.Errorf("batch %d says epoch %d index %d", k, b.Epoch, b.Index)
		}
		for j, idx := range b.Items {
			if seen[idx] {
				t.Errorf("image %d twice in the epoch", idx)
			}
			seen[idx] = true
			if b.Y[j] != s.Labels[idx] {
				t.Errorf("batch %d item %d: label %d, want %d", k, j, b.Y[j], s.Labels[idx])
			}
			normalizeInto(want, s.Image(int(idx)), l.scale, l.shift)
			if !slices.Equal(b.X[j*sz:(j+1)*sz], want) {
				t.Errorf("batch %d item %d: pixels are not image %d normalised", k, j, idx)
			}
		}
	}
	for i, ok := range seen {
		if !ok {
			t.Errorf("image %d missing from the epoch", i)
		}
	}
	last := batches[len(batches)-1]
	if last.N != 3 || len(last.X) != 10*sz {
		t.Fatalf("last batch: N %d, %d values; want 3 valid of 10", last.N, len(last.X))
	}
	for _, v := range last.X[3*sz:] {
		if v != 0 {
			t.Fatal("values past N in the last batch are not zero")
		}
	}
	for _, y := range last.Y[3:] {
		if y != 0 {
			t.Fatal("labels past N in the last batch are not zero")
		}
	}
	if o := collect(t, l.Epoch(t.Context(), 3, 0)); slices.Equal(o[0].Items, batches[0].Items) {
		t.Error("epochs 2 and 3 start with the same images")
	}
	ordered, _ := testLoader(t, 25, LoaderOptions{BatchSize: 10})
	for k, b := range collect(t, ordered.Epoch(t.Context(), 5, 0)) {
		for j, idx := range b.Items {
			if int(idx) != k*10+j {
				t.Fatalf("unshuffled batch %d item %d is image %d", k, j, idx)
			}
		}
	}
}

// TestLoaderResume checks the property checkpoints rely on: batch k of epoch e
// is the same whether the stream starts at 0 or at k, and whatever ran before.
func TestLoaderResume(t *testing.T) {
	opt := LoaderOptions{BatchSize: 8, Shuffle: true, Augment: true, Seed: 42, Prefetch: 1}
	l, _ := testLoader(t, 60, opt)
	full := collect(t, l.Epoch(t.Context(), 7, 0))
	for _, start := range []int{0, 1, 4, 7} {
		// A fresh loader, as after a restart, with other epochs streamed first.
		r, _ := testLoader(t, 60, opt)
		collect(t, r.Epoch(t.Context(), 6, 3))
		part := collect(t, r.Epoch(t.Context(), 7, start))
		if len(part) != len(full)-start {
			t.Fatalf("start %d: %d batches, want %d", start, len(part), len(full)-start)
		}
		for i, b := range part {
			w := full[start+i]
			if b.Index != w.Index || !slices.Equal(b.Items, w.Items) || !slices.Equal(b.X, w.X) || !slices.Equal(b.Y, w.Y) {
				t.Errorf("start %d: batch %d differs from the uninterrupted stream", start, b.Index)
			}
		}
	}
	if got := collect(t, l.Epoch(t.Context(), 7, 8)); len(got) != 0 {
		t.Errorf("start past the end streamed %d batches", len(got))
	}
	other, _ := testLoader(t, 60, LoaderOptions{BatchSize: 8, Shuffle: true, Augment: true, Seed: 43})
	if o := collect(t, other.Epoch(t.Context(), 7, 0)); slices.Equal(o[0].X, full[0].X) {
		t.Error("seeds 42 and 43 give the same first batch")
	}
}

func TestLoaderAugmentChangesOnlyTraining(t *testing.T) {
	plain, s := testLoader(t, 16, LoaderOptions{BatchSize: 16})
	aug, _ := testLoader(t, 16, LoaderOptions{BatchSize: 16, Augment: true, Seed: 1})
	p := collect(t, plain.Epoch(t.Context(), 0, 0))[0]
	a := collect(t, aug.Epoch(t.Context(), 0, 0))[0]
	sz := s.ImageSize()
	changed := 0
	for j := range 16 {
		if !slices.Equal(p.X[j*sz:(j+1)*sz], a.X[j*sz:(j+1)*sz]) {
			changed++
		}
	}
	// 1 in 162 draws is the identity (centre crop, no flip).
	if changed < 12 {
		t.Errorf("augmentation changed %d of 16 images", changed)
	}
}

func TestLoaderCancelAndRelease(t *testing.T) {
	l, _ := testLoader(t, 200, LoaderOptions{BatchSize: 4, Prefetch: 1})
	ctx, cancel := context.WithCancel(t.Context())
	ch := l.Epoch(ctx, 0, 0)
	b := <-ch
	b.Release()
	held := <-ch // kept across the cancel, released after
	cancel()
	// Without receiving anything more, the stream closes and the unreceived
	// batches return to the pool.
	deadline := time.After(5 * time.Second)
	for closed := false; !closed; {
		select {
		case <-deadline:
			t.Fatal("stream not closed after cancel")
		case <-time.After(time.Millisecond):
			closed = len(l.pool) == cap(l.pool)-1
		}
	}
	held.Release()
	// All buffers are back: a new epoch streams to the end.
	if got := len(collect(t, l.Epoch(t.Context(), 1, 0))); got != 50 {
		t.Errorf("after cancel, %d batches, want 50", got)
	}
	defer func() {
		if recover() == nil {
			t.Error("second Release did not panic")
		}
	}()
	b.Release()
}

func TestLoaderSteadyStateAllocations(t *testing.T) {
	l, _ := testLoader(t, 512, LoaderOptions{BatchSize: 8, Shuffle: true, Augment: true})
	epoch := 0
	allocs := testing.AllocsPerRun(5, func() {
		for b := range l.Epoch(t.Context(), epoch, 0) {
			b.Release()
		}
		epoch++
	})
	// Per epoch: the goroutine and its channel; nothing per batch.
	if perBatch := allocs / float64(l.BatchesPerEpoch()); perBatch > 0.1 {
		t.Errorf("%.1f allocations per epoch of %d batches (%.2f per batch)", allocs, l.BatchesPerEpoch(), perBatch)
	}
}

var sinkBatch float32

// benchmarkLoader measures the training pipeline on CIFAR-shaped synthetic
// data. Run on one core with -cpu 1.
func benchmarkLoader(b *testing.B, augment, shuffle bool, bs int) {
	d, err := Synthetic(SyntheticOptions{C: 3, H: 32, W: 32, Train: 5000, Test: 1})
	if err != nil {
		b.Fatal(err)
	}
	st, _ := ComputeStats(d.Train, NormPixel)
	l, err := NewLoader(d.Train, st, LoaderOptions{BatchSize: bs, Augment: augment, Shuffle: shuffle, Seed: 1})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	images, epoch := 0, 0
	for done := 0; done < b.N; epoch++ {
		ctx, cancel := context.WithCancel(context.Background())
		for bt := range l.Epoch(ctx, epoch, 0) {
			if done < b.N {
				sinkBatch += bt.X[0]
				images += bt.N
				if done++; done == b.N {
					cancel()
				}
			}
			bt.Release()
		}
		cancel()
	}
	b.ReportMetric(float64(images)/b.Elapsed().Seconds(), "images/s")
}

// Allocations per op are per batch.
func BenchmarkLoaderAugmented128(b *testing.B) { benchmarkLoader(b, true, true, 128) }
func BenchmarkLoaderPlain128(b *testing.B)     { benchmarkLoader(b, false, false, 128) }
