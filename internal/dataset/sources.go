package dataset

// RemoteFile is one file of a dataset as published.
type RemoteFile struct {
	// Name is the file's name on the mirrors and in the data directory.
	Name string
	// MD5 is the published MD5 sum, in hex.
	MD5 string
}

// Source says where a dataset is downloaded from and how it is checked.
type Source struct {
	// Mirrors are base URLs, tried in order: a file's URL is mirror + Name.
	Mirrors []string
	// Files are the files to download.
	Files []RemoteFile
	// Archive is true when Files holds one .tar.gz archive that contains the
	// dataset's folder (the CIFAR tarballs), false when the files themselves
	// make the folder (the IDX files of MNIST and Fashion-MNIST).
	Archive bool
}

// DefaultSources returns the official download locations and published
// checksums: the CIFAR tarballs with the MD5 sums on the CIFAR page, and the
// MNIST and Fashion-MNIST IDX files with the MD5 sums that torchvision and
// the Fashion-MNIST README publish. MNIST's own site is unreliable, so its
// mirrors come first. The map is new on each call; tests change it freely.
func DefaultSources() map[string]Source {
	return map[string]Source{
		"cifar10": {
			Mirrors: []string{"https://www.cs.toronto.edu/~kriz/"},
			Files:   []RemoteFile{{"cifar-10-binary.tar.gz", "c32a1d4ab5d03f1284b67883e8d87530"}},
			Archive: true,
		},
		"cifar100": {
			Mirrors: []string{"https://www.cs.toronto.edu/~kriz/"},
			Files:   []RemoteFile{{"cifar-100-binary.tar.gz", "03b5dce01913d631647c71ecec9e9cb8"}},
			Archive: true,
		},
		"mnist": {
			Mirrors: []string{
				"https://ossci-datasets.s3.amazonaws.com/mnist/",
				"https://storage.googleapis.com/cvdf-datasets/mnist/",
				"https://yann.lecun.com/exdb/mnist/",
			},
			Files: mnistFiles,
		},
		"fashion-mnist": {
			Mirrors: []string{
				"https://raw.githubusercontent.com/zalandoresearch/fashion-mnist/master/data/fashion/",
				"https://fashion-mnist.s3.eu-central-1.amazonaws.com/",
			},
			Files: fashionMNISTFiles,
		},
	}
}

var (
	mnistFiles = []RemoteFile{
		{"train-images-idx3-ubyte.gz", "f68b3c2dcbeaaa9fbdd348bbdeb94873"},
		{"train-labels-idx1-ubyte.gz", "d53e105ee54ea40749a09fcbcd1e9432"},
		{"t10k-images-idx3-ubyte.gz", "9fb629c4189551a2d022fa330f9573f3"},
		{"t10k-labels-idx1-ubyte.gz", "ec29112dd5afa0611ce80d1b7f02629c"},
	}
	fashionMNISTFiles = []RemoteFile{
		{"train-images-idx3-ubyte.gz", "8d4fb7e6c68d591d4c3dfef9ec88bf0d"},
		{"train-labels-idx1-ubyte.gz", "25c81989df183df01b3e8a0aad5dffbe"},
		{"t10k-images-idx3-ubyte.gz", "bef4ecab320f06d8554ea6380940ec79"},
		{"t10k-labels-idx1-ubyte.gz", "bb300cfdad3c16e7a12a480ee83cd310"},
	}
)
