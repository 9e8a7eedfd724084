package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/resx-dev/resx/internal/kernel"
)

func TestBenchJSONLine(t *testing.T) {
	a := newApp(nil, nil, false, nil)
	code, out, errOut := runCmd(t, a, "bench", "--json", "--arch", "plain", "--depth", "8", "--width", "0.25",
		"--input", "1x8x8", "--batch", "4", "--steps", "2", "--warmup", "1", "--threads", "1")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if strings.Count(out, "\n") != 1 {
		t.Fatalf("want one JSON line, got %q", out)
	}
	var r map[string]any
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"images_per_s", "eval_images_per_s", "bytes_per_step", "peak_rss_mib", "train_gflops", "params"} {
		if v, ok := r[k].(float64); !ok || v <= 0 {
			t.Errorf("%s = %v", k, r[k])
		}
	}
	if r["arch"] != "plain" || r["depth"] != 8.0 || r["impl"] != "resx" {
		t.Errorf("identity fields %v %v %v", r["impl"], r["arch"], r["depth"])
	}
	if k, _ := r["kernels"].(string); k != kernel.KernelSet() {
		t.Errorf("kernels %q, want %q", k, kernel.KernelSet())
	}
}

func TestBenchBadFlags(t *testing.T) {
	for _, args := range [][]string{
		{"bench", "--depth", "21"},
		{"bench", "--batch", "0"},
		{"bench", "--input", "3x32"},
		{"bench", "--arch", "dense", "--depth", "8", "--steps", "1"},
		{"bench", "--kernels", "--kernel-time", "0s"},
	} {
		a := newApp(nil, nil, false, nil)
		if code, _, _ := runCmd(t, a, args...); code != 2 {
			t.Errorf("%v: exit %d, want 2", args, code)
		}
	}
}

func TestBenchText(t *testing.T) {
	a := newApp(nil, nil, false, nil)
	code, out, errOut := runCmd(t, a, "bench", "--arch", "plain", "--depth", "8", "--width", "0.25",
		"--input", "1x8x8", "--batch", "4", "--steps", "2", "--warmup", "1", "--threads", "1")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if len(lines) != 5 || !strings.HasPrefix(lines[0], "plain-8 (basic, ") || !strings.HasPrefix(lines[1], "  training: ") || !strings.HasPrefix(lines[2], "  evaluation: ") {
		t.Fatalf("unexpected output:\n%s", out)
	}
	if want := ", 1 threads, "; !strings.Contains(lines[0], want) {
		t.Errorf("first line %q lacks %q", lines[0], want)
	}
	if want := ", " + kernel.KernelSet() + " kernels"; !strings.HasSuffix(lines[0], want) {
		t.Errorf("first line %q does not end in %q", lines[0], want)
	}
}

// tinyKernelBench is a small net at batch 2 with short measurements.
var tinyKernelBench = []string{"bench", "--kernels", "--arch", "residual", "--depth", "8", "--width", "0.25",
	"--input", "1x8x8", "--batch", "2", "--steps", "2", "--warmup", "1", "--threads", "2", "--kernel-time", "1ms"}

func TestBenchKernelsTable(t *testing.T) {
	a := newApp(nil, nil, false, nil)
	code, out, errOut := runCmd(t, a, tinyKernelBench...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if len(lines) < 4 || !strings.HasPrefix(lines[0], "per-core peak: ") || !strings.Contains(lines[0], "GFLOP/s (") {
		t.Fatalf("no peak line first:\n%s", out)
	}
	if !strings.Contains(lines[2], "% peak") || !strings.Contains(lines[2], "(2 threads)") {
		t.Errorf("header %q", lines[2])
	}
	if want := ", " + kernel.KernelSet() + " kernels"; !strings.HasSuffix(lines[1], want) {
		t.Errorf("network line %q does not end in %q", lines[1], want)
	}
	// 6 layer kinds, the stem without an input gradient, then 3 totals
	if rows := len(lines) - 3; rows != 6*3-1+3 {
		t.Errorf("%d rows, want 20:\n%s", rows, out)
	}
	for _, want := range []string{"3x3 1->4 @8x8", "3x3 4->8 s2 @8x8", "all convolutions", "weight-grad"} {
		if !strings.Contains(out, want) {
			t.Errorf("no %q in\n%s", want, out)
		}
	}
}

func TestBenchKernelsJSON(t *testing.T) {
	a := newApp(nil, nil, false, nil)
	code, out, errOut := runCmd(t, a, append(tinyKernelBench, "--json")...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if strings.Count(out, "\n") != 1 {
		t.Fatalf("want one JSON line, got %q", out)
	}
	var r struct {
		Peak    float64 `json:"peak_gflops"`
		Kind    string  `json:"peak_kind"`
		Threads int     `json:"threads"`
		Layers  []struct {
			Name    string           `json:"name"`
			Count   int              `json:"count"`
			First   bool             `json:"first"`
			Timings []map[string]any `json:"timings"`
		} `json:"layers"`
		Totals []map[string]any `json:"totals"`
	}
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatal(err)
	}
	if r.Peak <= 0 || r.Kind == "" || r.Threads != 2 || len(r.Layers) != 6 || len(r.Totals) != 3 {
		t.Fatalf("report %+v", r)
	}
	if l := r.Layers[0]; l.Name != "3x3 1->4 @8x8" || !l.First || len(l.Timings) != 2 {
		t.Errorf("stem %+v", l)
	}
	for _, k := range []string{"core_gflops", "peak_pct", "wall_gflops", "flops"} {
		if v, ok := r.Totals[0][k].(float64); !ok || v <= 0 {
			t.Errorf("totals[0].%s = %v", k, r.Totals[0][k])
		}
	}
}
