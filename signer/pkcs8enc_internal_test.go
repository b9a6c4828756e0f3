package signer

import (
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"testing"
)

// RFC 6070 (HMAC-SHA1) and RFC 7914 section 11 (HMAC-SHA256) vectors.
func TestPBKDF2Vectors(t *testing.T) {
	for _, tc := range []struct {
		sha256 bool
		p, s   string
		c, n   int
		want   string
	}{
		{false, "password", "salt", 1, 20, "0c60c80f961f0e71f3a9b524af6012062fe037a6"},
		{false, "password", "salt", 2, 20, "ea6c014dc72d6f8ccd1ed92ace1d41f0d8de8957"},
		{false, "password", "salt", 4096, 20, "4b007901b765489abead49d926f721d065a429c1"},
		{false, "passwordPASSWORDpassword", "saltSALTsaltSALTsaltSALTsaltSALTsalt", 4096, 25, "3d2eec4fe41c849b80c8d83662c0e44a8b291a964cf2f07038"},
		{false, "pass\x00word", "sa\x00lt", 4096, 16, "56fa6aa75548099dcc37d7f03425e0c3"},
		{true, "passwd", "salt", 1, 64, "55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc49ca9cccf179b645991664b39d77ef317c71b845b1e30bd509112041d3a19783"},
	} {
		h := sha1.New
		if tc.sha256 {
			h = sha256.New
		}
		got := hex.EncodeToString(pbkdf2Key(h, []byte(tc.p), []byte(tc.s), tc.c, tc.n))
		if got != tc.want {
			t.Errorf("PBKDF2(%q, %q, %d, %d) = %s, want %s", tc.p, tc.s, tc.c, tc.n, got, tc.want)
		}
	}
}
