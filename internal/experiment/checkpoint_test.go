package experiment

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/resx-dev/resx/internal/model"
	"github.com/resx-dev/resx/internal/optim"
)

func sampleCheckpoint(iteration int) *checkpoint {
	rng := rand.New(rand.NewPCG(2, uint64(iteration)))
	vals := func(n int) []float32 {
		v := make([]float32, n)
		for i := range v {
			v[i] = float32(rng.NormFloat64())
		}
		return v
	}
	c := &checkpoint{
		progress: progress{Iteration: iteration, Epoch: 3, Batch: 7, WarmDone: true, EpochLoss: 12.5,
			EpochCorrect: 99, EpochSeen: 112, Images: 4096, TrainS: 1.25, ElapsedS: 2.5},
		Params:   []namedValues{{"stem.conv.w", vals(27)}, {"stem.bn.scale", vals(4)}},
		Velocity: [][]float32{vals(27), vals(4)},
		Stats:    []namedStats{{"stem.bn", vals(4), vals(4)}},
		Rows: []Row{
			{Epoch: 1, Iteration: 10, LR: 0.1, TrainLoss: 2.1, TrainError: 0.8, TestLoss: 2, TestError: 0.75, ElapsedS: 1},
			{Epoch: 1, Iteration: 15, LR: 0.1, TrainLoss: 1.9, TrainError: 0.7, TestLoss: math.NaN(), TestError: math.NaN(), ElapsedS: 1.5},
		},
	}
	c.ConfigSum[0], c.ConfigSum[31] = 0xab, 0xcd
	return c
}

// equalCheckpoints compares two checkpoints bit for bit (NaN rows included).
func equalCheckpoints(t *testing.T, got, want *checkpoint) {
	t.Helper()
	if !bytes.Equal(got.marshal(), want.marshal()) {
		t.Fatalf("checkpoints differ:\ngot  %+v\nwant %+v", got.progress, want.progress)
	}
	if !reflect.DeepEqual(got.Params, want.Params) || !reflect.DeepEqual(got.Stats, want.Stats) ||
		!reflect.DeepEqual(got.Velocity, want.Velocity) || len(got.Rows) != len(want.Rows) {
		t.Fatal("checkpoint tensors or rows differ after a round trip")
	}
}

func TestCheckpointRoundTrip(t *testing.T) {
	c := sampleCheckpoint(42)
	got, err := unmarshalCheckpoint(c.marshal())
	if err != nil {
		t.Fatal(err)
	}
	equalCheckpoints(t, got, c)
	if got.progress != c.progress || got.ConfigSum != c.ConfigSum {
		t.Errorf("progress = %+v, want %+v", got.progress, c.progress)
	}
	if r := got.Rows[1]; r.Evaluated() || r.TrainLoss != 1.9 {
		t.Errorf("log row read back as %+v", r)
	}
}

func TestCheckpointDetectsDamage(t *testing.T) {
	good := sampleCheckpoint(42).marshal()
	wrongVersion := bytes.Clone(good)
	binary.LittleEndian.PutUint32(wrongVersion[len(ckptMagic):], ckptVersion+1)
	cases := []struct {
		name string
		b    []byte
		msg  string
	}{
		{"empty", nil, "not a resx checkpoint"},
		{"other file", []byte("epoch,iteration,lr\n1,2,3\n"), "not a resx checkpoint"},
		{"wrong version", wrongVersion, "format version 2, this resx reads version 1"},
		{"truncated to the header", good[:ckptHeader], "truncated"},
		{"truncated by one byte", good[:len(good)-1], "truncated"},
		{"one byte appended", append(bytes.Clone(good), 0), "truncated"},
	}
	for _, at := range []int{ckptHeader, ckptHeader + 40, len(good) / 2, len(good) - 1} {
		b := bytes.Clone(good)
		b[at] ^= 0x10
		cases = append(cases, struct {
			name string
			b    []byte
			msg  string
		}{"byte flipped", b, "checksum mismatch"})
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := unmarshalCheckpoint(c.b)
			if !errors.Is(err, ErrInvalidInput) || !strings.Contains(err.Error(), c.msg) {
				t.Errorf("error = %v, want one wrapping ErrInvalidInput and saying %q", err, c.msg)
			}
		})
	}
}

func TestCheckpointRestoreChecksShapes(t *testing.T) {
	c := sampleCheckpoint(1)
	params := []*model.Param{
		{Name: "stem.conv.w", Value: make([]float32, 27), Grad: make([]float32, 27)},
		{Name: "stem.bn.scale", Value: make([]float32, 4), Grad: make([]float32, 4)},
	}
	stats := []*model.RunningStats{{Name: "stem.bn", Mean: make([]float32, 4), Var: make([]float32, 4)}}
	o := optim.NewSGD(0.9, 0, false, false, params)
	if err := c.restore(params, stats, o); err != nil {
		t.Fatal(err)
	}
	ps, vel, ss := capture(params, stats, o)
	if !reflect.DeepEqual(ps, c.Params) || !reflect.DeepEqual(vel, c.Velocity) || !reflect.DeepEqual(ss, c.Stats) {
		t.Error("capture after restore differs from the checkpoint")
	}
	params[1].Name = "s1.b1.bn1.scale"
	if err := c.restore(params, stats, o); !errors.Is(err, ErrInvalidInput) || !strings.Contains(err.Error(), "another network") {
		t.Errorf("restore into another network: %v", err)
	}
}

