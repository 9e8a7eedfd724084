package report

import (
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/resx-dev/resx/internal/config"
)

// The run folder's files and the metrics.csv columns the report reads.
const (
	MetricsFile = "metrics.csv"
	SummaryFile = "summary.json"
	ConfigFile  = "config.yaml"

	colEpoch      = "epoch"
	colIteration  = "iteration"
	colTrainError = "train_error"
	colTestError  = "test_error"
)

// ErrNoRuns is returned when a folder holds no run folders.
var ErrNoRuns = errors.New("no run folders")

// Summary holds the fields of summary.json the report uses.
type Summary struct {
	Name            string  `json:"name"`
	Params          int     `json:"params"`
	FinalTrainError float64 `json:"final_train_error"`
	FinalTestError  float64 `json:"final_test_error"`
	BestTestError   float64 `json:"best_test_error"`
	ImagesPerS      float64 `json:"images_per_s"`
	WallS           float64 `json:"wall_s"`
	Seed            uint64  `json:"seed"`
	Iterations      int     `json:"iterations"`
	Epochs          int     `json:"epochs"`
	Status          string  `json:"status"`
	Commit          string  `json:"git_commit"`
	Error           string  `json:"error"`
	Arch            string  `json:"arch"`
	Depth           int     `json:"depth"`
	Block           string  `json:"block"`
	Shortcut        string  `json:"shortcut"`
	Dataset         string  `json:"dataset"`
}

// Run is one run folder as the report sees it.
type Run struct {
	Name string // the folder's name
	Dir  string

	Arch     string
	Depth    int
	Block    string
	Shortcut string
	Dataset  string
	Seed     uint64

	// Config is config.yaml, or nil for a run folder without one.
	Config *config.Config
	// Summary is summary.json, or nil for a run that has not written one.
	Summary *Summary
	// Header and Records are metrics.csv, cells as written.
	Header  []string
	Records [][]string
}

// LoadRuns reads every run folder directly inside dir: each subfolder that
// holds a metrics.csv, summary.json or config.yaml. The runs come in the
// report's order (see sortRuns).
func LoadRuns(dir string) ([]Run, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("%s: %w (no such folder)", dir, ErrNoRuns)
		}
		return nil, err
	}
	var runs []Run
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		sub := filepath.Join(dir, e.Name())
		if !isRunDir(sub) {
			continue
		}
		r, err := LoadRun(sub)
		if err != nil {
			return nil, err
		}
		runs = append(runs, r)
	}
	if len(runs) == 0 {
		if isRunDir(dir) {
			return nil, fmt.Errorf("%s is a run folder; give the folder that holds it: %w", dir, ErrNoRuns)
		}
		if exps := experimentDirs(dir, entries); len(exps) > 0 {
			return nil, fmt.Errorf("%s holds experiment folders (%s); give one of them: %w", dir, strings.Join(exps, ", "), ErrNoRuns)
		}
		return nil, fmt.Errorf("%s: %w", dir, ErrNoRuns)
	}
	sortRuns(runs)
	return runs, nil
}

// experimentDirs names the entries of dir that hold run folders.
func experimentDirs(dir string, entries []os.DirEntry) []string {
	var out []string
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		subs, err := os.ReadDir(filepath.Join(dir, e.Name()))
		if err != nil {
			continue
		}
		for _, s := range subs {
			if s.IsDir() && isRunDir(filepath.Join(dir, e.Name(), s.Name())) {
				out = append(out, e.Name())
				break
			}
		}
	}
	return out
}

func isRunDir(dir string) bool {
	for _, f := range []string{MetricsFile, SummaryFile, ConfigFile} {
		if _, err := os.Stat(filepath.Join(dir, f)); err == nil {
			return true
		}
	}
	return false
}

