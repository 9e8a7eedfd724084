package report

import (
	"bytes"
	"errors"
	"flag"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

const fixture = "testdata/exp"

// golden compares got with testdata/golden/name, or rewrites it under -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	p := filepath.Join("testdata", "golden", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(p)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (go test -update rewrites it)\n--- got\n%s\n--- want\n%s", name, got, want)
	}
}

func loadFixture(t *testing.T) []Run {
	t.Helper()
	runs, err := LoadRuns(fixture)
	if err != nil {
		t.Fatal(err)
	}
	return runs
}

func TestLoadRunsOrderAndIdentity(t *testing.T) {
	runs := loadFixture(t)
	var names []string
	for _, r := range runs {
		names = append(names, r.Name)
	}
	if got := strings.Join(names, " "); got != "plain-20-basic-A-s1 residual-20-basic-A-s1 residual-56-basic-A-s1" {
		t.Errorf("runs = %s", got)
	}
	r := runs[2]
	if r.Summary != nil || r.Arch != "residual" || r.Depth != 56 || r.Dataset != "fashion-mnist-mini" {
		t.Errorf("unfinished run read as %+v", r)
	}
	res := r.Result()
	if res.Status != "unfinished" || res.FinalTrainError != 0.38 || res.FinalTestError != 0.31 || res.Iterations != 79 {
		t.Errorf("unfinished run's result = %+v", res)
	}
}

func TestMergedGolden(t *testing.T) {
	var b bytes.Buffer
	if err := WriteMerged(&b, loadFixture(t)); err != nil {
		t.Fatal(err)
	}
	golden(t, "runs.csv", b.Bytes())
}

func TestSummaryGolden(t *testing.T) {
	tab := Summarize(loadFixture(t))
	var md, js bytes.Buffer
	if err := tab.WriteMarkdown(&md); err != nil {
		t.Fatal(err)
	}
	if err := tab.WriteJSON(&js); err != nil {
		t.Fatal(err)
	}
	golden(t, "report.md", md.Bytes())
	golden(t, "report.json", js.Bytes())
}

func TestGroupsOverSeeds(t *testing.T) {
	runs := loadFixture(t)[:2]
	for i := range runs {
		runs[i].Arch, runs[i].Name = "residual", "residual-20-basic-A-s"+string(rune('1'+i))
		runs[i].Seed = uint64(i + 1)
		s := *runs[i].Summary
		runs[i].Summary = &s
	}
	tab := Summarize(runs)
	if len(tab.Groups) != 1 {
		t.Fatalf("groups = %+v", tab.Groups)
	}
	g := tab.Groups[0]
	if g.Runs != 2 || abs(g.FinalTestError.Mean-0.19) > 1e-12 || abs(g.FinalTestError.SD-0.0141421356) > 1e-9 {
		t.Errorf("group = %+v", g)
	}
	var md bytes.Buffer
	tab.WriteMarkdown(&md)
	if !strings.Contains(md.String(), "| residual | 20 | basic | A | 2 | 17.00 ± 2.83 | 19.00 ± 1.41 | - |") {
		t.Errorf("markdown:\n%s", md.String())
	}
}

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}

func TestPaperTestError(t *testing.T) {
	r := Run{Arch: "residual", Depth: 110, Block: "basic", Shortcut: "A", Dataset: "cifar10"}
	if v, ok := PaperTestError(&r); !ok || v != 0.0643 {
		t.Errorf("ResNet-110 = %v, %v", v, ok)
	}
	r.Dataset = "fashion-mnist-mini"
	if _, ok := PaperTestError(&r); ok {
		t.Error("a paper number for another dataset")
	}
}

