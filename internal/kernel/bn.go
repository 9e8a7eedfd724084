package kernel

import "math"

// BNForwardTrain normalises x (N×C×HW, NCHW with HW = H·W) with the batch's
// own per-channel statistics: y = gamma·(x-mean)·invStd + beta, followed by
// max(y, 0) when relu is set. It writes y and, for the backward pass and the
// running statistics, mean and invStd = 1/sqrt(var+eps) (biased variance),
// all of length C. varOut, if not nil, receives the biased batch variance.
// affine (length 2C) receives the map applied before the ReLU,
// y = x·affine[c] + affine[C+c]: BNBackward recomputes the ReLU's mask from
// x with it, so that y need not be kept for it. y may be nil: the
// statistics and the map only, for a convolution that applies the map
// itself (ConvPrologue).
//
// res, if not nil, is a tensor of x's shape added before the ReLU (the
// original residual unit's y = max(bn(x) + shortcut, 0)), with the bits of
// the two ops apart.
func BNForwardTrain[T Float](y, x, res, gamma, beta, mean, invStd, varOut, affine []T, n, c, hw int, eps float64, relu bool, ws *Workspace) {
	if _, ok := any(y).([]float32); ok && n > 0 && c > 0 && hw > 0 {
		r32, _ := any(res).([]float32)
		v32, _ := any(varOut).([]float32)
		BNForwardTrainPlanes(any(y).([]float32), any(x).([]float32), r32, any(gamma).([]float32), any(beta).([]float32), any(mean).([]float32),
			any(invStd).([]float32), v32, any(affine).([]float32), nil, false, n, c, hw, eps, relu, ws)
		return
	}
	cnt := float64(n * hw)
	for ch := 0; ch < c; ch++ {
		var s float64
		for i := 0; i < n; i++ {
			for _, v := range x[(i*c+ch)*hw : (i*c+ch+1)*hw] {
				s += float64(v)
			}
		}
		m := s / cnt
		var ss float64
		for i := 0; i < n; i++ {
			for _, v := range x[(i*c+ch)*hw : (i*c+ch+1)*hw] {
				d := float64(v) - m
				ss += d * d
			}
		}
		v := ss / cnt
		is := 1 / math.Sqrt(v+eps)
		mean[ch], invStd[ch] = T(m), T(is)
		if varOut != nil {
			varOut[ch] = T(v)
		}
		g := float64(gamma[ch]) * is
		sc, sh := T(g), T(float64(beta[ch])-g*m)
		affine[ch], affine[c+ch] = sc, sh
		for i := 0; i < n && y != nil; i++ {
			off := (i*c + ch) * hw
			for j, xv := range x[off : off+hw] {
				o := bnAffine(xv, sc, sh)
				if res != nil {
					o += res[off+j]
				}
				if relu && o < 0 {
					o = 0
				}
				y[off+j] = o
			}
		}
	}
}

// BNForwardTrainPlanes is BNForwardTrain on float32 with the statistics
// summed plane by plane when planes is not nil (2·n·c floats): Σx and Σx²
// of image i's channel ch at 2(i·c+ch), the channel's sums adding them in
// image order. have says they are there already (ConvForwardFused
// computed them as it wrote x), else it fills them. Either way the bits
// are the same, and differ from BNForwardTrain's (which sums each channel
// in one pass) only in the order of the float64 additions.
func BNForwardTrainPlanes(y, x, res, gamma, beta, mean, invStd, varOut, affine []float32, planes []float64, have bool, n, c, hw int, eps float64, relu bool, ws *Workspace) {
	if planes != nil {
		_ = planes[2*n*c-1]
	}
	ws.bnRun(opBNTrain, bnArgs{y: y, x: x, res: res, gamma: gamma, beta: beta, mean: mean, invStd: invStd, varOut: varOut, affine: affine,
		n: n, c: c, hw: hw, eps: eps, relu: relu, planes: planes, havePlanes: have})
}

