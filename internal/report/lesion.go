package report

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"
)

// Files of the lesion study: lesion.json in each run folder (written by
// resx lesion), and the figure of several runs.
const (
	LesionFile       = "lesion.json"
	LesionFigureBase = "lesion" // .png, .svg and .txt
)

// Lesion is a run folder's lesion.json: the trained network evaluated with
// blocks deleted at test time. Errors are fractions in [0, 1]; a loss that
// was not finite is NaN.
type Lesion struct {
	Run        string       `json:"run"`
	Arch       string       `json:"arch"`
	Depth      int          `json:"depth"`
	Block      string       `json:"block"`
	Shortcut   string       `json:"shortcut"`
	Dataset    string       `json:"dataset"`
	Checkpoint string       `json:"checkpoint"`
	Iteration  int          `json:"iteration"`
	Split      string       `json:"split"`
	Images     int          `json:"images"`
	Intact     LesionRow    `json:"intact"`
	Blocks     []LesionRow  `json:"blocks"`
	Random     []LesionSets `json:"random"`
}

// LesionRow is the network with one block deleted (Block -1: none).
type LesionRow struct {
	Block     int      `json:"block"`
	Stage     int      `json:"stage"`
	InStage   int      `json:"block_in_stage"`
	TestError float64  `json:"test_error"`
	TestLoss  nullable `json:"test_loss"`
}

// LesionSets is the mean over Sets sets of Deleted blocks deleted at once.
type LesionSets struct {
	Deleted   int      `json:"deleted"`
	Sets      int      `json:"sets"`
	MeanError float64  `json:"mean_test_error"`
	SDError   float64  `json:"sd_test_error"`
	MeanLoss  nullable `json:"mean_test_loss"`
}

// nullable is a number that lesion.json writes as null when it is not
// finite; it reads null back as NaN.
type nullable float64

func (v *nullable) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*v = nullable(math.NaN())
		return nil
	}
	var f float64
	if err := json.Unmarshal(b, &f); err != nil {
		return err
	}
	*v = nullable(f)
	return nil
}

func (v nullable) MarshalJSON() ([]byte, error) {
	if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
		return []byte("null"), nil
	}
	return json.Marshal(float64(v))
}

// LoadLesion reads runDir/lesion.json.
func LoadLesion(runDir string) (Lesion, error) {
	p := filepath.Join(runDir, LesionFile)
	b, err := os.ReadFile(p)
	if err != nil {
		return Lesion{}, err
	}
	var l Lesion
	if err := json.Unmarshal(b, &l); err != nil {
		return Lesion{}, fmt.Errorf("%s: %w", p, err)
	}
	return l, nil
}

// worst is the block whose deletion hurts most, and the mean error over
// single deletions.
func (l *Lesion) worst() (block int, worstErr, mean float64) {
	block = -1
	for _, r := range l.Blocks {
		mean += r.TestError
		if block < 0 || r.TestError > worstErr {
			block, worstErr = r.Block, r.TestError
		}
	}
	if len(l.Blocks) > 0 {
		mean /= float64(len(l.Blocks))
	}
	return block, worstErr, mean
}

