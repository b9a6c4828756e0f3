package wxpay_test

import (
	"syscall"
	"time"
	"unsafe"
)

// processCPU returns the CPU time used so far by every thread of this process (client,
// loopback server, cgo calls and the garbage collector alike).
func processCPU() (time.Duration, bool) {
	const clockProcessCPUTimeID = 2 // CLOCK_PROCESS_CPUTIME_ID
	var ts syscall.Timespec
	if _, _, e := syscall.Syscall(syscall.SYS_CLOCK_GETTIME, clockProcessCPUTimeID, uintptr(unsafe.Pointer(&ts)), 0); e != 0 {
		return 0, false
	}
	return time.Duration(ts.Nano()), true
}
