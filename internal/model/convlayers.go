package model

import "github.com/resx-dev/resx/internal/kernel"

// ConvLayer is one distinct convolution of a network's training graph.
type ConvLayer struct {
	// Shape is the geometry, at the training batch size (Shape.N).
	Shape kernel.ConvShape
	// Count is how many layers of the graph have this shape.
	Count int
	// First marks the stem convolution, which reads the data and so computes
	// no input gradient.
	First bool
}

// ConvLayers lists the distinct convolutions of the training graph at the
// net's batch size, in the order they first appear, with how many layers use
// each. For ResNet-20 on 3x32x32 inputs these are 3x3 convolutions 3→16 on
// 32x32 maps (1, First), 16→16 on 32x32 (6), 16→32 with stride 2 on 32x32
// (1), 32→32 on 16x16 (5), 32→64 with stride 2 on 16x16 (1) and 64→64 on
// 8x8 (5).
func (n *Net) ConvLayers() []ConvLayer {
	return append([]ConvLayer(nil), n.train[n.opt.Batch].convs...)
}

// addConv counts one convolution of the graph being built.
func (b *builder) addConv(s kernel.ConvShape, first bool) {
	for i := range b.convs {
		if b.convs[i].Shape == s && b.convs[i].First == first {
			b.convs[i].Count++
			return
		}
	}
	b.convs = append(b.convs, ConvLayer{Shape: s, Count: 1, First: first})
}
