package dataset

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// FetchOptions configure Fetch.
type FetchOptions struct {
	// Sources replaces DefaultSources() (tests point it at local servers).
	Sources map[string]Source
	// Client does the requests; nil uses http.DefaultClient. Slow transfers
	// are not cut off by a total timeout but by StallTimeout.
	Client *http.Client
	// StallTimeout aborts a download that receives nothing for this long
	// (0 means one minute).
	StallTimeout time.Duration
	// Logf, if not nil, receives one line per step (download, verify, unpack).
	Logf func(format string, args ...any)
}

func (o *FetchOptions) logf(format string, args ...any) {
	if o.Logf != nil {
		o.Logf(format, args...)
	}
}

// errStalled is the cause of a download cancelled for receiving nothing.
var errStalled = errors.New("stalled")

// Fetch downloads the named dataset into dir/<folder> (for example
// dir/cifar-10-batches-bin) unless a verified copy is already there.
//
// Each file is downloaded to <name>.part in dir, resuming a partial file with
// an HTTP Range request, and its MD5 is checked against the published sum
// before anything is unpacked; a mismatch removes the .part file and tries the
// next mirror. The dataset is then assembled in a temporary folder in dir
// (archives unpacked, with a .resx-sha256 manifest of what they held) and
// renamed into place, so a reader never sees a half-written dataset. A copy
// already in place that does not verify is replaced.
//
// Errors name the URL or file and the problem; checksum mismatches and broken
// archives wrap ErrInvalidData, an unknown name ErrUnknownDataset. Datasets
// with no files (fashion-mnist-mini, synthetic) need no fetch: nil.
func Fetch(ctx context.Context, name, dir string, opt FetchOptions) error {
	k, err := lookup(name)
	if err != nil {
		return err
	}
	if k.folder == "" {
		opt.logf("%s is built into resx: nothing to fetch", name)
		return nil
	}
	sources := opt.Sources
	if sources == nil {
		sources = DefaultSources()
	}
	src, ok := sources[name]
	if !ok || len(src.Files) == 0 || len(src.Mirrors) == 0 {
		return fmt.Errorf("fetch %s: no download source", name)
	}
	if src.Archive && len(src.Files) != 1 {
		return fmt.Errorf("fetch %s: an archive source needs exactly one file, has %d", name, len(src.Files))
	}
	target := filepath.Join(dir, k.folder)
	if _, err := os.Stat(target); err == nil {
		st := checkFolder(k, target, src)
		if st.verified {
			opt.logf("%s: %s is already there and verified", name, target)
			return nil
		}
		opt.logf("%s: %s does not verify (%s); fetching a new copy", name, target, st.note)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("fetch %s: %w", name, err)
	}
	parts := make([]string, len(src.Files))
	for i, f := range src.Files {
		parts[i] = filepath.Join(dir, f.Name+".part")
		if err := download(ctx, src.Mirrors, f, parts[i], &opt); err != nil {
			return fmt.Errorf("fetch %s: %w", name, err)
		}
	}
	tmp, err := os.MkdirTemp(dir, "."+k.folder+".tmp-")
	if err != nil {
		return fmt.Errorf("fetch %s: %w", name, err)
	}
	defer os.RemoveAll(tmp)
	staged := filepath.Join(tmp, k.folder)
	if src.Archive {
		opt.logf("%s: unpacking %s", name, src.Files[0].Name)
		if err := unpackTarGz(parts[0], tmp, src.Files[0].Name); err != nil {
			return fmt.Errorf("fetch %s: %w", name, err)
		}
		if fi, err := os.Stat(staged); err != nil || !fi.IsDir() {
			return fmt.Errorf("fetch %s: %s: %w", name, src.Files[0].Name,
				invalidf(src.Files[0].Name, "archive holds no folder %s", k.folder))
		}
		if err := writeManifest(staged, src.Files[0]); err != nil {
			return fmt.Errorf("fetch %s: %w", name, err)
		}
	} else {
		if err := os.Mkdir(staged, 0o755); err != nil {
			return fmt.Errorf("fetch %s: %w", name, err)
		}
		for i, f := range src.Files {
			if err := os.Rename(parts[i], filepath.Join(staged, f.Name)); err != nil {
				return fmt.Errorf("fetch %s: %w", name, err)
			}
		}
	}
	if _, err := os.Stat(target); err == nil {
		if err := os.Rename(target, filepath.Join(tmp, "old")); err != nil {
			return fmt.Errorf("fetch %s: moving the old copy aside: %w", name, err)
		}
	}
	if err := os.Rename(staged, target); err != nil {
		return fmt.Errorf("fetch %s: %w", name, err)
	}
	if src.Archive {
		os.Remove(parts[0])
	}
	opt.logf("%s: ready in %s", name, target)
	return nil
}

