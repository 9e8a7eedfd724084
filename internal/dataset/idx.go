package dataset

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
)

// IDX is the content of an IDX file (the format of MNIST and Fashion-MNIST)
// whose elements are unsigned bytes.
type IDX struct {
	// Dims are the dimensions, outermost first (images: N, H, W; labels: N).
	Dims []int
	// Data holds the product of Dims bytes, row-major.
	Data []byte
}

// idxTypeUbyte is the IDX element type code for unsigned bytes; the others
// (0x09 sbyte, 0x0B int16, 0x0C int32, 0x0D float32, 0x0E float64) are
// recognised only to name them in errors.
const idxTypeUbyte = 0x08

var idxTypeNames = map[byte]string{0x09: "signed byte", 0x0B: "int16", 0x0C: "int32", 0x0D: "float32", 0x0E: "float64"}

// maxIDXBytes bounds the data size a header may announce, so a corrupt header
// cannot make resx allocate without limit.
const maxIDXBytes = 1<<31 - 1 // an int on 32-bit platforms too

// ReadIDXFile reads the IDX file at path, gzip-compressed or raw (told apart by
// the gzip magic bytes, not the name). Errors wrap ErrInvalidData and name path.
func ReadIDXFile(path string) (IDX, error) {
	f, err := os.Open(path)
	if err != nil {
		return IDX{}, fmt.Errorf("%w: %w", err, ErrInvalidData)
	}
	defer f.Close()
	return ReadIDX(f, path)
}

// ReadIDX reads one IDX file from r, gzip-compressed or raw. It checks the
// magic number (two zero bytes, the element type, the number of dimensions),
// that the data is exactly as long as the dimensions say (no more, no less)
// and, for gzip, the stream's checksum. name names the file in errors, which
// wrap ErrInvalidData.
func ReadIDX(r io.Reader, name string) (IDX, error) {
	br := bufio.NewReaderSize(r, 1<<16)
	if magic, err := br.Peek(2); err == nil && magic[0] == 0x1f && magic[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return IDX{}, invalidf(name, "broken gzip header: %v", err)
		}
		defer zr.Close()
		idx, err := readIDX(bufio.NewReaderSize(streamReader{zr}, 1<<16))
		if err != nil {
			return IDX{}, invalidf(name, "%v", err)
		}
		return idx, nil
	}
	idx, err := readIDX(br)
	if err != nil {
		return IDX{}, invalidf(name, "%v", err)
	}
	return idx, nil
}

// streamReader marks the errors of a decompressing reader (other than
// io.EOF), so that a broken stream is reported as such rather than as the
// truncated file it looks like.
type streamReader struct{ r io.Reader }

func (s streamReader) Read(p []byte) (int, error) {
	n, err := s.r.Read(p)
	if err != nil && err != io.EOF {
		err = fmt.Errorf("broken gzip stream: %w", err)
	}
	return n, err
}

func readIDX(r io.Reader) (IDX, error) {
	var head [4]byte
	if _, err := io.ReadFull(r, head[:]); err != nil {
		return IDX{}, readErr("truncated magic number", err)
	}
	if head[0] != 0 || head[1] != 0 {
		return IDX{}, fmt.Errorf("wrong magic number %#08x: not an IDX file", binary.BigEndian.Uint32(head[:]))
	}
	if head[2] != idxTypeUbyte {
		if t, ok := idxTypeNames[head[2]]; ok {
			return IDX{}, fmt.Errorf("element type %s (%#02x) is not supported, only unsigned bytes", t, head[2])
		}
		return IDX{}, fmt.Errorf("wrong magic number %#08x: unknown element type %#02x", binary.BigEndian.Uint32(head[:]), head[2])
	}
	nd := int(head[3])
	if nd == 0 {
		return IDX{}, errors.New("wrong magic number: zero dimensions")
	}
	raw := make([]byte, 4*nd)
	if _, err := io.ReadFull(r, raw); err != nil {
		return IDX{}, readErr(fmt.Sprintf("truncated header (%d dimensions)", nd), err)
	}
	dims := make([]int, nd)
	size := 1
	for i := range dims {
		// Checked before int(d), which may be negative on 32-bit platforms.
		d := binary.BigEndian.Uint32(raw[4*i:])
		if d != 0 && uint64(size) > maxIDXBytes/uint64(d) {
			return IDX{}, fmt.Errorf("dimensions %v, then %d, announce more than %d bytes", dims[:i], d, maxIDXBytes)
		}
		dims[i] = int(d)
		size *= dims[i]
	}
	// Grow the buffer as data arrives rather than trusting the header with one
	// large allocation: a truncated file then costs only what it holds.
	data := make([]byte, 0, min(size, 1<<16))
	for len(data) < size {
		if len(data) == cap(data) {
			data = slices.Grow(data, min(size-len(data), len(data)))
		}
		n, err := r.Read(data[len(data):min(cap(data), size)])
		data = data[:len(data)+n]
		if err == io.EOF {
			if len(data) < size {
				return IDX{}, fmt.Errorf("truncated: dimensions %v need %d data bytes, file has %d", dims, size, len(data))
			}
			break
		}
		if err != nil {
			return IDX{}, err
		}
	}
	// Reading to the end also makes gzip verify its checksum.
	extra, err := io.Copy(io.Discard, r)
	if err != nil {
		return IDX{}, err
	}
	if extra > 0 {
		return IDX{}, fmt.Errorf("%d bytes after the %d data bytes that dimensions %v describe", extra, size, dims)
	}
	return IDX{Dims: dims, Data: data}, nil
}

