package kernel

import (
	"sync"
	"sync/atomic"
)

// The float32 convolution drivers: plans, packed weights, per-worker copy
// buffers and the split of the batch over workers.

const (
	opForward = iota
	opBackwardData
	opBackwardFilter
	opBackwardFilterSum
)

// workerBuf is one worker's scratch memory, kept across calls.
type workerBuf struct {
	x       []float32 // copies of the source planes
	scratch []float32 // partial output blocks
	sub     []float32 // the phases of a strided input gradient
	phase   []float32 // the phases of a strided source plane
	dyg     []float32 // output gradients of a group of images
	short   []float32 // a plane of a shortcut's gradient, and zeros

	// Winograd, during a call: a block's transformed inputs and products
	wv, wm []float32
	wt     []float32 // one position's wv transposed, for dwOuter

	pro []float32 // images of the source as the call's prologue maps them

	// the tap-broadcast weight gradient (dwtap.go): a group's padded
	// sources and transposed output gradients; the lane sums' (dwlane.go)
	// padded sources of one image
	tx, tdy []float32
	tapKey  tapKey

	taps [72]float32 // 8 filters' taps, for winoFilter4x8
}

// grow returns b with a length of at least n, never shrinking it.
func grow(b []float32, n int) []float32 {
	if cap(b) < n {
		return make([]float32, n)
	}
	return b[:max(len(b), n)]
}

// convCore is the state behind a Workspace. The worker goroutines refer to
// it, never to the Workspace, so a dropped Workspace can stop them.
type convCore struct {
	impl *convKernels
	bufs []workerBuf
	pool *pool

	fwdShape ConvShape
	fwdPlan  *tapPlan
	fwdOffs  []int
	fwdRange [2]int

	bdShape ConvShape
	bdPlans []*tapPlan
	bdOffs  [][]int
	bdRange [][2]int
	bdWOff  []int

	bfShape ConvShape
	bfG     int
	bfOffs  []int // global taps, each class padded to whole tiles
	bfCol   []int // dw column of each entry of bfOffs, -1 for padding
	bfTiles []int // tile records in the order they run: the j-th tile of every class, then the next j
	bfRound []int // where each j starts in bfTiles, in records, and the end

	wpack []float32

	// the Winograd convolution in progress
	winoG     winoGeom
	winoOffs  []int // the channels' offsets in the transformed inputs
	winoRange [2]int
	winoCls   [1]int
	winoMask  []uint16  // all lanes
	winoTiles []int     // the weight gradient's tile records: 4 channels each
	winoW     []float32 // the filters of the call in progress
	winoData  bool      // and whether it is an input gradient

	// the weight-gradient call in progress
	bfChunks int       // chunks of the batch, each summed on its own
	bfPart   []float32 // their partial sums, bfStride floats apart
	bfStride int
	bfKSplit int // parts of a chunk's output channels the Winograd weight gradient hands out
	bfDw     []float32
	tap      tapGeom // of a tap-broadcast or lane-sum weight gradient

	// the call in progress
	op      int
	next    atomic.Int64 // the next item to take
	s       ConvShape
	nw      int
	out, in []float32

	bn     bnArgs
	bnImpl *bnKernels
	epi    *ConvEpilogue // of the forward call in progress
	pro    *ConvPrologue // of the forward or weight-gradient call in progress
	planes []float64     // of the forward call in progress: its output planes' sums
	gepi   gradEpilogue  // of the input-gradient call in progress

	in2     []float32
	eltOp   int
	eltImpl func(op int, y, a, b []float32)
}

func (c *convCore) forwardPlanFor(s ConvShape) *tapPlan {
	if c.fwdPlan == nil || c.fwdShape != s {
		c.fwdShape, c.fwdPlan = s, forwardPlan(s, c.impl.masked)
		c.fwdOffs = make([]int, s.C*c.fwdPlan.taps())
		c.fwdPlan.tapOffsets(c.fwdOffs, 1)
		c.fwdRange = offsRange(c.fwdOffs)
	}
	return c.fwdPlan
}

func (c *convCore) ensureBufs(nw int) {
	if len(c.bufs) < nw {
		c.bufs = append(c.bufs, make([]workerBuf, nw-len(c.bufs))...)
	}
}

