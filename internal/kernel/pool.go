package kernel

import (
	"runtime"
	"sync"
)

// pool is a set of persistent worker goroutines. Work is handed out by
// index, so a call allocates nothing and every worker always gets the same
// share of the work.
type pool struct {
	start []chan struct{}
	wg    sync.WaitGroup
}

// run calls c.work(w) for w in [0, nw), worker 0 on the calling goroutine.
func (c *convCore) run(nw int) {
	for len(c.pool.start) < nw-1 {
		ch := make(chan struct{})
		c.pool.start = append(c.pool.start, ch)
		w := len(c.pool.start)
		go func() {
			for range ch {
				c.work(w)
				c.pool.wg.Done()
			}
		}()
	}
	c.pool.wg.Add(nw - 1)
	for w := 1; w < nw; w++ {
		c.pool.start[w-1] <- struct{}{}
	}
	c.work(0)
	c.pool.wg.Wait()
}

func (c *convCore) stop() {
	for _, ch := range c.pool.start {
		close(ch)
	}
	c.pool.start = nil
}

// core returns the workspace's state, creating it on first use. A nil
// workspace gets a fresh one-worker state on every call.
func (ws *Workspace) core() *convCore {
	if ws == nil {
		return &convCore{impl: bestKernels, bnImpl: bestBN, eltImpl: bestElt}
	}
	if ws.c == nil {
		ws.c = &convCore{impl: bestKernels, bnImpl: bestBN, eltImpl: bestElt}
		runtime.AddCleanup(ws, func(c *convCore) { c.stop() }, ws.c)
	}
	return ws.c
}

func (ws *Workspace) workers() int {
	if ws == nil || ws.Workers < 1 {
		return 1
	}
	return ws.Workers
}