func dirNames(t *testing.T, dir string) []string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	return names
}

func TestSaveKeepsNewestAndLeavesNoTemporaries(t *testing.T) {
	dir := t.TempDir()
	for _, it := range []int{5, 10, 15, 20} {
		if err := saveCheckpoint(dir, sampleCheckpoint(it), 2, nil); err != nil {
			t.Fatal(err)
		}
	}
	if got, want := dirNames(t, dir), []string{ckptName(15), ckptName(20)}; !reflect.DeepEqual(got, want) {
		t.Errorf("folder holds %v, want %v", got, want)
	}
	c, name, err := loadNewestCheckpoint(dir, io.Discard)
	if err != nil || name != ckptName(20) {
		t.Fatalf("loadNewestCheckpoint = %s, %v", name, err)
	}
	equalCheckpoints(t, c, sampleCheckpoint(20))
}

// failAfter is a writer that accepts n bytes and then fails like a full disk.
type failAfter struct {
	w io.Writer
	n int
}

var errDiskFull = errors.New("no space left on device (simulated)")

func (f *failAfter) Write(p []byte) (int, error) {
	if len(p) > f.n {
		k, _ := f.w.Write(p[:f.n])
		f.n = 0
		return k, errDiskFull
	}
	f.n -= len(p)
	return f.w.Write(p)
}

func TestAtomicWriteFailureKeepsOldFile(t *testing.T) {
	dir := t.TempDir()
	if err := saveCheckpoint(dir, sampleCheckpoint(7), 2, nil); err != nil {
		t.Fatal(err)
	}
	old, _ := os.ReadFile(filepath.Join(dir, ckptName(7)))
	full := func(name string, w io.Writer) io.Writer { return &failAfter{w: w, n: 100} }
	err := saveCheckpoint(dir, sampleCheckpoint(7), 2, full)
	if !errors.Is(err, errDiskFull) {
		t.Fatalf("save on a full disk: %v", err)
	}
	if got := dirNames(t, dir); !reflect.DeepEqual(got, []string{ckptName(7)}) {
		t.Errorf("after a failed write the folder holds %v", got)
	}
	if now, _ := os.ReadFile(filepath.Join(dir, ckptName(7))); !bytes.Equal(now, old) {
		t.Error("a failed write changed the previous checkpoint")
	}
}

func TestLoadFallsBackFromCorruptNewest(t *testing.T) {
	for _, damage := range []struct {
		name string
		do   func([]byte) []byte
	}{
		{"truncated", func(b []byte) []byte { return b[:len(b)/3] }},
		{"flipped", func(b []byte) []byte { b[len(b)/2] ^= 1; return b }},
		{"empty", func([]byte) []byte { return nil }},
	} {
		t.Run(damage.name, func(t *testing.T) {
			dir := t.TempDir()
			for _, it := range []int{10, 20} {
				if err := saveCheckpoint(dir, sampleCheckpoint(it), 3, nil); err != nil {
					t.Fatal(err)
				}
			}
			p := filepath.Join(dir, ckptName(20))
			b, _ := os.ReadFile(p)
			os.WriteFile(p, damage.do(b), 0o644)
			var log bytes.Buffer
			c, name, err := loadNewestCheckpoint(dir, &log)
			if err != nil || name != ckptName(10) || c.Iteration != 10 {
				t.Fatalf("got %s, %v; want the checkpoint of iteration 10", name, err)
			}
			if !strings.Contains(log.String(), ckptName(20)) || !strings.Contains(log.String(), "falling back") {
				t.Errorf("log does not say which checkpoint was skipped: %q", log.String())
			}
			// With the older one damaged as well nothing is usable: an error, not a fresh start.
			os.WriteFile(filepath.Join(dir, ckptName(10)), []byte("junk"), 0o644)
			if _, _, err := loadNewestCheckpoint(dir, io.Discard); !errors.Is(err, ErrInvalidInput) {
				t.Errorf("all checkpoints corrupt: %v, want ErrInvalidInput", err)
			}
		})
	}
}

func TestLoadWithoutCheckpoints(t *testing.T) {
	for _, dir := range []string{t.TempDir(), filepath.Join(t.TempDir(), "missing")} {
		c, _, err := loadNewestCheckpoint(dir, io.Discard)
		if c != nil || err != nil {
			t.Errorf("%s: got %v, %v; want nothing", dir, c, err)
		}
	}
}
