package report

import (
	"fmt"
	"image/color"
	"io"
	"math"
	"os"
	"slices"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"
)

// panelSize is one panel's size; the paper's Figure 6 panels are about as
// wide as tall.
const (
	panelW  = 5 * vg.Inch
	panelH  = 4 * vg.Inch
	footerH = 0.45 * vg.Inch
)

// WriteFigure draws runs as in He et al. 2016, Figure 6, and writes it to
// base+".png" and base+".svg": one panel per arch side by side (plain, then
// residual), training error dashed and test error solid against
// iterations, the same colour for the same network in every panel. caption
// is printed under the panels (say what command, config and commit made it).
func WriteFigure(base string, runs []Run, caption string) error {
	panels, err := buildPanels(runs)
	if err != nil {
		return err
	}
	w := panelW * vg.Length(len(panels))
	h := panelH + footerH

	img := vgimg.New(w, h)
	drawFigure(draw.New(img), panels, caption)
	if err := writeTo(base+".png", vgimg.PngCanvas{Canvas: img}); err != nil {
		return err
	}
	svg := vgsvg.New(w, h)
	drawFigure(draw.New(svg), panels, caption)
	return writeTo(base+".svg", svg)
}

func writeTo(name string, wt io.WriterTo) error {
	f, err := os.Create(name)
	if err != nil {
		return err
	}
	if _, err := wt.WriteTo(f); err != nil {
		f.Close()
		return fmt.Errorf("%s: %w", name, err)
	}
	return f.Close()
}

func drawFigure(dc draw.Canvas, panels []*plot.Plot, caption string) {
	dc.SetColor(color.White)
	dc.Fill(dc.Rectangle.Path())
	body := draw.Crop(dc, 0, 0, footerH, 0)
	tiles := draw.Tiles{Rows: 1, Cols: len(panels), PadX: vg.Millimeter * 4, PadTop: vg.Millimeter * 2,
		PadBottom: vg.Millimeter * 2, PadLeft: vg.Millimeter * 2, PadRight: vg.Millimeter * 4}
	canvases := plot.Align([][]*plot.Plot{panels}, tiles, body)
	for i, p := range panels {
		p.Draw(canvases[0][i])
	}
	sty := panels[0].X.Tick.Label
	sty.Font.Size = vg.Points(8)
	sty.XAlign, sty.YAlign = draw.XLeft, draw.YCenter
	for i, line := range wrap(caption, int(float64(dc.Size().X/vg.Inch)*18)) {
		if i == 2 {
			break
		}
		dc.FillText(sty, vg.Point{X: dc.Min.X + vg.Millimeter*3, Y: dc.Min.Y + footerH*vg.Length(2-i)/3}, line)
	}
}

// wrap splits s into lines of at most n characters at spaces.
func wrap(s string, n int) []string {
	var lines []string
	cur := ""
	for _, w := range strings.Fields(s) {
		if cur != "" && len(cur)+1+len(w) > n {
			lines = append(lines, cur)
			cur = w
			continue
		}
		if cur != "" {
			cur += " "
		}
		cur += w
	}
	if cur != "" {
		lines = append(lines, cur)
	}
	return lines
}

// buildPanels makes one plot per arch, in the runs' order.
func buildPanels(runs []Run) ([]*plot.Plot, error) {
	var archs []string
	colourOf := map[string]int{}
	for _, r := range runs {
		if !slices.Contains(archs, r.Arch) {
			archs = append(archs, r.Arch)
		}
		k := colourKey(r)
		if _, ok := colourOf[k]; !ok {
			colourOf[k] = len(colourOf)
		}
	}
	short := shortLabels(runs)
	maxErr, maxIter := 0.0, 0.0
	var panels []*plot.Plot
	for _, arch := range archs {
		p := plot.New()
		p.Title.Text = arch + " (dashed: training error, solid: test error)"
		p.Title.TextStyle.Font.Size = vg.Points(11)
		p.X.Label.Text = "iterations"
		p.Y.Label.Text = "error (%)"
		p.Add(plotter.NewGrid())
		p.Legend.Top = true
		for _, r := range runs {
			if r.Arch != arch {
				continue
			}
			c := plotutil.Color(colourOf[colourKey(r)])
			label := r.Name
			if short {
				label = fmt.Sprintf("%s-%d", r.Arch, r.Depth)
			}
			iter := r.Column(colIteration)
			for _, col := range []string{colTrainError, colTestError} {
				y := r.Column(col)
				if col == colTrainError {
					y = trainingCurve(y, r.Column(colTestError))
				}
				xys := points(iter, y)
				if len(xys) == 0 {
					continue
				}
				for _, pt := range xys {
					maxErr = math.Max(maxErr, pt.Y)
					maxIter = math.Max(maxIter, pt.X)
				}
				l, pts, err := plotter.NewLinePoints(xys)
				if err != nil {
					return nil, fmt.Errorf("run %s %s: %w", r.Name, col, err)
				}
				l.LineStyle.Color = c
				l.LineStyle.Width = vg.Points(1.5)
				if col == colTrainError {
					l.LineStyle.Width = vg.Points(1)
					l.LineStyle.Dashes = []vg.Length{vg.Points(4), vg.Points(2)}
					p.Add(l)
					continue
				}
				// Test errors are few (one an epoch): mark them, so that a
				// run with one evaluation still shows.
				pts.GlyphStyle.Color = c
				pts.GlyphStyle.Shape = draw.CircleGlyph{}
				pts.GlyphStyle.Radius = vg.Points(1.5)
				p.Legend.Add(label, l)
				p.Add(l, pts)
			}
		}
		panels = append(panels, p)
	}
	if len(panels) == 0 {
		return nil, fmt.Errorf("figure: %w", ErrNoRuns)
	}
	// Shared axes, so that the panels compare at a glance.
	top := math.Min(100, math.Ceil(maxErr*1.05/5)*5)
	if top <= 0 {
		top = 100
	}
	for _, p := range panels {
		p.Y.Min, p.Y.Max = 0, top
		p.X.Min, p.X.Max = 0, math.Max(maxIter, 1)
	}
	return panels, nil
}

// colourKey is the run's name without its arch, so that plain-56 and
// residual-56 share a colour.
func colourKey(r Run) string { return strings.TrimPrefix(r.Name, r.Arch+"-") }

// shortLabels reports whether arch-depth names every run uniquely, so that
// the legend can read like the paper's (plain-20, plain-56).
func shortLabels(runs []Run) bool {
	seen := map[string]bool{}
	for _, r := range runs {
		k := fmt.Sprintf("%s-%d", r.Arch, r.Depth)
		if seen[k] {
			return false
		}
		seen[k] = true
	}
	return true
}

// points pairs iterations with errors, in percent, skipping missing cells.
// trainingCurve picks the rows the dashed curve is drawn through. Log rows
// (those without a test error) average the training error over the steps
// since the previous row; epoch rows average over the whole epoch, which lags.
// When a run has log rows, the curve uses them alone.
func trainingCurve(train, test []float64) []float64 {
	if !slices.ContainsFunc(test, math.IsNaN) {
		return train
	}
	out := slices.Clone(train)
	for i, t := range test {
		if !math.IsNaN(t) {
			out[i] = math.NaN()
		}
	}
	return out
}

func points(x, y []float64) plotter.XYs {
	var out plotter.XYs
	for i := range x {
		if math.IsNaN(x[i]) || math.IsNaN(y[i]) {
			continue
		}
		out = append(out, plotter.XY{X: x[i], Y: 100 * y[i]})
	}
	return out
}
