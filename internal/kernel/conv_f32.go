package kernel

// The float32 convolution drivers: plans, packed weights, per-worker copy
// buffers and the static split of the batch over workers.

const (
	opForward = iota
	opBackwardData
	opBackwardFilter
)

// workerBuf is one worker's scratch memory, kept across calls.
type workerBuf struct {
	x       []float32 // copies of the source planes
	scratch []float32 // partial output blocks
	sub     []float32 // the phases of a strided input gradient
	phase   []float32 // the phases of a strided source plane
	dyg     []float32 // output gradients of a group of images
	part    []float32 // weight-gradient partial sums
}

func grow(b []float32, n int) []float32 {
	if cap(b) < n {
		return make([]float32, n)
	}
	return b[:n]
}

func growInts(b []int, n int) []int {
	if cap(b) < n {
		return make([]int, n)
	}
	return b[:n]
}

// convCore is the state behind a Workspace. The worker goroutines refer to
// it, never to the Workspace, so a dropped Workspace can stop them.
type convCore struct {
	impl *convKernels
	bufs []workerBuf
	pool pool

	fwdShape ConvShape
	fwdPlan  *tapPlan
	fwdOffs  []int

	bdShape ConvShape
	bdPlans []*tapPlan
	bdOffs  [][]int
	bdWOff  []int

	bfShape ConvShape
	bfG     int
	bfOffs  []int

	wpack []float32

	// the call in progress
	op       int
	s        ConvShape
	nw       int
	out, in  []float32
	bfLayout bool
}

func (c *convCore) forwardPlanFor(s ConvShape) *tapPlan {
	if c.fwdPlan == nil || c.fwdShape != s {
		c.fwdShape, c.fwdPlan = s, forwardPlan(s)
		c.fwdOffs = make([]int, s.C*c.fwdPlan.taps())
		c.fwdPlan.tapOffsets(c.fwdOffs, 1)
	}
	return c.fwdPlan
}

func (c *convCore) ensureBufs(nw int) {
	if len(c.bufs) < nw {
		c.bufs = append(c.bufs, make([]workerBuf, nw-len(c.bufs))...)
	}
}

// sizeFor grows worker w's copy and scratch buffers for plan p and kout
// output channels.
func (c *convCore) sizeFor(w int, p *tapPlan, G, kout int) {
	b := &c.bufs[w]
	b.x = grow(b.x, p.bufLen(G))
	if p.split2 {
		b.phase = grow(b.phase, 4*p.phaseLen())
	}
	b.scratch = grow(b.scratch, 8*roundUp(p.npix, c.impl.fwdPix))
}

// split is worker w's share [n0, n1) of n items.
func split(n, nw, w int) (int, int) { return w * n / nw, (w + 1) * n / nw }

// packForward stores w (K×T) as blocks of 8 output channels, tap-major:
// wp[(kb·T + t)·8 + j] = w[(8kb+j)·T + t], zero past K.
func packForward(wp, w []float32, k, t int) {
	for kb := 0; kb*8 < k; kb++ {
		blk := wp[kb*t*8 : (kb+1)*t*8]
		for j := 0; j < 8; j++ {
			if kb*8+j >= k {
				for i := 0; i < t; i++ {
					blk[i*8+j] = 0
				}
				continue
			}
			row := w[(kb*8+j)*t : (kb*8+j+1)*t]
			for i, v := range row {
				blk[i*8+j] = v
			}
		}
	}
}

// gemm runs the implicit GEMM of plan p on the copies in b.x for kout output
// channels, writing out (kout planes of p.npix pixels).
func (c *convCore) gemm(p *tapPlan, offs []int, wp []float32, kout int, out []float32, b *workerBuf) {
	impl := c.impl
	np := p.npix
	t := len(offs)
	pb := impl.fwdPix
	nfull, rem := np/pb, np%pb
	for kb := 0; kb*8 < kout; kb++ {
		wk := wp[kb*t*8 : (kb+1)*t*8]
		if kb*8+8 <= kout {
			o := out[kb*8*np : (kb*8+8)*np]
			if nfull > 0 {
				impl.fwd(o, np, b.x, 0, offs, wk, t, nfull)
			}
			if rem > 0 {
				impl.fwd(b.scratch, pb, b.x, nfull*pb, offs, wk, t, 1)
				for j := 0; j < 8; j++ {
					copy(o[j*np+nfull*pb:(j+1)*np], b.scratch[j*pb:j*pb+rem])
				}
			}
			continue
		}
		nb := (np + pb - 1) / pb
		ld := nb * pb
		impl.fwd(b.scratch, ld, b.x, 0, offs, wk, t, nb)
		for j := 0; kb*8+j < kout; j++ {
			copy(out[(kb*8+j)*np:(kb*8+j+1)*np], b.scratch[j*ld:j*ld+np])
		}
	}
}

func (c *convCore) work(w int) {
	switch c.op {
	case opForward:
		c.forwardWork(w)
	case opBackwardData:
		c.backwardDataWork(w)
	case opBackwardFilter:
		c.backwardFilterWork(w)
	}
}

