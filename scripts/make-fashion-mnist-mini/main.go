// Command make-fashion-mnist-mini builds fashion-mnist-mini, the subset of
// Fashion-MNIST that resx compiles into its binary: the first 1,000 training
// and the first 200 test images of each class, in file order, written as
// gzip IDX files with the official names.
//
//	go run ./scripts/make-fashion-mnist-mini \
//	    -src /usr/share/datasets/fashion-mnist \
//	    -out internal/dataset/embedded/fashion-mnist-mini
//
// The output is deterministic (no gzip timestamp), so rerunning it on the same
// source reproduces the files whose SHA-256 the dataset tests pin.
package main

import (
	"bytes"
	"compress/gzip"
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/resx-dev/resx/internal/dataset"
)

func main() {
	src := flag.String("src", "/usr/share/datasets/fashion-mnist", "folder with the four official Fashion-MNIST IDX files")
	out := flag.String("out", "internal/dataset/embedded/fashion-mnist-mini", "folder to write the subset into")
	trainPer := flag.Int("train-per-class", 1000, "training images per class")
	testPer := flag.Int("test-per-class", 200, "test images per class")
	flag.Parse()
	if err := run(*src, *out, *trainPer, *testPer); err != nil {
		fmt.Fprintln(os.Stderr, "make-fashion-mnist-mini:", err)
		os.Exit(1)
	}
}

func run(src, out string, trainPer, testPer int) error {
	d, err := dataset.OpenDir("fashion-mnist", src, dataset.OpenOptions{})
	if err != nil {
		return err
	}
	train, err := dataset.BalancedSubset(d.Train, d.Classes, trainPer)
	if err != nil {
		return fmt.Errorf("training split: %w", err)
	}
	test, err := dataset.BalancedSubset(d.Test, d.Classes, testPer)
	if err != nil {
		return fmt.Errorf("test split: %w", err)
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	for _, f := range []struct {
		name string
		s    dataset.Split
	}{{"train", train}, {"t10k", test}} {
		if err := writeGz(filepath.Join(out, f.name+"-images-idx3-ubyte.gz"), []int{f.s.N, f.s.H, f.s.W}, f.s.Images); err != nil {
			return err
		}
		labels := make([]byte, f.s.N)
		for i, l := range f.s.Labels {
			labels[i] = byte(l)
		}
		if err := writeGz(filepath.Join(out, f.name+"-labels-idx1-ubyte.gz"), []int{f.s.N}, labels); err != nil {
			return err
		}
	}
	fmt.Printf("wrote %d training and %d test images to %s\n", train.N, test.N, out)
	return nil
}

func writeGz(path string, dims []int, data []byte) error {
	var buf bytes.Buffer
	zw, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if err != nil {
		return err
	}
	if err := dataset.WriteIDX(zw, dims, data); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if err := zw.Close(); err != nil {
		return err
	}
	return os.WriteFile(path, buf.Bytes(), 0o644)
}
