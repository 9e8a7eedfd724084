package config

import (
	"fmt"
	"math"
	"reflect"
	"sort"
	"strconv"
	"strings"
)

// field is one user-visible key and where it lives in Config.
type field struct {
	key   string
	index []int
	typ   reflect.Type
}

// fields lists every key of Config in declaration order; it is derived from
// the mapstructure tags so that the struct stays the one place keys are named.
var fields = collectFields(reflect.TypeOf(Config{}), "", nil)

var fieldByKey = func() map[string]field {
	m := make(map[string]field, len(fields))
	for _, f := range fields {
		m[f.key] = f
	}
	return m
}()

func collectFields(t reflect.Type, prefix string, index []int) []field {
	var out []field
	for i := 0; i < t.NumField(); i++ {
		sf := t.Field(i)
		name := sf.Tag.Get("mapstructure")
		if name == "" || name == "-" {
			continue
		}
		key := prefix + name
		idx := append(append([]int(nil), index...), i)
		if sf.Type.Kind() == reflect.Struct {
			out = append(out, collectFields(sf.Type, key+".", idx)...)
			continue
		}
		out = append(out, field{key: key, index: idx, typ: sf.Type})
	}
	return out
}

// Keys returns every configuration key (data.name, model.depth, train.lr, ...)
// in the order the Config struct declares them.
func Keys() []string {
	keys := make([]string, len(fields))
	for i, f := range fields {
		keys[i] = f.key
	}
	return keys
}

// EnvName is the environment variable that sets key: RESX_ followed by the
// key in upper case with dots and dashes turned into underscores
// (train.lr -> RESX_TRAIN_LR). data.dir has none: RESX_DATA_DIR belongs to
// the dataset search.
func EnvName(key string) string {
	return "RESX_" + strings.ToUpper(strings.NewReplacer(".", "_", "-", "_").Replace(key))
}

// ResolveKey turns what a user typed into a key: a full key (model.depth) or,
// as a shorthand, the last part of exactly one key (depth, lr, survival).
func ResolveKey(name string) (string, error) {
	name = strings.ToLower(strings.TrimSpace(name))
	if _, ok := fieldByKey[name]; ok {
		return name, nil
	}
	var matches []string
	for _, f := range fields {
		if strings.HasSuffix(f.key, "."+name) {
			matches = append(matches, f.key)
		}
	}
	switch len(matches) {
	case 1:
		return matches[0], nil
	case 0:
		return "", unknownKeyError(name)
	default:
		return "", &ValidationError{Problems: []Problem{{Key: name,
			Message: "ambiguous key: say " + strings.Join(matches, " or ")}}}
	}
}

func unknownKeyError(key string) error {
	return &ValidationError{Problems: []Problem{unknownKeyProblem(key)}}
}

func unknownKeyProblem(key string) Problem {
	msg := "unknown key"
	if s := suggest(key); s != "" {
		msg += " (did you mean " + s + "?)"
	}
	return Problem{Key: key, Message: msg}
}

// suggest returns the known key closest to key, if it is close enough to be
// a likely misspelling.
func suggest(key string) string {
	best, bestD := "", 4
	for _, f := range fields {
		d := editDistance(key, f.key)
		if i := strings.LastIndexByte(f.key, '.'); i >= 0 {
			d = min(d, editDistance(key, f.key[i+1:]))
		}
		if d < bestD {
			best, bestD = f.key, d
		}
	}
	if bestD > len(key)/3+1 {
		return ""
	}
	return best
}

func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// Get returns the value of key in c.
func (c *Config) Get(key string) (any, error) {
	f, ok := fieldByKey[key]
	if !ok {
		return nil, unknownKeyError(key)
	}
	return reflect.ValueOf(c).Elem().FieldByIndex(f.index).Interface(), nil
}

// Set parses value as the type of key and stores it in c. Lists are written
// comma-separated, optionally in brackets: "32000,48000" or "[32000, 48000]".
func (c *Config) Set(key, value string) error {
	f, ok := fieldByKey[key]
	if !ok {
		return unknownKeyError(key)
	}
	v, err := coerce(f.typ, value)
	if err != nil {
		return &ValidationError{Problems: []Problem{{Key: key, Message: err.Error()}}}
	}
	reflect.ValueOf(c).Elem().FieldByIndex(f.index).Set(reflect.ValueOf(v))
	return nil
}

