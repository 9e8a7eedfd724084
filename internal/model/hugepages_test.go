package model

import "testing"

func TestHugeRange(t *testing.T) {
	const M = hugePage
	for _, c := range []struct {
		p      uintptr
		n      int
		lo, hi uintptr
	}{
		{0, 4 * M, 0, 0},                       // no data
		{3 * M, 0, 0, 0},                       // empty
		{3 * M, 4 * M, 3 * M, 7 * M},           // aligned both ends
		{3*M + 8192, 4 * M, 4 * M, 7 * M},      // the head and tail partial
		{3*M + 8192, M, 4 * M, 4 * M},          // no whole huge page
		{3*M + 8192, 3*M - 8192, 4 * M, 6 * M}, // ends on a boundary
		{3 * M, M - 1, 3 * M, 3 * M},           // one byte short
	} {
		lo, hi := hugeRange(c.p, c.n)
		if lo != c.lo || hi != c.hi {
			t.Errorf("hugeRange(%#x, %d) = %#x, %#x, want %#x, %#x", c.p, c.n, lo, hi, c.lo, c.hi)
		}
	}
}
