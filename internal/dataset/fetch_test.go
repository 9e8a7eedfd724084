package dataset

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// tarGz builds a .tar.gz holding folder/ and the files in it, sorted by name,
// like the official CIFAR archives.
func tarGz(t testing.TB, folder string, files map[string][]byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	tw := tar.NewWriter(zw)
	if err := tw.WriteHeader(&tar.Header{Name: folder + "/", Typeflag: tar.TypeDir, Mode: 0o755}); err != nil {
		t.Fatal(err)
	}
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if err := tw.WriteHeader(&tar.Header{Name: folder + "/" + n, Typeflag: tar.TypeReg, Mode: 0o644, Size: int64(len(files[n]))}); err != nil {
			t.Fatal(err)
		}
		tw.Write(files[n])
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func md5hex(b []byte) string {
	s := md5.Sum(b)
	return hex.EncodeToString(s[:])
}

// fileServer serves files by name with http.ServeContent, which honours
// Range requests, and records the requests it saw.
type fileServer struct {
	mu     sync.Mutex
	files  map[string][]byte
	ranges []string // the Range header of each request ("" if none)
}

func (s *fileServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.ranges = append(s.ranges, r.Header.Get("Range"))
	data, ok := s.files[strings.TrimPrefix(r.URL.Path, "/")]
	s.mu.Unlock()
	if !ok {
		http.NotFound(w, r)
		return
	}
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(data))
}

func (s *fileServer) requests() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slicesClone(s.ranges)
}

func slicesClone(s []string) []string { return append([]string(nil), s...) }

func serve(t *testing.T, h http.Handler) string {
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv.URL + "/"
}

// cifarSource returns a cifar10 source table pointing at mirrors.
func cifarSource(archive []byte, mirrors ...string) map[string]Source {
	return map[string]Source{"cifar10": {Mirrors: mirrors, Archive: true,
		Files: []RemoteFile{{Name: "cifar-10-binary.tar.gz", MD5: md5hex(archive)}}}}
}

// wantOnly fails unless dir holds exactly the named entries (no .part files,
// no temporary folders).
func wantOnly(t *testing.T, dir string, names ...string) {
	t.Helper()
	ents, _ := os.ReadDir(dir)
	var got []string
	for _, e := range ents {
		got = append(got, e.Name())
	}
	sort.Strings(names)
	if strings.Join(got, " ") != strings.Join(names, " ") {
		t.Errorf("%s holds %v, want %v", dir, got, names)
	}
}

