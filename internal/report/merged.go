package report

import (
	"encoding/csv"
	"io"
	"slices"
	"strconv"
)

// idColumns lead every row of the merged CSV and say which run it is from.
var idColumns = []string{"run", "arch", "depth", "block", "shortcut", "seed", "dataset"}

// WriteMerged writes one long-format CSV of all runs: the id columns, then
// every metrics column any run has (in the order first seen), one row per
// metrics row. Cells are copied as the runs wrote them; a column a run lacks
// is empty.
func WriteMerged(w io.Writer, runs []Run) error {
	var metricCols []string
	for _, r := range runs {
		for _, c := range r.Header {
			if !slices.Contains(metricCols, c) {
				metricCols = append(metricCols, c)
			}
		}
	}
	cw := csv.NewWriter(w)
	cw.Write(append(slices.Clone(idColumns), metricCols...))
	for _, r := range runs {
		id := []string{r.Name, r.Arch, strconv.Itoa(r.Depth), r.Block, r.Shortcut,
			strconv.FormatUint(r.Seed, 10), r.Dataset}
		at := make([]int, len(metricCols))
		for i, c := range metricCols {
			at[i] = slices.Index(r.Header, c)
		}
		for _, rec := range r.Records {
			row := slices.Clone(id)
			for _, j := range at {
				cell := ""
				if j >= 0 && j < len(rec) {
					cell = rec[j]
				}
				row = append(row, cell)
			}
			cw.Write(row)
		}
	}
	cw.Flush()
	return cw.Error()
}
