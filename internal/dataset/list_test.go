package dataset

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestList(t *testing.T) {
	dir := t.TempDir()
	files := fakeMNIST(t, 4, 2)
	var published []RemoteFile
	for name, data := range files {
		published = append(published, RemoteFile{name, md5hex(data)})
	}
	writeFiles(t, filepath.Join(dir, "mnist"), files)
	// A fashion-mnist copy whose files are not the published ones, like
	// Debian's recompressed package.
	writeFiles(t, filepath.Join(dir, "fashion-mnist"), files)
	// A CIFAR-10 folder unpacked by hand: no manifest.
	writeFiles(t, filepath.Join(dir, "cifar-10-batches-bin"), fakeCIFAR10(1))
	other := t.TempDir()
	writeFiles(t, filepath.Join(other, "mnist"), fakeMNIST(t, 3, 1))
	os.Remove(filepath.Join(other, "mnist", "t10k-labels-idx1-ubyte.gz"))

	sources := DefaultSources()
	sources["mnist"] = Source{Files: published}
	got := listWith([]string{dir, other, filepath.Join(dir, "missing")}, sources)
	want := []struct {
		name, path string
		verified   bool
		note       string
	}{
		{"cifar10", filepath.Join(dir, "cifar-10-batches-bin"), false, "no .resx-sha256 manifest"},
		{"cifar100", "", false, "resx data fetch cifar100"},
		{"mnist", filepath.Join(dir, "mnist"), true, "4 training + 2 test images"},
		{"mnist", filepath.Join(other, "mnist"), false, "missing t10k-labels-idx1-ubyte.gz"},
		{"fashion-mnist", filepath.Join(dir, "fashion-mnist"), false, "differs from the published sums"},
		{"fashion-mnist-mini", "embedded", true, "10000 training + 2000 test"},
		{"synthetic", "generated", true, ""},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d entries, want %d: %+v", len(got), len(want), got)
	}
	for i, w := range want {
		g := got[i]
		if g.Name != w.name || g.Path != w.path || g.Verified != w.verified || !strings.Contains(g.Note, w.note) {
			t.Errorf("entry %d = %+v\nwant %+v", i, g, w)
		}
	}
	if got[0].Size != 6*3073 || got[5].Size < 1<<20 {
		t.Errorf("sizes: cifar10 %d, embedded %d", got[0].Size, got[5].Size)
	}
}

// TestListThisMachine shows what List finds here; with Debian's
// dataset-fashion-mnist installed it must report it.
func TestListThisMachine(t *testing.T) {
	t.Setenv("XDG_DATA_DIRS", "") // the default system locations
	entries := List(SearchDirs("", ""))
	debian := false
	for _, e := range entries {
		t.Logf("%-18s %-40s %10d verified=%-5v %s", e.Name, e.Path, e.Size, e.Verified, e.Note)
		if e.Name == "fashion-mnist" && e.Path == "/usr/share/datasets/fashion-mnist" {
			debian = true
			if !strings.Contains(e.Note, "60000 training + 10000 test images") {
				t.Errorf("Debian copy: %s", e.Note)
			}
		}
	}
	if _, err := os.Stat("/usr/share/datasets/fashion-mnist"); err == nil && !debian {
		t.Error("the Debian Fashion-MNIST is installed but not listed")
	}
}