// download fetches f into part from the first mirror that delivers it with
// the published MD5.
func download(ctx context.Context, mirrors []string, f RemoteFile, part string, opt *FetchOptions) error {
	var errs []error
	for _, m := range mirrors {
		url := strings.TrimSuffix(m, "/") + "/" + f.Name
		for attempt := 0; attempt < 2; attempt++ {
			resumed, err := downloadURL(ctx, url, part, opt)
			if err == nil {
				err = checkMD5(part, f.MD5, url)
				if err == nil {
					opt.logf("verified %s (md5 %s)", f.Name, f.MD5)
					return nil
				}
				os.Remove(part)
				if resumed {
					// The bytes kept from an earlier try may be what is
					// wrong: try once more from scratch.
					opt.logf("%v; downloading again from the start", err)
					continue
				}
			}
			if ctx.Err() != nil {
				return fmt.Errorf("%s: %w", url, ctx.Err())
			}
			errs = append(errs, err)
			break
		}
	}
	return fmt.Errorf("%s: no mirror delivered it: %w", f.Name, errors.Join(errs...))
}

// downloadURL appends the rest of url to part (resuming from part's size with
// a Range request) and reports whether it resumed. The .part file is kept on
// network errors so that the next try resumes.
func downloadURL(ctx context.Context, url, part string, opt *FetchOptions) (resumed bool, err error) {
	stall := opt.StallTimeout
	if stall <= 0 {
		stall = time.Minute
	}
	client := opt.Client
	if client == nil {
		client = http.DefaultClient
	}
	f, err := os.OpenFile(part, os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return false, err
	}
	defer func() {
		if cerr := f.Close(); err == nil && cerr != nil {
			err = cerr
		}
		if fi, serr := os.Stat(part); err != nil && serr == nil && fi.Size() == 0 {
			os.Remove(part) // nothing to resume
		}
	}()
	off, err := f.Seek(0, io.SeekEnd)
	if err != nil {
		return false, err
	}
	rctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	watchdog := time.AfterFunc(stall, func() { cancel(errStalled) })
	defer watchdog.Stop()
	stalled := func(err error, got int64) error {
		if context.Cause(rctx) == errStalled {
			return fmt.Errorf("%s: download stalled: nothing received for %v after %d bytes (the partial file is kept; fetch again to resume)", url, stall, got)
		}
		return err
	}

	req, err := http.NewRequestWithContext(rctx, http.MethodGet, url, nil)
	if err != nil {
		return false, err
	}
	if off > 0 {
		req.Header.Set("Range", fmt.Sprintf("bytes=%d-", off))
	}
	opt.logf("downloading %s", url)
	resp, err := client.Do(req)
	if err != nil {
		return false, stalled(err, off)
	}
	defer resp.Body.Close()
	switch {
	case resp.StatusCode == http.StatusPartialContent && off > 0:
		if !strings.HasPrefix(resp.Header.Get("Content-Range"), fmt.Sprintf("bytes %d-", off)) {
			f.Truncate(0)
			return false, fmt.Errorf("%s: asked for bytes from %d, got Content-Range %q", url, off, resp.Header.Get("Content-Range"))
		}
		resumed = true
		opt.logf("resuming %s at byte %d", url, off)
	case resp.StatusCode == http.StatusOK:
		if off > 0 { // the server ignored the Range header: start over
			if err := f.Truncate(0); err != nil {
				return false, err
			}
			if _, err := f.Seek(0, io.SeekStart); err != nil {
				return false, err
			}
			off = 0
		}
	case resp.StatusCode == http.StatusRequestedRangeNotSatisfiable && off > 0:
		return true, nil // already complete; the checksum decides
	default:
		return false, fmt.Errorf("%s: %s", url, resp.Status)
	}
	got := off
	total := int64(-1)
	if resp.ContentLength >= 0 {
		total = off + resp.ContentLength
	}
	nextReport := int64(10)
	buf := make([]byte, 256<<10)
	for {
		watchdog.Reset(stall)
		n, rerr := resp.Body.Read(buf)
		if n > 0 {
			if _, err := f.Write(buf[:n]); err != nil {
				return resumed, err
			}
			got += int64(n)
			if total > 0 && got*100/total >= nextReport {
				opt.logf("%s: %d%% of %d bytes", url, got*100/total, total)
				nextReport = got*100/total + 10
			}
		}
		if rerr == io.EOF {
			break
		}
		if rerr != nil {
			return resumed, stalled(fmt.Errorf("%s: download cut off after %d bytes: %w (the partial file is kept; fetch again to resume)", url, got, rerr), got)
		}
	}
	return resumed, nil
}

// checkMD5 compares the MD5 of path with want (hex).
func checkMD5(path, want, url string) error {
	sum, err := fileSum(path, md5.New())
	if err != nil {
		return err
	}
	if !strings.EqualFold(sum, want) {
		return invalidf(url, "checksum mismatch: md5 %s, published %s", sum, want)
	}
	return nil
}

// hasher is what fileSum needs of a hash.Hash.
type hasher interface {
	io.Writer
	Sum([]byte) []byte
}

// fileSum returns the hex digest of path under h.
func fileSum(path string, h hasher) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	if _, err := io.Copy(h, f); err != nil {
		return "", fmt.Errorf("%s: %w", path, err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
