//go:build unix

package kernel

import (
	"time"

	"golang.org/x/sys/unix"
)

// cpuTime is the CPU time of the whole process. On a shared machine FLOPs
// per CPU-second is steadier than FLOPs per wall-second.
func cpuTime() time.Duration {
	var ts unix.Timespec
	if err := unix.ClockGettime(unix.CLOCK_PROCESS_CPUTIME_ID, &ts); err != nil {
		return 0
	}
	return time.Duration(ts.Nano())
}
