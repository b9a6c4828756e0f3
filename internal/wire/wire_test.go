package wire

import "testing"

func TestEscape(t *testing.T) {
	for in, want := range map[string]string{
		"AZaz09-._~": "AZaz09-._~",
		"/?#% +'é":   "%2F%3F%23%25%20%2B%27%C3%A9",
		"":           "",
	} {
		if got := Escape(in); got != want {
			t.Errorf("Escape(%q) = %q, want %q", in, got, want)
		}
	}
}
