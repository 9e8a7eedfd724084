package model

import (
	"fmt"
	"hash"
	"hash/fnv"
	"sync/atomic"

	"github.com/chewxy/hm"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// resx's own graph ops share this plumbing. Each op instance belongs to
// exactly one node and owns its output buffer, which it reuses on every run,
// so a training step allocates no activations. Ops never overwrite their
// inputs and never return their inputs.

var opSeq atomic.Int64

// opBase gives every op a unique identity (so Gorgonia never merges two
// nodes that merely look alike) and the boilerplate methods of G.Op.
type opBase struct {
	name string
	id   int64
}

func newBase(name string) opBase { return opBase{name: name, id: opSeq.Add(1)} }

func (o *opBase) ReturnsPtr() bool      { return false }
func (o *opBase) CallsExtern() bool     { return false }
func (o *opBase) OverwritesInput() int  { return -1 }
func (o *opBase) WriteHash(h hash.Hash) { fmt.Fprintf(h, "resx.%s#%d", o.name, o.id) }
func (o *opBase) Hashcode() uint32 {
	h := fnv.New32a()
	o.WriteHash(h)
	return h.Sum32()
}
func (o *opBase) String() string { return o.name }

// outBuf is an op's owned output tensor, allocated on first use.
type outBuf struct{ t *tensor.Dense }

func (b *outBuf) get(dt tensor.Dtype, shape ...int) *tensor.Dense {
	if b.t == nil || b.t.Dtype() != dt || !b.t.Shape().Eq(tensor.Shape(shape)) {
		b.t = adviseHuge(tensor.New(tensor.Of(dt), tensor.WithShape(shape...)))
	}
	return b.t
}

// scalarBuf is an owned scalar output.
type scalarBuf struct {
	f32 G.F32
	f64 G.F64
}

func (b *scalarBuf) set(dt tensor.Dtype, v float64) G.Value {
	if dt == tensor.Float64 {
		b.f64 = G.F64(v)
		return &b.f64
	}
	b.f32 = G.F32(v)
	return &b.f32
}

// tensorType is the type of a dims-dimensional tensor of the type variable a.
func tensorType(dims int) hm.Type {
	return G.TensorType{Dims: dims, Of: hm.TypeVariable('a')}
}

func fnType(ts ...hm.Type) hm.Type { return hm.NewFnType(ts...) }

// dense returns v as a dense tensor, or an error naming the op.
func dense(op string, v G.Value) (*tensor.Dense, error) {
	d, ok := v.(*tensor.Dense)
	if !ok {
		return nil, fmt.Errorf("%s: input is %T, want a dense tensor", op, v)
	}
	return d, nil
}

func denses(op string, vs []G.Value) ([]*tensor.Dense, error) {
	out := make([]*tensor.Dense, len(vs))
	for i, v := range vs {
		d, err := dense(op, v)
		if err != nil {
			return nil, err
		}
		out[i] = d
	}
	return out, nil
}

// scalarOf reads a scalar value of either float type.
func scalarOf(v G.Value) (float64, error) {
	switch s := v.(type) {
	case *G.F32:
		return float64(*s), nil
	case *G.F64:
		return float64(*s), nil
	case *tensor.Dense:
		switch d := s.Data().(type) {
		case float32:
			return float64(d), nil
		case float64:
			return d, nil
		case []float32:
			if len(d) == 1 {
				return float64(d[0]), nil
			}
		case []float64:
			if len(d) == 1 {
				return d[0], nil
			}
		}
	}
	return 0, fmt.Errorf("expected a scalar, got %T", v)
}

func f32s(t *tensor.Dense) []float32 { return t.Data().([]float32) }
func f64s(t *tensor.Dense) []float64 { return t.Data().([]float64) }

// data is t's elements, or nil for no tensor.
func data[T float32 | float64](t *tensor.Dense) []T {
	if t == nil {
		return nil
	}
	return t.Data().([]T)
}

func shapeOf(in G.DimSizer) (tensor.Shape, error) {
	s, ok := in.(tensor.Shape)
	if !ok {
		return nil, fmt.Errorf("expected a tensor.Shape, got %T", in)
	}
	return s, nil
}
