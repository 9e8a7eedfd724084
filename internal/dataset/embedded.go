package dataset

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"path"
)

// embeddedFS holds fashion-mnist-mini, built by scripts/make-fashion-mnist-mini
// from the official Fashion-MNIST files (MIT licence, see the LICENSE and
// README.md beside them).
//
//go:embed embedded/fashion-mnist-mini
var embeddedFS embed.FS

const embeddedDir = "embedded/fashion-mnist-mini"

// embeddedSHA256 are the SHA-256 sums of the embedded IDX files; List reports
// the embedded dataset as verified when they match.
var embeddedSHA256 = map[string]string{
	"train-images-idx3-ubyte.gz": "903f78677adf6d6afddb38a63911974e4eaf3978cb2bcb8cc4580988582fb86f",
	"train-labels-idx1-ubyte.gz": "c7ecf92e15cd1aa176590c24eb213f4dbf87eae8964f8656c188e600fc04073a",
	"t10k-images-idx3-ubyte.gz":  "461b662e8f40b983476077506b2598bf776afb2fc30bcba26b3e74380154ac98",
	"t10k-labels-idx1-ubyte.gz":  "ff07baf27b2de477de2d8caedbcdc6a594877267cb664f65e1ef50e153407565",
}

func openEmbedded() (*Dataset, error) {
	var s [4]IDX
	for i, b := range idxFiles {
		name := path.Join(embeddedDir, b+".gz")
		data, err := embeddedFS.ReadFile(name)
		if err != nil {
			return nil, fmt.Errorf("embedded %s: %w: %w", name, err, ErrInvalidData)
		}
		if s[i], err = ReadIDX(bytes.NewReader(data), "embedded "+name); err != nil {
			return nil, err
		}
	}
	train, err := splitFromIDX(s[0], s[1], "embedded train images", "embedded train labels", 10)
	if err != nil {
		return nil, err
	}
	test, err := splitFromIDX(s[2], s[3], "embedded test images", "embedded test labels", 10)
	if err != nil {
		return nil, err
	}
	return &Dataset{Name: "fashion-mnist-mini", Classes: 10, Train: train, Test: test, Source: "embedded"}, nil
}

// embeddedStatus returns the embedded files' total size and whether their
// SHA-256 sums match embeddedSHA256.
func embeddedStatus() (size int64, verified bool, note string) {
	verified = true
	for name, want := range embeddedSHA256 {
		data, err := fs.ReadFile(embeddedFS, path.Join(embeddedDir, name))
		if err != nil {
			return size, false, err.Error()
		}
		size += int64(len(data))
		sum := sha256.Sum256(data)
		if hex.EncodeToString(sum[:]) != want {
			verified, note = false, name+": SHA-256 differs from the pinned one"
		}
	}
	return size, verified, note
}