// BNForwardEval normalises x with running statistics:
// y = gamma·(x-runMean)/sqrt(runVar+eps) + beta, plus res if not nil, then
// ReLU when relu is set.
func BNForwardEval[T Float](y, x, res, gamma, beta, runMean, runVar []T, n, c, hw int, eps float64, relu bool, ws *Workspace) {
	if y32, ok := any(y).([]float32); ok && n > 0 && c > 0 && hw > 0 {
		var r32 []float32
		if res != nil {
			r32 = any(res).([]float32)
		}
		ws.bnRun(opBNEval, bnArgs{y: y32, x: any(x).([]float32), res: r32, gamma: any(gamma).([]float32), beta: any(beta).([]float32),
			runMean: any(runMean).([]float32), runVar: any(runVar).([]float32), n: n, c: c, hw: hw, eps: eps, relu: relu})
		return
	}
	for ch := 0; ch < c; ch++ {
		is := 1 / math.Sqrt(float64(runVar[ch])+eps)
		g := float64(gamma[ch]) * is
		b := float64(beta[ch]) - g*float64(runMean[ch])
		for i := 0; i < n; i++ {
			off := (i*c + ch) * hw
			for j, xv := range x[off : off+hw] {
				o := T(g*float64(xv) + b)
				if res != nil {
					o += res[off+j]
				}
				if relu && o < 0 {
					o = 0
				}
				y[off+j] = o
			}
		}
	}
}

// BNBackward is the gradient of BNForwardTrain. Given dy, the input x,
// gamma and the saved mean, invStd and affine, it overwrites dx (N×C×HW) and
// dgamma, dbeta (length C). When relu is set, dy counts only where the
// forward output was positive: where x·affine[c] + affine[C+c] > 0, computed
// as the forward pass computed it. dx may be nil when only the parameter
// gradients are wanted.
func BNBackward[T Float](dx, dgamma, dbeta, dy, x, gamma, mean, invStd, affine []T, n, c, hw int, relu bool, ws *Workspace) {
	if dg32, ok := any(dgamma).([]float32); ok && n > 0 && c > 0 && hw > 0 {
		var dx32 []float32
		if dx != nil {
			dx32 = any(dx).([]float32)
		}
		ws.bnRun(opBNBackward, bnArgs{dx: dx32, dgamma: dg32, dbeta: any(dbeta).([]float32), dy: any(dy).([]float32), x: any(x).([]float32),
			gamma: any(gamma).([]float32), mean: any(mean).([]float32), invStd: any(invStd).([]float32), affine: any(affine).([]float32), n: n, c: c, hw: hw, relu: relu})
		return
	}
	cnt := float64(n * hw)
	for ch := 0; ch < c; ch++ {
		m, is := float64(mean[ch]), float64(invStd[ch])
		sc, sh := affine[ch], affine[c+ch]
		var sdy, sdyx float64
		for i := 0; i < n; i++ {
			off := (i*c + ch) * hw
			for j := off; j < off+hw; j++ {
				g := float64(dy[j])
				if relu && bnAffine(x[j], sc, sh) <= 0 {
					g = 0
				}
				sdy += g
				sdyx += g * (float64(x[j]) - m) * is
			}
		}
		dgamma[ch], dbeta[ch] = T(sdyx), T(sdy)
		if dx == nil {
			continue
		}
		k := float64(gamma[ch]) * is
		for i := 0; i < n; i++ {
			off := (i*c + ch) * hw
			for j := off; j < off+hw; j++ {
				g := float64(dy[j])
				if relu && bnAffine(x[j], sc, sh) <= 0 {
					g = 0
				}
				xh := (float64(x[j]) - m) * is
				dx[j] = T(k * (g - sdy/cnt - xh*sdyx/cnt))
			}
		}
	}
}

// bnAffine is x·scale + shift, the batch norm's map before its ReLU, in the
// one form that both the forward pass and the backward pass's mask use.
func bnAffine[T Float](x, scale, shift T) T { return x*scale + shift }