// coerce converts raw (a YAML value, or a string from the environment or a
// flag) to a value of type t, strictly: 20.5 is not an int, "yes" is not a
// number, 1 is not a string.
func coerce(t reflect.Type, raw any) (any, error) {
	if raw == nil {
		return nil, fmt.Errorf("no value (expected %s)", typeName(t))
	}
	switch t.Kind() {
	case reflect.String:
		s, ok := raw.(string)
		if !ok {
			return nil, fmt.Errorf("%s is %s, expected a string (quote it)", show(raw), yamlKind(raw))
		}
		return s, nil
	case reflect.Bool:
		switch v := raw.(type) {
		case bool:
			return v, nil
		case string:
			b, err := strconv.ParseBool(strings.TrimSpace(v))
			if err != nil {
				return nil, fmt.Errorf("%q is not a boolean (true or false)", v)
			}
			return b, nil
		}
	case reflect.Int, reflect.Uint64:
		n, err := toInt(raw)
		if err != nil {
			return nil, err
		}
		if t.Kind() == reflect.Uint64 {
			if n < 0 {
				return nil, fmt.Errorf("%d is negative, expected an unsigned integer", n)
			}
			return uint64(n), nil
		}
		return int(n), nil
	case reflect.Float64:
		switch v := raw.(type) {
		case float64:
			return v, nil
		case int:
			return float64(v), nil
		case int64:
			return float64(v), nil
		case uint64:
			return float64(v), nil
		case string:
			x, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
			if err != nil {
				return nil, fmt.Errorf("%q is not a number", v)
			}
			return x, nil
		}
	case reflect.Slice:
		var items []any
		switch v := raw.(type) {
		case []any:
			items = v
		case []int:
			for _, x := range v {
				items = append(items, x)
			}
		case string:
			for _, s := range splitList(v) {
				items = append(items, s)
			}
		default:
			return nil, fmt.Errorf("%s is %s, expected %s", show(raw), yamlKind(raw), typeName(t))
		}
		out := reflect.MakeSlice(t, 0, len(items))
		for i, it := range items {
			x, err := coerce(t.Elem(), it)
			if err != nil {
				return nil, fmt.Errorf("item %d: %w", i+1, err)
			}
			out = reflect.Append(out, reflect.ValueOf(x))
		}
		return out.Interface(), nil
	}
	return nil, fmt.Errorf("%s is %s, expected %s", show(raw), yamlKind(raw), typeName(t))
}

func toInt(raw any) (int64, error) {
	switch v := raw.(type) {
	case int:
		return int64(v), nil
	case int64:
		return v, nil
	case uint64:
		if v > math.MaxInt64 {
			return 0, fmt.Errorf("%d is too large", v)
		}
		return int64(v), nil
	case float64:
		if v != math.Trunc(v) || math.Abs(v) > 1<<53 {
			return 0, fmt.Errorf("%v is not an integer", v)
		}
		return int64(v), nil
	case string:
		s := strings.TrimSpace(v)
		if n, err := strconv.ParseInt(s, 10, 64); err == nil {
			return n, nil
		}
		// Allow 64e3 and 6.4e4 for iteration counts.
		if x, err := strconv.ParseFloat(s, 64); err == nil && x == math.Trunc(x) && math.Abs(x) <= 1<<53 {
			return int64(x), nil
		}
		return 0, fmt.Errorf("%q is not an integer", v)
	}
	return 0, fmt.Errorf("%s is %s, expected an integer", show(raw), yamlKind(raw))
}

// splitList splits "a,b" or "[a, b]" into its trimmed items; "" and "[]"
// are the empty list.
func splitList(s string) []string {
	s = strings.TrimSpace(s)
	s = strings.TrimSuffix(strings.TrimPrefix(s, "["), "]")
	if strings.TrimSpace(s) == "" {
		return nil
	}
	parts := strings.Split(s, ",")
	for i := range parts {
		parts[i] = strings.TrimSpace(parts[i])
	}
	return parts
}

func typeName(t reflect.Type) string {
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "a boolean"
	case reflect.Int:
		return "an integer"
	case reflect.Uint64:
		return "an unsigned integer"
	case reflect.Float64:
		return "a number"
	case reflect.Slice:
		return "a list of " + strings.TrimPrefix(strings.TrimPrefix(typeName(t.Elem()), "an "), "a ") + "s"
	}
	return t.String()
}

func yamlKind(v any) string {
	switch v.(type) {
	case string:
		return "a string"
	case bool:
		return "a boolean"
	case int, int64, uint64:
		return "an integer"
	case float64:
		return "a number"
	case []any:
		return "a list"
	case map[string]any:
		return "a section"
	}
	return fmt.Sprintf("a %T", v)
}

func show(v any) string {
	switch x := v.(type) {
	case string:
		return strconv.Quote(x)
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		return "{" + strings.Join(keys, ", ") + "}"
	}
	return fmt.Sprint(v)
}
