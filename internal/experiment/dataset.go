package experiment

import (
	"context"
	"fmt"

	"github.com/resx-dev/resx/internal/config"
	"github.com/resx-dev/resx/internal/dataset"
	"github.com/resx-dev/resx/internal/model"
)

// openDataset opens cfg's dataset and makes its two streams: the training
// split (after the validation split is held out and the subset taken),
// augmented and shuffled as cfg says, and the evaluation split (validation
// if cfg.Validation > 0, else test), in order. Both are normalised with
// statistics of the training split alone.
func openDataset(cfg config.Data, dataDir string, batch int, seed uint64) (*data, error) {
	ds, err := dataset.Open(cfg.Name, dataset.OpenOptions{Dir: dataDir, ConfigDir: cfg.Dir, Labels: cfg.Labels})
	if err != nil {
		return nil, err
	}
	train, eval := ds.Train, ds.Test
	if cfg.Validation > 0 {
		if cfg.Validation >= train.N {
			return nil, fmt.Errorf("data.validation %d leaves nothing of the %d training images of %s",
				cfg.Validation, train.N, ds.Name)
		}
		train, eval = dataset.ValidationSplit(train, cfg.Validation)
	}
	train, eval = train.Head(cfg.Subset), eval.Head(cfg.TestSubset)
	st, err := dataset.ComputeStats(train, cfg.Normalize)
	if err != nil {
		return nil, err
	}
	tl, err := dataset.NewLoader(train, st, dataset.LoaderOptions{BatchSize: batch, Augment: cfg.Augment,
		Shuffle: true, DropLast: cfg.DropLast, Seed: seed})
	if err != nil {
		return nil, fmt.Errorf("training split: %w", err)
	}
	el, err := dataset.NewLoader(eval, st, dataset.LoaderOptions{BatchSize: batch, Seed: seed})
	if err != nil {
		return nil, fmt.Errorf("evaluation split: %w", err)
	}
	return &data{
		name:    ds.Name,
		train:   loaderSource{tl, train.ImageSize()},
		eval:    loaderSource{el, eval.ImageSize()},
		classes: ds.Classes,
		input:   model.InputShape{C: train.C, H: train.H, W: train.W},
	}, nil
}

// loaderSource reads a dataset.Loader.
type loaderSource struct {
	l    *dataset.Loader
	size int // values per image
}

func (s loaderSource) batchesPerEpoch() int { return s.l.BatchesPerEpoch() }

// epoch streams the loader's batches to fn. After fn declines one it cancels
// the stream and releases what was already prepared, so that the loader's
// buffers are all back for the next stream.
func (s loaderSource) epoch(e, start int, fn func(batch) bool) error {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	next := start
	var err error
	for b := range s.l.Epoch(ctx, e, start) {
		switch {
		case ctx.Err() != nil:
		case b.Epoch != e || b.Index != next:
			err = fmt.Errorf("data: got batch %d of epoch %d, want batch %d of epoch %d", b.Index, b.Epoch, next, e)
			cancel()
		default:
			next++
			if !fn(batch{x: b.X[:b.N*s.size], y: b.Y[:b.N], n: b.N}) {
				cancel()
			}
		}
		b.Release()
	}
	if err == nil && ctx.Err() == nil && next != s.batchesPerEpoch() {
		err = fmt.Errorf("data: epoch %d ended after batch %d of %d", e, next, s.batchesPerEpoch())
	}
	return err
}
