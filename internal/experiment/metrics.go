package experiment

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
)

// Column is one column of metrics.csv.
type Column struct {
	Name   string
	Format func(Row) string
}

// Columns are metrics.csv's columns, in order; they make both the header and
// every row. Errors are fractions in [0, 1]. test_loss and test_error are
// empty on rows written between evaluations (train.log_every).
var Columns = []Column{
	{"epoch", func(r Row) string { return strconv.Itoa(r.Epoch) }},
	{"iteration", func(r Row) string { return strconv.Itoa(r.Iteration) }},
	{"lr", func(r Row) string { return formatFloat(r.LR) }},
	{"train_loss", func(r Row) string { return formatFloat(r.TrainLoss) }},
	{"train_error", func(r Row) string { return formatFloat(r.TrainError) }},
	{"test_loss", func(r Row) string { return formatFloat(r.TestLoss) }},
	{"test_error", func(r Row) string { return formatFloat(r.TestError) }},
	{"elapsed_s", func(r Row) string { return strconv.FormatFloat(r.ElapsedS, 'f', 3, 64) }},
}

// formatFloat writes the shortest decimal that reads back as v, and NaN
// (a value not measured) as an empty cell.
func formatFloat(v float64) string {
	if math.IsNaN(v) {
		return ""
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}

// Evaluated reports whether r carries test measurements; rows written every
// train.log_every iterations do not.
func (r Row) Evaluated() bool { return !math.IsNaN(r.TestError) }

func header() []string {
	h := make([]string, len(Columns))
	for i, c := range Columns {
		h[i] = c.Name
	}
	return h
}

func record(r Row) []string {
	rec := make([]string, len(Columns))
	for i, c := range Columns {
		rec[i] = c.Format(r)
	}
	return rec
}

const metricsName = "metrics.csv"

// metricsFile appends rows to a run's metrics.csv, flushing after each row
// so that a killed run loses nothing it had reported.
type metricsFile struct {
	f    *os.File
	n    *countWriter
	w    *csv.Writer
	size int64 // the length of the file's whole rows
}

// countWriter counts the bytes that reach w.
type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	k, err := c.w.Write(p)
	c.n += int64(k)
	return k, err
}

// createMetrics writes dir/metrics.csv atomically with the header and rows
// (the rows a resumed run had already written) and opens it for appending.
func createMetrics(dir string, rows []Row, hook writeHook) (*metricsFile, error) {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	w.Write(header())
	for _, r := range rows {
		w.Write(record(r))
	}
	w.Flush()
	if err := writeFileAtomic(dir, metricsName, buf.Bytes(), hook); err != nil {
		return nil, fmt.Errorf("metrics: %w", err)
	}
	f, err := os.OpenFile(filepath.Join(dir, metricsName), os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		return nil, fmt.Errorf("metrics: %w", err)
	}
	n := &countWriter{w: hook.wrap(metricsName, f), n: int64(buf.Len())}
	return &metricsFile{f: f, n: n, w: csv.NewWriter(n), size: n.n}, nil
}

// append adds one row. A row that reaches the file only in part (a full
// disk) is cut off again, so that the file never ends in half a row.
func (m *metricsFile) append(r Row) error {
	m.w.Write(record(r))
	m.w.Flush()
	if err := m.w.Error(); err != nil {
		if m.n.n != m.size {
			if terr := m.f.Truncate(m.size); terr != nil {
				err = errors.Join(err, terr)
			}
			m.n.n = m.size
		}
		return fmt.Errorf("metrics: %w", err)
	}
	m.size = m.n.n
	return nil
}

func (m *metricsFile) close() error { return m.f.Close() }