func TestFetchCIFAR10(t *testing.T) {
	files := fakeCIFAR10(3)
	files["readme.html"] = []byte("<html></html>")
	archive := tarGz(t, "cifar-10-batches-bin", files)
	fs := &fileServer{files: map[string][]byte{"cifar-10-binary.tar.gz": archive}}
	dir := t.TempDir()
	opt := FetchOptions{Sources: cifarSource(archive, serve(t, fs))}
	if err := Fetch(t.Context(), "cifar10", dir, opt); err != nil {
		t.Fatal(err)
	}
	wantOnly(t, dir, "cifar-10-batches-bin")
	d, err := Open("cifar10", OpenOptions{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if d.Train.N != 15 || d.Test.N != 3 {
		t.Errorf("opened %d+%d images", d.Train.N, d.Test.N)
	}
	e := listWith([]string{dir}, opt.Sources)[0]
	if e.Name != "cifar10" || !e.Verified || e.Path != filepath.Join(dir, "cifar-10-batches-bin") || e.Size != 6*3*3073 {
		t.Errorf("List entry %+v", e)
	}
	// A verified copy is not downloaded again.
	if err := Fetch(t.Context(), "cifar10", dir, opt); err != nil {
		t.Fatal(err)
	}
	if n := len(fs.requests()); n != 1 {
		t.Errorf("%d requests, want 1 (the second fetch should find the verified copy)", n)
	}
	// A damaged copy is no longer verified, and a fetch replaces it.
	os.WriteFile(filepath.Join(dir, "cifar-10-batches-bin", "data_batch_4.bin"), []byte("x"), 0o644)
	if e := listWith([]string{dir}, opt.Sources)[0]; e.Verified || !strings.Contains(e.Note, "data_batch_4.bin") {
		t.Errorf("damaged copy listed as %+v", e)
	}
	if err := Fetch(t.Context(), "cifar10", dir, opt); err != nil {
		t.Fatal(err)
	}
	if _, err := Open("cifar10", OpenOptions{Dir: dir}); err != nil {
		t.Errorf("after refetch: %v", err)
	}
	wantOnly(t, dir, "cifar-10-batches-bin")
}

func TestFetchCIFAR100(t *testing.T) {
	rec := func(i int) []byte { return []byte{byte(i % 20), byte(i % 100)} }
	archive := tarGz(t, "cifar-100-binary", map[string][]byte{
		"train.bin": cifarRecords(5, rec), "test.bin": cifarRecords(2, rec),
		"fine_label_names.txt": []byte("apple\n"), "coarse_label_names.txt": []byte("aquatic_mammals\n"),
	})
	srcs := map[string]Source{"cifar100": {Mirrors: []string{serve(t, &fileServer{files: map[string][]byte{"cifar-100-binary.tar.gz": archive}})},
		Archive: true, Files: []RemoteFile{{"cifar-100-binary.tar.gz", md5hex(archive)}}}}
	dir := t.TempDir()
	if err := Fetch(t.Context(), "cifar100", dir, FetchOptions{Sources: srcs}); err != nil {
		t.Fatal(err)
	}
	d, err := Open("cifar100", OpenOptions{Dir: dir, Labels: "coarse"})
	if err != nil {
		t.Fatal(err)
	}
	if d.Train.N != 5 || d.Classes != 20 {
		t.Errorf("opened %d images, %d classes", d.Train.N, d.Classes)
	}
	if e := listWith([]string{dir}, srcs)[1]; e.Name != "cifar100" || !e.Verified {
		t.Errorf("List entry %+v", e)
	}
}

func TestFetchMNISTMirrorFallback(t *testing.T) {
	files := fakeMNIST(t, 20, 5)
	var src []RemoteFile
	for _, b := range idxFiles {
		src = append(src, RemoteFile{b + ".gz", md5hex(files[b+".gz"])})
	}
	dead := serve(t, http.NotFoundHandler())
	good := serve(t, &fileServer{files: files})
	dir := t.TempDir()
	var log strings.Builder
	opt := FetchOptions{Sources: map[string]Source{"mnist": {Mirrors: []string{dead, good}, Files: src}},
		Logf: func(f string, a ...any) { log.WriteString(f + "\n") }}
	if err := Fetch(t.Context(), "mnist", dir, opt); err != nil {
		t.Fatal(err)
	}
	wantOnly(t, dir, "mnist")
	wantSums(t, filepath.Join(dir, "mnist"), src)
	d, err := Open("mnist", OpenOptions{Dir: dir})
	if err != nil || d.Train.N != 20 {
		t.Fatalf("open after fetch: %v", err)
	}
	if e := listWith([]string{dir}, opt.Sources)[2]; e.Name != "mnist" || !e.Verified {
		t.Errorf("List entry %+v", e)
	}
}

func TestFetchHTTPS(t *testing.T) {
	files := fakeMNIST(t, 3, 1)
	var src []RemoteFile
	for _, b := range idxFiles {
		src = append(src, RemoteFile{b + ".gz", md5hex(files[b+".gz"])})
	}
	srv := httptest.NewTLSServer(&fileServer{files: files})
	defer srv.Close()
	dir := t.TempDir()
	opt := FetchOptions{Client: srv.Client(), Sources: map[string]Source{"fashion-mnist": {Mirrors: []string{srv.URL}, Files: src}}}
	if err := Fetch(t.Context(), "fashion-mnist", dir, opt); err != nil {
		t.Fatal(err)
	}
	if _, err := OpenDir("fashion-mnist", filepath.Join(dir, "fashion-mnist"), OpenOptions{}); err != nil {
		t.Fatal(err)
	}
	// The default client does not trust the test certificate.
	opt.Client = nil
	if err := Fetch(t.Context(), "fashion-mnist", t.TempDir(), opt); err == nil || !strings.Contains(err.Error(), "certificate") {
		t.Errorf("untrusted certificate: %v", err)
	}
}

func TestFetchFailures(t *testing.T) {
	archive := tarGz(t, "cifar-10-batches-bin", fakeCIFAR10(2))
	corrupt := bytes.Clone(archive)
	corrupt[len(corrupt)/2] ^= 0x55
	truncated := archive[:len(archive)*2/3]
	cases := []struct {
		name    string
		served  []byte
		md5     string // "" = md5 of the good archive
		invalid bool
		want    []string
	}{
		{"corrupted", corrupt, "", true, []string{"checksum mismatch", md5hex(archive), "cifar-10-binary.tar.gz"}},
		{"truncated", truncated, "", true, []string{"checksum mismatch"}},
		{"truncated but published so", truncated, md5hex(truncated), true, []string{"cifar-10-binary.tar.gz", "broken archive"}},
		{"not found", nil, "", false, []string{"404 Not Found", "cifar-10-binary.tar.gz"}},
		{"wrong folder", tarGz(t, "cifar-10-batches-py", fakeCIFAR10(1)), "*", true, []string{"no folder cifar-10-batches-bin"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			files := map[string][]byte{}
			if c.served != nil {
				files["cifar-10-binary.tar.gz"] = c.served
			}
			srcs := cifarSource(archive, serve(t, &fileServer{files: files}))
			switch c.md5 {
			case "":
			case "*":
				srcs["cifar10"].Files[0].MD5 = md5hex(c.served)
			default:
				srcs["cifar10"].Files[0].MD5 = c.md5
			}
			dir := t.TempDir()
			err := Fetch(t.Context(), "cifar10", dir, FetchOptions{Sources: srcs})
			if err == nil {
				t.Fatal("fetch succeeded")
			}
			if errors.Is(err, ErrInvalidData) != c.invalid {
				t.Errorf("errors.Is(ErrInvalidData) = %v, want %v: %v", !c.invalid, c.invalid, err)
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
			if _, err := os.Stat(filepath.Join(dir, "cifar-10-batches-bin")); err == nil {
				t.Error("a dataset folder was left where readers look")
			}
			if c.invalid && c.md5 != "" {
				// A verified archive that fails to unpack is kept (it is
				// what was published); no temporary folder is left.
				wantOnly(t, dir, "cifar-10-binary.tar.gz.part")
			} else {
				wantOnly(t, dir) // a bad download is removed, not resumed
			}
		})
	}
}

// cutServer sends the first cut bytes of data with the full Content-Length,
// then either closes the connection (stall false) or stalls until the client
// gives up.
func cutServer(data []byte, cut int, stall bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", strconv.Itoa(len(data)))
		w.WriteHeader(http.StatusOK)
		w.Write(data[:cut])
		w.(http.Flusher).Flush()
		if stall {
			<-r.Context().Done()
			return
		}
		conn, _, err := http.NewResponseController(w).Hijack()
		if err == nil {
			conn.Close()
		}
	}
}

func TestFetchStallThenResume(t *testing.T) {
	archive := tarGz(t, "cifar-10-batches-bin", fakeCIFAR10(2))
	cut := len(archive) / 3
	for _, stall := range []bool{true, false} {
		name := map[bool]string{true: "stall", false: "cut off"}[stall]
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			start := time.Now()
			err := Fetch(t.Context(), "cifar10", dir, FetchOptions{
				Sources:      cifarSource(archive, serve(t, cutServer(archive, cut, stall))),
				StallTimeout: 300 * time.Millisecond,
			})
			if err == nil {
				t.Fatal("fetch succeeded")
			}
			want := map[bool]string{true: "stalled: nothing received for 300ms", false: "cut off after"}[stall]
			if !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "cifar-10-binary.tar.gz") {
				t.Errorf("error %q does not say %q", err, want)
			}
			if el := time.Since(start); el > 5*time.Second {
				t.Errorf("gave up after %v", el)
			}
			fi, err := os.Stat(filepath.Join(dir, "cifar-10-binary.tar.gz.part"))
			if err != nil || fi.Size() != int64(cut) {
				t.Fatalf("partial download not kept: %v", err)
			}
			wantOnly(t, dir, "cifar-10-binary.tar.gz.part")

			fs := &fileServer{files: map[string][]byte{"cifar-10-binary.tar.gz": archive}}
			if err := Fetch(t.Context(), "cifar10", dir, FetchOptions{Sources: cifarSource(archive, serve(t, fs))}); err != nil {
				t.Fatal(err)
			}
			if got := fs.requests(); len(got) != 1 || got[0] != "bytes="+strconv.Itoa(cut)+"-" {
				t.Errorf("resume requests %q, want one with Range bytes=%d-", got, cut)
			}
			wantOnly(t, dir, "cifar-10-batches-bin")
			if _, err := Open("cifar10", OpenOptions{Dir: dir}); err != nil {
				t.Error(err)
			}
		})
	}
}

