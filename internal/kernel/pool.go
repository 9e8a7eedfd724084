package kernel

import (
	"runtime"
	"sync/atomic"
)

// pool is a set of persistent worker goroutines. A call runs work(w) on
// each of them and allocates nothing; the convolutions and batch norms hand
// out their items (images, chunks, channels) from an atomic counter, so
// that a worker slowed by other load on its core takes fewer of them.
//
// A call is announced by bumping gen. Between calls a worker spins on gen
// for a short while before it parks on its channel: the calls of a training
// step follow each other within microseconds, and waking a parked goroutine
// (a futex, and on a virtual machine often a halted virtual CPU) costs more
// than that. The caller likewise spins, yielding, until the workers are
// done, instead of parking on a WaitGroup.
type pool struct {
	workers []*poolWorker
	gen     atomic.Uint64 // the call in progress
	nw      atomic.Int64  // workers taking part in it, the caller included
	pending atomic.Int64  // workers of it not yet done
	stopped atomic.Bool
}

type poolWorker struct {
	parked atomic.Bool
	wake   chan struct{} // capacity 1
}

// spinRounds bounds how long an idle worker spins before it parks; each
// round is spinYield loads of gen and a yield of the processor.
const (
	spinRounds = 200
	spinYield  = 64
)

// run calls c.work(w) for w in [0, nw), worker 0 on the calling goroutine.
func (c *convCore) run(nw int) {
	p := &c.pool
	for len(p.workers) < nw-1 {
		pw := &poolWorker{wake: make(chan struct{}, 1)}
		p.workers = append(p.workers, pw)
		go c.workerLoop(len(p.workers), pw, p.gen.Load())
	}
	if nw > 1 {
		p.nw.Store(int64(nw))
		p.pending.Store(int64(nw - 1))
		p.gen.Add(1)
		for _, pw := range p.workers[:nw-1] {
			if pw.parked.Load() && pw.parked.CompareAndSwap(true, false) {
				pw.wake <- struct{}{}
			}
		}
	}
	c.work(0)
	for i := 0; p.pending.Load() != 0; i++ {
		if i%spinYield == spinYield-1 {
			runtime.Gosched()
		}
	}
}

// workerLoop is worker w: it waits for each call after the one numbered
// seen and takes part if the call uses it.
func (c *convCore) workerLoop(w int, pw *poolWorker, seen uint64) {
	p := &c.pool
	for {
		g := p.await(pw, seen)
		if p.stopped.Load() {
			return
		}
		seen = g
		if int64(w) < p.nw.Load() {
			c.work(w)
			p.pending.Add(-1)
		}
	}
}

// await returns the number of the next call after seen, spinning first and
// then parking until run wakes the worker.
func (p *pool) await(pw *poolWorker, seen uint64) uint64 {
	for r := 0; r < spinRounds; r++ {
		for i := 0; i < spinYield; i++ {
			if g := p.gen.Load(); g != seen {
				return g
			}
		}
		runtime.Gosched()
	}
	for {
		pw.parked.Store(true)
		if g := p.gen.Load(); g != seen {
			if !pw.parked.CompareAndSwap(true, false) {
				<-pw.wake // run saw the flag and sent a wake-up: take it
			}
			return g
		}
		<-pw.wake
		if g := p.gen.Load(); g != seen {
			return g
		}
	}
}

func (c *convCore) stop() {
	p := &c.pool
	p.stopped.Store(true)
	p.gen.Add(1)
	for _, pw := range p.workers {
		if pw.parked.CompareAndSwap(true, false) {
			pw.wake <- struct{}{}
		}
	}
	p.workers = nil
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
