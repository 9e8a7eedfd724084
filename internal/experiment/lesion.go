package experiment

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"

	"go.yaml.in/yaml/v3"

	"github.com/resx-dev/resx/internal/config"
	"github.com/resx-dev/resx/internal/model"
)

// Files Lesion writes into the run folder.
const (
	LesionCSVName  = "lesion.csv"
	LesionJSONName = "lesion.json"
)

// LesionOptions are the settings of Lesion.
type LesionOptions struct {
	// DataDir is the explicit dataset folder (--data-dir); "" follows
	// dataset.SearchDirs.
	DataDir string
	// Threads, if > 0, replaces the run's threads setting.
	Threads int
	// MaxDeleted, if >= 2, also deletes Samples random sets of k blocks for
	// each k = 2..MaxDeleted (at most every block), as in Veit et al.
	// (2016), Figure 5; k = 1 is the exhaustive single-block sweep itself.
	MaxDeleted int
	// Samples is the number of random sets per k (0 = 10).
	Samples int
	// Seed seeds the random sets.
	Seed uint64
	// Log receives warnings, such as a skipped corrupt checkpoint (nil = os.Stderr).
	Log io.Writer
}

// LesionResult is what Lesion measured, as lesion.json holds it. Errors are
// fractions in [0, 1], losses mean cross-entropies per image.
type LesionResult struct {
	Run        string `json:"run"` // the run folder's name
	Arch       string `json:"arch"`
	Depth      int    `json:"depth"`
	Block      string `json:"block"`
	Shortcut   string `json:"shortcut"`
	Dataset    string `json:"dataset"`
	Checkpoint string `json:"checkpoint"` // the checkpoint file the weights came from
	Iteration  int    `json:"iteration"`  // training steps the checkpoint had done
	// Split is the evaluation split ("test", or "validation" when the run
	// held one out), Images its size.
	Split  string `json:"split"`
	Images int    `json:"images"`
	// Intact is the network as trained; its Block is -1.
	Intact LesionRow `json:"intact"`
	// Blocks has one row per block, in the order data flows, with that
	// block alone deleted.
	Blocks []LesionRow `json:"blocks"`
	// Random has one entry per k = 1..MaxDeleted when MaxDeleted >= 2.
	Random []LesionSets `json:"random,omitempty"`
}

// LesionRow is the network evaluated with one block deleted. Block is the
// 0-based index EvaluateWithout takes; Stage and InStage are 1-based, as
// in the parameter names (block 3 of a ResNet-20 is s2.b1).
type LesionRow struct {
	Block     int     `json:"block"`
	Stage     int     `json:"stage"`
	InStage   int     `json:"block_in_stage"`
	TestError float64 `json:"test_error"`
	TestLoss  float64 `json:"test_loss"`
}

// LesionSets summarises the network evaluated with Sets sets of Deleted
// blocks deleted at once: for Deleted = 1 every single block, for more
// random sets.
type LesionSets struct {
	Deleted   int     `json:"deleted"`
	Sets      int     `json:"sets"`
	MeanError float64 `json:"mean_test_error"`
	SDError   float64 `json:"sd_test_error"`
	MeanLoss  float64 `json:"mean_test_loss"`
}

// MarshalJSON writes a loss that is not finite (a network broken enough to
// overflow) as null, which JSON can hold.
func (r LesionRow) MarshalJSON() ([]byte, error) {
	type plain LesionRow
	return json.Marshal(struct {
		plain
		TestLoss *float64 `json:"test_loss"`
	}{plain(r), finite(r.TestLoss)})
}

// MarshalJSON writes a mean loss that is not finite as null.
func (s LesionSets) MarshalJSON() ([]byte, error) {
	type plain LesionSets
	return json.Marshal(struct {
		plain
		MeanLoss *float64 `json:"mean_test_loss"`
	}{plain(s), finite(s.MeanLoss)})
}

func finite(v float64) *float64 {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return nil
	}
	return &v
}

// LesionColumn is one column of lesion.csv.
type LesionColumn struct {
	Name   string
	Format func(LesionRow) string
}

// LesionColumns are lesion.csv's columns, in order; they make both the
// header and every row. The first row is the intact network, with the
// block columns empty.
var LesionColumns = []LesionColumn{
	{"deleted_block", func(r LesionRow) string { return blockCell(r, r.Block) }},
	{"stage", func(r LesionRow) string { return blockCell(r, r.Stage) }},
	{"block_in_stage", func(r LesionRow) string { return blockCell(r, r.InStage) }},
	{"test_error", func(r LesionRow) string { return formatFloat(r.TestError) }},
	{"test_loss", func(r LesionRow) string { return formatFloat(r.TestLoss) }},
}

func blockCell(r LesionRow, v int) string {
	if r.Block < 0 {
		return ""
	}
	return strconv.Itoa(v)
}

