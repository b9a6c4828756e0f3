package signer

// White-box tests (package signer): the ECB primitive and the PKCS#7 check
// are unexported on purpose, so they are tested from inside the package.
// The public API is exercised here too; runnable examples live in
// oaep_test.go (package signer_test).

import (
	"bytes"
	"crypto/aes"
	"encoding/base64"
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

const (
	aesTestKey = "0123456789abcdef0123456789abcdef" // APIv3 key of the peer-SDK vectors
	aesTestIV  = "0123456789abcdef"                 // 16-byte nonce of the peer-SDK vectors

	refundTestV2Key   = "exposed_your_key_here_have_risks"
	refundTestAESKey  = "4ad14ac334ab13540eb6c5479512a8e8" // md5 hex of refundTestV2Key
	refundTestPlain   = "<root><out_refund_no><![CDATA[131811191610442717309]]></out_refund_no></root>"
	refundTestReqInfo = "sQHh/cSF5F2ms58BHQoBmSe6PR7CX1bhrvBSH9Qhny+XrJMY2DfYIO50b51BFVxzk/GNmvI9NBWlrTMA5+VT+Ab/5JopDsr0SxnGBcoiwMA="
)

// gcmVectors: the first two come from the official PHP/Node SDK tests; the
// third was computed with Python's cryptography (AESGCM) and uses a 12-byte
// nonce as WeChat Pay does (see testdata/VECTORS.md).
var gcmVectors = []struct {
	name, key, nonce, aad, plain, ct string
}{
	{"empty, no AAD, 16-byte nonce", aesTestKey, aesTestIV, "", "", "GvpmmdtYwexXIPhySs9Tlg=="},
	{"hello+world, 16-byte nonce", aesTestKey, aesTestIV, "world", "hello", "APoZlYpivU3HjbAiB4CvW1rAFr8J"},
	{"callback, 12-byte nonce", aesTestKey, "5K8264ILTKCH", "transaction",
		`{"mchid":"1900000109","trade_state":"SUCCESS","payer":"张三"}`,
		"wm33US4bKFQwG6Ysdk2sU7gpajPcpE7IC1ogVZ5O3mY8YCqa8GIHiba/onijCOxKK9jUwbvqi7N3srR7vyLVcXlnf1M3U1l43LFJe2xw+A=="},
}

func TestAESGCMVectors(t *testing.T) {
	for _, v := range gcmVectors {
		ct, err := EncryptAESGCM(v.key, v.nonce, v.aad, []byte(v.plain))
		require.NoError(t, err, v.name)
		require.Equal(t, v.ct, ct, v.name)

		pt, err := DecryptAESGCM(v.key, v.nonce, v.aad, v.ct)
		require.NoError(t, err, v.name)
		require.NotNil(t, pt, v.name) // empty plaintext is []byte{}, not nil
		require.Equal(t, v.plain, string(pt), v.name)
	}
}

func TestAESGCMRoundTrip(t *testing.T) {
	const nonce12 = "fdasflkja484" // 12 ASCII characters, as in real callbacks
	for _, n := range []int{0, 1, 15, 16, 17, 100, 4096} {
		plain := bytes.Repeat([]byte("证书-abc"), n)[:n]
		for _, aad := range []string{"", "certificate", "transaction"} {
			ct, err := EncryptAESGCM(aesTestKey, nonce12, aad, plain)
			require.NoError(t, err)
			raw, err := base64.StdEncoding.DecodeString(ct)
			require.NoError(t, err)
			require.Len(t, raw, n+gcmTagSize)

			got, err := DecryptAESGCM(aesTestKey, nonce12, aad, ct)
			require.NoError(t, err)
			require.Equal(t, plain, got)
		}
	}
	// Any positive nonce length works.
	for _, nonce := range []string{"x", "0123456789abcdef0123456789abcdef"} {
		ct, err := EncryptAESGCM(aesTestKey, nonce, "", []byte("hi"))
		require.NoError(t, err)
		got, err := DecryptAESGCM(aesTestKey, nonce, "", ct)
		require.NoError(t, err)
		require.Equal(t, "hi", string(got))
	}
}

func TestDecryptAESGCMAuthFailures(t *testing.T) {
	v := gcmVectors[2]
	raw, err := base64.StdEncoding.DecodeString(v.ct)
	require.NoError(t, err)
	flip := func(i int) string {
		b := bytes.Clone(raw)
		b[i] ^= 0x01
		return base64.StdEncoding.EncodeToString(b)
	}
	otherKey := "0123456789abcdef0123456789abcdeF"

	for name, tc := range map[string]struct{ key, nonce, aad, ct string }{
		"tampered ciphertext": {v.key, v.nonce, v.aad, flip(0)},
		"tampered tag":        {v.key, v.nonce, v.aad, flip(len(raw) - 1)},
		"truncated":           {v.key, v.nonce, v.aad, base64.StdEncoding.EncodeToString(raw[:len(raw)-1])},
		"wrong key":           {otherKey, v.nonce, v.aad, v.ct},
		"wrong AAD":           {v.key, v.nonce, "certificate", v.ct},
		"AAD dropped":         {v.key, v.nonce, "", v.ct},
		"wrong nonce":         {v.key, "5K8264ILTKCI", v.aad, v.ct},
		"tag only":            {v.key, v.nonce, v.aad, base64.StdEncoding.EncodeToString(raw[len(raw)-gcmTagSize:])},
	} {
		pt, err := DecryptAESGCM(tc.key, tc.nonce, tc.aad, tc.ct)
		require.Nil(t, pt, name)
		require.ErrorIs(t, err, ErrDecrypt, name)
		require.False(t, errors.Is(err, ErrKey), name)
		require.Contains(t, err.Error(), "APIv3 key is wrong", name)
		require.NotContains(t, err.Error(), tc.key, name)
	}
}

func TestDecryptAESGCMMalformed(t *testing.T) {
	v := gcmVectors[1]
	for name, tc := range map[string]struct{ nonce, ct, msg string }{
		"empty nonce":         {"", v.ct, "nonce is empty"},
		"bad base64":          {v.nonce, "APoZlYpivU3HjbAiB4CvW1rAFr8J!", "base64"},
		"URL-safe base64":     {v.nonce, strings.NewReplacer("+", "-", "/", "_").Replace(gcmVectors[2].ct), "base64"},
		"unpadded base64":     {v.nonce, "GvpmmdtYwexXIPhySs9Tlg", "base64"},
		"empty ciphertext":    {v.nonce, "", "shorter than the 16-byte tag"},
		"shorter than tag":    {v.nonce, base64.StdEncoding.EncodeToString(make([]byte, 15)), "shorter than the 16-byte tag"},
		"ciphertext is space": {v.nonce, " ", "base64"},
	} {
		pt, err := DecryptAESGCM(aesTestKey, tc.nonce, v.aad, tc.ct)
		require.Nil(t, pt, name)
		require.ErrorIs(t, err, ErrDecrypt, name)
		require.False(t, errors.Is(err, ErrKey), name)
		require.Contains(t, err.Error(), tc.msg, name)
	}
}

func TestAESGCMKeyErrors(t *testing.T) {
	for _, key := range []string{"", "short-apiv3-key", aesTestKey[:31], aesTestKey + "0", aesTestKey + "\n"} {
		pt, err := DecryptAESGCM(key, aesTestIV, "", gcmVectors[0].ct)
		require.Nil(t, pt)
		require.ErrorIs(t, err, ErrKey)
		require.False(t, errors.Is(err, ErrDecrypt))
		require.Contains(t, err.Error(), "APIv3 key is")
		if key != "" {
			require.NotContains(t, err.Error(), strings.TrimSpace(key))
		}

		ct, err := EncryptAESGCM(key, aesTestIV, "", []byte("x"))
		require.Empty(t, ct)
		require.ErrorIs(t, err, ErrKey)
	}
	ct, err := EncryptAESGCM(aesTestKey, "", "", []byte("x"))
	require.Empty(t, ct)
	require.Error(t, err)
	require.Contains(t, err.Error(), "nonce is empty")
}

// TestECBPrimitive checks the unexported AES-256-ECB/PKCS#7 loop against
// OpenSSL (testdata/VECTORS.md) with the raw 32-byte key.
func TestECBPrimitive(t *testing.T) {
	block, err := aes.NewCipher([]byte(aesTestKey))
	require.NoError(t, err)
	for _, v := range []struct{ plain, ct string }{
		{"hello", "pZwJZBLuy3mDACEQT4YTBw=="},                                // PHP SDK vector
		{"0123456789abcdef", "+DyaYNwM25ghn3nW1dsWNYqjYkH96N8FTcMlxsaVuJ4="}, // 16 bytes: full padding block
		{"", "iqNiQf3o3wVNwyXGxpW4ng=="},                                     // empty: one padding block
		{"abcdef0123456789", "EGNdafvGEImmDIuw3bzoyYqjYkH96N8FTcMlxsaVuJ4="}, // same padding block as above
	} {
		ct := ecbEncryptPKCS7(block, []byte(v.plain))
		require.Equal(t, v.ct, base64.StdEncoding.EncodeToString(ct), "%q", v.plain)
		pt, err := ecbDecryptPKCS7(block, ct)
		require.NoError(t, err)
		require.Equal(t, v.plain, string(pt))
	}
}

func TestRefundInfoVector(t *testing.T) {
	// The AES key is the lower-case md5 hex of the APIv2 key, as ASCII.
	block, err := refundInfoCipher(refundTestV2Key)
	require.NoError(t, err)
	direct, err := aes.NewCipher([]byte(refundTestAESKey))
	require.NoError(t, err)
	require.Equal(t, ecbEncryptPKCS7(direct, []byte(refundTestPlain)), ecbEncryptPKCS7(block, []byte(refundTestPlain)))

	ct, err := EncryptRefundInfo(refundTestV2Key, []byte(refundTestPlain))
	require.NoError(t, err)
	require.Equal(t, refundTestReqInfo, ct)

	pt, err := DecryptRefundInfo(refundTestV2Key, refundTestReqInfo)
	require.NoError(t, err)
	require.Equal(t, refundTestPlain, string(pt))

	// A wrong APIv2 key shows up as a padding failure.
	pt, err = DecryptRefundInfo("EXPOSED_YOUR_KEY_HERE_HAVE_RISKS", refundTestReqInfo)
	require.Nil(t, pt)
	require.ErrorIs(t, err, ErrDecrypt)
	require.Contains(t, err.Error(), "APIv2 key is wrong")
}

func TestRefundInfoPadding(t *testing.T) {
	// PKCS#7 always pads: a multiple of 16 (including 0) gets a full block.
	for n := 0; n <= 48; n++ {
		plain := bytes.Repeat([]byte{'a'}, n)
		ct, err := EncryptRefundInfo(refundTestV2Key, plain)
		require.NoError(t, err)
		raw, err := base64.StdEncoding.DecodeString(ct)
		require.NoError(t, err)
		require.Len(t, raw, (n/16+1)*16, "n=%d", n)

		got, err := DecryptRefundInfo(refundTestV2Key, ct)
		require.NoError(t, err)
		require.NotNil(t, got)
		require.Equal(t, plain, got)
	}
	sixteen, err := EncryptRefundInfo(refundTestV2Key, []byte("0123456789abcdef"))
	require.NoError(t, err)
	empty, err := EncryptRefundInfo(refundTestV2Key, nil)
	require.NoError(t, err)
	rawSixteen, _ := base64.StdEncoding.DecodeString(sixteen)
	rawEmpty, _ := base64.StdEncoding.DecodeString(empty)
	require.Equal(t, rawEmpty, rawSixteen[16:], "the extra block is 16 bytes of 0x10")
}

// refundRaw encrypts plain (a multiple of 16 bytes) without padding, so that
// tests control the padding bytes.
func refundRaw(t *testing.T, plain []byte) string {
	t.Helper()
	require.Zero(t, len(plain)%16)
	block, err := refundInfoCipher(refundTestV2Key)
	require.NoError(t, err)
	out := make([]byte, len(plain))
	for i := 0; i < len(plain); i += 16 {
		block.Encrypt(out[i:i+16], plain[i:i+16])
	}
	return base64.StdEncoding.EncodeToString(out)
}

func TestDecryptRefundInfoBadPadding(t *testing.T) {
	body := []byte("0123456789")
	withTail := func(tail ...byte) []byte { return append(bytes.Clone(body), tail...) }
	for name, plain := range map[string][]byte{
		"last byte 0":               withTail(1, 1, 1, 1, 1, 0),
		"last byte 17":              append(bytes.Repeat([]byte{17}, 16), bytes.Repeat([]byte{17}, 16)...),
		"last byte 255":             withTail(1, 1, 1, 1, 1, 255),
		"inconsistent 3":            withTail(4, 4, 4, 1, 2, 3),
		"inconsistent 6":            withTail(6, 6, 6, 6, 5, 6),
		"16 with first byte off":    append([]byte{15}, bytes.Repeat([]byte{16}, 15)...),
		"16 with middle byte off":   append(append(bytes.Repeat([]byte{16}, 7), 0), bytes.Repeat([]byte{16}, 8)...),
		"second block unpadded":     append(bytes.Repeat([]byte{16}, 16), []byte("0123456789abcdef")...),
		"plain text, no pad at all": []byte("<root></root>xyz"),
	} {
		pt, err := DecryptRefundInfo(refundTestV2Key, refundRaw(t, plain))
		require.Nil(t, pt, name)
		require.True(t, err == errBadPadding, "%s: %v", name, err) // one error value for all padding failures
		require.ErrorIs(t, err, ErrDecrypt, name)
	}
	// Valid edge cases decrypt.
	pt, err := DecryptRefundInfo(refundTestV2Key, refundRaw(t, withTail(6, 6, 6, 6, 6, 6)))
	require.NoError(t, err)
	require.Equal(t, body, pt)
	pt, err = DecryptRefundInfo(refundTestV2Key, refundRaw(t, bytes.Repeat([]byte{16}, 16)))
	require.NoError(t, err)
	require.Equal(t, []byte{}, pt)
}

func TestDecryptRefundInfoMalformed(t *testing.T) {
	raw, err := base64.StdEncoding.DecodeString(refundTestReqInfo)
	require.NoError(t, err)
	for name, tc := range map[string]struct{ in, msg string }{
		"empty":      {"", "positive multiple of 16"},
		"15 bytes":   {base64.StdEncoding.EncodeToString(raw[:15]), "positive multiple of 16"},
		"17 bytes":   {base64.StdEncoding.EncodeToString(raw[:17]), "positive multiple of 16"},
		"truncated":  {base64.StdEncoding.EncodeToString(raw[:len(raw)-1]), "positive multiple of 16"},
		"bad base64": {refundTestReqInfo[:len(refundTestReqInfo)-1], "base64"},
		"URL-safe":   {strings.NewReplacer("+", "-", "/", "_").Replace(refundTestReqInfo), "base64"},
	} {
		pt, err := DecryptRefundInfo(refundTestV2Key, tc.in)
		require.Nil(t, pt, name)
		require.ErrorIs(t, err, ErrDecrypt, name)
		require.False(t, errors.Is(err, ErrKey), name)
		require.Contains(t, err.Error(), tc.msg, name)
	}
	// The input is not modified in place.
	before := bytes.Clone(raw)
	block, err := refundInfoCipher(refundTestV2Key)
	require.NoError(t, err)
	_, err = ecbDecryptPKCS7(block, raw)
	require.NoError(t, err)
	require.Equal(t, before, raw)
}

func TestRefundInfoKeyErrors(t *testing.T) {
	for _, key := range []string{"", "secret", refundTestV2Key[:31], refundTestV2Key + "x", refundTestAESKey + "0"} {
		pt, err := DecryptRefundInfo(key, refundTestReqInfo)
		require.Nil(t, pt)
		require.ErrorIs(t, err, ErrKey)
		require.False(t, errors.Is(err, ErrDecrypt))
		if key != "" {
			require.NotContains(t, err.Error(), key)
		}
		ct, err := EncryptRefundInfo(key, []byte("x"))
		require.Empty(t, ct)
		require.ErrorIs(t, err, ErrKey)
	}
}

// TestPKCS7PadLen checks the constant-time padding check against a plain
// reference implementation over every value of the last byte and every
// single-byte corruption of the padding.
func TestPKCS7PadLen(t *testing.T) {
	ref := func(b []byte) (int, bool) {
		n := int(b[len(b)-1])
		if n < 1 || n > 16 {
			return 0, false
		}
		for _, c := range b[len(b)-n:] {
			if int(c) != n {
				return 0, false
			}
		}
		return n, true
	}
	for last := 0; last < 256; last++ {
		for fill := 0; fill < 256; fill += 15 {
			b := bytes.Repeat([]byte{byte(fill)}, 32)
			b[31] = byte(last)
			wantN, wantOK := ref(b)
			n, ok := pkcs7PadLen(b, 16)
			require.Equal(t, wantOK, ok, "last=%d fill=%d", last, fill)
			require.Equal(t, wantN, n, "last=%d fill=%d", last, fill)
		}
	}
	for n := 1; n <= 16; n++ {
		for pos := 0; pos < 16; pos++ {
			b := append(bytes.Repeat([]byte{'x'}, 16-n), bytes.Repeat([]byte{byte(n)}, n)...)
			b[pos] ^= 0x80
			wantN, wantOK := ref(b)
			gotN, gotOK := pkcs7PadLen(b, 16)
			require.Equal(t, wantOK, gotOK, "n=%d pos=%d", n, pos)
			require.Equal(t, wantN, gotN, "n=%d pos=%d", n, pos)
			require.Equal(t, pos < 16-n, gotOK, "n=%d pos=%d", n, pos)
		}
	}
	_, ok := pkcs7PadLen(nil, 16)
	require.False(t, ok)
	_, ok = pkcs7PadLen(make([]byte, 17), 16)
	require.False(t, ok)
}
