package dataset

import (
	"archive/tar"
	"bufio"
	"compress/gzip"
	"crypto/sha256"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
)

// manifestName is the file, inside a dataset folder unpacked by Fetch, that
// records the SHA-256 of every file the verified archive held.
const manifestName = ".resx-sha256"

// unpackTarGz unpacks the .tar.gz at archive into dst. Only directories and
// regular files are unpacked; entries whose names leave dst are an error, as
// is a broken archive (name names it in errors, which wrap ErrInvalidData).
func unpackTarGz(archive, dst, name string) error {
	f, err := os.Open(archive)
	if err != nil {
		return err
	}
	defer f.Close()
	zr, err := gzip.NewReader(bufio.NewReader(f))
	if err != nil {
		return invalidf(name, "broken archive: %v", err)
	}
	tr := tar.NewReader(zr)
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return invalidf(name, "broken archive: %v", err)
		}
		rel := path.Clean(hdr.Name)
		if path.IsAbs(rel) || rel == ".." || strings.HasPrefix(rel, "../") {
			return invalidf(name, "archive entry %q points outside the folder", hdr.Name)
		}
		out := filepath.Join(dst, filepath.FromSlash(rel))
		switch hdr.Typeflag {
		case tar.TypeDir:
			if err := os.MkdirAll(out, 0o755); err != nil {
				return err
			}
		case tar.TypeReg:
			if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
				return err
			}
			if err := writeEntry(out, tr); err != nil {
				return invalidf(name, "broken archive: entry %s: %v", hdr.Name, err)
			}
		}
	}
	// Reading to the end of the gzip stream checks its CRC.
	if _, err := io.Copy(io.Discard, zr); err != nil {
		return invalidf(name, "broken archive: %v", err)
	}
	return nil
}

func writeEntry(path string, r io.Reader) error {
	w, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o644)
	if err != nil {
		return err
	}
	if _, err := io.Copy(w, r); err != nil {
		w.Close()
		return err
	}
	return w.Close()
}

// writeManifest records in folder/.resx-sha256 the SHA-256 of every regular
// file under folder, and the archive they came from.
func writeManifest(folder string, from RemoteFile) error {
	files, err := folderFiles(folder)
	if err != nil {
		return err
	}
	var b strings.Builder
	fmt.Fprintf(&b, "# unpacked by resx from %s (md5 %s)\n", from.Name, from.MD5)
	for _, rel := range files {
		sum, err := fileSum(filepath.Join(folder, filepath.FromSlash(rel)), sha256.New())
		if err != nil {
			return err
		}
		fmt.Fprintf(&b, "%s  %s\n", sum, rel)
	}
	return os.WriteFile(filepath.Join(folder, manifestName), []byte(b.String()), 0o644)
}

// folderFiles lists the regular files under folder (slash-separated, sorted),
// leaving out the manifest.
func folderFiles(folder string) ([]string, error) {
	var files []string
	err := filepath.WalkDir(folder, func(p string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return err
		}
		rel, err := filepath.Rel(folder, p)
		if err == nil && rel != manifestName {
			files = append(files, filepath.ToSlash(rel))
		}
		return err
	})
	sort.Strings(files)
	return files, err
}

// checkManifest re-hashes the files listed in folder's manifest and checks
// that the required files are among them.
func checkManifest(folder string, required []string) (verified bool, note string) {
	data, err := os.ReadFile(filepath.Join(folder, manifestName))
	if err != nil {
		return false, "no " + manifestName + " manifest (not unpacked by resx fetch), so not checked"
	}
	listed := map[string]bool{}
	for _, line := range strings.Split(string(data), "\n") {
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		want, rel, ok := strings.Cut(line, "  ")
		if !ok {
			return false, manifestName + ": malformed line " + fmt.Sprintf("%q", line)
		}
		got, err := fileSum(filepath.Join(folder, filepath.FromSlash(rel)), sha256.New())
		if err != nil {
			return false, rel + ": " + err.Error()
		}
		if got != want {
			return false, rel + ": SHA-256 differs from the one recorded at unpacking"
		}
		listed[rel] = true
	}
	for _, r := range required {
		if !listed[r] {
			return false, r + " is missing from " + manifestName
		}
	}
	return true, ""
}
