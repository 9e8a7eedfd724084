package config

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"reflect"
	"sort"
	"strings"

	"github.com/spf13/viper"
	"go.yaml.in/yaml/v3"

	"github.com/resx-dev/resx/configs"
)

// Source names the layers Load reads. Precedence, highest first: Sets, the
// RESX_* environment variables, File, Default().
type Source struct {
	// File is a YAML file or the name of an embedded preset ("quick",
	// "cifar10-residual-110"); "" reads no file. A file on disk wins over a
	// preset of the same name.
	File string
	// Sets are key=value assignments from the command line (--set and the
	// dedicated flags), applied in order, so a later one wins. A key may be
	// shortened to its last part when that is unambiguous (depth=56).
	Sets []string
}

// envExempt is the key with no environment variable: RESX_DATA_DIR is the
// dataset search's own (an explicit data folder, not part of any run's
// config), so it must not also become data.dir.
const envExempt = "data.dir"

// Load reads the configuration from src's layers into a Config. Unknown keys,
// values of the wrong type and unreadable files are reported together in a
// *ValidationError. Load does not call Validate.
func Load(src Source) (Config, error) {
	v := viper.New()
	v.SetConfigType("yaml")
	def := Default()
	for _, f := range fields {
		val, _ := def.Get(f.key)
		v.SetDefault(f.key, val)
	}

	var ps problems
	badSection := map[string]bool{} // sections the file gives a value, already reported
	fileName := ""
	if src.File != "" {
		data, name, err := readConfigFile(src.File)
		if err != nil {
			return Config{}, &ValidationError{Problems: []Problem{{Message: err.Error()}}}
		}
		fileName = name
		if err := v.ReadConfig(bytes.NewReader(data)); err != nil {
			return Config{}, &ValidationError{Problems: []Problem{{Message: fmt.Sprintf("config file %s: %v", name, err)}}}
		}
		keys := v.AllKeys()
		sort.Strings(keys) // report problems in the same order every time
		for _, k := range keys {
			if _, ok := fieldByKey[k]; ok {
				continue
			}
			if isSection(k) {
				// A section written as a value ("model: 3"); an empty one
				// ("model:" with every key commented out) sets nothing.
				if val := v.Get(k); val != nil && !isMap(val) {
					ps.add(k, "%s is %s, expected a section of %s.* keys, in %s", show(val), yamlKind(val), k, name)
					badSection[k] = true
				}
				continue
			}
			p := unknownKeyProblem(k)
			p.Message += " in " + name
			ps = append(ps, p)
		}
	}

	for _, f := range fields {
		if f.key != envExempt {
			if err := v.BindEnv(f.key, EnvName(f.key)); err != nil {
				return Config{}, err
			}
		}
	}

	fromFlag := map[string]bool{}
	for _, s := range src.Sets {
		k, val, ok := strings.Cut(s, "=")
		if !ok {
			ps.add("", "--set %q: expected key=value", s)
			continue
		}
		key, err := ResolveKey(k)
		if err != nil {
			ps = append(ps, err.(*ValidationError).Problems...)
			continue
		}
		v.Set(key, val)
		fromFlag[key] = true
	}

	origin := func(key string) string {
		switch {
		case fromFlag[key]:
			return "from the command line"
		case key != envExempt && os.Getenv(EnvName(key)) != "":
			return "from " + EnvName(key)
		case fileName != "" && v.InConfig(key):
			return "in " + fileName
		}
		return "default"
	}
	for _, f := range fields {
		if section, _, ok := strings.Cut(f.key, "."); ok && badSection[section] {
			continue
		}
		val, err := coerce(f.typ, v.Get(f.key))
		if err != nil {
			ps.add(f.key, "%v (%s)", err, origin(f.key))
			continue
		}
		v.Set(f.key, val)
	}
	if err := ps.err(); err != nil {
		return Config{}, err
	}

	var c Config
	if err := v.UnmarshalExact(&c); err != nil {
		return Config{}, &ValidationError{Problems: []Problem{{Message: err.Error()}}}
	}
	return c, nil
}

// isSection reports whether name is a section of keys (data, model, ...).
func isSection(name string) bool {
	for _, f := range fields {
		if strings.HasPrefix(f.key, name+".") {
			return true
		}
	}
	return false
}

func isMap(v any) bool {
	_, ok := v.(map[string]any)
	return ok
}

// readConfigFile reads name from disk or, failing that, from the presets.
func readConfigFile(name string) (data []byte, shown string, err error) {
	data, err = os.ReadFile(name)
	if err == nil {
		return data, name, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return nil, "", fmt.Errorf("config file: %w", err)
	}
	if p, perr := Preset(name); perr == nil {
		return p, "preset " + strings.TrimSuffix(name, ".yaml"), nil
	}
	return nil, "", fmt.Errorf("config file %s: no such file, and no such preset (presets: %s)",
		name, strings.Join(Presets(), ", "))
}

// Presets returns the names of the embedded presets, sorted.
func Presets() []string {
	entries, _ := fs.ReadDir(configs.FS, ".")
	var names []string
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".yaml") {
			names = append(names, strings.TrimSuffix(e.Name(), ".yaml"))
		}
	}
	sort.Strings(names)
	return names
}

// Preset returns the YAML text of the embedded preset name (".yaml" optional).
func Preset(name string) ([]byte, error) {
	name = strings.TrimSuffix(name, ".yaml")
	if name == "" || strings.ContainsAny(name, `/\`) || path.Clean(name) != name {
		return nil, fmt.Errorf("no preset %q", name)
	}
	return fs.ReadFile(configs.FS, name+".yaml")
}

// YAML renders c with every key, in the order of the Config struct; Load
// reads it back to the same Config.
func (c Config) YAML() []byte {
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(c); err != nil {
		// Config holds only strings, numbers, booleans and int lists.
		panic(fmt.Sprintf("config: encoding YAML: %v", err))
	}
	return b.Bytes()
}

// Equal reports whether a and b are the same configuration.
func Equal(a, b Config) bool { return reflect.DeepEqual(a, b) }