// WriteLesionMarkdown writes the lesion tables of runs: a summary with one
// line per run, then, per run, the error with each block deleted and, if
// measured, the mean error with k random blocks deleted. Errors are in
// percent.
func WriteLesionMarkdown(w io.Writer, runs []Lesion) error {
	var b strings.Builder
	b.WriteString("| run | arch | depth | blocks | checkpoint iteration | intact error (%) | one block deleted: mean error (%) | worst error (%) | worst block |\n")
	b.WriteString("|---|---|---|---|---|---|---|---|---|\n")
	for _, l := range runs {
		blk, worst, mean := l.worst()
		fmt.Fprintf(&b, "| %s | %s | %d | %d | %d | %s | %s | %s | %s |\n", l.Run, l.Arch, l.Depth, len(l.Blocks),
			l.Iteration, percent(l.Intact.TestError), percent(mean), percent(worst), blockName(l.Blocks, blk))
	}
	for _, l := range runs {
		fmt.Fprintf(&b, "\n### %s: one block deleted\n\n", l.Run)
		b.WriteString("| deleted block | stage | block in stage | test error (%) | test loss |\n")
		b.WriteString("|---|---|---|---|---|\n")
		fmt.Fprintf(&b, "| none | - | - | %s | %s |\n", percent(l.Intact.TestError), loss(l.Intact.TestLoss))
		for _, r := range l.Blocks {
			fmt.Fprintf(&b, "| %d | %d | %d | %s | %s |\n", r.Block, r.Stage, r.InStage, percent(r.TestError), loss(r.TestLoss))
		}
		if len(l.Random) == 0 {
			continue
		}
		fmt.Fprintf(&b, "\n### %s: k blocks deleted\n\n", l.Run)
		b.WriteString("| blocks deleted | sets | mean test error (%) | sd (%) | mean test loss |\n")
		b.WriteString("|---|---|---|---|---|\n")
		for _, s := range l.Random {
			fmt.Fprintf(&b, "| %d | %d | %s | %s | %s |\n", s.Deleted, s.Sets, percent(s.MeanError), percent(s.SDError), loss(s.MeanLoss))
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func percent(v float64) string { return fmt.Sprintf("%.2f", 100*v) }

func loss(v nullable) string {
	if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
		return "-"
	}
	return fmt.Sprintf("%.4f", float64(v))
}

// blockName names block b as the parameters do (s2.b1), or "-".
func blockName(rows []LesionRow, b int) string {
	for _, r := range rows {
		if r.Block == b {
			return fmt.Sprintf("%d (s%d.b%d)", r.Block, r.Stage, r.InStage)
		}
	}
	return "-"
}

// LesionCaption says what made a lesion figure: the command, its version
// and commit, and the run folders (those the command line does not show
// are listed).
func LesionCaption(made Provenance, runDirs []string) string {
	var hidden []string
	words := strings.Fields(made.Command)
	for _, d := range runDirs {
		if !slices.Contains(words, d) {
			hidden = append(hidden, d)
		}
	}
	from := "the newest checkpoints of its run folders"
	if len(hidden) > 0 {
		from = "the newest checkpoints of the run folders " + strings.Join(hidden, ", ")
	}
	return "Made by `" + made.Command + "`" + describe(made) + " from " + from +
		". Solid: test error with one block deleted; dashed: the intact network."
}

// WriteLesionFigure draws the test error against the index of the deleted
// block, one line per run, with the intact network's error as a dashed
// horizontal line of the same colour, and writes it to base+".png",
// base+".svg" and the caption to base+".txt".
func WriteLesionFigure(base string, runs []Lesion, caption string) error {
	p, err := lesionPlot(runs)
	if err != nil {
		return err
	}
	// Wider than a training panel, so that two caption lines hold the
	// command with its run folders.
	w, h := 7*vg.Inch, panelH+footerH
	img := vgimg.New(w, h)
	drawFigure(draw.New(img), []*plot.Plot{p}, caption)
	if err := writeTo(base+".png", vgimg.PngCanvas{Canvas: img}); err != nil {
		return err
	}
	svg := vgsvg.New(w, h)
	drawFigure(draw.New(svg), []*plot.Plot{p}, caption)
	if err := writeTo(base+".svg", svg); err != nil {
		return err
	}
	return os.WriteFile(base+".txt", []byte(caption+"\n"), 0o644)
}

func lesionPlot(runs []Lesion) (*plot.Plot, error) {
	if len(runs) == 0 {
		return nil, fmt.Errorf("lesion figure: %w", ErrNoRuns)
	}
	p := plot.New()
	p.Title.Text = "Deleting one block at test time"
	p.Title.TextStyle.Font.Size = vg.Points(11)
	p.X.Label.Text = "deleted block"
	p.Y.Label.Text = "test error (%)"
	p.Add(plotter.NewGrid())
	p.Legend.Top = true
	p.Legend.Left = true
	maxBlock := 1.0
	short := shortLesionLabels(runs)
	for i, l := range runs {
		c := plotutil.Color(i)
		var xys plotter.XYs
		for _, r := range l.Blocks {
			xys = append(xys, plotter.XY{X: float64(r.Block), Y: 100 * r.TestError})
		}
		if len(xys) == 0 {
			return nil, fmt.Errorf("lesion figure: run %s has no blocks", l.Run)
		}
		maxBlock = math.Max(maxBlock, float64(len(l.Blocks)-1))
		line, pts, err := plotter.NewLinePoints(xys)
		if err != nil {
			return nil, fmt.Errorf("run %s: %w", l.Run, err)
		}
		line.LineStyle.Color, line.LineStyle.Width = c, vg.Points(1.5)
		pts.GlyphStyle.Color, pts.GlyphStyle.Shape, pts.GlyphStyle.Radius = c, draw.CircleGlyph{}, vg.Points(1.5)
		intact, err := plotter.NewLine(plotter.XYs{{X: 0, Y: 100 * l.Intact.TestError},
			{X: float64(len(l.Blocks) - 1), Y: 100 * l.Intact.TestError}})
		if err != nil {
			return nil, fmt.Errorf("run %s: %w", l.Run, err)
		}
		intact.LineStyle.Color, intact.LineStyle.Width = c, vg.Points(1)
		intact.LineStyle.Dashes = []vg.Length{vg.Points(4), vg.Points(2)}
		p.Add(intact, line, pts)
		label := l.Run
		if short {
			label = fmt.Sprintf("%s-%d", l.Arch, l.Depth)
		}
		p.Legend.Add(label, line)
	}
	p.X.Min, p.X.Max = 0, maxBlock
	p.X.Tick.Marker = blockTicks(int(maxBlock) + 1)
	// Room above 100% for the legend, so that it hides no line.
	p.Y.Min, p.Y.Max = 0, 100+8*float64(len(runs))
	p.Y.Tick.Marker = plot.ConstantTicks([]plot.Tick{{Value: 0, Label: "0"}, {Value: 25}, {Value: 50, Label: "50"},
		{Value: 75}, {Value: 100, Label: "100"}})
	return p, nil
}

// blockTicks marks every block, labelling each one in small nets and the
// first block of each of the three stages in larger ones.
func blockTicks(blocks int) plot.Ticker {
	per := max(1, blocks/3)
	var ticks []plot.Tick
	for b := range blocks {
		t := plot.Tick{Value: float64(b)}
		if blocks <= 12 || b%per == 0 || b == blocks-1 {
			t.Label = strconv.Itoa(b)
		}
		ticks = append(ticks, t)
	}
	return plot.ConstantTicks(ticks)
}

// shortLesionLabels reports whether arch-depth names every run uniquely.
func shortLesionLabels(runs []Lesion) bool {
	seen := map[string]bool{}
	for _, l := range runs {
		k := fmt.Sprintf("%s-%d", l.Arch, l.Depth)
		if seen[k] {
			return false
		}
		seen[k] = true
	}
	return true
}
