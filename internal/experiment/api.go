package experiment

import (
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/resx-dev/resx/internal/config"
	"github.com/resx-dev/resx/internal/model"
)

// ErrInvalidInput is wrapped by every error caused by bad input (a corrupt
// checkpoint, a run folder that cannot be written, ...): the command line maps
// it to exit code 2.
var ErrInvalidInput = errors.New("invalid input")

// badInput wraps ErrInvalidInput without saying so in its message, which
// names the problem itself ("checkpoint: checksum mismatch", not "...:
// invalid input").
type badInput struct{ err error }

func (e *badInput) Error() string   { return e.err.Error() }
func (e *badInput) Unwrap() []error { return []error{e.err, ErrInvalidInput} }

// invalidf formats an error that wraps ErrInvalidInput (and any %w operands).
func invalidf(format string, a ...any) error {
	return &badInput{fmt.Errorf(format, a...)}
}

// invalid makes err wrap ErrInvalidInput if it does not already.
func invalid(err error) error {
	if err == nil || errors.Is(err, ErrInvalidInput) {
		return err
	}
	return &badInput{err}
}

// ErrDiverged is wrapped when the loss or a weight becomes NaN or Inf.
var ErrDiverged = errors.New("training diverged")

// ErrBusy is wrapped when another process (or another Run in this one) holds
// the run folder.
var ErrBusy = errors.New("run folder is in use")

// Options are the settings of one run that are not part of its config.
type Options struct {
	// RunDir is the run's folder (config.yaml, metrics.csv, summary.json,
	// checkpoints/). It is created if needed.
	RunDir string
	// Resume continues from the newest good checkpoint in RunDir (falling
	// back past corrupt ones, which it reports on Log), or starts afresh
	// when there is none; a run that has finished is not trained again. The
	// resumed metrics.csv is the one an uninterrupted run writes, elapsed_s
	// aside. Without Resume, a RunDir that already holds a run is refused.
	Resume bool
	// DataDir is the explicit dataset folder (--data-dir); "" follows
	// dataset.SearchDirs.
	DataDir string
	// Progress receives progress events; nil is silent.
	Progress Progress
	// Version and Commit are recorded in summary.json.
	Version, Commit string
	// Now is the clock (nil = time.Now); tests fix it.
	Now func() time.Time
	// Log receives warnings, such as a skipped corrupt checkpoint (nil = os.Stderr).
	Log io.Writer

	// hook wraps the writers of the run folder's files; tests make them fail.
	hook writeHook
	// newNet builds the network and openData the data (nil = model.New and
	// openDataset); tests put in small fakes.
	newNet   func(config.Model, model.Options) (network, error)
	openData func(cfg config.Data, dataDir string, batch int, seed uint64) (*data, error)
	// cpu names the processor in summary.json (nil = cpuModel).
	cpu func() string
}

// Progress receives the events of a run, from the training goroutine.
type Progress interface {
	// Start is called once the data and the network are ready.
	Start(info RunInfo)
	// Step is called after every training step.
	Step(s StepInfo)
	// Epoch is called after each epoch's evaluation, with the metrics row.
	Epoch(r Row)
}

// RunInfo describes a run that is about to train.
type RunInfo struct {
	Name           string
	Params         int
	StepsPerEpoch  int
	TotalSteps     int
	StartIteration int // > 0 when resumed
}

// StepInfo is the state after one step: Epoch is the epoch the step belongs
// to (0-based), Iteration the steps done so far, LR the rate the step used.
type StepInfo struct {
	Epoch, Iteration int
	LR               float64
	Loss             float64
	// TrainError is the running training error of the current epoch, in [0, 1].
	TrainError float64
}

// Row is one line of metrics.csv; see Columns. Epoch counts the epochs
// completed (a run measured in iterations ends with a row for its last,
// partial epoch); Iteration the steps done. TrainLoss and TrainError average
// the batches of the epoch trained so far, as they were trained. TestLoss and
// TestError are NaN on rows written between evaluations (see Evaluated).
type Row struct {
	Epoch      int
	Iteration  int
	LR         float64
	TrainLoss  float64
	TrainError float64
	TestLoss   float64
	TestError  float64
	ElapsedS   float64
}

// Summary is summary.json. Errors are fractions in [0, 1]: the final ones
// are the last evaluated row's, the best the lowest test error of any
// evaluated row. Times add up every session of a resumed run: ImagesPerS
// counts training images per second spent in training steps (evaluation
// and checkpoints left out), WallS the whole wall time. Epochs is the number
// of epochs evaluated, a last partial one included.
type Summary struct {
	Name            string  `json:"name"`
	Params          int     `json:"params"`
	FinalTrainError float64 `json:"final_train_error"`
	FinalTestError  float64 `json:"final_test_error"`
	BestTestError   float64 `json:"best_test_error"`
	ImagesPerS      float64 `json:"images_per_s"`
	WallS           float64 `json:"wall_s"`
	Seed            uint64  `json:"seed"`
	Version         string  `json:"resx_version"`
	Commit          string  `json:"git_commit,omitempty"`
	CPU             string  `json:"cpu"`
	Threads         int     `json:"threads"`
	Iterations      int     `json:"iterations"`
	Epochs          int     `json:"epochs"`
	Status          string  `json:"status"` // StatusFinished, StatusFailed or StatusInterrupted
	Error           string  `json:"error,omitempty"`
	// Config fields that reports group by.
	Arch     string `json:"arch"`
	Depth    int    `json:"depth"`
	Block    string `json:"block"`
	Shortcut string `json:"shortcut"`
	Dataset  string `json:"dataset"`
}
