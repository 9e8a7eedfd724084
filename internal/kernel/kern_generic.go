//go:build !amd64 || purego

package kernel

var bestBN = goBN

var bestKernels = goKernels

// kernelSets lists the implementations this CPU can run.
func kernelSets() []*convKernels { return []*convKernels{goKernels, goCopyKernels} }

type namedBN struct {
	name string
	k    *bnKernels
}

// bnSets lists the batch-norm implementations this CPU can run.
func bnSets() []namedBN { return []namedBN{{"go", goBN}} }

var bestElt = eltGo

// eltSets lists the elementwise implementations this CPU can run.
func eltSets() []func(op int, y, a, b []float32) { return []func(op int, y, a, b []float32){eltGo} }
