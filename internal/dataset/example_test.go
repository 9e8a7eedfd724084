package dataset_test

import (
	"context"
	"fmt"

	"github.com/resx-dev/resx/internal/dataset"
)

// A training loop opens a dataset, holds out a validation split, computes the
// statistics on what it trains on, and streams batches, resuming at
// (epoch, batch) after a restart.
func Example() {
	d, err := dataset.Open("synthetic", dataset.OpenOptions{Synthetic: dataset.SyntheticOptions{C: 3, H: 32, W: 32, Train: 600}})
	if err != nil {
		panic(err)
	}
	train, val := dataset.ValidationSplit(d.Train, 100)
	st, err := dataset.ComputeStats(train, dataset.NormPixel)
	if err != nil {
		panic(err)
	}
	l, err := dataset.NewLoader(train, st, dataset.LoaderOptions{BatchSize: 128, Augment: true, Shuffle: true, Seed: 1})
	if err != nil {
		panic(err)
	}
	epoch, start := 3, 2 // as read from a checkpoint
	for b := range l.Epoch(context.Background(), epoch, start) {
		fmt.Printf("epoch %d batch %d: %d images, %d values\n", b.Epoch, b.Index, b.N, len(b.X))
		b.Release()
	}
	fmt.Println(l.BatchesPerEpoch(), "batches per epoch;", val.N, "validation images")
	// Output:
	// epoch 3 batch 2: 128 images, 393216 values
	// epoch 3 batch 3: 116 images, 393216 values
	// 4 batches per epoch; 100 validation images
}
