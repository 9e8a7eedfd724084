package model

import (
	"fmt"
	"slices"

	gonumgraph "gonum.org/v1/gonum/graph"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// ownsOutput is implemented by every resx op that writes a tensor output
// into its own buffer.
type ownsOutput interface{ outBuffer() *outBuf }

func (op *convOp) outBuffer() *outBuf          { return &op.out }
func (op *convDataOp) outBuffer() *outBuf      { return &op.out }
func (op *convFilterOp) outBuffer() *outBuf    { return &op.out }
func (op *bnOp) outBuffer() *outBuf            { return &op.out }
func (op *bnGradOp) outBuffer() *outBuf        { return &op.out }
func (op *addOp) outBuffer() *outBuf           { return &op.out }
func (op *reluOp) outBuffer() *outBuf          { return &op.out }
func (op *reluGradOp) outBuffer() *outBuf      { return &op.out }
func (op *gateOp) outBuffer() *outBuf          { return &op.out }
func (op *shortcutAOp) outBuffer() *outBuf     { return &op.out }
func (op *shortcutAGradOp) outBuffer() *outBuf { return &op.out }
func (op *gapOp) outBuffer() *outBuf           { return &op.out }
func (op *gapGradOp) outBuffer() *outBuf       { return &op.out }
func (op *fcOp) outBuffer() *outBuf            { return &op.out }
func (op *fcGradOp) outBuffer() *outBuf        { return &op.out }

// shareBuffers lets ops whose outputs are never live at the same time share
// one buffer, so that a graph needs memory for its activations and only the
// few gradients alive at any moment, not one buffer per gradient op.
//
// Lifetimes follow the order the tape machine runs (the reverse of
// G.Sort). An output lives from the op that writes it to its last reader;
// keep lists nodes read after the run (the gradients, the logits), which
// live to the end. An op that is not resx's (the additions Gorgonia inserts
// to sum gradients) may write into its input, so its inputs and output are
// treated as one value.
func shareBuffers(g *G.ExprGraph, dt tensor.Dtype, keep G.Nodes) (saved int64, err error) {
	sorted, err := G.Sort(g)
	if err != nil {
		return 0, fmt.Errorf("share buffers: %w", err)
	}
	slices.Reverse(sorted)
	pos := make(map[int64]int, len(sorted))
	for i, n := range sorted {
		pos[n.ID()] = i
	}
	end := len(sorted)

	// Union-find over node IDs for values that may alias.
	parent := map[int64]int64{}
	var find func(int64) int64
	find = func(x int64) int64 {
		p, ok := parent[x]
		if !ok || p == x {
			return x
		}
		r := find(p)
		parent[x] = r
		return r
	}
	union := func(a, b int64) { parent[find(a)] = find(b) }

	first := map[int64]int{} // group -> first write
	last := map[int64]int{}  // group -> last read
	for _, n := range sorted {
		if n.Op() == nil {
			continue
		}
		if aliasesInput(n) {
			// The output is the 4-D input itself (a fused batch norm).
			for _, c := range nodesOf(g.From(n.ID())) {
				if len(c.Shape()) == 4 {
					union(c.ID(), n.ID())
				}
			}
			continue
		}
		if _, ok := n.Op().(ownsOutput); !ok {
			for _, c := range nodesOf(g.From(n.ID())) {
				union(c.ID(), n.ID())
			}
		}
	}
	for _, n := range sorted {
		id := find(n.ID())
		p := pos[n.ID()]
		if f, ok := first[id]; !ok || p < f {
			first[id] = p
		}
		l := p
		for _, c := range nodesOf(g.To(n.ID())) {
			l = max(l, pos[c.ID()])
		}
		if l > last[id] {
			last[id] = l
		}
	}
	for _, n := range keep {
		last[find(n.ID())] = end
	}

	// Greedy assignment in run order: a node takes a free buffer of its
	// shape whose previous holder's group was last read strictly before.
	pool := map[string][]*held{}
	for _, n := range sorted {
		o, ok := n.Op().(ownsOutput)
		if !ok || n.Shape() == nil || n.Shape().IsScalar() {
			continue
		}
		if aliasesInput(n) {
			continue // it owns no buffer
		}
		id := find(n.ID())
		if len(nodesOf(g.To(n.ID()))) == 0 && last[id] != end {
			continue // an unread output, e.g. a gradient nobody asked for
		}
		key := fmt.Sprint([]int(n.Shape()))
		p := pos[n.ID()]
		h := latestFree(pool[key], p)
		if h != nil {
			saved += int64(n.Shape().TotalSize()) * int64(dt.Size())
		} else {
			h = &held{t: adviseHuge(tensor.New(tensor.Of(dt), tensor.WithShape(n.Shape()...)))}
			pool[key] = append(pool[key], h)
		}
		h.free = last[id]
		o.outBuffer().t = h.t
	}
	return saved, nil
}

// aliasesInput reports whether n's op returns its input tensor as its
// output (a batch norm fused into the convolution before it).
func aliasesInput(n *G.Node) bool {
	a, ok := n.Op().(interface{ aliasesInput() bool })
	return ok && a.aliasesInput()
}

// nodesOf drains the node iterator that Gorgonia's graph methods return.
func nodesOf(it interface {
	Next() bool
	Node() gonumgraph.Node
}) []*G.Node {
	var out []*G.Node
	if it == nil {
		return nil
	}
	for it.Next() {
		if n, ok := it.Node().(*G.Node); ok {
			out = append(out, n)
		}
	}
	return out
}

// held is a shared buffer and the position in the run after which its
// holder is no longer read.
type held struct {
	t    *tensor.Dense
	free int
}

// latestFree picks, among the buffers free before position p, the one
// freed last (nil if none is free): its lines are the likeliest to be still
// in cache, so that writing the new output does not first read them back
// from memory. A backward pass then cycles through a few warm gradient
// buffers instead of all of them in allocation order.
func latestFree(cands []*held, p int) *held {
	var h *held
	for _, c := range cands {
		if c.free < p && (h == nil || c.free > h.free) {
			h = c
		}
	}
	return h
}
