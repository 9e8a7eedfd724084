package experiment

import (
	"encoding/binary"
	"errors"
	"math"
)

// enc appends little-endian values to a byte slice.
type enc struct{ b []byte }

func (e *enc) u64(v uint64)  { e.b = binary.LittleEndian.AppendUint64(e.b, v) }
func (e *enc) int(v int)     { e.u64(uint64(int64(v))) }
func (e *enc) f64(v float64) { e.u64(math.Float64bits(v)) }
func (e *enc) bool(v bool) {
	if v {
		e.b = append(e.b, 1)
	} else {
		e.b = append(e.b, 0)
	}
}
func (e *enc) str(s string) {
	e.int(len(s))
	e.b = append(e.b, s...)
}
func (e *enc) f32s(v []float32) {
	e.int(len(v))
	for _, x := range v {
		e.b = binary.LittleEndian.AppendUint32(e.b, math.Float32bits(x))
	}
}

// errShort is reported when a payload ends before its last field.
var errShort = errors.New("payload ends early")

// dec reads what enc wrote. The first error sticks; later reads return zeros.
type dec struct {
	b   []byte
	err error
}

func (d *dec) take(n int) []byte {
	if d.err != nil {
		return nil
	}
	if n < 0 || n > len(d.b) {
		d.err = errShort
		return nil
	}
	p := d.b[:n]
	d.b = d.b[n:]
	return p
}

func (d *dec) u64() uint64 {
	p := d.take(8)
	if p == nil {
		return 0
	}
	return binary.LittleEndian.Uint64(p)
}
func (d *dec) int() int     { return int(int64(d.u64())) }
func (d *dec) f64() float64 { return math.Float64frombits(d.u64()) }
func (d *dec) bool() bool {
	p := d.take(1)
	if p != nil && p[0] > 1 {
		d.err = errors.New("a flag byte is neither 0 nor 1")
	}
	return p != nil && p[0] == 1
}
func (d *dec) str() string { return string(d.take(d.int())) }

// length reads a count of elements of size bytes each, refusing counts the
// rest of the payload cannot hold (so a corrupt count cannot allocate much).
func (d *dec) length(size int) int {
	n := d.int()
	if d.err == nil && (n < 0 || n > len(d.b)/size) {
		d.err = errShort
		return 0
	}
	return n
}

func (d *dec) f32s() []float32 {
	n := d.length(4)
	p := d.take(4 * n)
	if p == nil {
		return nil
	}
	v := make([]float32, n)
	for i := range v {
		v[i] = math.Float32frombits(binary.LittleEndian.Uint32(p[4*i:]))
	}
	return v
}
