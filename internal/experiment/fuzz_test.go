package experiment

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/resx-dev/resx/internal/config"
)

// seal frames payload as a checkpoint file: header, payload, checksum.
func seal(payload []byte) []byte {
	b := make([]byte, ckptHeader, ckptHeader+len(payload)+sha256.Size)
	copy(b, ckptMagic)
	binary.LittleEndian.PutUint32(b[len(ckptMagic):], ckptVersion)
	binary.LittleEndian.PutUint64(b[len(ckptMagic)+4:], uint64(len(payload)))
	b = append(b, payload...)
	sum := sha256.Sum256(b)
	return append(b, sum[:]...)
}

// runCheckpoints trains cfg in a fresh folder and returns the checkpoint
// files it keeps.
func runCheckpoints(f *testing.F, cfg config.Config, opt Options) [][]byte {
	f.Helper()
	if _, err := Run(context.Background(), cfg, opt); err != nil {
		f.Fatal(err)
	}
	dir := filepath.Join(opt.RunDir, ckptDir)
	names, err := listCheckpoints(dir)
	if err != nil || len(names) == 0 {
		f.Fatalf("no checkpoints in %s: %v", dir, err)
	}
	var out [][]byte
	for _, n := range names {
		b, err := os.ReadFile(filepath.Join(dir, n))
		if err != nil {
			f.Fatal(err)
		}
		out = append(out, b)
	}
	return out
}

// FuzzCheckpoint checks the checkpoint reader on arbitrary bytes: it never
// panics, never allocates much more than the input's size whatever a length
// field says, and either fails with an error wrapping ErrInvalidInput or
// returns a checkpoint that marshals back to the same bytes. Since almost no
// mutation gets past the checksum, each input is also read again with its
// payload sealed under a valid header and checksum, which fuzzes the payload
// decoder itself. Run with:
// go test -run XXX -fuzz FuzzCheckpoint ./internal/experiment
func FuzzCheckpoint(f *testing.F) {
	var seeds [][]byte
	seeds = append(seeds, sampleCheckpoint(42).marshal(), (&checkpoint{}).marshal())
	seeds = append(seeds, runCheckpoints(f, fakeConfig(), fakeOptions(filepath.Join(f.TempDir(), "fake")))...)
	tiny := tinyConfig()
	tiny.Train.Epochs, tiny.Data.Subset, tiny.Data.TestSubset = 1, 32, 16
	seeds = append(seeds, runCheckpoints(f, tiny, tinyOptions(filepath.Join(f.TempDir(), "tiny")))...)
	for _, good := range seeds {
		f.Add(good)
		f.Add(good[:len(good)/2])
		f.Add(good[:len(good)-1])
		f.Add(good[:ckptHeader])
		for _, at := range []int{ckptHeader + 3, ckptHeader + 32, ckptHeader + 32 + 10*8 + 1, len(good) / 2} {
			if at < len(good) {
				b := bytes.Clone(good)
				b[at] ^= 0x80
				f.Add(b)
			}
		}
	}
	// Lengths that claim far more than the input holds, at each counted field.
	huge := binary.LittleEndian.AppendUint64(nil, 1<<62)
	f.Add(seal(append(make([]byte, 32+10*8+1), huge...)))
	f.Add(seal(append(append(make([]byte, 32+10*8+1), 1, 0, 0, 0, 0, 0, 0, 0), huge...)))
	f.Add([]byte(ckptMagic))

	f.Fuzz(func(t *testing.T, b []byte) {
		read(t, b)
		payload := b
		if len(b) >= ckptHeader+sha256.Size {
			payload = b[ckptHeader : len(b)-sha256.Size]
		}
		read(t, seal(payload))
	})
}

// read checks one call of unmarshalCheckpoint for FuzzCheckpoint.
func read(t *testing.T, b []byte) {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	c, err := unmarshalCheckpoint(b)
	runtime.ReadMemStats(&after)
	if grew := after.TotalAlloc - before.TotalAlloc; grew > uint64(8*len(b)+1<<16) {
		t.Fatalf("reading %d bytes allocated %d", len(b), grew)
	}
	if err != nil {
		if c != nil || !errors.Is(err, ErrInvalidInput) {
			t.Fatalf("got %v and %v, want no checkpoint and an error wrapping ErrInvalidInput", c, err)
		}
		return
	}
	if again := c.marshal(); !bytes.Equal(again, b) {
		t.Fatalf("checkpoint of %d bytes marshals back to %d other bytes", len(b), len(again))
	}
}
