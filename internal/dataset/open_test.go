package dataset

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

func TestNames(t *testing.T) {
	want := []string{"cifar10", "cifar100", "mnist", "fashion-mnist", "fashion-mnist-mini", "synthetic"}
	if got := Names(); !reflect.DeepEqual(got, want) {
		t.Errorf("Names() = %v, want %v", got, want)
	}
}

func TestOpenUnknown(t *testing.T) {
	for _, name := range []string{"imagenet", "", "CIFAR10"} {
		_, err := Open(name, OpenOptions{})
		if !errors.Is(err, ErrUnknownDataset) {
			t.Errorf("Open(%q) error %v, want ErrUnknownDataset", name, err)
		}
		if err := Fetch(t.Context(), name, t.TempDir(), FetchOptions{}); !errors.Is(err, ErrUnknownDataset) {
			t.Errorf("Fetch(%q) error %v, want ErrUnknownDataset", name, err)
		}
	}
}

// isolate points every location of the resolution order into the test's
// temporary folder, so that nothing on the machine is found.
func isolate(t *testing.T) string {
	root := t.TempDir()
	t.Setenv(EnvDataDir, "")
	t.Setenv("XDG_CACHE_HOME", filepath.Join(root, "cache"))
	t.Setenv("HOME", filepath.Join(root, "home"))
	t.Setenv("XDG_DATA_DIRS", filepath.Join(root, "share"))
	return root
}

func TestSearchDirsOrder(t *testing.T) {
	root := isolate(t)
	t.Setenv(EnvDataDir, "/env/dir")
	t.Setenv("XDG_DATA_DIRS", "/opt/share::relative:/usr/share")
	got := SearchDirs("/explicit/", "/config")
	want := []string{"/explicit", "/env/dir", "/config", filepath.Join(root, "cache", "resx"), "/opt/share/datasets", "/usr/share/datasets"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("SearchDirs = %v\nwant %v", got, want)
	}
	t.Setenv(EnvDataDir, "")
	got = SearchDirs("", "/config")
	if got[0] != "/config" {
		t.Errorf("without flag and env, first dir = %s, want /config", got[0])
	}
	got = SearchDirs("/config", "/config")
	if got[0] != "/config" || got[1] == "/config" {
		t.Errorf("duplicates kept: %v", got)
	}
	t.Setenv("XDG_DATA_DIRS", "")
	got = SearchDirs("", "")
	if tail := got[len(got)-2:]; !reflect.DeepEqual(tail, []string{"/usr/local/share/datasets", "/usr/share/datasets"}) {
		t.Errorf("default system dirs = %v", tail)
	}
}

func TestFetchDir(t *testing.T) {
	root := isolate(t)
	cases := []struct{ explicit, env, config, want string }{
		{"/flag", "/env", "/config", "/flag"},
		{"", "/env", "/config", "/env"},
		{"", "", "/config", "/config"},
		{"", "", "", filepath.Join(root, "cache", "resx")},
	}
	for _, c := range cases {
		t.Setenv(EnvDataDir, c.env)
		got, err := FetchDir(c.explicit, c.config)
		if err != nil || got != c.want {
			t.Errorf("FetchDir(%q, %q) with env %q = %q, %v; want %q", c.explicit, c.config, c.env, got, err, c.want)
		}
		if sd := SearchDirs(c.explicit, c.config); sd[0] != got {
			t.Errorf("SearchDirs starts with %q, FetchDir gives %q", sd[0], got)
		}
	}
	t.Setenv("XDG_CACHE_HOME", "")
	t.Setenv("HOME", "")
	if d, err := FetchDir("", ""); err == nil {
		t.Errorf("with no cache dir, FetchDir = %q, want an error", d)
	}
}

func TestOpenPrecedence(t *testing.T) {
	root := isolate(t)
	// Four locations hold MNIST with different training sizes; the first in
	// the resolution order wins.
	locs := map[string]int{"flag": 11, "env": 12, "config": 13, "cache/resx": 14, "share/datasets": 15}
	for loc, n := range locs {
		writeFiles(t, filepath.Join(root, loc, "mnist"), fakeMNIST(t, n, 2))
	}
	t.Setenv(EnvDataDir, filepath.Join(root, "env"))
	steps := []struct {
		name      string
		opt       OpenOptions
		unset     string
		wantTrain int
	}{
		{"flag", OpenOptions{Dir: filepath.Join(root, "flag"), ConfigDir: filepath.Join(root, "config")}, "", 11},
		{"env", OpenOptions{ConfigDir: filepath.Join(root, "config")}, "", 12},
		{"config", OpenOptions{ConfigDir: filepath.Join(root, "config")}, "env", 13},
		{"cache", OpenOptions{}, "", 14},
		{"system", OpenOptions{}, "cache/resx", 15},
	}
	for _, s := range steps {
		if s.unset == "env" {
			t.Setenv(EnvDataDir, "")
		} else if s.unset != "" {
			os.RemoveAll(filepath.Join(root, s.unset))
		}
		d, err := Open("mnist", s.opt)
		if err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		if d.Train.N != s.wantTrain {
			t.Errorf("%s: opened %d training images from %s, want %d", s.name, d.Train.N, d.Source, s.wantTrain)
		}
	}
	os.RemoveAll(filepath.Join(root, "share"))
	_, err := Open("mnist", OpenOptions{})
	wantInvalid(t, err, "mnist not found", "resx data fetch mnist")
}