func TestFetchResumeEdgeCases(t *testing.T) {
	archive := tarGz(t, "cifar-10-batches-bin", fakeCIFAR10(2))
	cases := []struct {
		name    string
		part    []byte
		handler http.Handler
	}{
		// The server ignores Range and sends everything: start over.
		{"range ignored", archive[:100], http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write(archive) })},
		// A stale partial file from another version: the checksum fails and
		// the download starts again from scratch.
		{"stale part", append([]byte("garbage"), archive[7:50]...), &fileServer{files: map[string][]byte{"cifar-10-binary.tar.gz": archive}}},
		// The partial file is already complete: 416, then verified.
		{"complete part", archive, &fileServer{files: map[string][]byte{"cifar-10-binary.tar.gz": archive}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			writeFiles(t, dir, map[string][]byte{"cifar-10-binary.tar.gz.part": c.part})
			if err := Fetch(t.Context(), "cifar10", dir, FetchOptions{Sources: cifarSource(archive, serve(t, c.handler))}); err != nil {
				t.Fatal(err)
			}
			wantOnly(t, dir, "cifar-10-batches-bin")
		})
	}
}

func TestUnpackRejectsEscapingEntries(t *testing.T) {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	tw := tar.NewWriter(zw)
	tw.WriteHeader(&tar.Header{Name: "../evil", Typeflag: tar.TypeReg, Size: 1, Mode: 0o644})
	tw.Write([]byte("x"))
	tw.Close()
	zw.Close()
	dir := t.TempDir()
	archive := filepath.Join(dir, "a.tar.gz")
	os.WriteFile(archive, buf.Bytes(), 0o644)
	out := filepath.Join(dir, "out")
	os.Mkdir(out, 0o755)
	err := unpackTarGz(archive, out, "a.tar.gz")
	wantInvalid(t, err, "a.tar.gz", "outside")
	if _, err := os.Stat(filepath.Join(dir, "evil")); err == nil {
		t.Error("entry written outside the folder")
	}
}

func TestFetchBuiltIn(t *testing.T) {
	for _, name := range []string{"fashion-mnist-mini", "synthetic"} {
		if err := Fetch(t.Context(), name, t.TempDir(), FetchOptions{}); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestFetchCancelled(t *testing.T) {
	archive := tarGz(t, "cifar-10-batches-bin", fakeCIFAR10(1))
	ctx, cancel := context.WithTimeout(t.Context(), 200*time.Millisecond)
	defer cancel()
	dir := t.TempDir()
	err := Fetch(ctx, "cifar10", dir, FetchOptions{
		Sources:      cifarSource(archive, serve(t, cutServer(archive, 100, true))),
		StallTimeout: time.Minute,
	})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("error %v, want one wrapping the context's", err)
	}
	wantOnly(t, dir, "cifar-10-binary.tar.gz.part") // kept for resuming
}
