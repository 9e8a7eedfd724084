package model

import (
	"github.com/resx-dev/resx/internal/config"
)

// countParams counts parameters by building only the shapes (a batch of 1).
func countParams(cfg config.Model, in InputShape) int {
	n, err := New(cfg, Options{Batch: 1, Classes: 10, Input: in, Seed: 1, Threads: 1})
	if err != nil {
		panic(err)
	}
	return n.NumParams()
}

// countWeights counts the parameters that are not batch-norm scale or bias.
func countWeights(cfg config.Model, in InputShape) int {
	n, err := New(cfg, Options{Batch: 1, Classes: 10, Input: in, Seed: 1, Threads: 1})
	if err != nil {
		panic(err)
	}
	total := 0
	for _, p := range n.Params() {
		if p.Decay {
			total += len(p.Value)
		}
	}
	return total
}
