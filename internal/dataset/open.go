package dataset

import (
	"fmt"
	"os"
	"path/filepath"
)

// datasetKind tells how a dataset is read.
type datasetKind int

const (
	kindCIFAR10 datasetKind = iota
	kindCIFAR100
	kindIDX
	kindEmbedded
	kindSynthetic
)

// known describes one dataset of Names().
type known struct {
	name    string
	kind    datasetKind
	classes int
	// folder is the dataset's folder inside a data directory ("" if it has none).
	folder string
}

var knownDatasets = []known{
	{"cifar10", kindCIFAR10, 10, "cifar-10-batches-bin"},
	{"cifar100", kindCIFAR100, 100, "cifar-100-binary"},
	{"mnist", kindIDX, 10, "mnist"},
	{"fashion-mnist", kindIDX, 10, "fashion-mnist"},
	{"fashion-mnist-mini", kindEmbedded, 10, ""},
	{"synthetic", kindSynthetic, 10, ""},
}

func lookup(name string) (known, error) {
	for _, k := range knownDatasets {
		if k.name == name {
			return k, nil
		}
	}
	return known{}, unknownDataset(name)
}

// Names returns the names Open accepts, in a fixed order.
func Names() []string {
	out := make([]string, len(knownDatasets))
	for i, k := range knownDatasets {
		out[i] = k.name
	}
	return out
}

// OpenOptions says where and how Open reads a dataset.
type OpenOptions struct {
	// Dir is an explicit data directory (the --data-dir flag); "" uses the
	// rest of the resolution order (see SearchDirs).
	Dir string
	// ConfigDir is data.dir from the config.
	ConfigDir string
	// Labels chooses the CIFAR-100 labels: "fine" (default, "" too) or
	// "coarse". Other datasets ignore it.
	Labels string
	// Synthetic shapes the synthetic dataset; zero fields take the defaults
	// of SyntheticOptions.
	Synthetic SyntheticOptions
}

// Open loads the named dataset into memory. Datasets that live in files are
// looked for in SearchDirs(opt.Dir, opt.ConfigDir), first found wins; a
// folder that is found but incomplete or corrupt is an error (wrapping
// ErrInvalidData), not a reason to look further. A dataset found nowhere is
// an error wrapping ErrInvalidData that says how to fetch it; an unknown name
// wraps ErrUnknownDataset.
func Open(name string, opt OpenOptions) (*Dataset, error) {
	k, err := lookup(name)
	if err != nil {
		return nil, err
	}
	if k.kind == kindCIFAR100 {
		if _, err := cifar100Labels(opt.Labels); err != nil {
			return nil, err
		}
	}
	switch k.kind {
	case kindEmbedded:
		return openEmbedded()
	case kindSynthetic:
		return Synthetic(opt.Synthetic)
	}
	dirs := SearchDirs(opt.Dir, opt.ConfigDir)
	path, ok := locate(k.folder, dirs)
	if !ok {
		return nil, fmt.Errorf("dataset %s: folder %s not found in %v; run `resx data fetch %s`: %w",
			name, k.folder, dirs, name, ErrInvalidData)
	}
	return openDir(k, path, opt.Labels)
}

// OpenDir loads the named dataset from path, its own folder (for cifar10 the
// folder cifar-10-batches-bin itself), without searching.
func OpenDir(name, path string, opt OpenOptions) (*Dataset, error) {
	k, err := lookup(name)
	if err != nil {
		return nil, err
	}
	if k.folder == "" {
		return nil, fmt.Errorf("dataset %s is not read from a folder", name)
	}
	return openDir(k, path, opt.Labels)
}

func openDir(k known, path, labels string) (*Dataset, error) {
	d := &Dataset{Name: k.name, Classes: k.classes, Source: path}
	var err error
	switch k.kind {
	case kindCIFAR10:
		d.Train, d.Test, err = ReadCIFAR10(path)
	case kindCIFAR100:
		if labels == "coarse" {
			d.Classes = 20
		}
		d.Train, d.Test, err = ReadCIFAR100(path, labels)
	case kindIDX:
		d.Train, d.Test, err = readIDXDir(path, k.classes)
	}
	if err != nil {
		return nil, fmt.Errorf("dataset %s: %w", k.name, err)
	}
	return d, nil
}

// The IDX file names of MNIST and Fashion-MNIST, without the .gz suffix.
var idxFiles = [4]string{"train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"}

// idxPath returns dir/base.gz if it exists, else dir/base if it exists.
func idxPath(dir, base string) (string, error) {
	for _, p := range []string{filepath.Join(dir, base+".gz"), filepath.Join(dir, base)} {
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
	}
	return "", invalidf(filepath.Join(dir, base+".gz"), "missing file (nor %s without .gz)", base)
}

// readIDXDir reads the four IDX files of an MNIST-like dataset from dir.
func readIDXDir(dir string, classes int) (train, test Split, err error) {
	var paths [4]string
	for i, b := range idxFiles {
		if paths[i], err = idxPath(dir, b); err != nil {
			return Split{}, Split{}, err
		}
	}
	if train, err = readIDXPair(paths[0], paths[1], classes); err != nil {
		return Split{}, Split{}, err
	}
	if test, err = readIDXPair(paths[2], paths[3], classes); err != nil {
		return Split{}, Split{}, err
	}
	return train, test, nil
}

func readIDXPair(imgPath, lblPath string, classes int) (Split, error) {
	img, err := ReadIDXFile(imgPath)
	if err != nil {
		return Split{}, err
	}
	lbl, err := ReadIDXFile(lblPath)
	if err != nil {
		return Split{}, err
	}
	return splitFromIDX(img, lbl, imgPath, lblPath, classes)
}

// BalancedSubset returns a copy of the first perClass images of each of the
// classes classes of s, keeping their order in s. It fails if a class has
// fewer than perClass images.
func BalancedSubset(s Split, classes, perClass int) (Split, error) {
	count := make([]int, classes)
	sz := s.ImageSize()
	out := Split{C: s.C, H: s.H, W: s.W}
	for i, l := range s.Labels {
		if l < 0 || int(l) >= classes {
			return Split{}, fmt.Errorf("label %d of image %d is out of range [0, %d)", l, i, classes)
		}
		if count[l] == perClass {
			continue
		}
		count[l]++
		out.Images = append(out.Images, s.Images[i*sz:(i+1)*sz]...)
		out.Labels = append(out.Labels, l)
		out.N++
	}
	for c, n := range count {
		if n < perClass {
			return Split{}, fmt.Errorf("class %d has %d images, want %d", c, n, perClass)
		}
	}
	return out, nil
}
