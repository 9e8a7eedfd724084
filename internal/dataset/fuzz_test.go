package dataset

import (
	"bytes"
	"errors"
	"testing"
)

// FuzzReadIDX checks that any input is either read into a consistent IDX or
// rejected with an error wrapping ErrInvalidData, never a panic or a
// half-filled result. Run with: go test -fuzz FuzzReadIDX ./internal/dataset
func FuzzReadIDX(f *testing.F) {
	f.Add(idxBytes(f, []int{2, 3, 3}, make([]byte, 18), false))
	f.Add(idxBytes(f, []int{4}, []byte{0, 1, 2, 9}, true))
	f.Add(idxBytes(f, []int{1, 1, 1, 1}, []byte{7}, false))
	f.Add([]byte{0, 0, 8, 1, 0xff, 0xff, 0xff, 0xff})
	f.Add([]byte{0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0})
	f.Add([]byte{0, 0, 0x0d, 1, 0, 0, 0, 1, 0, 0, 0, 0})
	f.Fuzz(func(t *testing.T, data []byte) {
		idx, err := ReadIDX(bytes.NewReader(data), "fuzz.idx")
		if err != nil {
			if !errors.Is(err, ErrInvalidData) {
				t.Fatalf("error does not wrap ErrInvalidData: %v", err)
			}
			if idx.Dims != nil || idx.Data != nil {
				t.Fatal("data returned with an error")
			}
			return
		}
		size := 1
		for _, d := range idx.Dims {
			size *= d
		}
		if len(idx.Dims) == 0 || len(idx.Data) != size {
			t.Fatalf("dims %v with %d bytes", idx.Dims, len(idx.Data))
		}
		// What was read writes back to the same raw file.
		var buf bytes.Buffer
		if err := WriteIDX(&buf, idx.Dims, idx.Data); err != nil {
			t.Fatal(err)
		}
		if data[0] != 0x1f && !bytes.Equal(buf.Bytes(), data) {
			t.Fatal("raw file does not round-trip")
		}
		// As a label file it either checks out or fails cleanly.
		if len(idx.Dims) == 1 {
			img := IDX{Dims: []int{idx.Dims[0], 1, 1}, Data: make([]byte, idx.Dims[0])}
			s, err := splitFromIDX(img, idx, "img", "lbl", 10)
			if err == nil {
				if err := s.check("fuzz", 10); err != nil {
					t.Fatal(err)
				}
			} else if !errors.Is(err, ErrInvalidData) {
				t.Fatal(err)
			}
		}
	})
}

// FuzzParseCIFAR checks the CIFAR record parser on arbitrary bytes, for both
// the CIFAR-10 and CIFAR-100 layouts. The records carry 3 pixel bytes instead
// of 3072 (the parser does not depend on the number), which keeps inputs small
// enough for the fuzzer to explore. Run with:
// go test -fuzz FuzzParseCIFAR -fuzzminimizetime 5s ./internal/dataset
func FuzzParseCIFAR(f *testing.F) {
	const pixels = 3
	f.Add([]byte{0, 1, 2, 3, 9, 4, 5, 6}, false)
	f.Add([]byte{3, 77, 1, 2, 3}, true)
	f.Add([]byte{10, 1, 2, 3}, false)
	f.Add([]byte{19, 99, 0, 0}, true)
	f.Add([]byte{}, true)
	f.Fuzz(func(t *testing.T, data []byte, hundred bool) {
		form := cifar10Format
		if hundred {
			form = cifar100CoarseFormat
		}
		form.pixels = pixels
		prev := Split{C: 1, H: 1, W: pixels, N: 1, Images: make([]byte, pixels), Labels: []int32{1}}
		s := prev
		err := parseCIFAR(&s, data, "fuzz.bin", form)
		if err != nil {
			if !errors.Is(err, ErrInvalidData) {
				t.Fatalf("error does not wrap ErrInvalidData: %v", err)
			}
			if s.N != 1 || len(s.Images) != pixels || len(s.Labels) != 1 {
				t.Fatal("records appended despite the error")
			}
			return
		}
		n := len(data) / form.recordSize()
		if s.N != 1+n || len(data)%form.recordSize() != 0 {
			t.Fatalf("N = %d for %d bytes in records of %d", s.N, len(data), form.recordSize())
		}
		if err := s.check("fuzz", form.limits[form.use]); err != nil {
			t.Fatal(err)
		}
		// The pixels are the records' bytes after the labels, in order.
		for i := range n {
			rec := data[i*form.recordSize() : (i+1)*form.recordSize()]
			if !bytes.Equal(s.Image(1+i), rec[len(form.limits):]) {
				t.Fatalf("image %d differs from record %d", 1+i, i)
			}
		}
	})
}
