package config

import (
	"reflect"
	"strings"
	"testing"
)

func names(vs []Variant) []string {
	var out []string
	for _, v := range vs {
		out = append(out, v.Name)
	}
	return out
}

func TestExpandCartesian(t *testing.T) {
	arch, _ := NewAxis("arch", []string{"plain", "residual"})
	depth, _ := NewAxis("depth", []string{"20", "56"})
	vs, err := Expand(Default(), []Axis{arch, depth})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"plain-20-basic-A-s1", "plain-56-basic-A-s1", "residual-20-basic-A-s1", "residual-56-basic-A-s1"}
	if got := names(vs); !reflect.DeepEqual(got, want) {
		t.Errorf("names = %v, want %v", got, want)
	}
	if vs[1].Config.Model.Arch != "plain" || vs[1].Config.Model.Depth != 56 {
		t.Errorf("variant 2 = %+v", vs[1].Config.Model)
	}
}

func TestExpandNoAxes(t *testing.T) {
	vs, err := Expand(Default(), nil)
	if err != nil || len(vs) != 1 || vs[0].Name != "residual-20-basic-A-s1" {
		t.Errorf("Expand(no axes) = %v, %v", names(vs), err)
	}
}

func TestExpandExtraKeysInName(t *testing.T) {
	lr, _ := ParseAxis("train.lr=0.1,0.01")
	steps, _ := ParseAxis("lr_steps=[100,200],[300]")
	vs, err := Expand(Default(), []Axis{lr, steps})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"residual-20-basic-A-s1-lr0.1-lr_steps100_200", "residual-20-basic-A-s1-lr0.1-lr_steps300",
		"residual-20-basic-A-s1-lr0.01-lr_steps100_200", "residual-20-basic-A-s1-lr0.01-lr_steps300",
	}
	if got := names(vs); !reflect.DeepEqual(got, want) {
		t.Errorf("names = %v, want %v", got, want)
	}
	if !reflect.DeepEqual(vs[0].Config.Train.LRSteps, []int{100, 200}) || !reflect.DeepEqual(vs[1].Config.Train.LRSteps, []int{300}) {
		t.Errorf("lr_steps not set per variant: %v %v", vs[0].Config.Train.LRSteps, vs[1].Config.Train.LRSteps)
	}
}

func TestExpandReportsEveryBadValue(t *testing.T) {
	depth, _ := NewAxis("depth", []string{"20", "57", "x"})
	_, err := Expand(Default(), []Axis{depth})
	if err == nil {
		t.Fatal("Expand accepted depth 57 and x")
	}
	msg := err.Error()
	for _, want := range []string{"model.depth: 57 is not 6n+2", "(run residual-57-basic-A-s1)", `model.depth: "x" is not an integer`} {
		if !strings.Contains(msg, want) {
			t.Errorf("error %q lacks %q", msg, want)
		}
	}
}

func TestExpandRejectsDuplicates(t *testing.T) {
	d1, _ := NewAxis("depth", []string{"20"})
	d2, _ := NewAxis("model.depth", []string{"56"})
	if _, err := Expand(Default(), []Axis{d1, d2}); err == nil {
		t.Error("a key swept twice was accepted")
	}
	d3, _ := NewAxis("depth", []string{"20", "20"})
	if _, err := Expand(Default(), []Axis{d3}); err == nil || !strings.Contains(err.Error(), "both be named") {
		t.Errorf("a repeated value: err = %v", err)
	}
}

func TestExpandDoesNotShareLists(t *testing.T) {
	base := Default()
	seed, _ := NewAxis("seed", []string{"1", "2"})
	vs, err := Expand(base, []Axis{seed})
	if err != nil {
		t.Fatal(err)
	}
	vs[0].Config.Train.LRSteps[0] = 1
	if base.Train.LRSteps[0] == 1 || vs[1].Config.Train.LRSteps[0] == 1 {
		t.Error("variants share the lr_steps slice")
	}
}

func TestParseAxisErrors(t *testing.T) {
	for _, s := range []string{"depth", "nokey=1,2", "depth="} {
		if _, err := ParseAxis(s); err == nil {
			t.Errorf("ParseAxis(%q) succeeded", s)
		}
	}
}

func TestSplitValues(t *testing.T) {
	for in, want := range map[string][]string{
		"1,2":       {"1", "2"},
		" a , b ":   {"a", "b"},
		"[1,2],[3]": {"[1,2]", "[3]"},
		"":          nil,
		"0.1":       {"0.1"},
	} {
		if got := SplitValues(in); !reflect.DeepEqual(got, want) {
			t.Errorf("SplitValues(%q) = %q, want %q", in, got, want)
		}
	}
}
