package dataset

import (
	"context"
	"fmt"
)

// LoaderOptions configure a Loader.
type LoaderOptions struct {
	// BatchSize is the number of images per batch (> 0).
	BatchSize int
	// Augment pads, randomly crops and flips each image (training only).
	Augment bool
	// Shuffle draws a new order of the images each epoch.
	Shuffle bool
	// DropLast drops the last batch of an epoch if it is partial.
	DropLast bool
	// Seed drives the order and the augmentation.
	Seed uint64
	// Prefetch is how many batches are prepared ahead of the consumer
	// (0 means 2).
	Prefetch int
	// Pad is the augmentation's padding (0 means DefaultPad, 4).
	Pad int
}

// Loader turns a Split into float32 NCHW batches. Batch k of epoch e — which
// images, their order, crops and flips — is a pure function of (Seed, e, k):
// the epoch's order is a permutation drawn from PCG(Seed, e), and the
// augmentation of the image at position p of that order is drawn from a hash
// of (Seed, e, p). A checkpoint therefore needs only (e, k) to resume the
// data stream exactly, with Epoch(ctx, e, k).
//
// The batches come from a fixed pool of Prefetch+2 buffers allocated by
// NewLoader: the consumer Releases each batch when done with it, and in steady
// state no batch memory is allocated.
type Loader struct {
	s            Split
	opt          LoaderOptions
	scale, shift []float32
	pool         chan *Batch
	// orders keeps one epoch-order buffer between streams.
	orders chan []int32
}

// Batch is one batch of images, normalised (and augmented if the loader
// augments).
type Batch struct {
	// X holds BatchSize×C×H×W float32 values (NCHW); the first N images are
	// valid, the rest are zero.
	X []float32
	// Y holds BatchSize labels; the first N are valid, the rest are zero.
	Y []int32
	// Items holds the indices in the Split of the first N images.
	Items []int32
	// N is the number of valid images: BatchSize, or fewer for the last
	// batch of an epoch when DropLast is false.
	N int
	// Epoch and Index say which batch this is: batch Index of epoch Epoch.
	Epoch, Index int

	pool     chan *Batch
	released bool
}

// Release hands the batch back to its loader's pool. The batch must not be
// used afterwards. It panics if called twice.
func (b *Batch) Release() {
	if b.released {
		panic("dataset: Batch released twice")
	}
	b.released = true
	b.pool <- b
}

// NewLoader returns a loader of s normalised by st. It fails if s is empty,
// the batch size is not positive, or st does not fit s's shape.
func NewLoader(s Split, st Stats, opt LoaderOptions) (*Loader, error) {
	if s.N <= 0 {
		return nil, fmt.Errorf("loader: empty split")
	}
	if opt.BatchSize <= 0 {
		return nil, fmt.Errorf("loader: batch size %d, want > 0", opt.BatchSize)
	}
	if opt.DropLast && s.N < opt.BatchSize {
		return nil, fmt.Errorf("loader: %d images make no full batch of %d, and DropLast is set", s.N, opt.BatchSize)
	}
	if opt.Prefetch <= 0 {
		opt.Prefetch = 2
	}
	if opt.Pad <= 0 {
		opt.Pad = DefaultPad
	}
	scale, shift, err := st.affine(s.C, s.H, s.W)
	if err != nil {
		return nil, fmt.Errorf("loader: %w", err)
	}
	l := &Loader{s: s, opt: opt, scale: scale, shift: shift,
		pool: make(chan *Batch, opt.Prefetch+2), orders: make(chan []int32, 1)}
	l.orders <- make([]int32, s.N)
	for range cap(l.pool) {
		l.pool <- &Batch{
			X:     make([]float32, opt.BatchSize*s.ImageSize()),
			Y:     make([]int32, opt.BatchSize),
			Items: make([]int32, 0, opt.BatchSize),
			pool:  l.pool,
		}
	}
	return l, nil
}

// BatchesPerEpoch returns the number of batches in each epoch.
func (l *Loader) BatchesPerEpoch() int {
	if l.opt.DropLast {
		return l.s.N / l.opt.BatchSize
	}
	return (l.s.N + l.opt.BatchSize - 1) / l.opt.BatchSize
}

// Epoch streams batches start, start+1, … BatchesPerEpoch()-1 of epoch epoch
// (both from 0), prepared ahead by a goroutine. The channel is closed after
// the last batch, or when ctx is done; to stop early, cancel ctx (a consumer
// that merely stops receiving leaves the goroutine waiting). After a cancel
// the batches not yet received are returned to the pool. Each batch received
// must be Released, or the goroutine runs out of buffers and waits. Run one
// stream of a loader at a time: they share the buffer pool.
// It panics if epoch or start is negative.
func (l *Loader) Epoch(ctx context.Context, epoch, start int) <-chan *Batch {
	if epoch < 0 || start < 0 {
		panic(fmt.Sprintf("dataset: Epoch(%d, %d): negative epoch or batch", epoch, start))
	}
	out := make(chan *Batch, l.opt.Prefetch)
	go func() {
		defer func() {
			// Batches prepared but not received go back to the pool, so a
			// cancelled stream loses no buffers.
			for drained := ctx.Err() == nil; !drained; {
				select {
				case b := <-out:
					b.Release()
				default:
					drained = true
				}
			}
			close(out)
		}()
		nb := l.BatchesPerEpoch()
		if start >= nb {
			return
		}
		var order []int32
		select {
		case order = <-l.orders:
		default: // another stream holds the buffer
			order = make([]int32, l.s.N)
		}
		defer func() {
			select {
			case l.orders <- order:
			default:
			}
		}()
		epochOrder(order, l.opt.Seed, epoch, l.opt.Shuffle)
		for k := start; k < nb; k++ {
			var b *Batch
			select {
			case b = <-l.pool:
			case <-ctx.Done():
				return
			}
			l.fill(b, order, epoch, k)
			select {
			case out <- b:
			case <-ctx.Done():
				b.Release()
				return
			}
		}
	}()
	return out
}

// fill makes b batch k of epoch epoch, whose image order is order.
func (l *Loader) fill(b *Batch, order []int32, epoch, k int) {
	bs, sz := l.opt.BatchSize, l.s.ImageSize()
	lo := k * bs
	hi := min(lo+bs, l.s.N)
	b.N, b.Epoch, b.Index, b.released = hi-lo, epoch, k, false
	b.Items = append(b.Items[:0], order[lo:hi]...)
	for j, idx := range b.Items {
		dst := b.X[j*sz : (j+1)*sz]
		img := l.s.Image(int(idx))
		if l.opt.Augment {
			a := augmentFor(l.opt.Seed, epoch, lo+j, l.opt.Pad)
			augmentInto(dst, img, l.s.C, l.s.H, l.s.W, l.opt.Pad, a, l.scale, l.shift)
		} else {
			normalizeInto(dst, img, l.scale, l.shift)
		}
		b.Y[j] = l.s.Labels[idx]
	}
	clear(b.X[b.N*sz:])
	clear(b.Y[b.N:])
}
