package main

import (
	"context"
	"testing"
)

// TestDemo runs the whole demo, so that `make test` catches a transcript step that no
// longer works against the emulator.
func TestDemo(t *testing.T) {
	if err := run(context.Background()); err != nil {
		t.Fatal(err)
	}
}
