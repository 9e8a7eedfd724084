package experiment

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"fmt"

	"github.com/resx-dev/resx/internal/model"
	"github.com/resx-dev/resx/internal/optim"
)

// A checkpoint file is
//
//	magic "RESXCKPT" | version uint32 | payload length uint64 | payload | SHA-256 of all before it
//
// with every number little-endian. The payload is what checkpoint.marshal writes.
const (
	ckptMagic   = "RESXCKPT"
	ckptVersion = 1
	ckptHeader  = len(ckptMagic) + 4 + 8
)

// checkpoint is everything a resumed run needs to continue as if it had
// never stopped. Data order and stochastic-depth draws are pure functions of
// (seed, epoch, batch) and (seed, iteration), so no random state is stored.
type checkpoint struct {
	// ConfigSum is the SHA-256 of the run's config.yaml; a checkpoint never
	// resumes a run with another config.
	ConfigSum [32]byte
	progress
	Params   []namedValues // every Param's Value, in Net.Params order
	Velocity [][]float32   // the optimiser's velocity, same order
	Stats    []namedStats  // batch-norm running statistics, in Net.RunningStats order
	Rows     []Row         // every metrics row written so far
}

// progress is where the loop stands; it is the part of the loop state that is
// not tensors.
type progress struct {
	Iteration int  // steps done
	Epoch     int  // the current epoch, 0-based
	Batch     int  // the next batch of Epoch
	WarmDone  bool // the warm-up has ended
	// Sums over the batches of Epoch trained so far.
	EpochLoss    float64
	EpochCorrect int
	EpochSeen    int
	// Sums over the batches since the last metrics row (log or epoch row).
	WindowLoss    float64
	WindowCorrect int
	WindowSeen    int
	// Images trained and seconds spent in earlier sessions of this run.
	Images   int
	TrainS   float64
	ElapsedS float64
}

type namedValues struct {
	Name   string
	Values []float32
}

type namedStats struct {
	Name      string
	Mean, Var []float32
}

func (c *checkpoint) marshal() []byte {
	e := &enc{b: make([]byte, ckptHeader, ckptHeader+c.size())}
	copy(e.b, ckptMagic)
	binary.LittleEndian.PutUint32(e.b[len(ckptMagic):], ckptVersion)
	e.b = append(e.b, c.ConfigSum[:]...)
	p := c.progress
	e.int(p.Iteration)
	e.int(p.Epoch)
	e.int(p.Batch)
	e.bool(p.WarmDone)
	e.f64(p.EpochLoss)
	e.int(p.EpochCorrect)
	e.int(p.EpochSeen)
	e.f64(p.WindowLoss)
	e.int(p.WindowCorrect)
	e.int(p.WindowSeen)
	e.int(p.Images)
	e.f64(p.TrainS)
	e.f64(p.ElapsedS)
	e.int(len(c.Params))
	for i, v := range c.Params {
		e.str(v.Name)
		e.f32s(v.Values)
		e.f32s(c.Velocity[i])
	}
	e.int(len(c.Stats))
	for _, s := range c.Stats {
		e.str(s.Name)
		e.f32s(s.Mean)
		e.f32s(s.Var)
	}
	e.int(len(c.Rows))
	for _, r := range c.Rows {
		e.int(r.Epoch)
		e.int(r.Iteration)
		for _, f := range [...]float64{r.LR, r.TrainLoss, r.TrainError, r.TestLoss, r.TestError, r.ElapsedS} {
			e.f64(f)
		}
	}
	binary.LittleEndian.PutUint64(e.b[len(ckptMagic)+4:], uint64(len(e.b)-ckptHeader))
	sum := sha256.Sum256(e.b)
	return append(e.b, sum[:]...)
}

// size is about the number of bytes marshal writes, to allocate once.
func (c *checkpoint) size() int {
	n := 256 + 64*len(c.Rows)
	for i, v := range c.Params {
		n += 64 + 4*len(v.Values) + 4*len(c.Velocity[i])
	}
	for _, s := range c.Stats {
		n += 64 + 4*len(s.Mean) + 4*len(s.Var)
	}
	return n + sha256.Size
}

// Smallest encodings of one list element, so that a count read from a
// corrupt payload is checked against what the rest of it can hold.
const (
	minParamSize = 3 * 8 // name, values and velocity lengths
	minStatsSize = 3 * 8 // name, mean and variance lengths
	rowSize      = 8 * 8
)

// unmarshalCheckpoint decodes b, checking the magic, the version, the length
// and the checksum. Every error wraps ErrInvalidInput.
func unmarshalCheckpoint(b []byte) (*checkpoint, error) {
	if len(b) < ckptHeader || !bytes.Equal(b[:len(ckptMagic)], []byte(ckptMagic)) {
		return nil, invalidf("checkpoint: not a resx checkpoint (no %q header)", ckptMagic)
	}
	if v := binary.LittleEndian.Uint32(b[len(ckptMagic):]); v != ckptVersion {
		return nil, invalidf("checkpoint: format version %d, this resx reads version %d", v, ckptVersion)
	}
	n := binary.LittleEndian.Uint64(b[len(ckptMagic)+4:])
	if want := uint64(len(b) - ckptHeader - sha256.Size); len(b) < ckptHeader+sha256.Size || n != want {
		return nil, invalidf("checkpoint: truncated: header says %d payload bytes, file holds %d",
			n, max(0, len(b)-ckptHeader-sha256.Size))
	}
	body := b[:len(b)-sha256.Size]
	if sum := sha256.Sum256(body); !bytes.Equal(sum[:], b[len(body):]) {
		return nil, invalidf("checkpoint: checksum mismatch (the file is corrupt)")
	}
	c, err := decodePayload(body[ckptHeader:])
	if err != nil {
		return nil, invalidf("checkpoint: payload: %v", err)
	}
	return c, nil
}

