package dataset

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// EnvDataDir is the environment variable that names a data directory.
const EnvDataDir = "RESX_DATA_DIR"

// SearchDirs returns the directories where datasets are looked for, in order,
// without duplicates or empty entries:
//
//  1. explicit (the --data-dir flag), if not "";
//  2. $RESX_DATA_DIR, if set;
//  3. configDir (data.dir from the config), if not "";
//  4. os.UserCacheDir()/resx (e.g. ~/.cache/resx), if the cache dir is known;
//  5. read-only system locations: <d>/datasets for each d in $XDG_DATA_DIRS
//     (default /usr/local/share:/usr/share), where distribution packages
//     install datasets (Debian: /usr/share/datasets/fashion-mnist).
//
// The first directory is where Fetch writes (see FetchDir). Directories need
// not exist.
func SearchDirs(explicit, configDir string) []string {
	var dirs []string
	seen := map[string]bool{}
	add := func(d string) {
		if d == "" {
			return
		}
		d = filepath.Clean(d)
		if !seen[d] {
			seen[d] = true
			dirs = append(dirs, d)
		}
	}
	add(explicit)
	add(os.Getenv(EnvDataDir))
	add(configDir)
	if c, err := os.UserCacheDir(); err == nil {
		add(filepath.Join(c, "resx"))
	}
	for _, d := range SystemDirs() {
		add(d)
	}
	return dirs
}

// FetchDir returns where Fetch should write: the first of explicit,
// $RESX_DATA_DIR, configDir and os.UserCacheDir()/resx, the writable part of
// SearchDirs. It fails only when none of them is known.
func FetchDir(explicit, configDir string) (string, error) {
	for _, d := range []string{explicit, os.Getenv(EnvDataDir), configDir} {
		if d != "" {
			return filepath.Clean(d), nil
		}
	}
	c, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("no data directory to write to: set --data-dir or $%s (%v)", EnvDataDir, err)
	}
	return filepath.Join(c, "resx"), nil
}

// SystemDirs returns the read-only locations where distributions install
// datasets: <d>/datasets for each d in $XDG_DATA_DIRS, or in
// /usr/local/share:/usr/share when it is unset.
func SystemDirs() []string {
	xdg := os.Getenv("XDG_DATA_DIRS")
	if xdg == "" {
		xdg = "/usr/local/share:/usr/share"
	}
	var out []string
	for _, d := range strings.Split(xdg, ":") {
		if d != "" && filepath.IsAbs(d) {
			out = append(out, filepath.Join(d, "datasets"))
		}
	}
	return out
}

// locate returns the first folder among dirs/<folder> that exists.
func locate(folder string, dirs []string) (string, bool) {
	for _, d := range dirs {
		p := filepath.Join(d, folder)
		if fi, err := os.Stat(p); err == nil && fi.IsDir() {
			return p, true
		}
	}
	return "", false
}
