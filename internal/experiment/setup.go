package experiment

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"time"

	"github.com/resx-dev/resx/internal/config"
	"github.com/resx-dev/resx/internal/model"
	"github.com/resx-dev/resx/internal/optim"
)

// setUp checks the config, takes the run folder, opens the data, builds the
// network and, when resuming, restores the newest good checkpoint. Until the
// folder's files are written nothing can fail half-way: on error a folder
// setUp created is removed again.
func setUp(cfg config.Config, opt Options) (_ *runner, err error) {
	r := &runner{cfg: cfg, opt: opt, dir: opt.RunDir, ckpts: filepath.Join(opt.RunDir, ckptDir),
		log: opt.Log, now: opt.Now}
	if r.log == nil {
		r.log = os.Stderr
	}
	if r.now == nil {
		r.now = time.Now
	}
	if r.opt.cpu == nil {
		r.opt.cpu = cpuModel
	}
	if err := checkRunConfig(cfg, opt); err != nil {
		return nil, err
	}
	if r.sched, err = newSchedule(cfg.Train); err != nil {
		return nil, err
	}
	want, err := configYAML(cfg)
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	r.configSum = sha256.Sum256(want)
	if opt.Resume {
		if r.done = finishedRun(r.dir, want); r.done != nil {
			return r, nil
		}
	}

	created, err := makeDir(r.dir)
	if err != nil {
		return nil, invalidf("run folder: %w", err)
	}
	// made lists what set-up adds to a folder that existed before, for a
	// failed set-up to remove again.
	var made []string
	defer func() {
		if err != nil {
			r.lock.unlock()
			for _, p := range slices.Backward(made) {
				os.Remove(p)
			}
			if created != "" {
				os.RemoveAll(created)
			}
		}
	}()
	if r.lock, err = lockFolder(r.dir); err != nil {
		if !errors.Is(err, ErrBusy) {
			err = invalidf("run folder: %w", err)
		}
		return nil, err
	}
	stored, err := checkStoredConfig(r.dir, want)
	if err != nil {
		return nil, err
	}
	if ckpts, _ := listCheckpoints(r.ckpts); !opt.Resume && (stored || len(ckpts) > 0) {
		return nil, invalidf("%s already holds a run; resume it or choose another folder", r.dir)
	}

	if err := r.build(); err != nil {
		return nil, err
	}
	if opt.Resume {
		if err := r.resume(); err != nil {
			return nil, err
		}
	}

	// A folder that cannot be written to now (read-only, full) is one the
	// run cannot use: bad input, like a folder under a file.
	for _, d := range []string{r.dir, r.ckpts} {
		if err := removeTemporaries(d); err != nil {
			return nil, invalidf("run folder: %w", err)
		}
	}
	if !stored {
		if err := writeFileAtomic(r.dir, configName, want, opt.hook); err != nil {
			return nil, invalidf("run folder: %w", err)
		}
		made = append(made, filepath.Join(r.dir, configName))
	}
	if _, err := os.Stat(r.ckpts); errors.Is(err, fs.ErrNotExist) {
		made = append(made, r.ckpts)
	}
	if err := os.MkdirAll(r.ckpts, 0o755); err != nil {
		return nil, invalidf("run folder: %w", err)
	}
	// Make the entries of the new folders durable, as writeFileAtomic does
	// for files: checkpoints/ in the run folder, and each folder makeDir
	// created in its parent.
	for d := filepath.Clean(r.dir); ; d = filepath.Dir(d) {
		if err := syncDir(d); err != nil {
			return nil, invalidf("run folder: %w", err)
		}
		if created == "" || d == filepath.Dir(created) || d == filepath.Dir(d) {
			break
		}
	}
	if r.metrics, err = createMetrics(r.dir, r.rows, opt.hook); err != nil {
		return nil, invalid(err)
	}
	r.start = r.now()
	return r, nil
}

