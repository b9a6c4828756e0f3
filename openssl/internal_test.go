package openssl

import (
	"errors"
	"strings"
	"testing"
)

// TestLoadMissingLibrary: a library that is not there gives an error wrapping
// ErrUnavailable that names it, not a crash.
func TestLoadMissingLibrary(t *testing.T) {
	err := load("libcrypto-wxpay-missing.so.9")
	if !errors.Is(err, ErrUnavailable) {
		t.Fatalf("load: %v, want ErrUnavailable", err)
	}
	if !strings.Contains(err.Error(), "libcrypto-wxpay-missing.so.9") {
		t.Fatalf("the error does not name the library: %v", err)
	}
}
