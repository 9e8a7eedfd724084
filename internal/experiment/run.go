package experiment

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"time"

	"github.com/resx-dev/resx/internal/config"
	"github.com/resx-dev/resx/internal/model"
	"github.com/resx-dev/resx/internal/optim"
)

// Run trains one network as cfg says and writes its run folder (see the
// package documentation). Cancelling ctx finishes the current step, writes
// the rows so far, a checkpoint and summary.json with status "interrupted",
// and returns an error wrapping context.Canceled. A NaN or Inf in the loss or
// in a weight stops the run with an error wrapping ErrDiverged, keeping the
// last good checkpoint. Errors caused by the config, the data or the run
// folder wrap ErrInvalidInput and leave nothing written.
func Run(ctx context.Context, cfg config.Config, opt Options) (*Summary, error) {
	r, err := setUp(cfg, opt)
	if err != nil {
		return nil, err
	}
	if r.done != nil {
		return r.done, nil
	}
	defer r.close()
	err = r.train(ctx)
	return r.finish(err)
}

// runner is one session of a run: what setUp prepared and where the loop stands.
type runner struct {
	cfg         config.Config
	opt         Options
	log         io.Writer
	now         func() time.Time
	dir, ckpts  string
	configSum   [32]byte
	lock        *folderLock
	metrics     *metricsFile
	done        *Summary // set when the run had finished before
	net         network
	params      []*model.Param
	stats       []*model.RunningStats
	sgd         *optim.SGD
	sched       schedule
	data        *data
	total       int // steps of the whole run
	threads     int
	st          progress
	rows        []Row
	lastLR      float64
	keep        []bool // stochastic-depth draws, reused
	start       time.Time
	elapsedBase float64 // ElapsedS of earlier sessions
	saved       bool    // the newest checkpoint holds the state as it is
}

// train is the loop: step through the batches of each epoch, evaluate at its
// end, and stop early when ctx is cancelled or a step fails.
func (r *runner) train(ctx context.Context) error {
	r.progress().Start(RunInfo{Name: r.cfg.Name, Params: r.net.NumParams(),
		StepsPerEpoch: r.data.train.batchesPerEpoch(), TotalSteps: r.total, StartIteration: r.st.Iteration})
	for r.st.Iteration < r.total {
		var stepErr error
		err := r.data.train.epoch(r.st.Epoch, r.st.Batch, func(b batch) bool {
			if stepErr = r.step(b); stepErr != nil {
				return false
			}
			if r.epochDone() {
				return false
			}
			stepErr = r.periodic()
			return stepErr == nil && ctx.Err() == nil
		})
		if err = errors.Join(stepErr, err); err != nil {
			return err
		}
		if r.epochDone() {
			if err := r.endEpoch(); err != nil {
				return err
			}
		}
		if ctx.Err() != nil {
			return fmt.Errorf("interrupted at iteration %d: %w", r.st.Iteration, ctx.Err())
		}
	}
	return nil
}

// epochDone reports whether the current epoch has no step left: all its
// batches are trained, or the run ends inside it.
func (r *runner) epochDone() bool {
	return r.st.Batch == r.data.train.batchesPerEpoch() || r.st.Iteration == r.total
}

