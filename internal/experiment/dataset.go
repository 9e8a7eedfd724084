package experiment

import (
	"errors"

	"github.com/resx-dev/resx/internal/config"
)

// openDataset opens cfg's dataset with the dataset package's loaders.
func openDataset(cfg config.Data, dataDir string, batch int, seed uint64) (*data, error) {
	return nil, errors.New("the dataset loader is not available yet")
}