// sizeFor grows worker w's copy and scratch buffers for plan p and groups
// of G images.
func (c *convCore) sizeFor(w int, p *tapPlan, G int) {
	b := &c.bufs[w]
	b.scratch = grow(b.scratch, 8*roundUp(p.npix, c.impl.fwdPix))
	if p.direct {
		if p.split2 {
			b.phase = grow(b.phase, G*4*p.srcC*p.phaseLen())
		}
		return
	}
	b.x = grow(b.x, p.bufLen(G))
	if p.split2 {
		b.phase = grow(b.phase, 4*p.phaseLen())
	}
}

// offsRange is the smallest and the largest of offs (zeros when empty).
func offsRange(offs []int) [2]int {
	if len(offs) == 0 {
		return [2]int{}
	}
	r := [2]int{offs[0], offs[0]}
	for _, o := range offs[1:] {
		r[0], r[1] = min(r[0], o), max(r[1], o)
	}
	return r
}

// take hands out the items of a call (the images of a forward or
// input-gradient convolution, the channels of a batch norm) one at a time,
// so that a worker slowed down by other load on its core takes fewer of
// them. Each item is computed the same way whichever worker takes it, so the
// results do not depend on the hand-out. (The weight gradient keeps a static
// split: its per-worker partial sums must not.)
func (c *convCore) take() int { return int(c.next.Add(1)) - 1 }

// split is worker w's share [n0, n1) of n items.
func split(n, nw, w int) (int, int) { return w * n / nw, (w + 1) * n / nw }

// packForward stores w (K rows of rs·C) for the plan's global tap order in
// blocks of 8 output channels: wp[(kb·T + t)·8 + j] = w[8kb+j][column of t],
// zero past K.
func packForward(wp, w []float32, k int, p *tapPlan, s ConvShape) {
	t := len(p.gC)
	row := s.C * s.R * s.S
	for kb := 0; kb*8 < k; kb++ {
		blk := wp[kb*t*8 : (kb+1)*t*8]
		for j := 0; j < 8; j++ {
			if kb*8+j >= k {
				for i := 0; i < t; i++ {
					blk[i*8+j] = 0
				}
				continue
			}
			wr := w[(kb*8+j)*row : (kb*8+j+1)*row]
			for i, c := range p.gC {
				ti := p.gI[i]
				blk[i*8+j] = wr[(c*s.R+p.tapR[ti])*s.S+p.tapQ[ti]]
			}
		}
	}
}

// gemm runs the implicit GEMM of plan p for kout output channels, reading
// x from xoff (the image in direct mode, the copies in copy mode) and
// writing out (kout planes of p.npix pixels).
func (c *convCore) gemm(p *tapPlan, offs []int, rng [2]int, wp []float32, kout int, out, x []float32, xoff int, b *workerBuf) {
	impl := c.impl
	np := p.npix
	t := len(offs)
	pb := impl.fwdPix
	nfull, rem := np/pb, np%pb
	fk := kout / 8
	ms := p.mwords
	if fk > 0 && nfull > 0 {
		impl.fwd(out, np, x, xoff, offs, rng, wp, t, nfull, fk, p.clsTaps, p.masks, ms)
	}
	for kb := 0; kb < fk && rem > 0; kb++ {
		impl.fwd(b.scratch, pb, x, xoff+nfull*pb, offs, rng, wp[kb*t*8:], t, 1, 1, p.clsTaps, p.masks[nfull*pb/16:], ms)
		o := out[kb*8*np : (kb*8+8)*np]
		for j := 0; j < 8; j++ {
			copy(o[j*np+nfull*pb:(j+1)*np], b.scratch[j*pb:j*pb+rem])
		}
	}
	if kout%8 != 0 {
		nb := (np + pb - 1) / pb
		ld := nb * pb
		impl.fwd(b.scratch, ld, x, xoff, offs, rng, wp[fk*t*8:], t, nb, 1, p.clsTaps, p.masks, ms)
		for j := 0; fk*8+j < kout; j++ {
			copy(out[(fk*8+j)*np:(fk*8+j+1)*np], b.scratch[j*ld:j*ld+np])
		}
	}
}

