package signer

import (
	"encoding/hex"
	"testing"
)

// RFC 2268 section 5 test vectors.
func TestRC2KnownAnswers(t *testing.T) {
	for _, tc := range []struct {
		key  string
		bits int
		pt   string
		ct   string
	}{
		{"0000000000000000", 63, "0000000000000000", "ebb773f993278eff"},
		{"ffffffffffffffff", 64, "ffffffffffffffff", "278b27e42e2f0d49"},
		{"3000000000000000", 64, "1000000000000001", "30649edf9be7d2c2"},
		{"88", 64, "0000000000000000", "61a8a244adacccf0"},
		{"88bca90e90875a", 64, "0000000000000000", "6ccf4308974c267f"},
		{"88bca90e90875a7f0f79c384627bafb2", 64, "0000000000000000", "1a807d272bbe5db1"},
		{"88bca90e90875a7f0f79c384627bafb2", 128, "0000000000000000", "2269552ab0f85ca6"},
		{"88bca90e90875a7f0f79c384627bafb216f80a6f85920584c42fceb0be255daf1e", 129, "0000000000000000", "5b78d3a43dfff1f1"},
	} {
		key, _ := hex.DecodeString(tc.key)
		pt, _ := hex.DecodeString(tc.pt)
		b, err := newRC2(key, tc.bits)
		if err != nil {
			t.Fatal(err)
		}
		got := make([]byte, 8)
		b.Encrypt(got, pt)
		if hex.EncodeToString(got) != tc.ct {
			t.Errorf("RC2(%s, %d) encrypt = %x, want %s", tc.key, tc.bits, got, tc.ct)
		}
		back := make([]byte, 8)
		b.Decrypt(back, got)
		if hex.EncodeToString(back) != tc.pt {
			t.Errorf("RC2(%s, %d) decrypt = %x, want %s", tc.key, tc.bits, back, tc.pt)
		}
	}
}

func TestRC2PITableIsPermutation(t *testing.T) {
	var seen [256]bool
	for _, v := range rc2PITable {
		if seen[v] {
			t.Fatalf("PITABLE repeats %#x", v)
		}
		seen[v] = true
	}
}

func TestRC2BadKey(t *testing.T) {
	if _, err := newRC2(nil, 40); err == nil {
		t.Error("empty key accepted")
	}
	if _, err := newRC2([]byte{1}, 0); err == nil {
		t.Error("0 effective bits accepted")
	}
}
