package dataset

import (
	"bufio"
	"compress/gzip"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// Entry is one line of List: a dataset and where it was found.
type Entry struct {
	// Name is the dataset's name.
	Name string `json:"name"`
	// Path is the dataset's folder, "embedded", "generated", or "" if it was
	// found nowhere.
	Path string `json:"path"`
	// Size is the total size of its files in bytes.
	Size int64 `json:"size"`
	// Verified is true when the files match their published checksums
	// (MNIST, Fashion-MNIST), the manifest that Fetch wrote when it unpacked
	// a verified archive (CIFAR), or the pinned SHA-256 (embedded).
	Verified bool `json:"verified"`
	// Note explains what was found, or why it is not verified.
	Note string `json:"note"`
}

// List reports every known dataset in every directory of dirs that holds it
// (use SearchDirs for the resolution order), in the order of Names() and
// dirs; a dataset found nowhere gets one entry with Path "". It reads and
// hashes the files, which takes a moment for the CIFAR sets.
func List(dirs []string) []Entry {
	return listWith(dirs, DefaultSources())
}

func listWith(dirs []string, sources map[string]Source) []Entry {
	var out []Entry
	for _, k := range knownDatasets {
		switch k.kind {
		case kindEmbedded:
			size, ok, note := embeddedStatus()
			if note == "" {
				note = "compiled into resx: 10000 training + 2000 test images of Fashion-MNIST"
			}
			out = append(out, Entry{Name: k.name, Path: "embedded", Size: size, Verified: ok, Note: note})
			continue
		case kindSynthetic:
			out = append(out, Entry{Name: k.name, Path: "generated", Verified: true, Note: "generated from the seed; no files"})
			continue
		}
		found := false
		for _, d := range dirs {
			p := filepath.Join(d, k.folder)
			if fi, err := os.Stat(p); err != nil || !fi.IsDir() {
				continue
			}
			found = true
			st := checkFolder(k, p, sources[k.name])
			out = append(out, Entry{Name: k.name, Path: p, Size: st.size, Verified: st.verified, Note: st.note})
		}
		if !found {
			out = append(out, Entry{Name: k.name, Note: "not found; run `resx data fetch " + k.name + "`"})
		}
	}
	return out
}

type folderStatus struct {
	size     int64
	verified bool
	note     string
}

// checkFolder checks the dataset folder at path against src.
func checkFolder(k known, path string, src Source) folderStatus {
	switch k.kind {
	case kindCIFAR10, kindCIFAR100:
		required := cifar100TrainFiles
		required = append(append([]string{}, required...), cifar100TestFiles...)
		if k.kind == kindCIFAR10 {
			required = append(append([]string{}, cifar10TrainFiles...), cifar10TestFiles...)
		}
		var st folderStatus
		for _, r := range required {
			fi, err := os.Stat(filepath.Join(path, r))
			if err != nil {
				st.note = "missing " + r
				return st
			}
			st.size += fi.Size()
		}
		st.verified, st.note = checkManifest(path, required)
		return st
	case kindIDX:
		return checkIDXFolder(path, src)
	}
	return folderStatus{note: "not a folder dataset"}
}

func checkIDXFolder(dir string, src Source) folderStatus {
	var st folderStatus
	published := map[string]string{}
	for _, f := range src.Files {
		published[f.Name] = f.MD5
	}
	st.verified = true
	var problems, counts, differ []string
	for i, b := range idxFiles {
		p, err := idxPath(dir, b)
		if err != nil {
			return folderStatus{note: "missing " + b + ".gz"}
		}
		fi, err := os.Stat(p)
		if err != nil {
			return folderStatus{note: err.Error()}
		}
		st.size += fi.Size()
		name := filepath.Base(p)
		if want, ok := published[name]; !ok {
			st.verified = false
			problems = append(problems, name+": no published checksum (uncompressed?)")
		} else if checkMD5(p, want, name) != nil {
			st.verified = false
			differ = append(differ, name)
		}
		if i%2 == 0 { // image files: report what the headers say
			dims, err := idxHeader(p)
			if err != nil {
				problems = append(problems, err.Error())
				continue
			}
			counts = append(counts, fmt.Sprint(dims[0]))
		}
	}
	notes := []string{}
	if len(counts) == 2 {
		notes = append(notes, fmt.Sprintf("%s training + %s test images", counts[0], counts[1]))
	}
	notes = append(notes, problems...)
	if len(differ) > 0 {
		what := strings.Join(differ, ", ")
		if len(differ) == len(idxFiles) {
			what = "all 4 files"
		}
		notes = append(notes, "md5 of "+what+" differs from the published sums (as for a copy recompressed by a distribution package)")
	}
	st.note = strings.Join(notes, "; ")
	return st
}

// idxHeader returns the dimensions in the header of the IDX file at path,
// reading nothing else.
func idxHeader(path string) ([]int, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var r io.Reader = bufio.NewReader(f)
	if strings.HasSuffix(path, ".gz") {
		zr, err := gzip.NewReader(r)
		if err != nil {
			return nil, invalidf(path, "broken gzip header: %v", err)
		}
		r = zr
	}
	var head [4]byte
	if _, err := io.ReadFull(r, head[:]); err != nil || head[0] != 0 || head[1] != 0 || head[2] != idxTypeUbyte || head[3] == 0 {
		return nil, invalidf(path, "not an unsigned-byte IDX file")
	}
	raw := make([]byte, 4*int(head[3]))
	if _, err := io.ReadFull(r, raw); err != nil {
		return nil, invalidf(path, "truncated header")
	}
	dims := make([]int, head[3])
	for i := range dims {
		dims[i] = int(raw[4*i])<<24 | int(raw[4*i+1])<<16 | int(raw[4*i+2])<<8 | int(raw[4*i+3])
	}
	return dims, nil
}
