package kernel

import (
	"math"
	"runtime"
)

// The float32 batch-norm paths: statistics in one pass with float64
// accumulators, normalisation folded into one multiply-add per element, work
// handed out to the workers channel by channel; each channel is computed the
// same way by any worker, so results do not depend on the worker count at
// all.

const (
	opBNTrain = iota + opBackwardFilterSum + 1
	opBNEval
	opBNBackward
)

// opBNPlanes sums a batch norm's input plane by plane (bnArgs.planes); it
// comes after the Winograd ops, which come after opBNBackward.
const opBNPlanes = opWinoFilterGrad + 1

// bnArgs are the operands of the batch-norm call in progress.
type bnArgs struct {
	y, x, res, dy, dx         []float32
	gamma, beta, mean, invStd []float32
	varOut, runMean, runVar   []float32
	affine                    []float32
	dgamma, dbeta             []float32
	n, c, hw                  int
	eps                       float64
	relu                      bool

	// planes, if not nil, holds Σx and Σx² of every plane (image i,
	// channel ch at 2(i·c+ch)), and the statistics add them in image
	// order; havePlanes: already filled (by the convolution that wrote x).
	planes     []float64
	havePlanes bool
}

// bnKernels are the per-channel loops; each runs over n planes of hw floats
// stride floats apart.
type bnKernels struct {
	// sums returns Σx and Σx².
	sums func(x []float32, hw, n, stride int) (float64, float64)
	// apply writes y = x·scale + shift, then max(y, 0) if relu. stream
	// asks for stores that bypass the caches where the rows allow them:
	// for the batch-wide passes, whose output is not read again while it
	// would still be in cache, and whose destination was last touched a
	// step ago, so that an ordinary store would first read each line back
	// from memory. The in-cache epilogues of the convolutions pass false.
	apply func(y, x []float32, hw, n, stride int, scale, shift float32, relu, stream bool)
	// applyRes writes y = (x·scale + shift) + r, then max(y, 0) if relu;
	// stream as in apply.
	applyRes func(y, x, r []float32, hw, n, stride int, scale, shift float32, relu, stream bool)
	// gradSums returns Σg and Σg·x where g = dy, or 0 where relu and
	// x·scale + shift <= 0 (the forward output was not positive).
	gradSums func(dy, x []float32, hw, n, stride int, relu bool, scale, shift float32) (float64, float64)
	// gradApply writes dx = a·g + b·x + c with g as in gradSums; stream as
	// in apply.
	gradApply func(dx, dy, x []float32, hw, n, stride int, a, b, c float32, relu bool, scale, shift float32, stream bool)
	// fma: apply computes x·scale + shift with one rounding and then the
	// maximum with the floor as the assembly does (VMAXPS, floor first), so
	// that a convolution's transform may apply a ConvPrologue in registers
	// (convKernels.winoIn4Pro) with the same bits.
	fma bool
}

var goBN = &bnKernels{sums: bnSumsGo, apply: bnApplyGo, applyRes: bnApplyResGo, gradSums: bnGradSumsGo, gradApply: bnGradApplyGo}

func bnSumsGo(x []float32, hw, n, stride int) (float64, float64) {
	var s0, s1, s2, s3, q0, q1, q2, q3 float64
	for i := 0; i < n; i++ {
		p := x[i*stride : i*stride+hw]
		j := 0
		for ; j+4 <= len(p); j += 4 {
			a, b, c, d := float64(p[j]), float64(p[j+1]), float64(p[j+2]), float64(p[j+3])
			s0, s1, s2, s3 = s0+a, s1+b, s2+c, s3+d
			q0, q1, q2, q3 = q0+a*a, q1+b*b, q2+c*c, q3+d*d
		}
		for ; j < len(p); j++ {
			a := float64(p[j])
			s0 += a
			q0 += a * a
		}
	}
	return (s0 + s1) + (s2 + s3), (q0 + q1) + (q2 + q3)
}

func bnApplyGo(y, x []float32, hw, n, stride int, scale, shift float32, relu, _ bool) {
	for i := 0; i < n; i++ {
		p := x[i*stride : i*stride+hw]
		q := y[i*stride : i*stride+hw]
		if relu {
			for j, v := range p {
				q[j] = max(bnAffine(v, scale, shift), 0)
			}
		} else {
			for j, v := range p {
				q[j] = bnAffine(v, scale, shift)
			}
		}
	}
}

func bnApplyResGo(y, x, r []float32, hw, n, stride int, scale, shift float32, relu, _ bool) {
	for i := 0; i < n; i++ {
		p := x[i*stride : i*stride+hw]
		q := y[i*stride : i*stride+hw]
		rr := r[i*stride : i*stride+hw]
		for j, v := range p {
			// rounded to float32 before the addition, as the two ops apart
			o := float32(bnAffine(v, scale, shift)) + rr[j]
			if relu {
				o = max(o, 0)
			}
			q[j] = o
		}
	}
}

func bnGradSumsGo(dy, x []float32, hw, n, stride int, relu bool, scale, shift float32) (float64, float64) {
	var s0, s1, q0, q1 float64
	for i := 0; i < n; i++ {
		g := dy[i*stride : i*stride+hw]
		p := x[i*stride : i*stride+hw]
		j := 0
		for ; j+2 <= len(g); j += 2 {
			a, b := float64(g[j]), float64(g[j+1])
			if relu {
				if bnAffine(p[j], scale, shift) <= 0 {
					a = 0
				}
				if bnAffine(p[j+1], scale, shift) <= 0 {
					b = 0
				}
			}
			s0, s1 = s0+a, s1+b
			q0, q1 = q0+a*float64(p[j]), q1+b*float64(p[j+1])
		}
		for ; j < len(g); j++ {
			a := float64(g[j])
			if relu && bnAffine(p[j], scale, shift) <= 0 {
				a = 0
			}
			s0 += a
			q0 += a * float64(p[j])
		}
	}
	return s0 + s1, q0 + q1
}

