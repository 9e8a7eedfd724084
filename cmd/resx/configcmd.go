package main

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/resx-dev/resx/internal/config"
)

func newConfigCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "config",
		Short: "Show the resolved configuration, the keys or the presets",
	}
	cmd.AddCommand(newConfigShowCmd(a), newConfigKeysCmd(a), newConfigPresetsCmd(a))
	return cmd
}

func newConfigShowCmd(a *app) *cobra.Command {
	var f runFlags
	cmd := &cobra.Command{
		Use:   "show [--config FILE] [--set key=value ...]",
		Short: "Print the configuration a run would use, after every layer, as YAML",
		Args:  cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			cfg, err := f.load(f.source())
			if err != nil {
				return err
			}
			if err := cfg.Validate(); err != nil {
				return err
			}
			if a.json {
				return writeJSON(a.stdout, cfg)
			}
			_, err = a.stdout.Write(cfg.YAML())
			return err
		},
	}
	f.bind(cmd)
	return cmd
}

func newConfigKeysCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "keys",
		Short: "List every config key with its default and environment variable",
		Args:  cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			def := config.Default()
			for _, k := range config.Keys() {
				v, _ := def.Get(k)
				env := config.EnvName(k)
				if k == "data.dir" {
					env = "-"
				}
				fmt.Fprintf(a.stdout, "%-22s %-28s %v\n", k, env, v)
			}
			return nil
		},
	}
}

func newConfigPresetsCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "presets",
		Short: "List the embedded presets (use one with --config NAME)",
		Args:  cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			_, err := fmt.Fprintln(a.stdout, strings.Join(config.Presets(), "\n"))
			return err
		},
	}
}
