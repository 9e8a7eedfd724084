//go:build !unix

package kernel

import "time"

// cpuTime is unavailable here; the CPU-time metrics are then left out.
func cpuTime() time.Duration { return 0 }
