package model

import (
	"unsafe"

	"gorgonia.org/tensor"
)

// hugePage is the size of the pages adviseHuge asks for: 2 MiB, the huge
// page of x86-64 and of arm64 with 4 KiB base pages.
const hugePage = 2 << 20

// hugePages turns adviseHuge on; false measures a step without it.
var hugePages = true

// adviseHuge asks the operating system to back the whole huge pages inside
// t's data with huge pages (on Linux, madvise MADV_HUGEPAGE; elsewhere
// nothing) and returns t. The activations and gradients of a step are
// hundreds of megabytes that the batch norms and convolutions walk plane
// by plane, a new 4 KiB page every few hundred floats; huge pages spare
// those walks most of their TLB misses. It is only advice: where the
// kernel has transparent huge pages off, or no huge page is free, nothing
// changes, and no page outside t is touched.
func adviseHuge(t *tensor.Dense) *tensor.Dense {
	if !hugePages {
		return t
	}
	var p unsafe.Pointer
	var n int
	switch d := t.Data().(type) {
	case []float32:
		if len(d) > 0 {
			p, n = unsafe.Pointer(&d[0]), len(d)*4
		}
	case []float64:
		if len(d) > 0 {
			p, n = unsafe.Pointer(&d[0]), len(d)*8
		}
	}
	if lo, hi := hugeRange(uintptr(p), n); hi > lo {
		madviseHuge(unsafe.Slice((*byte)(unsafe.Add(p, lo-uintptr(p))), hi-lo))
	}
	return t
}

// hugeRange is the span of whole huge pages inside the n bytes at p.
func hugeRange(p uintptr, n int) (lo, hi uintptr) {
	if p == 0 || n <= 0 {
		return 0, 0
	}
	lo = (p + hugePage - 1) &^ (hugePage - 1)
	hi = (p + uintptr(n)) &^ (hugePage - 1)
	if hi < lo {
		return lo, lo
	}
	return lo, hi
}