// LoadRun reads one run folder. The run's identity (arch, depth, ...) comes
// from summary.json, or from config.yaml for a run that has not finished.
func LoadRun(dir string) (Run, error) {
	r := Run{Name: filepath.Base(dir), Dir: dir}
	if b, err := os.ReadFile(filepath.Join(dir, ConfigFile)); err == nil {
		var c config.Config
		if err := yaml.Unmarshal(b, &c); err != nil {
			return Run{}, fmt.Errorf("%s: %w", filepath.Join(dir, ConfigFile), err)
		}
		r.Config = &c
		m := c.Model
		r.Arch, r.Depth, r.Block, r.Shortcut, r.Dataset, r.Seed = m.Arch, m.Depth, m.Block, m.Shortcut, c.Data.Name, c.Seed
	} else if !errors.Is(err, fs.ErrNotExist) {
		return Run{}, err
	}
	if b, err := os.ReadFile(filepath.Join(dir, SummaryFile)); err == nil {
		var s Summary
		if err := json.Unmarshal(b, &s); err != nil {
			return Run{}, fmt.Errorf("%s: %w", filepath.Join(dir, SummaryFile), err)
		}
		r.Summary = &s
		r.Arch, r.Depth, r.Block, r.Shortcut, r.Dataset, r.Seed = s.Arch, s.Depth, s.Block, s.Shortcut, s.Dataset, s.Seed
	} else if !errors.Is(err, fs.ErrNotExist) {
		return Run{}, err
	}

	f, err := os.Open(filepath.Join(dir, MetricsFile))
	if errors.Is(err, fs.ErrNotExist) {
		return r, nil
	}
	if err != nil {
		return Run{}, err
	}
	defer f.Close()
	if r.Header, r.Records, err = readMetrics(f); err != nil {
		return Run{}, fmt.Errorf("%s: %w", filepath.Join(dir, MetricsFile), err)
	}
	return r, nil
}

func readMetrics(rd io.Reader) (header []string, records [][]string, err error) {
	cr := csv.NewReader(rd)
	all, err := cr.ReadAll()
	if err != nil {
		return nil, nil, err
	}
	if len(all) == 0 {
		return nil, nil, nil
	}
	header = all[0]
	for _, c := range []string{colEpoch, colIteration, colTrainError, colTestError} {
		if !slices.Contains(header, c) {
			return nil, nil, fmt.Errorf("no %s column in the header %v", c, header)
		}
	}
	return header, all[1:], nil
}

// Column returns the values of the named metrics column, NaN where a cell
// is empty (test columns between evaluations) or absent.
func (r *Run) Column(name string) []float64 {
	i := slices.Index(r.Header, name)
	out := make([]float64, len(r.Records))
	for j, rec := range r.Records {
		out[j] = math.NaN()
		if i >= 0 && i < len(rec) {
			if v, err := strconv.ParseFloat(rec[i], 64); err == nil {
				out[j] = v
			}
		}
	}
	return out
}

// Result is a run's headline numbers: from summary.json when it has one,
// otherwise from the last rows of metrics.csv. Missing numbers are NaN.
type Result struct {
	FinalTrainError, FinalTestError, BestTestError float64
	Epochs, Iterations, Params                     int
	WallS                                          float64
	Status                                         string
}

// Result computes r's headline numbers.
func (r *Run) Result() Result {
	if s := r.Summary; s != nil {
		return Result{s.FinalTrainError, s.FinalTestError, s.BestTestError, s.Epochs, s.Iterations, s.Params, s.WallS, s.Status}
	}
	res := Result{FinalTrainError: math.NaN(), FinalTestError: math.NaN(), BestTestError: math.NaN(),
		WallS: math.NaN(), Status: "unfinished"}
	train, test := r.Column(colTrainError), r.Column(colTestError)
	epoch, iter := r.Column(colEpoch), r.Column(colIteration)
	for i := range r.Records {
		if !math.IsNaN(train[i]) {
			res.FinalTrainError = train[i]
		}
		if !math.IsNaN(test[i]) {
			res.FinalTestError = test[i]
			if math.IsNaN(res.BestTestError) || test[i] < res.BestTestError {
				res.BestTestError = test[i]
			}
		}
		if !math.IsNaN(epoch[i]) {
			res.Epochs = int(epoch[i])
		}
		if !math.IsNaN(iter[i]) {
			res.Iterations = int(iter[i])
		}
	}
	return res
}

// archRank puts plain before residual, as the paper's figures do.
func archRank(a string) int {
	switch a {
	case "plain":
		return 0
	case "residual":
		return 1
	}
	return 2
}

// sortRuns orders runs by arch (plain first), block, shortcut, depth, seed
// and name.
func sortRuns(runs []Run) {
	slices.SortStableFunc(runs, func(a, b Run) int {
		if d := archRank(a.Arch) - archRank(b.Arch); d != 0 {
			return d
		}
		for _, d := range []int{strings.Compare(a.Arch, b.Arch), strings.Compare(a.Block, b.Block),
			strings.Compare(a.Shortcut, b.Shortcut), a.Depth - b.Depth} {
			if d != 0 {
				return d
			}
		}
		if a.Seed != b.Seed {
			if a.Seed < b.Seed {
				return -1
			}
			return 1
		}
		return strings.Compare(a.Name, b.Name)
	})
}
