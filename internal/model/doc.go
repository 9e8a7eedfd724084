// Package model builds the CIFAR networks of He et al. on Gorgonia's graph:
// plain and residual nets of depth 6n+2 (basic and pre-activation blocks) or
// 9n+2 (bottleneck blocks), option A/B/C shortcuts, width multipliers and
// stochastic depth, all from one builder, so a plain and a residual net
// differ only in the addition.
//
// Parameter counts (checked by TestParamCountsMatchPapers):
//
//	ResNet-20 0.27M, 32 0.46M, 44 0.66M, 56 0.85M, 110 1.7M, 1202 19.4M
//	(option A; plain nets the same), ResNet-164 (bottleneck) 1.7M,
//	ResNet-1001 10.2M (weights without batch norm, as that paper counts).
//
// Every layer is one of resx's own ops (ops_*.go), which stay on the graph and
// in Gorgonia's symbolic Grad. They own their output buffers, so a training
// step allocates no activations, and they call the kernels of
// internal/kernel. They also step around what is wrong in Gorgonia v0.9.18
// (each has a regression test in traps_test.go):
//   - AveragePool2D's gradient is wrong and GlobalAveragePool2D has none:
//     resx has its own option-A shortcut and global average pooling;
//   - BatchNorm's SetTraining wipes the running statistics and creating an
//     evaluation machine flips the training machine's mode: resx's batch
//     norm keeps running statistics outside the op, shared by a training
//     op and an evaluation op in two separate graphs;
//   - gradients accumulate in dual values across runs: resx's machines do
//     not bind dual values, and a step copies each gradient out;
//   - nodes whose ops hash alike are merged: every resx op hashes uniquely.
//
// Weight decay and the optimiser are not here: internal/experiment applies
// them to Param.Value and Param.Grad (Gorgonia's Momentum applies L2 to the
// velocity instead of the weights).
package model
