package main

import (
	"encoding/json"
	"strings"
	"testing"
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
}

func TestBenchBadFlags(t *testing.T) {
	for _, args := range [][]string{
		{"bench", "--depth", "21"},
		{"bench", "--batch", "0"},
		{"bench", "--input", "3x32"},
		{"bench", "--arch", "dense", "--depth", "8", "--steps", "1"},
	} {
		a := newApp(nil, nil, false, nil)
		if code, _, _ := runCmd(t, a, args...); code != 2 {
			t.Errorf("%v: exit %d, want 2", args, code)
		}
	}
}