func (c *convCore) forwardWork(w int) {
	s, p, b := c.s, c.fwdPlan, &c.bufs[w]
	inSz, outSz := s.C*s.H*s.W, s.K*p.npix
	n0, n1 := split(s.N, c.nw, w)
	for n := n0; n < n1; n++ {
		p.fill(b.x, c.in[n*inSz:(n+1)*inSz], 0, 1, b.phase, c.impl)
		c.gemm(p, c.fwdOffs, c.wpack, s.K, c.out[n*outSz:(n+1)*outSz], b)
	}
}

func (c *convCore) backwardDataWork(w int) {
	s, b := c.s, &c.bufs[w]
	st := s.Stride
	inSz, outSz := s.K*s.OutH()*s.OutW(), s.C*s.H*s.W
	n0, n1 := split(s.N, c.nw, w)
	for n := n0; n < n1; n++ {
		dy, dx := c.in[n*inSz:(n+1)*inSz], c.out[n*outSz:(n+1)*outSz]
		if st == 2 && s.H%2 == 0 && s.W%2 == 0 {
			// All four phases have H/2×W/2 pixels: compute each, then
			// interleave them into dx channel by channel.
			np := s.H / 2 * (s.W / 2)
			for ph, p := range c.bdPlans {
				sub := b.sub[ph*s.C*np : (ph+1)*s.C*np]
				if p.taps() == 0 {
					clear(sub)
					continue
				}
				p.fill(b.x, dy, 0, 1, b.phase, c.impl)
				c.gemm(p, c.bdOffs[ph], c.wpack[c.bdWOff[ph]:], s.C, sub, b)
			}
			for ch := 0; ch < s.C; ch++ {
				sub := func(ph int) []float32 { return b.sub[(ph*s.C+ch)*np : (ph*s.C+ch+1)*np] }
				c.impl.merge(dx[ch*s.H*s.W:(ch+1)*s.H*s.W], sub(0), sub(1), sub(2), sub(3), s.H, s.W/2)
			}
			continue
		}
		for ph, p := range c.bdPlans {
			if p == nil {
				continue
			}
			wp := c.wpack[c.bdWOff[ph]:]
			if p.taps() > 0 {
				p.fill(b.x, dy, 0, 1, b.phase, c.impl)
			}
			if st == 1 {
				if p.taps() == 0 {
					clear(dx)
					continue
				}
				c.gemm(p, c.bdOffs[ph], wp, s.C, dx, b)
				continue
			}
			sub := b.sub[:s.C*p.npix]
			if p.taps() == 0 {
				clear(sub)
			} else {
				c.gemm(p, c.bdOffs[ph], wp, s.C, sub, b)
			}
			py, px := ph/st, ph%st
			for ch := 0; ch < s.C; ch++ {
				src := sub[ch*p.npix : (ch+1)*p.npix]
				plane := dx[ch*s.H*s.W : (ch+1)*s.H*s.W]
				for u := 0; u < p.outH; u++ {
					row := plane[(st*u+py)*s.W:]
					for v, val := range src[u*p.outW : (u+1)*p.outW] {
						row[st*v+px] = val
					}
				}
			}
		}
	}
}

func (c *convCore) backwardFilterWork(w int) {
	s, p, b, impl := c.s, c.fwdPlan, &c.bufs[w], c.impl
	G := c.bfG
	t := s.C * p.taps()
	tpad := roundUp(t, impl.dwT)
	kpad := roundUp(s.K, impl.dwK)
	L := G * p.planeLen
	part := b.part[:kpad*tpad]
	clear(part)
	inSz, dySz := s.C*s.H*s.W, s.K*p.npix
	nvec := (p.npix + 15) / 16
	n0, n1 := split(s.N, c.nw, w)
	for g0 := n0; g0 < n1; g0 += G {
		ng := min(G, n1-g0)
		for g := 0; g < ng; g++ {
			n := g0 + g
			p.fill(b.x, c.in[n*inSz:(n+1)*inSz], g, G, b.phase, c.impl)
			dy := c.out[n*dySz : (n+1)*dySz]
			for k := 0; k < s.K; k++ {
				copy(b.dyg[k*L+g*p.planeLen:k*L+g*p.planeLen+p.npix], dy[k*p.npix:(k+1)*p.npix])
			}
		}
		for tt := 0; tt < tpad; tt += impl.dwT {
			for kt := 0; kt < kpad; kt += impl.dwK {
				impl.dw(part[kt*tpad+tt:], tpad, b.dyg[kt*L:], L, b.x, c.bfOffs[tt:], nvec, ng, p.planeLen)
			}
		}
	}
}

func (c *convCore) forwardF32(y, x, w []float32, s ConvShape, nw int) {
	p := c.forwardPlanFor(s)
	t := s.C * p.taps()
	c.wpack = grow(c.wpack, roundUp(s.K, 8)*t)
	packForward(c.wpack, w, s.K, t)
	nw = min(nw, s.N)
	c.ensureBufs(nw)
	for i := 0; i < nw; i++ {
		c.sizeFor(i, p, 1, s.K)
	}
	c.op, c.s, c.nw, c.out, c.in = opForward, s, nw, y[:s.N*s.K*p.npix], x[:s.N*s.C*s.H*s.W]
	c.run(nw)
	c.out, c.in = nil, nil
}

