package experiment

import (
	"context"
	"errors"
	"time"

	"github.com/resx-dev/resx/internal/config"
)

// ErrInvalidInput is wrapped by every error caused by bad input (a corrupt
// checkpoint, a run folder that cannot be written, ...): the command line maps
// it to exit code 2.
var ErrInvalidInput = errors.New("invalid input")

// ErrDiverged is wrapped when the loss or a weight becomes NaN or Inf.
var ErrDiverged = errors.New("training diverged")

// Options are the settings of one run that are not part of its config.
type Options struct {
	// RunDir is the run's folder (config.yaml, metrics.csv, summary.json,
	// checkpoints/). It is created if needed.
	RunDir string
	// Resume continues from the newest good checkpoint in RunDir.
	Resume bool
	// Progress receives progress events; nil is silent.
	Progress Progress
	// Version and Commit are recorded in summary.json.
	Version, Commit string
	// Now is the clock (nil = time.Now); tests fix it.
	Now func() time.Time
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

// StepInfo is the state after one step.
type StepInfo struct {
	Epoch, Iteration int
	LR               float64
	Loss             float64
	// TrainError is the running training error of the current epoch, in [0, 1].
	TrainError float64
}

// Row is one line of metrics.csv; see Columns.
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

// Summary is summary.json.
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
	Status          string  `json:"status"` // "finished", "failed", "interrupted"
	Error           string  `json:"error,omitempty"`
	// Config fields that reports group by.
	Arch     string `json:"arch"`
	Depth    int    `json:"depth"`
	Block    string `json:"block"`
	Shortcut string `json:"shortcut"`
	Dataset  string `json:"dataset"`
}

// Run trains one network as cfg says and writes its run folder.
// Cancelling ctx finishes the current step, writes the rows so far and a
// checkpoint, and returns an error wrapping context.Canceled.
func Run(ctx context.Context, cfg config.Config, opt Options) (*Summary, error) {
	return nil, errors.New("experiment.Run: not implemented yet")
}