// checkRunConfig checks what the loop itself needs of the config; the
// config package validates the rest.
func checkRunConfig(cfg config.Config, opt Options) error {
	t := cfg.Train
	var problems []error
	bad := func(format string, a ...any) { problems = append(problems, fmt.Errorf(format, a...)) }
	if opt.RunDir == "" {
		bad("no run folder given")
	}
	if t.BatchSize <= 0 {
		bad("train.batch_size %d must be > 0", t.BatchSize)
	}
	if t.Iterations <= 0 && t.Epochs <= 0 {
		bad("train.iterations %d and train.epochs %d: one must be > 0", t.Iterations, t.Epochs)
	}
	if t.LR <= 0 {
		bad("train.lr %g must be > 0", t.LR)
	}
	if t.Momentum < 0 || t.Momentum >= 1 {
		bad("train.momentum %g must be in [0, 1)", t.Momentum)
	}
	if t.WeightDecay < 0 {
		bad("train.weight_decay %g must be >= 0", t.WeightDecay)
	}
	if t.LogEvery < 0 || cfg.Checkpoint.Every < 0 || cfg.Checkpoint.Keep < 0 {
		bad("train.log_every, checkpoint.every and checkpoint.keep must be >= 0")
	}
	if len(problems) > 0 {
		return invalidf("config: %w", errors.Join(problems...))
	}
	return nil
}

// makeDir creates dir and any missing parents. It returns the topmost folder
// it created ("" if dir existed), so that a failed set-up can remove it.
func makeDir(dir string) (created string, err error) {
	for d := filepath.Clean(dir); ; d = filepath.Dir(d) {
		if _, err := os.Stat(d); err == nil {
			break
		} else if !errors.Is(err, fs.ErrNotExist) {
			return "", err
		}
		created = d
		if d == filepath.Dir(d) {
			break
		}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		return created, fmt.Errorf("%s is not a folder", dir)
	}
	return created, nil
}

// build opens the data and builds the network and the optimiser.
func (r *runner) build() (err error) {
	c := r.cfg
	open := r.opt.openData
	if open == nil {
		open = openDataset
	}
	if r.data, err = open(c.Data, r.opt.DataDir, c.Train.BatchSize, c.Seed); err != nil {
		return fmt.Errorf("data: %w", invalid(err))
	}
	r.threads = c.Threads
	if r.threads <= 0 {
		r.threads = runtime.NumCPU()
	}
	newNet := r.opt.newNet
	if newNet == nil {
		newNet = newModel
	}
	r.net, err = newNet(c.Model, model.Options{Batch: c.Train.BatchSize, Classes: r.data.classes,
		Input: r.data.input, Seed: c.Seed, Threads: r.threads})
	if err != nil {
		return fmt.Errorf("model: %w", invalid(err))
	}
	r.params, r.stats = r.net.Params(), r.net.RunningStats()
	r.sgd = optim.NewSGD(c.Train.Momentum, c.Train.WeightDecay, c.Train.Nesterov, c.Train.DecayBN, r.params)
	r.sgd.Workers = r.threads
	if n := len(r.net.Survival()); n > 0 {
		r.keep = make([]bool, n)
	}
	r.total = c.Train.Iterations
	if r.total <= 0 {
		r.total = c.Train.Epochs * r.data.train.batchesPerEpoch()
	}
	return nil
}

// resume restores the newest good checkpoint, if there is one.
func (r *runner) resume() error {
	c, name, err := loadNewestCheckpoint(r.ckpts, r.log)
	if err != nil || c == nil {
		return err
	}
	if c.ConfigSum != r.configSum {
		return invalidf("checkpoint %s was written with another config", name)
	}
	if per := r.data.train.batchesPerEpoch(); c.Iteration > r.total || c.Batch >= per {
		return invalidf("checkpoint %s is at iteration %d (batch %d of an epoch), beyond this run's %d iterations "+
			"of %d batches an epoch: was the dataset changed?", name, c.Iteration, c.Batch, r.total, per)
	}
	if err := c.restore(r.params, r.stats, r.sgd); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	r.st, r.rows, r.elapsedBase, r.saved = c.progress, c.Rows, c.ElapsedS, true
	if len(r.rows) > 0 {
		r.lastLR = r.rows[len(r.rows)-1].LR
	}
	return nil
}
