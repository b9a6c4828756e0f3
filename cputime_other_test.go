//go:build !linux

package wxpay_test

import "time"

// processCPU is measured on Linux only.
func processCPU() (time.Duration, bool) { return 0, false }
