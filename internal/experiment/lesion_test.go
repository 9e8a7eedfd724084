package experiment

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"io"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// trainTiny trains the tiny ResNet-8 for one epoch into a fresh folder.
func trainTiny(t *testing.T) (string, *Summary) {
	t.Helper()
	cfg := tinyConfig()
	cfg.Train.Epochs = 1
	dir := filepath.Join(t.TempDir(), "residual-8")
	s, err := Run(context.Background(), cfg, tinyOptions(dir))
	if err != nil {
		t.Fatal(err)
	}
	return dir, s
}

func TestLesionOfATrainedRun(t *testing.T) {
	if testing.Short() {
		t.Skip("trains a real network (seconds)")
	}
	dir, sum := trainTiny(t)
	res, err := Lesion(context.Background(), dir, LesionOptions{Log: io.Discard, MaxDeleted: 3, Samples: 2, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}

	// The intact network is the one the run evaluated last: the weights and
	// the batch-norm statistics were restored.
	rows := metricsWithoutTime(t, dir)
	last := rows[len(rows)-1]
	if res.Intact.TestError != sum.FinalTestError || formatFloat(res.Intact.TestError) != last[6] ||
		formatFloat(res.Intact.TestLoss) != last[5] {
		t.Errorf("intact error %v, loss %v; the run's last row %v, summary %v", res.Intact.TestError, res.Intact.TestLoss, last, sum.FinalTestError)
	}
	if res.Run != "residual-8" || res.Arch != "residual" || res.Depth != 8 || res.Dataset != "synthetic" ||
		res.Split != "test" || res.Images != 64 || res.Iteration != 10 || res.Checkpoint != ckptName(10) {
		t.Errorf("result %+v", res)
	}

	// ResNet-8: one block per stage, in the order data flows.
	if len(res.Blocks) != 3 {
		t.Fatalf("%d rows, want 3", len(res.Blocks))
	}
	var sumErr float64
	for i, r := range res.Blocks {
		if r.Block != i || r.Stage != i+1 || r.InStage != 1 {
			t.Errorf("row %d is %+v", i, r)
		}
		if r.TestError < 0 || r.TestError > 1 || math.IsNaN(r.TestLoss) {
			t.Errorf("row %d: error %v, loss %v", i, r.TestError, r.TestLoss)
		}
		sumErr += r.TestError
	}
	if len(res.Random) != 3 || res.Random[0].Deleted != 1 || res.Random[0].Sets != 3 ||
		math.Abs(res.Random[0].MeanError-sumErr/3) > 1e-12 || res.Random[2].Deleted != 3 || res.Random[2].Sets != 2 ||
		res.Random[2].SDError != 0 {
		t.Errorf("random sets %+v", res.Random)
	}

	// lesion.csv and lesion.json say the same.
	recs, err := csv.NewReader(bytes.NewReader(readFile(t, filepath.Join(dir, LesionCSVName)))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 5 || recs[1][0] != "" || recs[4][0] != "2" || recs[4][3] != formatFloat(res.Blocks[2].TestError) {
		t.Errorf("lesion.csv:\n%v", recs)
	}
	var back LesionResult
	if err := json.Unmarshal(readFile(t, filepath.Join(dir, LesionJSONName)), &back); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(&back, res) {
		t.Errorf("lesion.json reads back as\n%+v\nwant\n%+v", back, *res)
	}

	// Deterministic, and the single-block sweep does not depend on the
	// random sets.
	again, err := Lesion(context.Background(), dir, LesionOptions{Log: io.Discard})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(again.Blocks, res.Blocks) || again.Intact != res.Intact || again.Random != nil {
		t.Errorf("second lesion differs: %+v", again)
	}

	t.Run("cancelled", func(t *testing.T) {
		for _, n := range []string{LesionCSVName, LesionJSONName} {
			os.Remove(filepath.Join(dir, n))
		}
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if _, err := Lesion(ctx, dir, LesionOptions{Log: io.Discard}); !errors.Is(err, context.Canceled) {
			t.Errorf("err = %v, want context.Canceled", err)
		}
		noLesionFiles(t, dir)
	})

	t.Run("bad input", func(t *testing.T) {
		copyRun := func(t *testing.T) string {
			d := filepath.Join(t.TempDir(), "run")
			if err := os.CopyFS(d, os.DirFS(dir)); err != nil {
				t.Fatal(err)
			}
			for _, n := range []string{LesionCSVName, LesionJSONName} {
				os.Remove(filepath.Join(d, n))
			}
			return d
		}
		ckpts := func(t *testing.T, d string) []string {
			names, err := listCheckpoints(filepath.Join(d, ckptDir))
			if err != nil || len(names) == 0 {
				t.Fatalf("checkpoints %v, %v", names, err)
			}
			return names
		}
		for _, tc := range []struct {
			name string
			make func(t *testing.T) string
		}{
			{"missing folder", func(t *testing.T) string { return filepath.Join(t.TempDir(), "nothing") }},
			{"a file", func(t *testing.T) string {
				p := filepath.Join(t.TempDir(), "f")
				os.WriteFile(p, []byte("x"), 0o644)
				return p
			}},
			{"no config.yaml", func(t *testing.T) string { return t.TempDir() }},
			{"no checkpoint", func(t *testing.T) string {
				d := copyRun(t)
				os.RemoveAll(filepath.Join(d, ckptDir))
				return d
			}},
			{"corrupt checkpoint", func(t *testing.T) string {
				d := copyRun(t)
				for _, n := range ckpts(t, d) {
					p := filepath.Join(d, ckptDir, n)
					b := readFile(t, p)
					b[len(b)/2] ^= 0xff
					os.WriteFile(p, b, 0o644)
				}
				return d
			}},
			{"truncated checkpoint", func(t *testing.T) string {
				d := copyRun(t)
				for _, n := range ckpts(t, d) {
					os.Truncate(filepath.Join(d, ckptDir, n), 100)
				}
				return d
			}},
			{"config changed after training", func(t *testing.T) string {
				d := copyRun(t)
				p := filepath.Join(d, configName)
				os.WriteFile(p, append(readFile(t, p), "\n"...), 0o644)
				return d
			}},
			{"misspelt key in config.yaml", func(t *testing.T) string {
				d := copyRun(t)
				p := filepath.Join(d, configName)
				os.WriteFile(p, append(readFile(t, p), "dept: 8\n"...), 0o644)
				return d
			}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				d := tc.make(t)
				_, err := Lesion(context.Background(), d, LesionOptions{Log: io.Discard})
				if !errors.Is(err, ErrInvalidInput) {
					t.Errorf("err = %v, want ErrInvalidInput", err)
				}
				noLesionFiles(t, d)
			})
		}
	})
}

// noLesionFiles fails unless dir holds no lesion file, finished or temporary.
func noLesionFiles(t *testing.T, dir string) {
	t.Helper()
	for _, pat := range []string{LesionCSVName, LesionJSONName, ".lesion.*"} {
		if m, _ := filepath.Glob(filepath.Join(dir, pat)); len(m) > 0 {
			t.Errorf("%v written", m)
		}
	}
}

func TestLesionCSVGolden(t *testing.T) {
	res := &LesionResult{
		Intact: LesionRow{Block: -1, TestError: 0.0815, TestLoss: 0.2731},
		Blocks: []LesionRow{
			{Block: 0, Stage: 1, InStage: 1, TestError: 0.1, TestLoss: 0.31},
			{Block: 1, Stage: 1, InStage: 2, TestError: 0.0905, TestLoss: 0.2875},
			{Block: 2, Stage: 2, InStage: 1, TestError: 0.9, TestLoss: math.Inf(1)},
		},
	}
	golden(t, "lesion.csv", LesionCSV(res))

	// A loss that overflowed is null in lesion.json, not an error.
	b, err := json.Marshal(res.Blocks[2])
	if err != nil || !bytes.Contains(b, []byte(`"test_loss":null`)) || !bytes.Contains(b, []byte(`"block_in_stage":1`)) {
		t.Errorf("json %s, %v", b, err)
	}
}
