package model

import "syscall"

// madvHugepage is MADV_HUGEPAGE of <sys/mman.h>, which package syscall
// does not name on every architecture.
const madvHugepage = 14

// madviseHuge advises huge pages for b; an error (a kernel without
// transparent huge pages) leaves the pages as they are.
func madviseHuge(b []byte) { _ = syscall.Madvise(b, madvHugepage) }