func TestBuild(t *testing.T) {
	dir := t.TempDir()
	if err := os.CopyFS(dir, os.DirFS(fixture)); err != nil {
		t.Fatal(err)
	}
	_, err := Build(dir, Options{Rebuilt: &Provenance{Command: "resx report DIR", Commit: "def5678"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{MergedFile, SummaryMarkdownFile, SummaryJSONFile, "figure.png", "figure.svg", "figure.txt"} {
		if st, err := os.Stat(filepath.Join(dir, name)); err != nil || st.Size() == 0 {
			t.Errorf("%s: %v", name, err)
		}
	}
	png, _ := os.ReadFile(filepath.Join(dir, "figure.png"))
	if !bytes.HasPrefix(png, []byte("\x89PNG")) {
		t.Error("figure.png is not a PNG")
	}
	svg, _ := os.ReadFile(filepath.Join(dir, "figure.svg"))
	if !bytes.Contains(svg, []byte("<svg")) {
		t.Error("figure.svg is not an SVG")
	}
	caption, _ := os.ReadFile(filepath.Join(dir, "figure.txt"))
	for _, want := range []string{"resx compare plain residual --depths 20,56", "preset quick", "commit abc1234", "resx report DIR", "commit def5678"} {
		if !strings.Contains(string(caption), want) {
			t.Errorf("caption %q lacks %q", caption, want)
		}
	}
	// The report's own files must not make the folder look like a run.
	if _, err := LoadRuns(dir); err != nil {
		t.Fatal(err)
	}
	merged, _ := os.ReadFile(filepath.Join(dir, MergedFile))
	want, _ := os.ReadFile("testdata/golden/runs.csv")
	if !bytes.Equal(merged, want) {
		t.Error("Build's runs.csv differs from the golden file")
	}
}

func TestNoRuns(t *testing.T) {
	for _, dir := range []string{t.TempDir(), filepath.Join(t.TempDir(), "missing"), filepath.Join(fixture, "plain-20-basic-A-s1")} {
		if _, err := LoadRuns(dir); !errors.Is(err, ErrNoRuns) {
			t.Errorf("LoadRuns(%s) = %v, want ErrNoRuns", dir, err)
		}
	}
}

func TestMissingColumnIsNamed(t *testing.T) {
	dir := t.TempDir()
	run := filepath.Join(dir, "r")
	os.Mkdir(run, 0o755)
	os.WriteFile(filepath.Join(run, MetricsFile), []byte("epoch,iteration,train_error\n1,2,0.5\n"), 0o644)
	_, err := LoadRuns(dir)
	if err == nil || !strings.Contains(err.Error(), "no test_error column") || !strings.Contains(err.Error(), MetricsFile) {
		t.Errorf("err = %v", err)
	}
}

func TestWrap(t *testing.T) {
	got := wrap("aa bb cc dd", 5)
	if strings.Join(got, "|") != "aa bb|cc dd" {
		t.Errorf("wrap = %q", got)
	}
}

func TestCaptionWithoutProvenance(t *testing.T) {
	dir := t.TempDir()
	if err := os.CopyFS(dir, os.DirFS(fixture)); err != nil {
		t.Fatal(err)
	}
	os.Remove(filepath.Join(dir, ProvenanceFile))
	if _, err := Build(dir, Options{}); err != nil {
		t.Fatal(err)
	}
	caption, _ := os.ReadFile(filepath.Join(dir, "figure.txt"))
	if !strings.Contains(string(caption), "Runs made one by one") || !strings.Contains(string(caption), "commit abc1234") {
		t.Errorf("caption = %q", caption)
	}
}

func TestNoRunsNamesExperimentFolders(t *testing.T) {
	dir := t.TempDir()
	if err := os.CopyFS(filepath.Join(dir, "quick"), os.DirFS(fixture)); err != nil {
		t.Fatal(err)
	}
	_, err := LoadRuns(dir)
	if !errors.Is(err, ErrNoRuns) || !strings.Contains(err.Error(), "holds experiment folders (quick); give one of them") {
		t.Errorf("err = %v", err)
	}
}

func TestTrainingCurveUsesLogRows(t *testing.T) {
	nan := math.NaN()
	train := []float64{0.9, 0.8, 0.85, 0.5, 0.45}
	test := []float64{nan, nan, 0.7, nan, 0.4}
	got := trainingCurve(train, test)
	want := []float64{0.9, 0.8, nan, 0.5, nan}
	for i := range want {
		if math.IsNaN(want[i]) != math.IsNaN(got[i]) || (!math.IsNaN(want[i]) && got[i] != want[i]) {
			t.Fatalf("row %d: got %v, want %v", i, got, want)
		}
	}
	epochsOnly := []float64{0.7, 0.4}
	if got := trainingCurve([]float64{0.8, 0.5}, epochsOnly); got[0] != 0.8 || got[1] != 0.5 {
		t.Errorf("without log rows the epoch rows are the curve, got %v", got)
	}
}
