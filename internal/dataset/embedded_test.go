package dataset

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path"
	"testing"
)

// The SHA-256 of the embedded files, pinned: rebuilding them with
// scripts/make-fashion-mnist-mini must reproduce these.
var pinnedEmbedded = map[string]string{
	"train-images-idx3-ubyte.gz": "903f78677adf6d6afddb38a63911974e4eaf3978cb2bcb8cc4580988582fb86f",
	"train-labels-idx1-ubyte.gz": "c7ecf92e15cd1aa176590c24eb213f4dbf87eae8964f8656c188e600fc04073a",
	"t10k-images-idx3-ubyte.gz":  "461b662e8f40b983476077506b2598bf776afb2fc30bcba26b3e74380154ac98",
	"t10k-labels-idx1-ubyte.gz":  "ff07baf27b2de477de2d8caedbcdc6a594877267cb664f65e1ef50e153407565",
}

func TestEmbeddedPinned(t *testing.T) {
	for name, want := range pinnedEmbedded {
		data, err := embeddedFS.ReadFile(path.Join(embeddedDir, name))
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(data)
		if got := hex.EncodeToString(sum[:]); got != want || embeddedSHA256[name] != want {
			t.Errorf("%s: SHA-256 %s (List expects %s), pinned %s", name, got, embeddedSHA256[name], want)
		}
	}
	for _, f := range []string{"LICENSE", "README.md"} {
		if _, err := embeddedFS.ReadFile(path.Join(embeddedDir, f)); err != nil {
			t.Errorf("the licence and attribution must sit beside the data: %v", err)
		}
	}
}

func TestOpenEmbedded(t *testing.T) {
	d, err := Open("fashion-mnist-mini", OpenOptions{Dir: "/nonexistent"})
	if err != nil {
		t.Fatal(err)
	}
	if d.Source != "embedded" || d.Classes != 10 {
		t.Errorf("source %q, %d classes", d.Source, d.Classes)
	}
	for _, c := range []struct {
		name   string
		s      Split
		n, per int
	}{{"train", d.Train, 10000, 1000}, {"test", d.Test, 2000, 200}} {
		if c.s.N != c.n || c.s.C != 1 || c.s.H != 28 || c.s.W != 28 {
			t.Errorf("%s: %d images of %d×%d×%d, want %d of 1×28×28", c.name, c.s.N, c.s.C, c.s.H, c.s.W, c.n)
		}
		count := make([]int, 10)
		for _, l := range c.s.Labels {
			count[l]++
		}
		for k, n := range count {
			if n != c.per {
				t.Errorf("%s: class %d has %d images, want %d", c.name, k, n, c.per)
			}
		}
	}
}

// TestEmbeddedMatchesDebian checks the embedded subset against the full
// Fashion-MNIST that Debian's dataset-fashion-mnist package installs, if
// present: it must be exactly the first 1,000 / 200 images of each class.
func TestEmbeddedMatchesDebian(t *testing.T) {
	const dir = "/usr/share/datasets/fashion-mnist"
	if _, err := os.Stat(dir); err != nil || testing.Short() {
		t.Skip("Debian's Fashion-MNIST is not installed (apt-get install dataset-fashion-mnist)")
	}
	full, err := OpenDir("fashion-mnist", dir, OpenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	mini, err := Open("fashion-mnist-mini", OpenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name       string
		full, mini Split
		per        int
	}{{"train", full.Train, mini.Train, 1000}, {"test", full.Test, mini.Test, 200}} {
		want, err := BalancedSubset(c.full, 10, c.per)
		if err != nil {
			t.Fatal(err)
		}
		if string(want.Images) != string(c.mini.Images) || !equalLabels(want.Labels, c.mini.Labels) {
			t.Errorf("%s: embedded subset differs from the first %d images per class of %s", c.name, c.per, dir)
		}
	}
}

func equalLabels(a, b []int32) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestBalancedSubset(t *testing.T) {
	s := Split{N: 6, C: 1, H: 1, W: 1, Images: []byte{10, 11, 12, 13, 14, 15}, Labels: []int32{0, 0, 1, 0, 1, 1}}
	got, err := BalancedSubset(s, 2, 2)
	if err != nil {
		t.Fatal(err)
	}
	if string(got.Images) != string([]byte{10, 11, 12, 14}) || !equalLabels(got.Labels, []int32{0, 0, 1, 1}) {
		t.Errorf("got images %v labels %v, want [10 11 12 14] [0 0 1 1]", got.Images, got.Labels)
	}
	if _, err := BalancedSubset(s, 2, 4); err == nil {
		t.Error("subset larger than a class accepted")
	}
}

func TestOpenDebianFashionMNIST(t *testing.T) {
	if _, err := os.Stat("/usr/share/datasets/fashion-mnist"); err != nil || testing.Short() {
		t.Skip("Debian's Fashion-MNIST is not installed")
	}
	root := isolate(t)
	_ = root
	t.Setenv("XDG_DATA_DIRS", "/usr/share")
	d, err := Open("fashion-mnist", OpenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if d.Source != "/usr/share/datasets/fashion-mnist" || d.Train.N != 60000 || d.Test.N != 10000 {
		t.Errorf("opened %d+%d images from %s", d.Train.N, d.Test.N, d.Source)
	}
}