// readErr reports a failed io.ReadFull: the end of the file as truncation,
// anything else (a broken gzip stream) as itself.
func readErr(what string, err error) error {
	if err == io.EOF || err == io.ErrUnexpectedEOF {
		return errors.New(what)
	}
	return err
}

// WriteIDX writes an unsigned-byte IDX file with the given dimensions to w,
// raw (callers wrap w in a gzip.Writer for .gz files). len(data) must be the
// product of dims.
func WriteIDX(w io.Writer, dims []int, data []byte) error {
	if len(dims) == 0 || len(dims) > 255 {
		return fmt.Errorf("idx: %d dimensions, want 1 to 255", len(dims))
	}
	size := 1
	for _, d := range dims {
		if d < 0 || uint64(d) > 1<<32-1 {
			return fmt.Errorf("idx: dimension %d out of range", d)
		}
		size *= d
	}
	if size != len(data) {
		return fmt.Errorf("idx: dimensions %v need %d bytes, got %d", dims, size, len(data))
	}
	var head bytes.Buffer
	head.Write([]byte{0, 0, idxTypeUbyte, byte(len(dims))})
	for _, d := range dims {
		head.Write(binary.BigEndian.AppendUint32(nil, uint32(d)))
	}
	if _, err := w.Write(head.Bytes()); err != nil {
		return err
	}
	_, err := w.Write(data)
	return err
}

// splitFromIDX builds a split from an image IDX (N×H×W, or N×C×H×W) and a
// label IDX (N) and checks that they agree and that every label is in
// [0, classes). imgName and lblName name the files in errors.
func splitFromIDX(img, lbl IDX, imgName, lblName string, classes int) (Split, error) {
	var s Split
	switch len(img.Dims) {
	case 3:
		s = Split{N: img.Dims[0], C: 1, H: img.Dims[1], W: img.Dims[2]}
	case 4:
		s = Split{N: img.Dims[0], C: img.Dims[1], H: img.Dims[2], W: img.Dims[3]}
	default:
		return Split{}, invalidf(imgName, "images have %d dimensions %v, want 3 (N, H, W) or 4 (N, C, H, W)", len(img.Dims), img.Dims)
	}
	if s.N == 0 || s.C == 0 || s.H == 0 || s.W == 0 {
		return Split{}, invalidf(imgName, "no images (dimensions %v)", img.Dims)
	}
	if len(lbl.Dims) != 1 {
		return Split{}, invalidf(lblName, "labels have %d dimensions %v, want 1", len(lbl.Dims), lbl.Dims)
	}
	if lbl.Dims[0] != s.N {
		return Split{}, invalidf(lblName, "%d labels for the %d images of %s", lbl.Dims[0], s.N, imgName)
	}
	s.Images = img.Data
	s.Labels = make([]int32, s.N)
	for i, b := range lbl.Data {
		if int(b) >= classes {
			return Split{}, invalidf(lblName, "label %d of item %d is out of range [0, %d)", b, i, classes)
		}
		s.Labels[i] = int32(b)
	}
	return s, nil
}
