// Command resx reproduces the depth studies of deep residual networks (He et
// al. 2016): deep plain networks train worse than shallow ones, residual
// units cure it. Run `resx --help` for the commands and exit codes.
package main

import "os"

func main() { os.Exit(run()) }
