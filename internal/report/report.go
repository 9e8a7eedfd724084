package report

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// Files a report writes into the experiment folder.
const (
	MergedFile          = "runs.csv"
	SummaryMarkdownFile = "report.md"
	SummaryJSONFile     = "report.json"
	FigureBase          = "figure" // .png, .svg and .txt
	ProvenanceFile      = "provenance.json"
)

// Provenance says what made the runs of an experiment folder; compare and
// sweep write it, and every figure names it.
type Provenance struct {
	Command string `json:"command"`
	Config  string `json:"config"`
	Version string `json:"resx_version"`
	Commit  string `json:"git_commit"`
}

// WriteProvenance writes p to dir/provenance.json.
func WriteProvenance(dir string, p Provenance) error {
	b, err := json.MarshalIndent(p, "", "  ")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, ProvenanceFile), append(b, '\n'), 0o644)
}

// ReadProvenance reads dir/provenance.json; ok is false if there is none.
func ReadProvenance(dir string) (p Provenance, ok bool, err error) {
	b, err := os.ReadFile(filepath.Join(dir, ProvenanceFile))
	if errors.Is(err, fs.ErrNotExist) {
		return Provenance{}, false, nil
	}
	if err != nil {
		return Provenance{}, false, err
	}
	if err := json.Unmarshal(b, &p); err != nil {
		return Provenance{}, false, fmt.Errorf("%s: %w", filepath.Join(dir, ProvenanceFile), err)
	}
	return p, true, nil
}

// Options are the settings of Build.
type Options struct {
	// Rebuilt, if set, is the command rebuilding the report (resx report
	// DIR) and the version and commit it runs at; the figure names it after
	// the provenance of the runs.
	Rebuilt *Provenance
}

// Build reads the run folders in dir and writes the report beside them:
// runs.csv, report.md, report.json and figure.png/.svg/.txt. It returns
// the summary table.
func Build(dir string, opt Options) (Table, error) {
	runs, err := LoadRuns(dir)
	if err != nil {
		return Table{}, err
	}
	var merged bytes.Buffer
	if err := WriteMerged(&merged, runs); err != nil {
		return Table{}, err
	}
	t := Summarize(runs)
	var md, js bytes.Buffer
	if err := t.WriteMarkdown(&md); err != nil {
		return Table{}, err
	}
	if err := t.WriteJSON(&js); err != nil {
		return Table{}, err
	}
	for name, b := range map[string][]byte{MergedFile: merged.Bytes(), SummaryMarkdownFile: md.Bytes(), SummaryJSONFile: js.Bytes()} {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			return Table{}, err
		}
	}

	prov, _, err := ReadProvenance(dir)
	if err != nil {
		return Table{}, err
	}
	if prov.Command == "" {
		prov.Commit = strings.Join(runCommits(runs), ", ")
	}
	caption := Caption(prov, opt.Rebuilt)
	base := filepath.Join(dir, FigureBase)
	if err := WriteFigure(base, runs, caption); err != nil {
		return Table{}, err
	}
	if err := os.WriteFile(base+".txt", []byte(caption+"\n"), 0o644); err != nil {
		return Table{}, err
	}
	return t, nil
}

// Caption says what made a figure: the command, config, version and commit
// of the runs, and of the rebuild if there was one.
func Caption(runs Provenance, rebuilt *Provenance) string {
	var parts []string
	if runs.Command != "" {
		parts = append(parts, "Runs made by `"+runs.Command+"`"+describe(runs)+".")
	} else {
		parts = append(parts, "Runs made one by one (no "+ProvenanceFile+"; each run folder holds its config.yaml)"+describe(runs)+".")
	}
	if rebuilt != nil {
		parts = append(parts, "Report rebuilt by `"+rebuilt.Command+"`"+describe(*rebuilt)+".")
	}
	parts = append(parts, "Training error dashed, test error solid.")
	return strings.Join(parts, " ")
}

func describe(p Provenance) string {
	var d []string
	if p.Config != "" {
		d = append(d, "config "+p.Config)
	}
	if p.Version != "" {
		d = append(d, "resx "+p.Version)
	}
	if p.Commit != "" {
		d = append(d, "commit "+p.Commit)
	}
	if len(d) == 0 {
		return ""
	}
	return " (" + strings.Join(d, ", ") + ")"
}

// runCommits lists the distinct commits the runs' summaries record.
func runCommits(runs []Run) []string {
	var out []string
	for _, r := range runs {
		if r.Summary != nil && r.Summary.Commit != "" && !slices.Contains(out, r.Summary.Commit) {
			out = append(out, r.Summary.Commit)
		}
	}
	return out
}
