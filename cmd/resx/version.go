package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"
)

// version is set at link time: go build -ldflags "-X main.version=v1.0.0".
var version = "dev"

func newVersionCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version and the commit resx was built from",
		Args:  cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			info := struct {
				Version string `json:"version"`
				Commit  string `json:"commit"`
				Go      string `json:"go"`
				OS      string `json:"os"`
				Arch    string `json:"arch"`
			}{version, commit(), runtime.Version(), runtime.GOOS, runtime.GOARCH}
			if a.json {
				return writeJSON(a.stdout, info)
			}
			c := info.Commit
			if c == "" {
				c = "unknown"
			}
			_, err := fmt.Fprintf(a.stdout, "resx %s (commit %s, %s %s/%s)\n", info.Version, c, info.Go, info.OS, info.Arch)
			return err
		},
	}
}

// commit returns the git commit resx was built from ("-dirty" when the tree
// had changes), or "" when it cannot tell.
var commit = sync.OnceValue(func() string {
	if bi, ok := debug.ReadBuildInfo(); ok {
		rev, dirty := "", false
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				rev = s.Value
			case "vcs.modified":
				dirty = s.Value == "true"
			}
		}
		if rev != "" {
			return shortRev(rev, dirty)
		}
	}
	return commitFromCheckout()
})

// commitFromCheckout asks git for the commit of the resx checkout in the
// working directory: `go run` and `go test` binaries carry no VCS stamp.
func commitFromCheckout() string {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, "git", "rev-parse", "--show-toplevel", "HEAD").Output()
	if err != nil {
		return ""
	}
	lines := strings.Fields(string(out))
	if len(lines) != 2 {
		return ""
	}
	mod, err := os.ReadFile(filepath.Join(lines[0], "go.mod"))
	if err != nil || !strings.HasPrefix(string(mod), "module github.com/resx-dev/resx\n") {
		return ""
	}
	status, err := exec.CommandContext(ctx, "git", "-C", lines[0], "status", "--porcelain", "--untracked-files=no").Output()
	return shortRev(lines[1], err == nil && len(status) > 0)
}

func shortRev(rev string, dirty bool) string {
	if len(rev) > 12 {
		rev = rev[:12]
	}
	if dirty {
		rev += "-dirty"
	}
	return rev
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