func bnGradApplyGo(dx, dy, x []float32, hw, n, stride int, a, b, c float32, relu bool, scale, shift float32, _ bool) {
	for i := 0; i < n; i++ {
		g := dy[i*stride : i*stride+hw]
		p := x[i*stride : i*stride+hw]
		d := dx[i*stride : i*stride+hw]
		if relu {
			for j, v := range g {
				if bnAffine(p[j], scale, shift) <= 0 {
					v = 0
				}
				d[j] = a*v + b*p[j] + c
			}
			continue
		}
		for j, v := range g {
			d[j] = a*v + b*p[j] + c
		}
	}
}

// bnEvalAffine is the scale and shift of one channel of a batch norm in
// evaluation mode: y = x·scale + shift.
func bnEvalAffine(gamma, beta, runMean, runVar float32, eps float64) (scale, shift float32) {
	is := 1 / math.Sqrt(float64(runVar)+eps)
	g := float64(gamma) * is
	return float32(g), float32(float64(beta) - g*float64(runMean))
}

// BNEvalAffine fills scale and shift (length C) with the per-channel affine
// map of a batch norm in evaluation mode, as BNForwardEval applies it to
// float32 data: y = x·scale[c] + shift[c]. A ConvEpilogue given them
// computes the same bits as BNForwardEval.
func BNEvalAffine(scale, shift, gamma, beta, runMean, runVar []float32, eps float64) {
	for c := range scale {
		scale[c], shift[c] = bnEvalAffine(gamma[c], beta[c], runMean[c], runVar[c], eps)
	}
}

func (c *convCore) bnWork(w int) {
	a := &c.bn
	k := c.bnImpl
	cnt := float64(a.n * a.hw)
	st := a.c * a.hw
	for ch := c.take(); ch < a.c; ch = c.take() {
		off := ch * a.hw
		switch c.op {
		case opBNPlanes:
			a.planeSums(k, ch)
		case opBNTrain:
			s, q := 0.0, 0.0
			if a.planes != nil {
				if !a.havePlanes {
					a.planeSums(k, ch)
				}
				for i := 0; i < a.n; i++ {
					s += a.planes[2*(i*a.c+ch)]
					q += a.planes[2*(i*a.c+ch)+1]
				}
			} else {
				s, q = k.sums(a.x[off:], a.hw, a.n, st)
			}
			m := s / cnt
			v := max(q/cnt-m*m, 0)
			is := 1 / math.Sqrt(v+a.eps)
			a.mean[ch], a.invStd[ch] = float32(m), float32(is)
			if a.varOut != nil {
				a.varOut[ch] = float32(v)
			}
			g := float64(a.gamma[ch]) * is
			sc, sh := float32(g), float32(float64(a.beta[ch])-g*m)
			a.affine[ch], a.affine[a.c+ch] = sc, sh
			if a.y != nil {
				a.apply(k, off, sc, sh)
			}
		case opBNEval:
			g, b := bnEvalAffine(a.gamma[ch], a.beta[ch], a.runMean[ch], a.runVar[ch], a.eps)
			a.apply(k, off, g, b)
		case opBNBackward:
			sc, sh := a.affine[ch], a.affine[a.c+ch]
			sg, sgx := k.gradSums(a.dy[off:], a.x[off:], a.hw, a.n, st, a.relu, sc, sh)
			m, is := float64(a.mean[ch]), float64(a.invStd[ch])
			sdyx := is * (sgx - m*sg)
			a.dgamma[ch], a.dbeta[ch] = float32(sdyx), float32(sg)
			if a.dx == nil {
				continue
			}
			// dx = k·(g - sg/cnt - (x-m)·is·sdyx/cnt) = A·g + B·x + C
			kk := float64(a.gamma[ch]) * is
			bb := -kk * is * sdyx / cnt
			cc := -kk*sg/cnt - bb*m
			k.gradApply(a.dx[off:], a.dy[off:], a.x[off:], a.hw, a.n, st, float32(kk), float32(bb), float32(cc), a.relu, sc, sh, true)
		}
	}
}

// planeSums fills the sums of channel ch's planes, image by image.
func (a *bnArgs) planeSums(k *bnKernels, ch int) {
	for i := 0; i < a.n; i++ {
		k.planeSum(a.planes, a.x, a.hw, i*a.c+ch)
	}
}

// planeSum stores Σx and Σx² of plane p of x (planes of hw floats) at
// 2p and 2p+1 of planes, the layout of bnArgs.planes.
func (k *bnKernels) planeSum(planes []float64, x []float32, hw, p int) {
	planes[2*p], planes[2*p+1] = k.sums(x[p*hw:], hw, 1, hw)
}

// apply normalises the channel at off with scale and shift, adding the
// residual if the call has one.
func (a *bnArgs) apply(k *bnKernels, off int, scale, shift float32) {
	st := a.c * a.hw
	if a.res != nil {
		k.applyRes(a.y[off:], a.x[off:], a.res[off:], a.hw, a.n, st, scale, shift, a.relu, true)
		return
	}
	k.apply(a.y[off:], a.x[off:], a.hw, a.n, st, scale, shift, a.relu, true)
}

func (ws *Workspace) bnRun(op int, a bnArgs) {
	defer runtime.KeepAlive(ws) // its cleanup stops the workers: not during the call
	c := ws.core()
	c.op, c.bn = op, a
	nw := min(ws.workers(), a.c)
	c.nw = nw
	c.next.Store(0)
	c.run(nw)
	c.bn = bnArgs{}
}