// source returns the data and offset the kernels read for image n of src
// (n·size floats in): the image itself in direct mode, else its copies.
func (c *convCore) source(p *tapPlan, src []float32, n, size int, b *workerBuf) ([]float32, int) {
	if p.direct {
		if p.split2 {
			p.splitImage(b.phase, src[n*size:(n+1)*size], c.impl)
			return b.phase, 0
		}
		return src, n * size
	}
	p.fill(b.x, src[n*size:(n+1)*size], 0, 1, b.phase, c.impl)
	return b.x, 0
}

func (c *convCore) work(w int) {
	switch c.op {
	case opForward:
		c.forwardWork(w)
	case opBackwardData:
		c.backwardDataWork(w)
	case opBackwardFilter:
		c.backwardFilterWork(w)
	case opBackwardFilterSum:
		c.backwardFilterSum()
	case opWino:
		c.winoWork(w)
	case opWinoFilter:
		c.winoFilterWork(w)
	case opWinoFilterSum:
		c.winoFilterSum()
	case opWinoFilterGrad:
		c.winoFilterGrad(w)
	case opTapFilter:
		c.tapFilterWork(w)
	case opTapFilterSum:
		c.tapFilterSum(w)
	case opLaneFilter:
		c.laneFilterWork(w)
	case opWinoPack:
		c.winoPackWork(w)
	case opBNTrain, opBNEval, opBNBackward, opBNPlanes:
		c.bnWork(w)
	case opElt:
		c.eltWork(w)
	}
}

func (c *convCore) forwardWork(w int) {
	s, p, b := c.s, c.fwdPlan, &c.bufs[w]
	inSz, outSz := s.C*s.H*s.W, s.K*p.npix
	for n := c.take(); n < s.N; n = c.take() {
		x, xoff := c.source(p, c.in, n, inSz, b)
		y := c.out[n*outSz : (n+1)*outSz]
		c.gemm(p, c.fwdOffs, c.fwdRange, c.wpack, s.K, y, x, xoff, b)
		if e := c.epi; e != nil {
			for k := 0; k < s.K; k++ {
				pl := y[k*p.npix : (k+1)*p.npix]
				c.bnImpl.apply(pl, pl, p.npix, 1, p.npix, e.Scale[k], e.Shift[k], e.ReLU, false)
			}
		}
	}
}

func (c *convCore) backwardDataWork(w int) {
	s, b := c.s, &c.bufs[w]
	outSz := s.C * s.H * s.W
	for n := c.take(); n < s.N; n = c.take() {
		dx := c.out[n*outSz : (n+1)*outSz]
		c.backwardDataImage(n, dx, b)
		if c.gepi.on() {
			c.gepi.applyImage(c, b, dx, n, s)
		}
	}
}

