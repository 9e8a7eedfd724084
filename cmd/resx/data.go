package main

import (
	"encoding/json"
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/resx-dev/resx/internal/dataset"
)

const dataLong = `Fetch and list the datasets resx trains on: cifar10, cifar100, mnist,
fashion-mnist, fashion-mnist-mini (compiled into resx; nothing to fetch) and
synthetic (generated; nothing to fetch).

Datasets are looked for in these directories, first found wins:
  1. --data-dir
  2. $RESX_DATA_DIR
  3. data.dir from the config (resx train)
  4. the user cache: $XDG_CACHE_HOME/resx or ~/.cache/resx (os.UserCacheDir)
  5. read-only system locations: <d>/datasets for each d in $XDG_DATA_DIRS
     (default /usr/local/share:/usr/share), where distributions install
     datasets; Debian's dataset-fashion-mnist package is found with no fetch.
Inside a directory each dataset has its own folder, as distributed:
cifar-10-batches-bin, cifar-100-binary, mnist, fashion-mnist.

fetch writes into the first of these directories.`

func newDataCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "data",
		Short: "Fetch and list datasets",
		Long:  dataLong,
	}
	cmd.AddCommand(newDataFetchCmd(), newDataListCmd())
	return cmd
}

// dataDir reads the root's persistent --data-dir flag ("" if it is absent).
func dataDir(cmd *cobra.Command) string {
	dir, _ := cmd.Flags().GetString("data-dir")
	return dir
}

func boolFlag(cmd *cobra.Command, name string) bool {
	v, _ := cmd.Flags().GetBool(name)
	return v
}

type dataFetchOptions struct {
	name  string
	stall time.Duration
}

func newDataFetchCmd() *cobra.Command {
	opts := &dataFetchOptions{}
	cmd := &cobra.Command{
		Use:   "fetch NAME",
		Short: "Download a dataset, verify its published checksum and unpack it",
		Long: `Download a dataset into the first data directory (see resx data --help),
verify the published checksum before unpacking, and put it in place only when
complete. An interrupted download resumes where it stopped.

Exit codes: 0 fetched or already there, 1 network failure, 2 unknown name or
checksum mismatch or broken archive.`,
		Args:      cobra.ExactArgs(1),
		ValidArgs: dataset.Names(),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.name = args[0]
			dir, err := dataset.FetchDir(dataDir(cmd), "")
			if err != nil {
				return err
			}
			fopt := dataset.FetchOptions{StallTimeout: opts.stall}
			if !boolFlag(cmd, "quiet") {
				fopt.Logf = func(format string, a ...any) {
					fmt.Fprintf(cmd.ErrOrStderr(), format+"\n", a...)
				}
			}
			return dataset.Fetch(cmd.Context(), opts.name, dir, fopt)
		},
	}
	cmd.Flags().DurationVar(&opts.stall, "stall-timeout", time.Minute, "give up on a download that receives nothing for this long")
	return cmd
}

func newDataListCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "list",
		Short: "List each known dataset, where it was found, its size and whether it verified",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			dirs := dataset.SearchDirs(dataDir(cmd), "")
			entries := dataset.List(dirs)
			if boolFlag(cmd, "json") {
				enc := json.NewEncoder(cmd.OutOrStdout())
				enc.SetIndent("", "  ")
				return enc.Encode(struct {
					Dirs     []string        `json:"search_dirs"`
					Datasets []dataset.Entry `json:"datasets"`
				}{dirs, entries})
			}
			tw := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "NAME\tPATH\tSIZE\tVERIFIED\tNOTE")
			for _, e := range entries {
				path, verified := e.Path, "no"
				if path == "" {
					path = "-"
				}
				if e.Verified {
					verified = "yes"
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", e.Name, path, humanSize(e.Size), verified, e.Note)
			}
			if err := tw.Flush(); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "\nsearched, in order: %v\n", dirs)
			return nil
		},
	}
}

// humanSize writes n bytes as B, kB, MB or GB (powers of 1000).
func humanSize(n int64) string {
	switch {
	case n == 0:
		return "-"
	case n < 1000:
		return fmt.Sprintf("%d B", n)
	case n < 1000*1000:
		return fmt.Sprintf("%.1f kB", float64(n)/1e3)
	case n < 1000*1000*1000:
		return fmt.Sprintf("%.1f MB", float64(n)/1e6)
	}
	return fmt.Sprintf("%.2f GB", float64(n)/1e9)
}
