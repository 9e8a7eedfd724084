package report

import (
	"bytes"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const lesionFixture = "testdata/lesion"

func loadLesions(t *testing.T) []Lesion {
	t.Helper()
	var out []Lesion
	for _, run := range []string{"plain-14-basic-A-s1", "residual-14-basic-A-s1"} {
		l, err := LoadLesion(filepath.Join(lesionFixture, run))
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, l)
	}
	return out
}

func TestLesionMarkdownGolden(t *testing.T) {
	runs := loadLesions(t)
	if !math.IsNaN(float64(runs[0].Blocks[2].TestLoss)) {
		t.Errorf("a null loss reads as %v, want NaN", runs[0].Blocks[2].TestLoss)
	}
	var b bytes.Buffer
	if err := WriteLesionMarkdown(&b, runs); err != nil {
		t.Fatal(err)
	}
	golden(t, "lesion.md", b.Bytes())
}

func TestLesionFigure(t *testing.T) {
	runs := loadLesions(t)
	base := filepath.Join(t.TempDir(), LesionFigureBase)
	caption := LesionCaption(Provenance{Command: "resx lesion a b", Version: "v1", Commit: "abc"}, []string{"a", "b"})
	if want := "Made by `resx lesion a b` (resx v1, commit abc) from the newest checkpoints of its run folders. "; !strings.HasPrefix(caption, want) {
		t.Errorf("caption %q", caption)
	}
	if c := LesionCaption(Provenance{Command: "resx lesion x/a"}, []string{"x/a", "/abs/b"}); !strings.Contains(c, "of the run folders /abs/b.") {
		t.Errorf("caption %q does not name the folder the command does not show", c)
	}
	if err := WriteLesionFigure(base, runs, caption); err != nil {
		t.Fatal(err)
	}
	for _, ext := range []string{".png", ".svg"} {
		if fi, err := os.Stat(base + ext); err != nil || fi.Size() < 1000 {
			t.Errorf("%s: %v", ext, err)
		}
	}
	svg, _ := os.ReadFile(base + ".svg")
	for _, want := range []string{"plain-14", "residual-14", "deleted block", "resx lesion a b"} {
		if !bytes.Contains(svg, []byte(want)) {
			t.Errorf("the figure does not show %q", want)
		}
	}
	txt, _ := os.ReadFile(base + ".txt")
	if string(txt) != caption+"\n" {
		t.Errorf("caption %q", txt)
	}
	if err := WriteLesionFigure(base, nil, caption); err == nil {
		t.Error("a figure of no runs was drawn")
	}
}

func TestLoadLesionMissing(t *testing.T) {
	if _, err := LoadLesion(t.TempDir()); err == nil {
		t.Error("no lesion.json read without error")
	}
}
