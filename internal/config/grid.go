package config

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Axis is one swept key and the values it takes, as the user wrote them.
type Axis struct {
	Key    string
	Values []string
}

// ParseAxis parses "key=v1,v2,..." (the --grid flag). The key may be
// shortened as in ResolveKey; a list value is written in brackets:
// "lr_steps=[16000,24000],[32000,48000]".
func ParseAxis(s string) (Axis, error) {
	k, vals, ok := strings.Cut(s, "=")
	if !ok {
		return Axis{}, &ValidationError{Problems: []Problem{{Message: fmt.Sprintf("grid %q: expected key=v1,v2,...", s)}}}
	}
	return NewAxis(k, SplitValues(vals))
}

// NewAxis resolves key and checks that values is not empty.
func NewAxis(key string, values []string) (Axis, error) {
	full, err := ResolveKey(key)
	if err != nil {
		return Axis{}, err
	}
	if len(values) == 0 {
		return Axis{}, &ValidationError{Problems: []Problem{{Key: full, Message: "no values to sweep"}}}
	}
	return Axis{Key: full, Values: values}, nil
}

// SplitValues splits a comma-separated list of values, keeping commas inside
// brackets: "1,2" -> [1 2]; "[1,2],[3]" -> [[1,2] [3]].
func SplitValues(s string) []string {
	var out []string
	depth, start := 0, 0
	for i, r := range s {
		switch r {
		case '[':
			depth++
		case ']':
			depth--
		case ',':
			if depth == 0 {
				out = append(out, strings.TrimSpace(s[start:i]))
				start = i + 1
			}
		}
	}
	if last := strings.TrimSpace(s[start:]); last != "" || len(out) > 0 {
		out = append(out, last)
	}
	return out
}

// Variant is one point of a grid: a full configuration and the name of its
// run folder.
type Variant struct {
	Name   string
	Config Config
}

// Expand returns the cartesian product of axes applied to base, the first
// axis varying slowest, each variant validated and named by RunName. Axis
// values override everything in base. With no axes it returns base alone.
// Problems of all variants are reported together, prefixed by the variant.
func Expand(base Config, axes []Axis) ([]Variant, error) {
	seen := map[string]bool{}
	for _, a := range axes {
		if seen[a.Key] {
			return nil, &ValidationError{Problems: []Problem{{Key: a.Key, Message: "swept twice"}}}
		}
		seen[a.Key] = true
	}
	var extra []string
	for _, a := range axes {
		if !nameKeys[a.Key] {
			extra = append(extra, a.Key)
		}
	}

	var out []Variant
	var ps problems
	// A bad value fails every variant it is in: say so once, naming the runs.
	runsOf := map[Problem][]string{}
	var order []Problem
	names := map[string]bool{}
	idx := make([]int, len(axes))
	for {
		c := base
		c.Train.LRSteps = append([]int(nil), base.Train.LRSteps...)
		var desc []string
		ok := true
		for i, a := range axes {
			if err := c.Set(a.Key, a.Values[idx[i]]); err != nil {
				for _, p := range err.(*ValidationError).Problems {
					if !slices.Contains(ps, p) { // once, not once per variant
						ps = append(ps, p)
					}
				}
				ok = false
			}
			desc = append(desc, a.Key+"="+a.Values[idx[i]])
		}
		if ok {
			name := RunName(c, extra...)
			if err := c.Validate(); err != nil {
				for _, p := range err.(*ValidationError).Problems {
					if _, seen := runsOf[p]; !seen {
						order = append(order, p)
					}
					runsOf[p] = append(runsOf[p], name)
				}
			} else if names[name] {
				ps.add("", "two runs would both be named %s (%s): remove the repeated value", name, strings.Join(desc, " "))
			}
			names[name] = true
			out = append(out, Variant{Name: name, Config: c})
		}
		if !next(idx, axes) {
			break
		}
	}
	for _, p := range order {
		p.Message += " (" + plural(len(runsOf[p]), "run ", "runs ") + strings.Join(runsOf[p], ", ") + ")"
		ps = append(ps, p)
	}
	if err := ps.err(); err != nil {
		return nil, err
	}
	return out, nil
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// next advances idx like an odometer, the last axis fastest; it reports
// false after the last combination.
func next(idx []int, axes []Axis) bool {
	for i := len(idx) - 1; i >= 0; i-- {
		idx[i]++
		if idx[i] < len(axes[i].Values) {
			return true
		}
		idx[i] = 0
	}
	return false
}

// nameKeys are the keys every run name shows.
var nameKeys = map[string]bool{
	"model.arch": true, "model.depth": true, "model.block": true, "model.shortcut": true, "seed": true,
}

// RunName is the folder name of a run of c: <arch>-<depth>-<block>-<shortcut>-s<seed>
// (residual-56-basic-A-s1), followed by -<key><value> for each of extraKeys,
// the swept keys the name does not already show (residual-56-basic-A-s1-lr0.01).
func RunName(c Config, extraKeys ...string) string {
	name := fmt.Sprintf("%s-%d-%s-%s-s%d", c.Model.Arch, c.Model.Depth, c.Model.Block, c.Model.Shortcut, c.Seed)
	for _, k := range extraKeys {
		v, err := c.Get(k)
		if err != nil {
			continue
		}
		short := k[strings.LastIndexByte(k, '.')+1:]
		name += "-" + short + sanitize(formatValue(v))
	}
	return name
}

func formatValue(v any) string {
	switch x := v.(type) {
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 64)
	case []int:
		s := make([]string, len(x))
		for i, n := range x {
			s[i] = strconv.Itoa(n)
		}
		return strings.Join(s, "_")
	}
	return fmt.Sprint(v)
}

// sanitize keeps letters, digits, '.', '_' and '-' so that a value is safe
// in a folder name.
func sanitize(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '.', r == '_', r == '-':
			return r
		}
		return '_'
	}, s)
}