func (c *convCore) backwardDataF32(dx, dy, w []float32, s ConvShape, nw int) {
	st := s.Stride
	if c.bdPlans == nil || c.bdShape != s {
		c.bdShape = s
		c.bdPlans = make([]*tapPlan, st*st)
		c.bdOffs = make([][]int, st*st)
		c.bdWOff = make([]int, st*st)
		off := 0
		for ph := range c.bdPlans {
			p := backwardDataPlan(s, ph/st, ph%st)
			c.bdPlans[ph] = p
			if p == nil {
				continue
			}
			c.bdOffs[ph] = make([]int, s.K*p.taps())
			p.tapOffsets(c.bdOffs[ph], 1)
			c.bdWOff[ph] = off
			off += roundUp(s.C, 8) * s.K * p.taps()
		}
		c.bdWOff = append(c.bdWOff, off)
	}
	c.wpack = grow(c.wpack, c.bdWOff[len(c.bdPlans)])
	rs := s.R * s.S
	for ph, p := range c.bdPlans {
		if p == nil || p.taps() == 0 {
			continue
		}
		tpc := p.taps()
		t := s.K * tpc
		wp := c.wpack[c.bdWOff[ph] : c.bdWOff[ph]+roundUp(s.C, 8)*t]
		for cb := 0; cb*8 < s.C; cb++ {
			for k := 0; k < s.K; k++ {
				for i := 0; i < tpc; i++ {
					blk := wp[(cb*t+k*tpc+i)*8 : (cb*t+k*tpc+i)*8+8]
					for j := range blk {
						cc := cb*8 + j
						if cc < s.C {
							blk[j] = w[(k*s.C+cc)*rs+p.tapR[i]*s.S+p.tapQ[i]]
						} else {
							blk[j] = 0
						}
					}
				}
			}
		}
	}
	nw = min(nw, s.N)
	c.ensureBufs(nw)
	for i := 0; i < nw; i++ {
		for _, p := range c.bdPlans {
			if p != nil {
				c.sizeFor(i, p, 1, s.C)
				if st > 1 {
					c.bufs[i].sub = grow(c.bufs[i].sub, max(len(c.bufs[i].sub), s.C*p.npix, s.C*s.H*s.W))
				}
			}
		}
	}
	c.op, c.s, c.nw, c.out, c.in = opBackwardData, s, nw, dx[:s.N*s.C*s.H*s.W], dy[:s.N*s.K*s.OutH()*s.OutW()]
	c.run(nw)
	c.out, c.in = nil, nil
}

// groupSize is how many images the weight gradient reduces per kernel call:
// enough pixels to hide the per-call reduction, few enough that the output
// gradients of a group stay in the core's L2 cache.
func groupSize(p *tapPlan, k, perWorker int) int {
	g := max(1, min(perWorker, (4096+p.npix-1)/p.npix))
	for g > 1 && k*g*p.planeLen*4 > 384<<10 {
		g--
	}
	return g
}

func (c *convCore) backwardFilterF32(dw, x, dy []float32, s ConvShape, nw int) {
	p := c.forwardPlanFor(s)
	impl := c.impl
	nw = min(nw, s.N)
	G := groupSize(p, s.K, (s.N+nw-1)/nw)
	t := s.C * p.taps()
	tpad := roundUp(t, impl.dwT)
	kpad := roundUp(s.K, impl.dwK)
	L := G * p.planeLen
	relayout := c.bfShape != s || c.bfG != G || len(c.bfOffs) != tpad
	if relayout {
		c.bfShape, c.bfG = s, G
		c.bfOffs = make([]int, tpad)
		p.tapOffsets(c.bfOffs[:t], G)
		for i := t; i < tpad; i++ {
			c.bfOffs[i] = c.bfOffs[0]
		}
	}
	c.ensureBufs(nw)
	for i := 0; i < nw; i++ {
		c.sizeFor(i, p, G, s.K)
		b := &c.bufs[i]
		b.part = grow(b.part, kpad*tpad)
		if cap(b.dyg) < kpad*L {
			b.dyg = make([]float32, kpad*L)
		} else if relayout || len(b.dyg) != kpad*L {
			b.dyg = b.dyg[:kpad*L]
			clear(b.dyg)
		}
	}
	c.op, c.s, c.nw, c.out, c.in = opBackwardFilter, s, nw, dy[:s.N*s.K*p.npix], x[:s.N*s.C*s.H*s.W]
	c.run(nw)
	c.out, c.in = nil, nil
	dw = dw[:s.K*t]
	for k := 0; k < s.K; k++ {
		row := dw[k*t : (k+1)*t]
		copy(row, c.bufs[0].part[k*tpad:k*tpad+t])
		for i := 1; i < nw; i++ {
			pr := c.bufs[i].part[k*tpad : k*tpad+t]
			for j := range row {
				row[j] += pr[j]
			}
		}
	}
}
