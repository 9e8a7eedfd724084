package dataset

import (
	"bytes"
	"compress/gzip"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// idxBytes returns an unsigned-byte IDX file, gzip-compressed if gz.
func idxBytes(t testing.TB, dims []int, data []byte, gz bool) []byte {
	t.Helper()
	var buf bytes.Buffer
	if !gz {
		if err := WriteIDX(&buf, dims, data); err != nil {
			t.Fatal(err)
		}
		return buf.Bytes()
	}
	zw := gzip.NewWriter(&buf)
	if err := WriteIDX(zw, dims, data); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// gzBytes gzip-compresses data.
func gzBytes(t testing.TB, data []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(data)
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// fakeMNIST returns the four official IDX files (gzip) of an MNIST-like
// dataset with nTrain and nTest 28×28 images whose label is i mod 10 and
// whose pixels are (i + j) mod 256.
func fakeMNIST(t testing.TB, nTrain, nTest int) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	for _, s := range []struct {
		prefix string
		n      int
	}{{"train", nTrain}, {"t10k", nTest}} {
		img := make([]byte, s.n*28*28)
		for i := range img {
			img[i] = byte(i/784 + i%784)
		}
		lbl := make([]byte, s.n)
		for i := range lbl {
			lbl[i] = byte(i % 10)
		}
		out[s.prefix+"-images-idx3-ubyte.gz"] = idxBytes(t, []int{s.n, 28, 28}, img, true)
		out[s.prefix+"-labels-idx1-ubyte.gz"] = idxBytes(t, []int{s.n}, lbl, true)
	}
	return out
}

// cifarRecords returns n CIFAR records with the given label bytes per record
// (labels(i) gives them) and pixels derived from i.
func cifarRecords(n int, labels func(i int) []byte) []byte {
	var out []byte
	for i := range n {
		out = append(out, labels(i)...)
		for j := range cifarPixels {
			out = append(out, byte(i*7+j))
		}
	}
	return out
}

// fakeCIFAR10 returns the files of cifar-10-batches-bin with per images per batch.
func fakeCIFAR10(per int) map[string][]byte {
	out := map[string][]byte{"batches.meta.txt": []byte("airplane\nautomobile\n")}
	for b, name := range append(append([]string{}, cifar10TrainFiles...), cifar10TestFiles...) {
		out[name] = cifarRecords(per, func(i int) []byte { return []byte{byte((i + b) % 10)} })
	}
	return out
}

// writeFiles writes files into dir.
func writeFiles(t testing.TB, dir string, files map[string][]byte) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// wantInvalid fails unless err wraps ErrInvalidData and mentions every want.
func wantInvalid(t testing.TB, err error, want ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("got no error, want one mentioning %q", want)
	}
	if !errors.Is(err, ErrInvalidData) {
		t.Errorf("error %q does not wrap ErrInvalidData", err)
	}
	for _, w := range want {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error %q does not mention %q", err, w)
		}
	}
}

// wantSums checks that the IDX files in dir have the MD5 sums in files.
func wantSums(t *testing.T, dir string, files []RemoteFile) {
	t.Helper()
	for _, f := range files {
		if err := checkMD5(filepath.Join(dir, f.Name), f.MD5, f.Name); err != nil {
			t.Error(err)
		}
	}
}
