package dataset

import (
	"fmt"
	"os"
	"path/filepath"
)

// CIFAR images are 3×32×32; a record is its label byte(s) then 1024 red,
// 1024 green and 1024 blue bytes, each plane row-major: already NCHW.
const (
	cifarC, cifarH, cifarW = 3, 32, 32
	cifarPixels            = cifarC * cifarH * cifarW
)

// cifarFormat describes the records of one CIFAR binary version.
type cifarFormat struct {
	// limits[i] bounds label byte i of each record (exclusive).
	limits []int
	// use is the label byte that becomes the label.
	use int
	// pixels is the number of pixel bytes per record (0 means 3072, the
	// CIFAR image; the fuzz tests use smaller records).
	pixels int
}

var (
	cifar10Format        = cifarFormat{limits: []int{10}, use: 0}
	cifar100FineFormat   = cifarFormat{limits: []int{20, 100}, use: 1}
	cifar100CoarseFormat = cifarFormat{limits: []int{20, 100}, use: 0}
)

func (f cifarFormat) recordSize() int { return len(f.limits) + f.imageSize() }

func (f cifarFormat) imageSize() int {
	if f.pixels == 0 {
		return cifarPixels
	}
	return f.pixels
}

// CIFAR file names, as distributed.
var (
	cifar10TrainFiles  = []string{"data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin", "data_batch_5.bin"}
	cifar10TestFiles   = []string{"test_batch.bin"}
	cifar100TrainFiles = []string{"train.bin"}
	cifar100TestFiles  = []string{"test.bin"}
)

// ReadCIFAR10 reads the CIFAR-10 binary version from dir, the folder
// cifar-10-batches-bin as unpacked from cifar-10-binary.tar.gz: data_batch_1.bin
// … data_batch_5.bin (train, in that order) and test_batch.bin (test). The
// splits are N×3×32×32 with labels in [0, 10).
func ReadCIFAR10(dir string) (train, test Split, err error) {
	return readCIFAR(dir, cifar10TrainFiles, cifar10TestFiles, cifar10Format)
}

// ReadCIFAR100 reads the CIFAR-100 binary version from dir, the folder
// cifar-100-binary: train.bin and test.bin. labels chooses "fine" (100
// classes; "" means fine) or "coarse" (20 superclasses); both label bytes of
// every record are range-checked either way.
func ReadCIFAR100(dir, labels string) (train, test Split, err error) {
	f, err := cifar100Labels(labels)
	if err != nil {
		return Split{}, Split{}, err
	}
	return readCIFAR(dir, cifar100TrainFiles, cifar100TestFiles, f)
}

func cifar100Labels(labels string) (cifarFormat, error) {
	switch labels {
	case "", "fine":
		return cifar100FineFormat, nil
	case "coarse":
		return cifar100CoarseFormat, nil
	}
	return cifarFormat{}, fmt.Errorf("cifar100 labels %q: want fine or coarse", labels)
}

func readCIFAR(dir string, trainFiles, testFiles []string, f cifarFormat) (train, test Split, err error) {
	if train, err = readCIFARFiles(dir, trainFiles, f); err != nil {
		return Split{}, Split{}, err
	}
	if test, err = readCIFARFiles(dir, testFiles, f); err != nil {
		return Split{}, Split{}, err
	}
	return train, test, nil
}

// readCIFARFiles reads and concatenates the records of the named files.
func readCIFARFiles(dir string, names []string, f cifarFormat) (Split, error) {
	paths := make([]string, len(names))
	total := int64(0)
	for i, n := range names {
		paths[i] = filepath.Join(dir, n)
		fi, err := os.Stat(paths[i])
		if err != nil {
			return Split{}, fmt.Errorf("missing batch file: %w: %w", err, ErrInvalidData)
		}
		total += fi.Size()
	}
	records := int(total / int64(f.recordSize()))
	s := Split{C: cifarC, H: cifarH, W: cifarW,
		Images: make([]byte, 0, records*f.imageSize()), Labels: make([]int32, 0, records)}
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			return Split{}, fmt.Errorf("%w: %w", err, ErrInvalidData)
		}
		if err := parseCIFAR(&s, data, p, f); err != nil {
			return Split{}, err
		}
	}
	return s, nil
}

// parseCIFAR checks the records in data and appends their images and labels to
// s. It appends nothing if data is bad: a length that is not a whole number of
// records, no records, or a label out of range.
func parseCIFAR(s *Split, data []byte, name string, f cifarFormat) error {
	rs := f.recordSize()
	if len(data) == 0 {
		return invalidf(name, "empty file")
	}
	if len(data)%rs != 0 {
		return invalidf(name, "truncated: %d bytes is not a whole number of %d-byte records (%d records and %d bytes)",
			len(data), rs, len(data)/rs, len(data)%rs)
	}
	n := len(data) / rs
	for i := range n {
		rec := data[i*rs:]
		for j, lim := range f.limits {
			if int(rec[j]) >= lim {
				return invalidf(name, "label byte %d of record %d is %d, out of range [0, %d)", j, i, rec[j], lim)
			}
		}
	}
	for i := range n {
		rec := data[i*rs : (i+1)*rs]
		s.Labels = append(s.Labels, int32(rec[f.use]))
		s.Images = append(s.Images, rec[len(f.limits):]...)
	}
	s.N += n
	return nil
}
