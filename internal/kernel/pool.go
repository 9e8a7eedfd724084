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
// A call is announced by storing a new call word: a sequence number and
// the number of workers taking part, in one atomic value, so that a worker
// never pairs one call's number with another call's worker count. Between
// calls a worker spins on the word for a short while before it parks on
// its channel: the calls of a training
// step follow each other within microseconds, and waking a parked goroutine
// (a futex, and on a virtual machine often a halted virtual CPU) costs more
// than that. The caller likewise spins, yielding, until the workers are
// done, instead of parking on a WaitGroup.
type pool struct {
	workers []*poolWorker
	seq     uint64        // the last call's number, written by the caller only
	call    atomic.Uint64 // seq<<16 | the workers taking part, the caller included
	pending atomic.Int64  // workers of the call not yet done
	stopped atomic.Bool
}

// callWorkers is the number of workers taking part in the call of word c.
func callWorkers(c uint64) int { return int(c & 0xffff) }

type poolWorker struct {
	parked atomic.Bool
	wake   chan struct{} // capacity 1
}

// spinRounds bounds how long an idle worker spins before it parks; each
// round is spinYield loads of the call word and a yield of the processor.
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
		go c.workerLoop(len(p.workers), pw, p.call.Load())
	}
	if nw > 1 {
		p.pending.Store(int64(nw - 1))
		p.seq++
		p.call.Store(p.seq<<16 | uint64(nw))
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

// workerLoop is worker w: it waits for each call after the one whose word
// is seen and takes part if the call uses it. A call cannot end without the
// workers it uses, so a worker that reads a call's word late still finds
// that call in progress, or one it takes no part in.
func (c *convCore) workerLoop(w int, pw *poolWorker, seen uint64) {
	p := &c.pool
	for {
		g := p.await(pw, seen)
		if p.stopped.Load() {
			return
		}
		seen = g
		if w < callWorkers(g) {
			c.work(w)
			p.pending.Add(-1)
		}
	}
}

// await returns the word of the next call after seen, spinning first and
// then parking until run wakes the worker.
func (p *pool) await(pw *poolWorker, seen uint64) uint64 {
	for r := 0; r < spinRounds; r++ {
		for i := 0; i < spinYield; i++ {
			if g := p.call.Load(); g != seen {
				return g
			}
		}
		runtime.Gosched()
	}
	for {
		pw.parked.Store(true)
		if g := p.call.Load(); g != seen {
			if !pw.parked.CompareAndSwap(true, false) {
				<-pw.wake // run saw the flag and sent a wake-up: take it
			}
			return g
		}
		<-pw.wake
		if g := p.call.Load(); g != seen {
			return g
		}
	}
}

func (c *convCore) stop() {
	p := &c.pool
	p.stopped.Store(true)
	p.seq++
	p.call.Store(p.seq << 16)
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
