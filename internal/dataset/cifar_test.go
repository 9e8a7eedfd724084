package dataset

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestReadCIFAR10(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, fakeCIFAR10(3))
	train, test, err := ReadCIFAR10(dir)
	if err != nil {
		t.Fatal(err)
	}
	if train.N != 15 || test.N != 3 || train.C != 3 || train.H != 32 || train.W != 32 {
		t.Fatalf("got %d+%d images of %d×%d×%d, want 15+3 of 3×32×32", train.N, test.N, train.C, train.H, train.W)
	}
	// Image 4 is record 1 of data_batch_2.bin (batch index 1): label (1+1)%10,
	// pixels byte(1*7+j), the R plane first.
	if train.Labels[4] != 2 {
		t.Errorf("label of image 4 = %d, want 2", train.Labels[4])
	}
	img := train.Image(4)
	for _, j := range []int{0, 1023, 1024, 3071} {
		if img[j] != byte(7+j) {
			t.Errorf("pixel %d of image 4 = %d, want %d", j, img[j], byte(7+j))
		}
	}
	if test.Labels[2] != (2+5)%10 {
		t.Errorf("test label 2 = %d, want %d", test.Labels[2], (2+5)%10)
	}
}

func TestReadCIFAR100Labels(t *testing.T) {
	dir := t.TempDir()
	rec := func(i int) []byte { return []byte{byte(i % 20), byte(i%20*5 + 4)} }
	writeFiles(t, dir, map[string][]byte{"train.bin": cifarRecords(4, rec), "test.bin": cifarRecords(2, rec)})
	for _, c := range []struct {
		labels string
		want   []int32
	}{{"", []int32{4, 9, 14, 19}}, {"fine", []int32{4, 9, 14, 19}}, {"coarse", []int32{0, 1, 2, 3}}} {
		train, _, err := ReadCIFAR100(dir, c.labels)
		if err != nil {
			t.Fatalf("%q: %v", c.labels, err)
		}
		for i, w := range c.want {
			if train.Labels[i] != w {
				t.Errorf("labels %q: label %d = %d, want %d", c.labels, i, train.Labels[i], w)
			}
		}
		if !bytes.Equal(train.Image(1), cifarRecords(2, rec)[3074+2:]) {
			t.Errorf("labels %q: image 1 differs from record 1's pixels", c.labels)
		}
	}
	if _, _, err := ReadCIFAR100(dir, "medium"); err == nil {
		t.Error("labels \"medium\" accepted")
	}
}

func TestReadCIFARErrors(t *testing.T) {
	good := fakeCIFAR10(2)
	cases := []struct {
		name   string
		change func(files map[string][]byte)
		want   []string
	}{
		{"missing batch file", func(f map[string][]byte) { delete(f, "data_batch_3.bin") }, []string{"data_batch_3.bin", "missing batch file"}},
		{"missing test file", func(f map[string][]byte) { delete(f, "test_batch.bin") }, []string{"test_batch.bin"}},
		{"truncated", func(f map[string][]byte) { f["data_batch_5.bin"] = f["data_batch_5.bin"][:3073+100] }, []string{"data_batch_5.bin", "truncated", "1 records and 100 bytes"}},
		{"empty", func(f map[string][]byte) { f["test_batch.bin"] = nil }, []string{"test_batch.bin", "empty file"}},
		{"label out of range", func(f map[string][]byte) {
			b := bytes.Clone(f["data_batch_2.bin"])
			b[3073] = 10
			f["data_batch_2.bin"] = b
		}, []string{"data_batch_2.bin", "record 1 is 10, out of range [0, 10)"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			files := map[string][]byte{}
			for k, v := range good {
				files[k] = v
			}
			c.change(files)
			dir := t.TempDir()
			writeFiles(t, dir, files)
			train, test, err := ReadCIFAR10(dir)
			wantInvalid(t, err, c.want...)
			if train.Images != nil || test.Images != nil {
				t.Error("returned half-loaded data with the error")
			}
		})
	}
}

func TestParseCIFAR100BothLabelsChecked(t *testing.T) {
	// A coarse label out of range is an error even when fine labels are used.
	data := cifarRecords(1, func(int) []byte { return []byte{20, 3} })
	var s Split
	err := parseCIFAR(&s, data, "train.bin", cifar100FineFormat)
	wantInvalid(t, err, "train.bin", "label byte 0 of record 0 is 20, out of range [0, 20)")
	if s.N != 0 || len(s.Images) != 0 {
		t.Error("appended records despite the error")
	}
}

func TestOpenCIFARThroughSearch(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, filepath.Join(dir, "cifar-10-batches-bin"), fakeCIFAR10(2))
	d, err := Open("cifar10", OpenOptions{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if d.Train.N != 10 || d.Test.N != 2 || d.Classes != 10 || d.Source != filepath.Join(dir, "cifar-10-batches-bin") {
		t.Errorf("got %d+%d images, %d classes from %s", d.Train.N, d.Test.N, d.Classes, d.Source)
	}
	if err := os.WriteFile(filepath.Join(dir, "cifar-10-batches-bin", "test_batch.bin"), []byte{1, 2, 3}, 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = Open("cifar10", OpenOptions{Dir: dir})
	wantInvalid(t, err, "cifar10", "test_batch.bin", "truncated")
}

func TestOpenCIFAR100Coarse(t *testing.T) {
	dir := t.TempDir()
	rec := func(i int) []byte { return []byte{byte(i % 20), byte(i)} }
	writeFiles(t, filepath.Join(dir, "cifar-100-binary"), map[string][]byte{"train.bin": cifarRecords(3, rec), "test.bin": cifarRecords(1, rec)})
	for _, c := range []struct {
		labels  string
		classes int
	}{{"", 100}, {"coarse", 20}} {
		d, err := Open("cifar100", OpenOptions{Dir: dir, Labels: c.labels})
		if err != nil {
			t.Fatal(err)
		}
		if d.Classes != c.classes || d.Train.N != 3 {
			t.Errorf("labels %q: %d classes, %d images", c.labels, d.Classes, d.Train.N)
		}
	}
	if _, err := Open("cifar100", OpenOptions{Dir: dir, Labels: "fine-ish"}); err == nil || !strings.Contains(err.Error(), "fine or coarse") {
		t.Errorf("bad labels option: %v", err)
	}
}
