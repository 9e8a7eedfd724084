package kernel

import "runtime"

// Elementwise kernels and global average pooling for the residual blocks
// and the head. Elementwise work is split into contiguous static chunks per
// worker; each element's result depends on that element only, so the worker
// count never changes the bits.

const (
	eltAdd = iota
	eltAddReLU
	eltReLU
	eltReLUGrad
)

const opElt = opBNBackward + 1

// eltChunk is the smallest share of elementwise work worth a worker.
const eltChunk = 1 << 15

// AddReLU writes y = a + b, then max(y, 0) when relu is set. The slices have
// equal lengths; y may alias a or b.
func AddReLU[T Float](y, a, b []T, relu bool, ws *Workspace) {
	if y32, ok := any(y).([]float32); ok {
		op := eltAdd
		if relu {
			op = eltAddReLU
		}
		ws.eltRun(op, y32, any(a).([]float32), any(b).([]float32))
		return
	}
	b, y = b[:len(a)], y[:len(a)]
	for i := range a {
		v := a[i] + b[i]
		if relu && v < 0 {
			v = 0
		}
		y[i] = v
	}
}

// ReLU writes y = max(x, 0); y may alias x.
func ReLU[T Float](y, x []T, ws *Workspace) {
	if y32, ok := any(y).([]float32); ok {
		ws.eltRun(eltReLU, y32, any(x).([]float32), nil)
		return
	}
	y = y[:len(x)]
	for i, v := range x {
		y[i] = max(v, 0)
	}
}

// ReLUGrad writes dx = dy where y > 0 and 0 elsewhere, y being the ReLU's
// output; dx may alias dy.
func ReLUGrad[T Float](dx, y, dy []T, ws *Workspace) {
	if dx32, ok := any(dx).([]float32); ok {
		ws.eltRun(eltReLUGrad, dx32, any(y).([]float32), any(dy).([]float32))
		return
	}
	dx, dy = dx[:len(y)], dy[:len(y)]
	for i, v := range y {
		if v > 0 {
			dx[i] = dy[i]
		} else {
			dx[i] = 0
		}
	}
}

// GlobalAvgPool writes y[i] = the mean of x[i·hw : (i+1)·hw] for i < len(y),
// summing in float64.
func GlobalAvgPool[T Float](y, x []T, hw int, ws *Workspace) {
	x = x[:len(y)*hw]
	for i := range y {
		var s float64
		for _, v := range x[i*hw : (i+1)*hw] {
			s += float64(v)
		}
		y[i] = T(s / float64(hw))
	}
}

// GlobalAvgPoolGrad spreads dy evenly: dx[i·hw + j] = dy[i] / hw.
func GlobalAvgPoolGrad[T Float](dx, dy []T, hw int, ws *Workspace) {
	dx = dx[:len(dy)*hw]
	for i, g := range dy {
		v := T(float64(g) / float64(hw))
		row := dx[i*hw : (i+1)*hw]
		for j := range row {
			row[j] = v
		}
	}
}

func eltGo(op int, y, a, b []float32) {
	switch op {
	case eltAdd:
		b, y = b[:len(a)], y[:len(a)]
		for i := range a {
			y[i] = a[i] + b[i]
		}
	case eltAddReLU:
		b, y = b[:len(a)], y[:len(a)]
		for i := range a {
			y[i] = max(a[i]+b[i], 0)
		}
	case eltReLU:
		y = y[:len(a)]
		for i, v := range a {
			y[i] = max(v, 0)
		}
	case eltReLUGrad:
		b, y = b[:len(a)], y[:len(a)]
		for i, v := range a {
			if v > 0 {
				y[i] = b[i]
			} else {
				y[i] = 0
			}
		}
	}
}

func (ws *Workspace) eltRun(op int, y, a, b []float32) {
	defer runtime.KeepAlive(ws) // its cleanup stops the workers: not during the call
	c := ws.core()
	n := len(a)
	nw := max(1, min(ws.workers(), n/eltChunk))
	c.op, c.eltOp, c.nw = opElt, op, nw
	c.out, c.in, c.in2 = y[:n], a, b
	if b != nil {
		c.in2 = b[:n]
	}
	c.run(nw)
	c.out, c.in, c.in2 = nil, nil, nil
}

func (c *convCore) eltWork(w int) {
	n := len(c.in)
	// Chunk boundaries on multiples of 16 keep each worker's vectors whole.
	i0, i1 := split(n/16, c.nw, w)
	i0 *= 16
	i1 *= 16
	if w == c.nw-1 {
		i1 = n
	}
	var b []float32
	if c.in2 != nil {
		b = c.in2[i0:i1]
	}
	c.eltImpl(c.eltOp, c.out[i0:i1], c.in[i0:i1], b)
}
