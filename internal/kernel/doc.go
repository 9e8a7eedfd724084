// Package kernel holds the numeric kernels resx's own graph ops call: 2-D
// convolution (forward, input gradient, weight gradient), batch normalisation,
// elementwise add and ReLU, and global average pooling, on NCHW float32 and
// float64 slices.
//
// Every exported kernel has a plain-Go path that works on every platform; the
// float32 paths may dispatch to assembly chosen at run time (AVX-512, then
// AVX2/FMA, then Go, for the convolutions, batch norm and elementwise ops
// alike; the purego build tag forces Go). float64 calls run the
// reference code, which the gradient checks rely on. Results depend neither
// on timing nor on the number of workers: the forward and input-gradient
// convolutions hand out whole images, batch norm whole channels and the
// weight gradient fixed chunks of the batch to whichever worker is free,
// each computed the same way by any worker, and partial sums are added in a
// fixed order, so the same inputs give the same bits with any worker count.
//
// The float32 convolutions are implicit GEMMs (plan.go): for each image, each
// of the C·R·S filter taps reads its source plane at a fixed offset from the
// output pixel, so no im2col matrix is built. A register tile of 8 output
// channels by 32 pixels (AVX-512) accumulates over the taps. Stride-1
// sources are read in place, with per-tap lane masks standing in for the zero
// padding; stride-2 sources are first split into their four even/odd phases.
// Where all the lanes a call addresses lie inside the source slice (every
// image but the first and last), the AVX-512 kernels load whole vectors and
// mask the FMAs, which costs nothing, instead of masking the loads, which
// takes an FMA port slot; vectors with no valid lane are skipped.
// The input gradient is the same kernel run on dy with the filters transposed
// and flipped, once per output phase for stride 2; the weight gradient
// reduces over the pixels of groups of images into partial sums, one set per
// chunk of the batch (16 chunks, whatever the worker count), that are added
// in chunk order. Where the masked kernels do not apply
// (AVX2, odd strided shapes) the sources are copied into zero-padded, shifted
// planes instead. The weight gradient of a 3×3 convolution with output
// channels and output pixels in multiples of 16 (the stem and the strided
// layers of the CIFAR nets) runs as tap broadcasts instead (dwtap.go): each
// pixel's source values broadcast, times the vector of its output
// gradients, transposed pixel-major, accumulate a taps × output-channels
// block of dw in registers, so that no vector is reduced across its lanes.
// The stem's (stride 1, three source channels) runs as lane sums instead
// (dwlane.go): vectors over a row's output pixels, as the gradients lie, so
// that nothing is transposed, each weight's lane sums added once, at the
// end of the batch.
//
// The 3×3, stride-1, pad-1 convolutions on maps whose tile rows fit a
// vector (widths 8, 16 and 32, at least 8 input channels and whole blocks
// of 8 output channels) run as Winograd F(2×2, 3×3) instead (wino.go):
// 16 multiplications per 2×2 output tile instead of 36, with the same
// kernel doing the 16 products as GEMMs over the channels. On maps 16 and
// 32 wide every set runs F(4×4, 3×3) (wino4.go): 36 multiplications per
// 4×4 tile instead of 144; the AVX2 transforms run 8 tiles to a vector,
// half of the others' 16 (wino4_avx2_amd64.s). A
// vector of tiles holds whole tile rows, so the transforms read the source
// planes and write the output planes in place, in blocks of tiles whose
// transformed data stay near L1 and L2. The forward pass and input
// gradient hand out fixed groups of images, so they too give the same bits
// with any worker count. The weight gradient is the adjoint
// (wino_filter.go): the output gradient's tiles transformed, one reduction
// over the tiles per position on the weight-gradient kernel, summed per
// chunk of the batch and added in chunk order like the direct one's. On
// maps 8×8 every set runs it as F(4×4) too, vectors of tiles
// spanning four images, in chunks of 32 images (whose output channels the
// workers split when there are more workers than chunks). The products of
// all positions of a block run in one kernel call.
//
// A Workspace keeps plans, packed weights and buffers between calls, so
// that steady-state calls allocate nothing, and Workers-1 goroutines of its
// own, or those of the Workers it was made from: a network's workspaces
// share one pool, so that each call finds the workers still spinning from
// the call before.
package kernel
