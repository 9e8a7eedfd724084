//go:build !amd64 || purego

package kernel

var bestKernels = goKernels

// kernelSets lists the implementations this CPU can run, best last.
func kernelSets() []*convKernels { return []*convKernels{goKernels, goCopyKernels} }