// lesionNet is the part of *model.Net a lesion uses.
type lesionNet interface {
	network
	Blocks() int
	EvaluateWithout(deleted []int, x []float32, y []int32, batch int) (lossSum float64, correct int, err error)
	ForgetLesions()
}

// Lesion deletes blocks of a trained network at test time (Veit et al.
// 2016). It reads runDir's config.yaml and newest good checkpoint, rebuilds
// the network with the checkpoint's weights and batch-norm statistics, and
// evaluates it on the run's evaluation split (normalised with the training
// split's statistics, as training did): intact, with each block deleted in
// turn, and, if opt.MaxDeleted >= 2, with random sets of blocks deleted. It
// writes runDir/lesion.csv and lesion.json atomically.
//
// Errors caused by the run folder (missing, no config.yaml, no usable
// checkpoint, a checkpoint of another config) or the data wrap
// ErrInvalidInput; cancelling ctx stops between batches with an error
// wrapping ctx.Err(). Either way nothing is written.
func Lesion(ctx context.Context, runDir string, opt LesionOptions) (*LesionResult, error) {
	l, err := openLesion(runDir, opt)
	if err != nil {
		return nil, fmt.Errorf("lesion %s: %w", runDir, err)
	}
	res, err := l.measure(ctx)
	if err != nil {
		return nil, fmt.Errorf("lesion %s: %w", runDir, err)
	}
	if err := writeLesion(runDir, res); err != nil {
		return nil, fmt.Errorf("lesion %s: %w", runDir, err)
	}
	return res, nil
}

// lesion is a trained network restored from its run folder, with the sets
// of blocks to delete.
type lesion struct {
	r          *runner
	net        lesionNet
	per        int // blocks per stage
	checkpoint string
	iteration  int
	opt        LesionOptions
}

// openLesion restores the network of runDir's newest good checkpoint.
func openLesion(runDir string, opt LesionOptions) (*lesion, error) {
	log := opt.Log
	if log == nil {
		log = os.Stderr
	}
	cfg, sum, err := readRunConfig(runDir)
	if err != nil {
		return nil, err
	}
	ckpts := filepath.Join(runDir, ckptDir)
	c, name, err := loadNewestCheckpoint(ckpts, log)
	if err != nil {
		return nil, invalid(err)
	}
	if c == nil {
		return nil, fmt.Errorf("no checkpoint in %s (has the run trained an epoch?): %w", ckpts, ErrInvalidInput)
	}
	if c.ConfigSum != sum {
		return nil, fmt.Errorf("checkpoint %s was written with another config than %s: %w", name, configName, ErrInvalidInput)
	}
	if opt.Threads > 0 {
		cfg.Threads = opt.Threads
	}
	r := &runner{cfg: cfg, opt: Options{RunDir: runDir, DataDir: opt.DataDir, Log: log}, dir: runDir, ckpts: ckpts, log: log}
	if err := r.build(); err != nil {
		return nil, err
	}
	if err := c.restore(r.params, r.stats, r.sgd); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	net, ok := r.net.(lesionNet)
	if !ok {
		return nil, fmt.Errorf("the network (%T) cannot delete blocks", r.net)
	}
	per, err := model.BlocksPerStage(cfg.Model)
	if err != nil {
		return nil, invalid(err)
	}
	return &lesion{r: r, net: net, per: per, checkpoint: name, iteration: c.Iteration, opt: opt}, nil
}

// readRunConfig reads dir's config.yaml as the run wrote it (unknown keys
// are errors, and no RESX_* variable applies) and returns it with the
// SHA-256 its checkpoints record.
func readRunConfig(dir string) (config.Config, [32]byte, error) {
	fi, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return config.Config{}, [32]byte{}, fmt.Errorf("no run folder %s: %w", dir, ErrInvalidInput)
	case err != nil:
		return config.Config{}, [32]byte{}, invalid(err)
	case !fi.IsDir():
		return config.Config{}, [32]byte{}, fmt.Errorf("%s is not a run folder: %w", dir, ErrInvalidInput)
	}
	b, err := storedConfig(dir)
	if err != nil {
		return config.Config{}, [32]byte{}, invalid(err)
	}
	if b == nil {
		return config.Config{}, [32]byte{}, fmt.Errorf("%s has no %s: not a run folder: %w", dir, configName, ErrInvalidInput)
	}
	var cfg config.Config
	d := yaml.NewDecoder(bytes.NewReader(b))
	d.KnownFields(true)
	if err := d.Decode(&cfg); err != nil {
		return config.Config{}, [32]byte{}, fmt.Errorf("%s: %v: %w", filepath.Join(dir, configName), err, ErrInvalidInput)
	}
	return cfg, sha256.Sum256(b), nil
}

