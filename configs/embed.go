// Package configs embeds resx's preset configurations (the *.yaml files in
// this folder) so that the binary can run them on a machine with no copy of
// the repository.
package configs

import "embed"

// FS holds every preset, named <preset>.yaml.
//
//go:embed *.yaml
var FS embed.FS
