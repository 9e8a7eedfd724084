package report

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strings"
)

// Line is one row of the summary table. Errors are fractions; a number
// that is not known is nil (null in JSON, "-" in markdown).
type Line struct {
	Run             string   `json:"run"`
	Arch            string   `json:"arch"`
	Depth           int      `json:"depth"`
	Block           string   `json:"block"`
	Shortcut        string   `json:"shortcut"`
	Seed            uint64   `json:"seed"`
	Dataset         string   `json:"dataset"`
	Params          int      `json:"params"`
	Epochs          int      `json:"epochs"`
	Iterations      int      `json:"iterations"`
	FinalTrainError *float64 `json:"final_train_error"`
	FinalTestError  *float64 `json:"final_test_error"`
	BestTestError   *float64 `json:"best_test_error"`
	PaperTestError  *float64 `json:"paper_test_error"`
	WallS           *float64 `json:"wall_s"`
	Status          string   `json:"status"`
}

// Group is the mean and sample standard deviation of the runs of one
// network over seeds.
type Group struct {
	Arch            string   `json:"arch"`
	Depth           int      `json:"depth"`
	Block           string   `json:"block"`
	Shortcut        string   `json:"shortcut"`
	Dataset         string   `json:"dataset"`
	Runs            int      `json:"runs"`
	FinalTrainError Stat     `json:"final_train_error"`
	FinalTestError  Stat     `json:"final_test_error"`
	PaperTestError  *float64 `json:"paper_test_error"`
}

// Stat is a mean and a sample standard deviation (0 for one run).
type Stat struct {
	Mean float64 `json:"mean"`
	SD   float64 `json:"sd"`
}

// Table is the summary of a set of runs.
type Table struct {
	Lines []Line `json:"runs"`
	// Groups summarise runs that differ only in seed (those that finished);
	// present when some network was run with more than one seed.
	Groups []Group `json:"groups,omitempty"`
}

func ptr(v float64) *float64 {
	if math.IsNaN(v) {
		return nil
	}
	return &v
}

// Summarize builds the summary table of runs.
func Summarize(runs []Run) Table {
	var t Table
	type gkey struct {
		arch, block, shortcut, dataset, variant string
		depth                                   int
	}
	groups := map[gkey]*[]int{}
	var order []gkey
	for i := range runs {
		r := &runs[i]
		res := r.Result()
		l := Line{Run: r.Name, Arch: r.Arch, Depth: r.Depth, Block: r.Block, Shortcut: r.Shortcut,
			Seed: r.Seed, Dataset: r.Dataset, Params: res.Params, Epochs: res.Epochs, Iterations: res.Iterations,
			FinalTrainError: ptr(res.FinalTrainError), FinalTestError: ptr(res.FinalTestError),
			BestTestError: ptr(res.BestTestError), WallS: ptr(res.WallS), Status: res.Status}
		if v, ok := PaperTestError(r); ok {
			l.PaperTestError = &v
		}
		t.Lines = append(t.Lines, l)
		if res.Status != "finished" {
			continue
		}
		// Runs of a sweep over another key share arch and depth; the run
		// name without its seed tells them apart.
		k := gkey{r.Arch, r.Block, r.Shortcut, r.Dataset, withoutSeed(r.Name, r.Seed), r.Depth}
		if groups[k] == nil {
			groups[k] = new([]int)
			order = append(order, k)
		}
		*groups[k] = append(*groups[k], i)
	}
	multi := false
	for _, k := range order {
		multi = multi || len(*groups[k]) > 1
	}
	if !multi {
		return t
	}
	for _, k := range order {
		idx := *groups[k]
		var train, test []float64
		for _, i := range idx {
			res := runs[i].Result()
			train = append(train, res.FinalTrainError)
			test = append(test, res.FinalTestError)
		}
		g := Group{Arch: k.arch, Depth: k.depth, Block: k.block, Shortcut: k.shortcut, Dataset: k.dataset,
			Runs: len(idx), FinalTrainError: stat(train), FinalTestError: stat(test)}
		g.PaperTestError = t.Lines[idx[0]].PaperTestError
		t.Groups = append(t.Groups, g)
	}
	return t
}

func withoutSeed(name string, seed uint64) string {
	return strings.Replace(name, fmt.Sprintf("-s%d", seed), "", 1)
}

func stat(xs []float64) Stat {
	var s Stat
	for _, x := range xs {
		s.Mean += x
	}
	s.Mean /= float64(len(xs))
	if len(xs) > 1 {
		var ss float64
		for _, x := range xs {
			ss += (x - s.Mean) * (x - s.Mean)
		}
		s.SD = math.Sqrt(ss / float64(len(xs)-1))
	}
	return s
}

// WriteJSON writes t as indented JSON.
func (t Table) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(t)
}

// WriteMarkdown writes t as markdown tables, errors in percent.
func (t Table) WriteMarkdown(w io.Writer) error {
	var b strings.Builder
	b.WriteString("| run | arch | depth | block | shortcut | seed | params | epochs | iterations | train err % | test err % | best test err % | paper test err % | wall s | status |\n")
	b.WriteString("|---|---|--:|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|---|\n")
	for _, l := range t.Lines {
		fmt.Fprintf(&b, "| %s | %s | %d | %s | %s | %d | %s | %d | %d | %s | %s | %s | %s | %s | %s |\n",
			l.Run, l.Arch, l.Depth, l.Block, l.Shortcut, l.Seed, params(l.Params), l.Epochs, l.Iterations,
			pct(l.FinalTrainError), pct(l.FinalTestError), pct(l.BestTestError), pct(l.PaperTestError),
			num(l.WallS, 0), l.Status)
	}
	if len(t.Groups) > 0 {
		b.WriteString("\nMean ± standard deviation over seeds (finished runs):\n\n")
		b.WriteString("| arch | depth | block | shortcut | runs | train err % | test err % | paper test err % |\n")
		b.WriteString("|---|--:|---|---|--:|--:|--:|--:|\n")
		for _, g := range t.Groups {
			fmt.Fprintf(&b, "| %s | %d | %s | %s | %d | %s | %s | %s |\n", g.Arch, g.Depth, g.Block, g.Shortcut,
				g.Runs, pm(g.FinalTrainError), pm(g.FinalTestError), pct(g.PaperTestError))
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func pct(v *float64) string {
	if v == nil {
		return "-"
	}
	return fmt.Sprintf("%.2f", 100**v)
}

func pm(s Stat) string { return fmt.Sprintf("%.2f ± %.2f", 100*s.Mean, 100*s.SD) }

func num(v *float64, prec int) string {
	if v == nil {
		return "-"
	}
	return fmt.Sprintf("%.*f", prec, *v)
}

// params writes a parameter count as the paper does (0.27M), small ones in
// thousands (68.2k).
func params(n int) string {
	switch {
	case n <= 0:
		return "-"
	case n < 100_000:
		return fmt.Sprintf("%.3gk", float64(n)/1e3)
	}
	return fmt.Sprintf("%.3gM", float64(n)/1e6)
}
