// Package kernel holds the numeric kernels resx's own graph ops call: 2-D
// convolution (forward, input gradient, weight gradient), batch normalisation
// and friends, on NCHW float32 and float64 slices.
//
// Every exported kernel has a plain-Go path that works on every platform; the
// float32 paths may dispatch to assembly chosen at run time. Results must not
// depend on timing: work is split statically over workers and partial sums are
// reduced in a fixed order, so the same inputs and worker count give the same
// bits.
package kernel