// backwardDataImage computes dx, the input gradient of image n.
func (c *convCore) backwardDataImage(n int, dx []float32, b *workerBuf) {
	s := c.s
	st := s.Stride
	inSz := s.K * s.OutH() * s.OutW()
	{
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
				x, xoff := c.source(p, c.in, n, inSz, b)
				c.gemm(p, c.bdOffs[ph], c.bdRange[ph], c.wpack[c.bdWOff[ph]:], s.C, sub, x, xoff, b)
			}
			for ch := 0; ch < s.C; ch++ {
				sub := func(ph int) []float32 { return b.sub[(ph*s.C+ch)*np : (ph*s.C+ch+1)*np] }
				c.impl.merge(dx[ch*s.H*s.W:(ch+1)*s.H*s.W], sub(0), sub(1), sub(2), sub(3), s.H, s.W/2)
			}
			return
		}
		for ph, p := range c.bdPlans {
			if p == nil {
				continue
			}
			wp := c.wpack[c.bdWOff[ph]:]
			var x []float32
			var xoff int
			if p.taps() > 0 {
				x, xoff = c.source(p, c.in, n, inSz, b)
			}
			if st == 1 {
				if p.taps() == 0 {
					clear(dx)
					continue
				}
				c.gemm(p, c.bdOffs[ph], c.bdRange[ph], wp, s.C, dx, x, xoff, b)
				continue
			}
			sub := b.sub[:s.C*p.npix]
			if p.taps() == 0 {
				clear(sub)
			} else {
				c.gemm(p, c.bdOffs[ph], c.bdRange[ph], wp, s.C, sub, x, xoff, b)
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

// dwChunks is how many parts of the batch the weight gradient sums on their
// own and then adds in order. It is fixed, not the worker count, so that
// the result is the same for any number of workers, and it bounds how many
// workers a weight gradient can keep busy.
const dwChunks = 16

// dwScratch is a free list of the weight gradient's partial-sum buffers
// and of the Winograd convolutions' scratch, shared by all workspaces: a
// call takes one and gives it back, so that a network holds as many as it
// runs such calls at once (one, in a training step), not one per layer.
var dwScratch struct {
	sync.Mutex
	free [][]float32
}

// takeScratch returns a buffer of n floats from the free list: the
// smallest that holds n, or else the largest, grown. Taking the best fit
// keeps a call that takes two buffers from trading them back and forth.
func takeScratch(n int) []float32 {
	dwScratch.Lock()
	defer dwScratch.Unlock()
	best := -1
	for i, b := range dwScratch.free {
		switch {
		case best < 0:
			best = i
		case cap(b) >= n && (cap(dwScratch.free[best]) < n || cap(b) < cap(dwScratch.free[best])):
			best = i
		case cap(dwScratch.free[best]) < n && cap(b) > cap(dwScratch.free[best]):
			best = i
		}
	}
	var b []float32
	if best >= 0 {
		b = dwScratch.free[best]
		last := len(dwScratch.free) - 1
		dwScratch.free[best] = dwScratch.free[last]
		dwScratch.free = dwScratch.free[:last]
	}
	return grow(b, n)[:n]
}

func giveScratch(b []float32) {
	dwScratch.Lock()
	dwScratch.free = append(dwScratch.free, b)
	dwScratch.Unlock()
}

// backwardFilterWork sums the chunks of the batch that worker w takes, each
// into its own partial sums.
func (c *convCore) backwardFilterWork(w int) {
	for ch := c.take(); ch < c.bfChunks; ch = c.take() {
		part := c.bfPart[ch*c.bfStride : (ch+1)*c.bfStride]
		clear(part)
		n0, n1 := split(c.s.N, c.bfChunks, ch)
		c.backwardFilterChunk(w, part, n0, n1)
	}
}

// backwardFilterSum adds the chunks' partial sums in chunk order into dw,
// for the output channels the worker takes one at a time.
func (c *convCore) backwardFilterSum() {
	s := c.s
	row := s.C * s.R * s.S
	tpad := len(c.bfOffs)
	for k := c.take(); k < s.K; k = c.take() {
		d := c.bfDw[k*row : (k+1)*row]
		for t, col := range c.bfCol {
			if col < 0 {
				continue
			}
			v := c.bfPart[k*tpad+t]
			for ch := 1; ch < c.bfChunks; ch++ {
				v += c.bfPart[ch*c.bfStride+k*tpad+t]
			}
			d[col] = v
		}
	}
}

// backwardFilterChunk adds the weight gradient of images [n0, n1) to part,
// using worker w's buffers.
func (c *convCore) backwardFilterChunk(w int, part []float32, n0, n1 int) {
	s, p, b, impl := c.s, c.fwdPlan, &c.bufs[w], c.impl
	G := c.bfG
	tpad := len(c.bfOffs)
	kpad := roundUp(s.K, impl.dwK)
	inSz, dySz := s.C*s.H*s.W, s.K*p.npix
	nvec := (p.npix + 15) / 16
	L := G * p.planeLen
	for g0 := n0; g0 < n1; g0 += G {
		ng := min(G, n1-g0)
		if !p.direct {
			for g := 0; g < ng; g++ {
				n := g0 + g
				p.fill(b.x, c.in[n*inSz:(n+1)*inSz], g, G, b.phase, impl)
				dy := c.out[n*dySz : (n+1)*dySz]
				for k := 0; k < s.K; k++ {
					copy(b.dyg[k*L+g*p.planeLen:k*L+g*p.planeLen+p.npix], dy[k*p.npix:(k+1)*p.npix])
				}
			}
		}
		// In direct mode the kernels read x and dy in place, except that when
		// K is not a whole number of tiles, or a plane not a whole number of
		// vectors, the group's dy is copied into zero-padded rows: the
		// kernels read every lane of dy.
		dyb, dyoff, ldd, dys := c.out, g0*dySz, p.npix, dySz
		xb, xoff, xs := c.in, g0*inSz, inSz
		if p.direct && p.split2 {
			xs = 4 * s.C * p.phaseLen()
			xb, xoff = b.phase, 0
			for g := 0; g < ng; g++ {
				p.splitImage(b.phase[g*xs:(g+1)*xs], c.in[(g0+g)*inSz:(g0+g+1)*inSz], impl)
			}
		}
		if !p.direct {
			dyb, dyoff, ldd, dys = b.dyg, 0, L, p.planeLen
			xb, xoff, xs = b.x, 0, p.planeLen
		} else if s.K%impl.dwK != 0 || p.npix%16 != 0 {
			np16 := 16 * nvec
			dyb, dyoff, ldd, dys = b.dyg, 0, G*np16, np16
			for g := 0; g < ng; g++ {
				dy := c.out[(g0+g)*dySz : (g0+g+1)*dySz]
				for k := 0; k < s.K; k++ {
					copy(b.dyg[k*ldd+g*np16:k*ldd+g*np16+p.npix], dy[k*p.npix:(k+1)*p.npix])
				}
			}
		}
		// Each call runs every output-channel tile over the tiles of one
		// round, whose taps read the same source channels: those and the
		// rows of dy in use stay in L1.
		rl := impl.dwT + 2
		for j := 0; j+1 < len(c.bfRound); j++ {
			tiles := c.bfTiles[rl*c.bfRound[j] : rl*c.bfRound[j+1]]
			impl.dw(part, tpad, dyb, dyoff, ldd, dys, xb, xoff, xs, tiles, kpad/impl.dwK, nvec, ng, p.masks)
		}
	}
}

// proInRegisters reports whether the Winograd call in progress, of
// geometry g, applies its prologue in the input transform's registers,
// reading the source itself (see convKernels.winoIn4Pro).
func (c *convCore) proInRegisters(g winoGeom) bool {
	if c.pro == nil || g.ts != 4 || !c.bnImpl.fma {
		return false
	}
	if g.T < 16 {
		return c.impl.winoIn4x8Pro != nil
	}
	return c.impl.winoIn4Pro != nil
}

// proImages returns where worker b reads images [i0, i1) of the call in
// progress, and the image that slice starts with: the source itself, or,
// with a prologue, those images as it maps them, in b's buffer, computed
// with the batch norm's own kernel.
func (c *convCore) proImages(b *workerBuf, i0, i1 int) ([]float32, int) {
	if c.pro == nil {
		return c.in, 0
	}
	img := c.s.C * c.s.H * c.s.W
	b.pro = grow(b.pro, (i1-i0)*img)
	c.proMap(b.pro, c.in[i0*img:], i1-i0, c.s)
	return b.pro, i0
}

// proMap writes into dst the first n images of src (images of shape s's
// input) as the call's prologue maps them, with the batch norm's own
// kernel, plane by plane in memory order: the kernel prefetches a row
// ahead, here the next plane, which is the one it reads next.
func (c *convCore) proMap(dst, src []float32, n int, s ConvShape) {
	hw := s.H * s.W
	for i := 0; i < n*s.C; i++ {
		ch := i % s.C
		c.bnImpl.apply(dst[i*hw:], src[i*hw:], hw, 1, hw, c.pro.Scale[ch], c.pro.Shift[ch], c.pro.ReLU, false)
	}
}

// proBatch returns x (the batch of s) as the call's prologue maps it, in a
// buffer from the free list that the caller gives back, or x itself and nil
// without a prologue: the direct paths read their source in patterns of
// their own, so they get the whole batch mapped first.
func (c *convCore) proBatch(x []float32, s ConvShape) ([]float32, []float32) {
	if c.pro == nil {
		return x, nil
	}
	buf := takeScratch(s.N * s.C * s.H * s.W)
	c.proMap(buf, x, s.N, s)
	return buf, buf
}

func (c *convCore) forwardF32(y, x, w []float32, s ConvShape, nw int) {
	if winoFits(s, c.impl) {
		c.winoF32(y, x, w, s, false, nw)
		return
	}
	x, mapped := c.proBatch(x, s)
	if mapped != nil {
		defer giveScratch(mapped)
	}
	p := c.forwardPlanFor(s)
	t := s.C * p.taps()
	c.wpack = grow(c.wpack, roundUp(s.K, 8)*t)
	packForward(c.wpack, w, s.K, p, s)
	nw = min(nw, s.N)
	c.ensureBufs(nw)
	for i := 0; i < nw; i++ {
		c.sizeFor(i, p, 1)
	}
	c.op, c.s, c.nw, c.out, c.in = opForward, s, nw, y[:s.N*s.K*p.npix], x[:s.N*s.C*s.H*s.W]
	c.next.Store(0)
	c.run(nw)
	c.out, c.in = nil, nil
	if c.planes != nil {
		// the output's plane sums, in a pass of their own
		c.op, c.bn = opBNPlanes, bnArgs{x: y[:s.N*s.K*p.npix], planes: c.planes, n: s.N, c: s.K, hw: p.npix}
		c.nw = min(nw, s.K)
		c.next.Store(0)
		c.run(c.nw)
		c.bn = bnArgs{}
	}
}

func (c *convCore) backwardDataF32(dx, dy, w []float32, s ConvShape, nw int) {
	if winoFits(s.transposed(), c.impl) {
		if ge := c.gepi; ge.on() && !ge.rows(s.C) {
			// a shortcut gradient that needs whole images: after the call
			c.gepi = gradEpilogue{}
			c.winoF32(dx, dy, w, s, true, nw)
			c.gepi = ge
			img := s.C * s.H * s.W
			for n := 0; n < s.N; n++ {
				ge.applyImage(c, &c.bufs[0], dx[n*img:(n+1)*img], n, s)
			}
			return
		}
		c.winoF32(dx, dy, w, s, true, nw)
		return
	}
	st := s.Stride
	if c.bdPlans == nil || c.bdShape != s {
		c.bdShape = s
		c.bdPlans = make([]*tapPlan, st*st)
		c.bdOffs = make([][]int, st*st)
		c.bdRange = make([][2]int, st*st)
		c.bdWOff = make([]int, st*st)
		off := 0
		for ph := range c.bdPlans {
			p := backwardDataPlan(s, ph/st, ph%st, c.impl.masked)
			c.bdPlans[ph] = p
			if p == nil {
				continue
			}
			c.bdOffs[ph] = make([]int, s.K*p.taps())
			p.tapOffsets(c.bdOffs[ph], 1)
			c.bdRange[ph] = offsRange(c.bdOffs[ph])
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
		t := len(p.gC)
		wp := c.wpack[c.bdWOff[ph] : c.bdWOff[ph]+roundUp(s.C, 8)*t]
		for cb := 0; cb*8 < s.C; cb++ {
			for gt, k := range p.gC {
				i := p.gI[gt]
				blk := wp[(cb*t+gt)*8 : (cb*t+gt)*8+8]
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
	nw = min(nw, s.N)
	c.ensureBufs(nw)
	for i := 0; i < nw; i++ {
		for _, p := range c.bdPlans {
			if p != nil {
				c.sizeFor(i, p, 1)
				if st > 1 {
					c.bufs[i].sub = grow(c.bufs[i].sub, max(len(c.bufs[i].sub), s.C*p.npix, s.C*s.H*s.W))
				}
			}
		}
	}
	c.op, c.s, c.nw, c.out, c.in = opBackwardData, s, nw, dx[:s.N*s.C*s.H*s.W], dy[:s.N*s.K*s.OutH()*s.OutW()]
	c.next.Store(0)
	c.run(nw)
	c.out, c.in = nil, nil
}

// groupSize is how many images the weight gradient reduces per kernel call:
// enough pixels to hide the per-call reduction, few enough that the source
// planes of one tile stay in L1 while the output-channel tiles pass over
// them, and that the data of a group stays in the core's L2 cache.
func groupSize(p *tapPlan, c, k, perChunk int) int {
	per := k * p.planeLen * 4 // output gradients, and copies, per image
	if p.direct {
		per = (c*p.srcH*p.srcW + k*p.npix) * 4
		if p.split2 {
			per += 4 * c * p.phaseLen() * 4
		}
	}
	g := max(1, min(perChunk, (512+p.npix-1)/p.npix))
	for g > 1 && g*per > 512<<10 {
		g--
	}
	return g
}

func (c *convCore) backwardFilterF32(dw, x, dy []float32, s ConvShape, nw int) {
	if winoFilterFits(s, c.impl) {
		c.winoFilterF32(dw, x, dy, s, nw)
		return
	}
	x, mapped := c.proBatch(x, s)
	if mapped != nil {
		defer giveScratch(mapped)
	}
	if dwLaneFits(s, c.impl) {
		c.laneFilterF32(dw, x, dy, s, nw)
		return
	}
	if dwTapFits(s, c.impl) {
		c.tapFilterF32(dw, x, dy, s, nw)
		return
	}
	p := c.forwardPlanFor(s)
	impl := c.impl
	chunks := min(dwChunks, s.N)
	nw = min(nw, chunks)
	G := groupSize(p, s.C, s.K, (s.N+chunks-1)/chunks)
	kpad := roundUp(s.K, impl.dwK)
	L := G * p.planeLen
	if c.bfShape != s || c.bfG != G || c.bfOffs == nil {
		c.bfShape, c.bfG = s, G
		offs := make([]int, len(p.gC))
		p.tapOffsets(offs, G)
		c.bfOffs, c.bfCol = c.bfOffs[:0], c.bfCol[:0]
		t := 0
		for _, n := range p.clsTaps {
			for i := 0; i < roundUp(n, impl.dwT); i++ {
				if i < n {
					gi := p.gI[t+i]
					c.bfOffs = append(c.bfOffs, offs[t+i])
					c.bfCol = append(c.bfCol, (p.gC[t+i]*s.R+p.tapR[gi])*s.S+p.tapQ[gi])
				} else {
					c.bfOffs = append(c.bfOffs, offs[t])
					c.bfCol = append(c.bfCol, -1)
				}
			}
			t += n
		}
		// Interleaving the classes makes consecutive tiles read the same
		// source channels, which then stay in L1.
		c.bfTiles, c.bfRound = c.bfTiles[:0], c.bfRound[:0]
		for j, more := 0, true; more; j++ {
			more = false
			c.bfRound = append(c.bfRound, len(c.bfTiles)/(impl.dwT+2))
			start := 0
			for k, n := range p.clsTaps {
				nt := roundUp(n, impl.dwT) / impl.dwT
				if j < nt {
					tt := (start + j) * impl.dwT
					c.bfTiles = append(c.bfTiles, c.bfOffs[tt:tt+impl.dwT]...)
					c.bfTiles = append(c.bfTiles, k*p.mwords, tt)
					more = true
				}
				start += nt
			}
		}
		for i := range c.bufs {
			clear(c.bufs[i].dyg)
		}
	}
	tpad := len(c.bfOffs)
	c.ensureBufs(nw)
	for i := 0; i < nw; i++ {
		c.sizeFor(i, p, G)
		b := &c.bufs[i]
		n := kpad * L
		if p.direct {
			n = 0
			if s.K%impl.dwK != 0 || p.npix%16 != 0 {
				n = kpad * G * 16 * ((p.npix + 15) / 16)
			}
		}
		if len(b.dyg) != n {
			if cap(b.dyg) < n {
				b.dyg = make([]float32, n)
			}
			b.dyg = b.dyg[:n]
			clear(b.dyg)
		}
	}
	c.bfChunks, c.bfStride = chunks, kpad*tpad
	c.bfPart = takeScratch(chunks * c.bfStride)
	c.op, c.s, c.nw, c.out, c.in = opBackwardFilter, s, nw, dy[:s.N*s.K*p.npix], x[:s.N*s.C*s.H*s.W]
	c.next.Store(0)
	c.run(nw)
	c.op, c.bfDw = opBackwardFilterSum, dw[:s.K*s.C*s.R*s.S]
	c.next.Store(0)
	c.run(min(nw, s.K))
	giveScratch(c.bfPart)
	c.out, c.in, c.bfPart, c.bfDw = nil, nil, nil, nil
}