func TestOpenIDXErrors(t *testing.T) {
	cases := []struct {
		name   string
		change func(f map[string][]byte)
		want   []string
	}{
		{"missing labels", func(f map[string][]byte) { delete(f, "t10k-labels-idx1-ubyte.gz") }, []string{"t10k-labels-idx1-ubyte", "missing file"}},
		{"count mismatch", func(f map[string][]byte) {
			f["train-labels-idx1-ubyte.gz"] = idxBytes(t, []int{4}, []byte{1, 2, 3, 4}, true)
		}, []string{"train-labels-idx1-ubyte.gz", "4 labels for the 5 images"}},
		{"label out of range", func(f map[string][]byte) {
			f["t10k-labels-idx1-ubyte.gz"] = idxBytes(t, []int{2}, []byte{1, 12}, true)
		}, []string{"t10k-labels-idx1-ubyte.gz", "label 12 of item 1"}},
		{"broken gzip", func(f map[string][]byte) {
			b := f["train-images-idx3-ubyte.gz"]
			f["train-images-idx3-ubyte.gz"] = append(append([]byte{}, b[:len(b)/2]...), make([]byte, 50)...)
		}, []string{"train-images-idx3-ubyte.gz", "broken gzip"}},
		{"wrong magic", func(f map[string][]byte) {
			f["train-images-idx3-ubyte.gz"] = gzBytes(t, []byte("<html>not found</html>"))
		}, []string{"train-images-idx3-ubyte.gz", "wrong magic number"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			files := fakeMNIST(t, 5, 2)
			c.change(files)
			dir := t.TempDir()
			writeFiles(t, dir, files)
			d, err := OpenDir("fashion-mnist", dir, OpenOptions{})
			wantInvalid(t, err, c.want...)
			if d != nil {
				t.Error("returned a dataset with the error")
			}
		})
	}
}

func TestOpenRawIDX(t *testing.T) {
	dir := t.TempDir()
	img := make([]byte, 3*28*28)
	files := map[string][]byte{
		"train-images-idx3-ubyte": idxBytes(t, []int{3, 28, 28}, img, false),
		"train-labels-idx1-ubyte": idxBytes(t, []int{3}, []byte{0, 1, 9}, false),
		"t10k-images-idx3-ubyte":  idxBytes(t, []int{3, 28, 28}, img, false),
		"t10k-labels-idx1-ubyte":  idxBytes(t, []int{3}, []byte{9, 1, 0}, false),
	}
	writeFiles(t, dir, files)
	d, err := OpenDir("mnist", dir, OpenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if d.Test.Labels[0] != 9 || d.Train.N != 3 {
		t.Errorf("got %d training images, test label 0 = %d", d.Train.N, d.Test.Labels[0])
	}
}

func TestSplitHeadAndValidation(t *testing.T) {
	d, err := Synthetic(SyntheticOptions{Train: 100, Test: 10})
	if err != nil {
		t.Fatal(err)
	}
	s := d.Train
	for _, c := range []struct{ n, want int }{{0, 100}, {-1, 100}, {30, 30}, {100, 100}, {500, 100}} {
		if h := s.Head(c.n); h.N != c.want || len(h.Labels) != c.want || len(h.Images) != c.want*s.ImageSize() {
			t.Errorf("Head(%d): N %d, %d labels, %d bytes; want %d images", c.n, h.N, len(h.Labels), len(h.Images), c.want)
		}
	}
	rest, val := ValidationSplit(s, 20)
	if rest.N != 80 || val.N != 20 {
		t.Fatalf("ValidationSplit(20): %d + %d images", rest.N, val.N)
	}
	if &val.Images[0] != &s.Images[80*s.ImageSize()] || val.Labels[0] != s.Labels[80] {
		t.Error("validation split is not the last 20 images")
	}
	// Appending to the rest must not overwrite the validation images.
	before := val.Images[0]
	_ = append(rest.Images, 255-before)
	if val.Images[0] != before {
		t.Error("rest and val overlap through capacity")
	}
	if r, v := ValidationSplit(s, 0); r.N != 100 || v.N != 0 {
		t.Errorf("ValidationSplit(0): %d + %d", r.N, v.N)
	}
	defer func() {
		if recover() == nil {
			t.Error("ValidationSplit(N) did not panic")
		}
	}()
	ValidationSplit(s, 100)
}