// measure evaluates the network with each set of blocks deleted, one set
// at a time, so that one lesioned graph is held at once (a graph holds a
// batch's activations: many of them would not fit beside a large network).
func (l *lesion) measure(ctx context.Context) (*LesionResult, error) {
	sets := l.sets()
	sums := make([]float64, len(sets))
	correct := make([]int, len(sets))
	n := 0
	for i, del := range sets {
		seen := 0
		var evalErr error
		err := l.r.data.eval.epoch(0, 0, func(b batch) bool {
			if evalErr = ctx.Err(); evalErr != nil {
				return false
			}
			var s float64
			var c int
			if del == nil {
				s, c, evalErr = l.net.Evaluate(b.x, b.y, b.n)
			} else {
				s, c, evalErr = l.net.EvaluateWithout(del, b.x, b.y, b.n)
			}
			sums[i], correct[i], seen = sums[i]+s, correct[i]+c, seen+b.n
			return evalErr == nil
		})
		l.net.ForgetLesions()
		if err = errors.Join(evalErr, err); err != nil {
			if del != nil {
				err = fmt.Errorf("blocks %v deleted: %w", del, err)
			}
			return nil, err
		}
		n = seen
	}
	row := func(i, block int) LesionRow {
		r := LesionRow{Block: block, TestError: float64(n-correct[i]) / float64(n), TestLoss: sums[i] / float64(n)}
		if block >= 0 {
			r.Stage, r.InStage = block/l.per+1, block%l.per+1
		}
		return r
	}

	c := l.r.cfg
	res := &LesionResult{Run: filepath.Base(filepath.Clean(l.r.dir)), Arch: c.Model.Arch, Depth: c.Model.Depth,
		Block: c.Model.Block, Shortcut: c.Model.Shortcut, Dataset: l.r.data.name,
		Checkpoint: l.checkpoint, Iteration: l.iteration, Split: "test", Images: n, Intact: row(0, -1)}
	if c.Data.Validation > 0 {
		res.Split = "validation"
	}
	blocks := l.net.Blocks()
	for b := range blocks {
		res.Blocks = append(res.Blocks, row(1+b, b))
	}
	if len(sets) == 1+blocks {
		return res, nil
	}
	// Group the sets by size: singles first, then the random sets of each k.
	for i := 1; i < len(sets); {
		k := len(sets[i])
		var errs, losses []float64
		for ; i < len(sets) && len(sets[i]) == k; i++ {
			r := row(i, -1)
			errs, losses = append(errs, r.TestError), append(losses, r.TestLoss)
		}
		m, sd := meanSD(errs)
		ml, _ := meanSD(losses)
		res.Random = append(res.Random, LesionSets{Deleted: k, Sets: len(errs), MeanError: m, SDError: sd, MeanLoss: ml})
	}
	return res, nil
}

// sets lists the sets of blocks to delete: none (the intact network), each
// block alone, then opt.Samples random sets of each size k = 2..MaxDeleted,
// each sorted, from a PCG seeded by opt.Seed.
func (l *lesion) sets() [][]int {
	blocks := l.net.Blocks()
	sets := [][]int{nil}
	for b := range blocks {
		sets = append(sets, []int{b})
	}
	samples := l.opt.Samples
	if samples <= 0 {
		samples = 10
	}
	rng := rand.New(rand.NewPCG(l.opt.Seed, 0x6c65_7369_6f6e))
	for k := 2; k <= min(l.opt.MaxDeleted, blocks); k++ {
		for range samples {
			s := rng.Perm(blocks)[:k]
			slices.Sort(s)
			sets = append(sets, s)
		}
	}
	return sets
}

// meanSD is the mean and the sample standard deviation (0 for one value).
func meanSD(v []float64) (mean, sd float64) {
	for _, x := range v {
		mean += x
	}
	mean /= float64(len(v))
	if len(v) < 2 {
		return mean, 0
	}
	for _, x := range v {
		sd += (x - mean) * (x - mean)
	}
	return mean, math.Sqrt(sd / float64(len(v)-1))
}

// LesionCSV renders res as lesion.csv: the intact network, then one row
// per deleted block.
func LesionCSV(res *LesionResult) []byte {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	rec := make([]string, len(LesionColumns))
	for i, c := range LesionColumns {
		rec[i] = c.Name
	}
	w.Write(rec)
	for _, r := range append([]LesionRow{res.Intact}, res.Blocks...) {
		for i, c := range LesionColumns {
			rec[i] = c.Format(r)
		}
		w.Write(rec)
	}
	w.Flush()
	return buf.Bytes()
}

// writeLesion writes lesion.csv and lesion.json into dir, each atomically.
func writeLesion(dir string, res *LesionResult) error {
	js, err := json.MarshalIndent(res, "", "  ")
	if err != nil {
		return err
	}
	if err := writeFileAtomic(dir, LesionCSVName, LesionCSV(res), nil); err != nil {
		return err
	}
	return writeFileAtomic(dir, LesionJSONName, append(js, '\n'), nil)
}