// step trains one batch: draw the stochastic-depth gates, forward and
// backward, check the loss, update the weights, check them.
func (r *runner) step(b batch) error {
	it := r.st.Iteration + 1 // reported 1-based, like the iteration column after this step
	lr := r.sched.at(r.st.Iteration, r.st.Epoch, !r.st.WarmDone)
	t0 := r.now()
	res, err := r.net.TrainStep(b.x, b.y, b.n, r.drawKeep())
	if err != nil {
		return fmt.Errorf("iteration %d: %w", it, err)
	}
	if math.IsNaN(res.Loss) || math.IsInf(res.Loss, 0) {
		where := "no gradient is NaN or Inf"
		if name := firstNonFinite(r.params); name != "" {
			where = "first bad gradient: " + name
		}
		return fmt.Errorf("iteration %d: loss is %v (%s): %w", it, res.Loss, where, ErrDiverged)
	}
	if bad := r.sgd.Step(r.params, lr); bad >= 0 {
		return fmt.Errorf("iteration %d: weights of %s became NaN or Inf after the update (lr %g, loss %g): %w",
			it, r.params[bad].Name, lr, res.Loss, ErrDiverged)
	}
	r.saved = false
	r.st.TrainS += r.now().Sub(t0).Seconds()
	r.st.Iteration++
	r.st.Batch++
	r.st.EpochLoss += res.Loss * float64(b.n)
	r.st.EpochCorrect += res.Correct
	r.st.EpochSeen += b.n
	r.st.WindowLoss += res.Loss * float64(b.n)
	r.st.WindowCorrect += res.Correct
	r.st.WindowSeen += b.n
	r.st.Images += b.n
	r.lastLR = lr
	r.progress().Step(StepInfo{Epoch: r.st.Epoch, Iteration: r.st.Iteration, LR: lr, Loss: res.Loss,
		TrainError: r.trainError()})
	return nil
}

// drawKeep draws which gated residual blocks survive this step. The draws
// come from a PCG seeded by (seed, iteration), so a resumed run draws what an
// uninterrupted one would.
func (r *runner) drawKeep() []bool {
	if r.keep == nil {
		return nil
	}
	rng := rand.New(rand.NewPCG(r.cfg.Seed, 0x5d5d_0000_0000_0000^uint64(r.st.Iteration)))
	for i, p := range r.net.Survival() {
		r.keep[i] = rng.Float64() < p
	}
	return r.keep
}

// periodic writes the training-only row and the checkpoint that
// train.log_every and checkpoint.every ask for inside an epoch.
func (r *runner) periodic() error {
	if n := r.cfg.Train.LogEvery; n > 0 && r.st.Iteration%n == 0 {
		// A log row gives the training loss and error of the steps since
		// the previous row, so the curve is not an average from the epoch's
		// start (which would make it jump at every epoch).
		row := r.trainRow(r.st.Epoch)
		w := max(r.st.WindowSeen, 1)
		row.TrainLoss = r.st.WindowLoss / float64(w)
		row.TrainError = float64(r.st.WindowSeen-r.st.WindowCorrect) / float64(w)
		row.TestLoss, row.TestError = math.NaN(), math.NaN()
		if err := r.addRow(row); err != nil {
			return err
		}
	}
	if n := r.cfg.Checkpoint.Every; n > 0 && r.st.Iteration%n == 0 {
		return r.checkpoint()
	}
	return nil
}

// endEpoch evaluates, writes the epoch's row, ends the warm-up if its
// training error says so, and checkpoints the start of the next epoch.
func (r *runner) endEpoch() error {
	row := r.trainRow(r.st.Epoch + 1)
	var err error
	if row.TestLoss, row.TestError, err = r.evaluate(); err != nil {
		return fmt.Errorf("epoch %d: evaluation: %w", r.st.Epoch+1, err)
	}
	if warmupEnds(r.cfg.Train, row.TrainError) {
		r.st.WarmDone = true
	}
	r.st.Epoch++
	r.saved = false
	r.st.Batch, r.st.EpochLoss, r.st.EpochCorrect, r.st.EpochSeen = 0, 0, 0, 0
	if err := r.addRow(row); err != nil {
		return err
	}
	r.progress().Epoch(row)
	return r.checkpoint()
}

// evaluate measures the mean loss and the error on the evaluation split with
// the forward-only program, which leaves the weights and statistics alone.
func (r *runner) evaluate() (loss, errRate float64, err error) {
	var sum float64
	var correct, n int
	var evalErr error
	err = r.data.eval.epoch(0, 0, func(b batch) bool {
		l, c, e := r.net.Evaluate(b.x, b.y, b.n)
		sum, correct, n, evalErr = sum+l, correct+c, n+b.n, e
		return e == nil
	})
	if err = errors.Join(evalErr, err); err != nil {
		return 0, 0, err
	}
	if n == 0 {
		return 0, 0, invalidf("the evaluation split is empty")
	}
	return sum / float64(n), float64(n-correct) / float64(n), nil
}

