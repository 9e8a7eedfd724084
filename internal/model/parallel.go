package model

import "sync"

// parallelFor splits [0, n) into workers contiguous chunks (multiples of
// align, so vector loops see whole blocks) and runs f on each; the caller's
// goroutine takes the first chunk. Small ranges run inline. Each element is
// written by exactly one chunk, so results do not depend on scheduling.
func parallelFor(workers, n, align int, f func(lo, hi int)) {
	const minChunk = 1 << 14
	if workers <= 1 || n < 2*minChunk {
		f(0, n)
		return
	}
	chunk := (n + workers - 1) / workers
	chunk = (chunk + align - 1) / align * align
	var wg sync.WaitGroup
	for lo := chunk; lo < n; lo += chunk {
		wg.Add(1)
		go func(lo, hi int) {
			defer wg.Done()
			f(lo, hi)
		}(lo, min(lo+chunk, n))
	}
	f(0, min(chunk, n))
	wg.Wait()
}
