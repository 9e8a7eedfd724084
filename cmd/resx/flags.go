package main

import (
	"strconv"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/resx-dev/resx/internal/config"
)

// defaultPreset is the configuration of train, compare and sweep when no
// --config is given: the quick demo on the embedded dataset.
const defaultPreset = "quick"

// runFlags are the flags of every command that trains.
type runFlags struct {
	config  string
	sets    []string
	out     string
	seed    uint64
	threads int

	fs *pflag.FlagSet
}

func (f *runFlags) bind(cmd *cobra.Command) {
	fs := cmd.Flags()
	f.fs = fs
	fs.StringVarP(&f.config, "config", "c", "", "YAML config file or preset name (default: the "+defaultPreset+" preset; see resx config presets)")
	fs.StringArrayVar(&f.sets, "set", nil, "set a config key, key=value (repeatable; overrides file and environment)")
	fs.StringVarP(&f.out, "out", "o", "results", "folder for results: runs go to OUT/<name>/<run>/")
	fs.Uint64Var(&f.seed, "seed", 0, "random seed (the config key seed)")
	fs.IntVar(&f.threads, "threads", 0, "worker threads, 0 = all CPUs (the config key threads)")
	_ = cmd.RegisterFlagCompletionFunc("config", completeConfig)
}

// source is the config file or preset these flags read.
func (f *runFlags) source() string {
	if f.config == "" {
		return defaultPreset
	}
	return f.config
}

// describeSource names the config for provenance.
func (f *runFlags) describeSource() string {
	if f.config == "" {
		return "preset " + defaultPreset + " (default)"
	}
	return f.config
}

// load reads the configuration: defaults, then the file, then RESX_*, then
// --set and the dedicated flags (which win over --set). It does not validate.
func (f *runFlags) load(file string) (config.Config, error) {
	sets := append([]string(nil), f.sets...)
	if f.fs.Changed("seed") {
		sets = append(sets, "seed="+strconv.FormatUint(f.seed, 10))
	}
	if f.fs.Changed("threads") {
		sets = append(sets, "threads="+strconv.Itoa(f.threads))
	}
	return config.Load(config.Source{File: file, Sets: sets})
}

func completeConfig(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
	return config.Presets(), cobra.ShellCompDirectiveDefault
}