func (r *runner) trainError() float64 {
	return float64(r.st.EpochSeen-r.st.EpochCorrect) / float64(max(r.st.EpochSeen, 1))
}

// trainRow is the row of the epoch so far, with epoch epochs counted as
// completed and the test columns left zero.
func (r *runner) trainRow(epoch int) Row {
	return Row{Epoch: epoch, Iteration: r.st.Iteration, LR: r.lastLR,
		TrainLoss: r.st.EpochLoss / float64(max(r.st.EpochSeen, 1)), TrainError: r.trainError(),
		ElapsedS: r.elapsed()}
}

func (r *runner) addRow(row Row) error {
	r.st.WindowLoss, r.st.WindowCorrect, r.st.WindowSeen = 0, 0, 0
	r.rows = append(r.rows, row)
	return r.metrics.append(row)
}

func (r *runner) elapsed() float64 { return r.elapsedBase + r.now().Sub(r.start).Seconds() }

// checkpoint saves the state after the current step, unless it is saved already.
func (r *runner) checkpoint() error {
	if r.saved {
		return nil
	}
	c := &checkpoint{ConfigSum: r.configSum, progress: r.st, Rows: r.rows}
	c.ElapsedS = r.elapsed()
	c.Params, c.Velocity, c.Stats = capture(r.params, r.stats, r.sgd)
	if err := saveCheckpoint(r.ckpts, c, r.cfg.Checkpoint.Keep, r.opt.hook); err != nil {
		return err
	}
	r.saved = true
	return nil
}

// finish writes summary.json for how the loop ended: finished, interrupted
// (after a last checkpoint) or failed (the last good checkpoint stays the
// newest).
func (r *runner) finish(trainErr error) (*Summary, error) {
	s := r.summary()
	switch {
	case trainErr == nil:
		s.Status = StatusFinished
	case errors.Is(trainErr, context.Canceled) || errors.Is(trainErr, context.DeadlineExceeded):
		s.Status = StatusInterrupted
		if err := r.checkpoint(); err != nil {
			trainErr = errors.Join(trainErr, err)
		}
	default:
		s.Status = StatusFailed
	}
	if trainErr != nil {
		s.Error = trainErr.Error()
	}
	if err := writeSummary(r.dir, s, r.opt.hook); err != nil {
		trainErr = errors.Join(trainErr, err)
	}
	if trainErr != nil {
		return s, fmt.Errorf("run %s: %w", r.dir, trainErr)
	}
	return s, nil
}

func (r *runner) summary() *Summary {
	c, m := r.cfg, r.cfg.Model
	s := &Summary{Name: c.Name, Params: r.net.NumParams(), Seed: c.Seed, Version: r.opt.Version,
		Commit: r.opt.Commit, CPU: r.opt.cpu(), Threads: r.threads, Iterations: r.st.Iteration,
		WallS: r.elapsed(), Arch: m.Arch, Depth: m.Depth, Block: m.Block, Shortcut: m.Shortcut,
		Dataset: r.data.name}
	if r.st.TrainS > 0 {
		s.ImagesPerS = float64(r.st.Images) / r.st.TrainS
	}
	summarise(s, r.rows)
	for _, row := range r.rows {
		if row.Evaluated() {
			s.Epochs = row.Epoch
		}
	}
	return s
}

func (r *runner) progress() Progress {
	if r.opt.Progress == nil {
		return silent{}
	}
	return r.opt.Progress
}

type silent struct{}

func (silent) Start(RunInfo) {}
func (silent) Step(StepInfo) {}
func (silent) Epoch(r Row)   {}

func (r *runner) close() {
	if r.metrics != nil {
		r.metrics.close()
	}
	r.lock.unlock()
}
