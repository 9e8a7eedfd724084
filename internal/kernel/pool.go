package kernel

import (
	"runtime"
	"sync"
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
//
// Workspaces made from one Workers share its pool, one call at a time, so
// that the calls of a network, one after another, find the same workers
// still spinning.
type pool struct {
	mu      sync.Mutex   // held through a call with more than one worker
	cur     *convCore    // the core whose work the call in progress runs
	active  atomic.Int32 // calls in progress: more than one is a bug
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
	if nw <= 1 {
		c.work(0)
		return
	}
	p := c.pool
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.active.Add(1) != 1 {
		panic("kernel: two calls at once on one pool")
	}
	defer p.active.Add(-1)
	for len(p.workers) < nw-1 {
		pw := &poolWorker{wake: make(chan struct{}, 1)}
		p.workers = append(p.workers, pw)
		go p.workerLoop(len(p.workers), pw, p.call.Load())
	}
	p.cur = c
	p.pending.Store(int64(nw - 1))
	p.seq++
	p.call.Store(p.seq<<16 | uint64(nw))
	for _, pw := range p.workers[:nw-1] {
		if pw.parked.Load() && pw.parked.CompareAndSwap(true, false) {
			pw.wake <- struct{}{}
		}
	}
	c.work(0)
	for i := 0; p.pending.Load() != 0; i++ {
		if i%spinYield == spinYield-1 {
			runtime.Gosched()
		}
	}
	p.cur = nil
}

// workerLoop is worker w: it waits for each call after the one whose word
// is seen and takes part if the call uses it. A call cannot end without the
// workers it uses, so a worker that reads a call's word late still finds
// that call in progress, or one it takes no part in.
func (p *pool) workerLoop(w int, pw *poolWorker, seen uint64) {
	for {
		g := p.await(pw, seen)
		if p.stopped.Load() {
			return
		}
		seen = g
		if w < callWorkers(g) {
			p.cur.work(w)
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

func (p *pool) stop() {
	p.mu.Lock()
	defer p.mu.Unlock()
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

// core returns the workspace's state, creating it on first use: with the
// pool of its Workers, or with a pool of its own, which is stopped when the
// workspace is garbage collected. A nil workspace gets a fresh one-worker
// state on every call.
func (ws *Workspace) core() *convCore {
	if ws == nil {
		return &convCore{impl: bestKernels, bnImpl: bestBN, eltImpl: bestElt, pool: &pool{}}
	}
	if ws.c == nil {
		ws.c = &convCore{impl: bestKernels, bnImpl: bestBN, eltImpl: bestElt}
		if ws.shared != nil {
			ws.c.pool = ws.shared.p
		} else {
			ws.c.pool = &pool{}
			runtime.AddCleanup(ws, func(p *pool) { p.stop() }, ws.c.pool)
		}
	}
	return ws.c
}

// Workers is a pool of worker goroutines that workspaces share. The calls
// of a network run one after another, each soon after the last; on shared
// workers they find them still spinning, where the workers of a workspace
// of their own would mostly have parked since its previous call, a step
// ago, and would have to be woken. Calls on workspaces of one Workers from
// several goroutines at once take turns.
type Workers struct {
	n int
	p *pool
}

// NewWorkers returns a pool for calls of up to n workers (<= 0 means 1).
// Its goroutines stop when it and its workspaces are garbage collected.
func NewWorkers(n int) *Workers {
	w := &Workers{n: max(n, 1), p: &pool{}}
	runtime.AddCleanup(w, func(p *pool) { p.stop() }, w.p)
	return w
}

// Workspace returns a new workspace for up to w's number of workers, with
// scratch memory of its own and the workers of w.
func (w *Workers) Workspace() *Workspace {
	return &Workspace{Workers: w.n, shared: w}
}

func (ws *Workspace) workers() int {
	if ws == nil || ws.Workers < 1 {
		return 1
	}
	return ws.Workers
}