// decodePayload reads what marshal writes after the header. The checksum
// only says that the file is the one resx wrote, so the payload is still
// checked: counts against the bytes left, and the loop position for values
// no run reaches.
func decodePayload(b []byte) (*checkpoint, error) {
	d := &dec{b: b}
	c := &checkpoint{}
	copy(c.ConfigSum[:], d.take(len(c.ConfigSum)))
	p := &c.progress
	p.Iteration = d.int()
	p.Epoch = d.int()
	p.Batch = d.int()
	p.WarmDone = d.bool()
	p.EpochLoss = d.f64()
	p.EpochCorrect = d.int()
	p.EpochSeen = d.int()
	p.WindowLoss = d.f64()
	p.WindowCorrect = d.int()
	p.WindowSeen = d.int()
	p.Images = d.int()
	p.TrainS = d.f64()
	p.ElapsedS = d.f64()
	for range d.length(minParamSize) {
		v := namedValues{Name: d.str(), Values: d.f32s()}
		vel := d.f32s()
		if d.err == nil && len(vel) != len(v.Values) {
			d.err = fmt.Errorf("param %s has %d values and %d velocities", v.Name, len(v.Values), len(vel))
		}
		if d.err != nil {
			break
		}
		c.Params = append(c.Params, v)
		c.Velocity = append(c.Velocity, vel)
	}
	for range d.length(minStatsSize) {
		s := namedStats{Name: d.str(), Mean: d.f32s(), Var: d.f32s()}
		if d.err != nil {
			break
		}
		c.Stats = append(c.Stats, s)
	}
	for range d.length(rowSize) {
		r := Row{Epoch: d.int(), Iteration: d.int()}
		for _, f := range [...]*float64{&r.LR, &r.TrainLoss, &r.TrainError, &r.TestLoss, &r.TestError, &r.ElapsedS} {
			*f = d.f64()
		}
		if d.err != nil {
			break
		}
		c.Rows = append(c.Rows, r)
	}
	if d.err == nil && len(d.b) != 0 {
		d.err = fmt.Errorf("%d bytes left after the last field", len(d.b))
	}
	if d.err != nil {
		return nil, d.err
	}
	if p.Iteration < 0 || p.Epoch < 0 || p.Batch < 0 || p.EpochSeen < 0 || p.Images < 0 ||
		p.EpochCorrect < 0 || p.EpochCorrect > p.EpochSeen ||
		p.WindowCorrect < 0 || p.WindowCorrect > p.WindowSeen || p.WindowSeen > p.EpochSeen {
		return nil, fmt.Errorf("impossible position: iteration %d, epoch %d, batch %d, %d of %d correct, %d images",
			p.Iteration, p.Epoch, p.Batch, p.EpochCorrect, p.EpochSeen, p.Images)
	}
	return c, nil
}

// capture copies the network's and the optimiser's state into a checkpoint.
func capture(params []*model.Param, stats []*model.RunningStats, opt *optim.SGD) (ps []namedValues, vel [][]float32, ss []namedStats) {
	for i, p := range params {
		ps = append(ps, namedValues{Name: p.Name, Values: append([]float32(nil), p.Value...)})
		vel = append(vel, append([]float32(nil), opt.Velocity[i]...))
	}
	for _, s := range stats {
		ss = append(ss, namedStats{Name: s.Name, Mean: append([]float32(nil), s.Mean...), Var: append([]float32(nil), s.Var...)})
	}
	return ps, vel, ss
}

// restore copies a checkpoint's tensors into the network and the optimiser,
// after checking that it was written for a network of the same shape.
func (c *checkpoint) restore(params []*model.Param, stats []*model.RunningStats, opt *optim.SGD) error {
	mismatch := func(format string, a ...any) error {
		return invalidf("checkpoint is for another network: "+format, a...)
	}
	if len(c.Params) != len(params) || len(c.Stats) != len(stats) {
		return mismatch("%d params and %d batch-norm layers, the network has %d and %d",
			len(c.Params), len(c.Stats), len(params), len(stats))
	}
	for i, p := range params {
		v := c.Params[i]
		if v.Name != p.Name || len(v.Values) != len(p.Value) || len(c.Velocity[i]) != len(p.Value) {
			return mismatch("param %d is %s with %d values, the network's is %s with %d", i, v.Name, len(v.Values), p.Name, len(p.Value))
		}
	}
	for i, s := range stats {
		v := c.Stats[i]
		if v.Name != s.Name || len(v.Mean) != len(s.Mean) || len(v.Var) != len(s.Var) {
			return mismatch("batch-norm layer %d is %s, the network's is %s", i, v.Name, s.Name)
		}
	}
	for i, p := range params {
		copy(p.Value, c.Params[i].Values)
		copy(opt.Velocity[i], c.Velocity[i])
	}
	for i, s := range stats {
		copy(s.Mean, c.Stats[i].Mean)
		copy(s.Var, c.Stats[i].Var)
	}
	return nil
}
