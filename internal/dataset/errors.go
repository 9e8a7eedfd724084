package dataset

import (
	"errors"
	"fmt"
)

// ErrInvalidData is wrapped by every error caused by a missing, truncated or
// corrupt data file or download. The command line maps it to exit code 2.
var ErrInvalidData = errors.New("invalid data")

// ErrUnknownDataset is wrapped when a dataset name is not one of Names().
var ErrUnknownDataset = errors.New("unknown dataset")

// invalidf returns an error wrapping ErrInvalidData:
// "<file>: <problem>: invalid data".
func invalidf(file, format string, args ...any) error {
	return fmt.Errorf("%s: %s: %w", file, fmt.Sprintf(format, args...), ErrInvalidData)
}

// unknownDataset returns an error wrapping ErrUnknownDataset.
func unknownDataset(name string) error {
	return fmt.Errorf("%w %q (known: %v)", ErrUnknownDataset, name, Names())
}
