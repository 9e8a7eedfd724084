// Package experiment trains one network as a config says and keeps its run
// folder: the training loop, the learning-rate schedule, the SGD optimiser,
// evaluation, metrics rows, checkpoints, and sweeps over many runs.
//
// A run folder holds
//
//	config.yaml    the resolved config the run was started with
//	metrics.csv    one row per epoch (and every train.log_every iterations), see Columns
//	summary.json   the Summary, written when the run stops for any reason
//	checkpoints/   the newest checkpoint.keep checkpoints, see Options.Resume
//	lesion.csv     written by Lesion: the test error with each block deleted, see LesionColumns
//	lesion.json    written by Lesion: the LesionResult
//	.lock          held (flock) while a process writes the folder
//
// Runs are deterministic: the same config (seed and threads included) gives
// the same metrics.csv apart from the elapsed_s column, and a run that is
// interrupted and resumed gives the same file as one that was not.
package experiment
