package signer

import (
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// MaxSkew is the largest accepted difference, in either direction, between a
// response's Wechatpay-Timestamp and the local clock.
const MaxSkew = 300 * time.Second

// APIv3 response / callback header names, in canonical form.
const (
	HeaderTimestamp = "Wechatpay-Timestamp"
	HeaderNonce     = "Wechatpay-Nonce"
	HeaderSerial    = "Wechatpay-Serial"
	HeaderSignature = "Wechatpay-Signature"
)

// SignTestPrefix starts the signature of WeChat Pay's probe callbacks.
const SignTestPrefix = "WECHATPAY/SIGNTEST/"

// Verifier checks APIv3 answers and callbacks. It holds no state of its own
// and is safe for concurrent use as long as its fields are not reassigned.
type Verifier struct {
	// Keys resolves Wechatpay-Serial. A nil store knows no serials.
	Keys *KeyStore
	// Now returns the local time used for the skew check; nil means time.Now.
	Now func() time.Time
	// RSA checks the signature (step 6 of [Verifier.Verify]); nil means Go's
	// crypto/rsa. Set it to use another implementation of the same algorithm,
	// such as the OpenSSL backend in package openssl.
	RSA RSAVerifier
}

// RSAVerifier checks an RSASSA-PKCS1-v1_5 signature over a SHA-256 digest: it
// returns nil exactly when sig is a valid signature of digest under pub, as
// rsa.VerifyPKCS1v15(pub, crypto.SHA256, digest, sig) would decide. It must
// be safe for concurrent use and must not keep digest or sig after it returns.
type RSAVerifier interface {
	VerifyPKCS1v15SHA256(pub *rsa.PublicKey, digest, sig []byte) error
}

// Verify checks an APIv3 answer (or callback) given its headers and raw,
// decompressed body. The checks run in this order, and the first failure is
// returned:
//
//  1. Wechatpay-Timestamp, Wechatpay-Nonce, Wechatpay-Serial and
//     Wechatpay-Signature are all present and non-empty ([ErrHeadersIncomplete],
//     listing every missing one). Names are matched case-insensitively,
//     also in maps whose keys are not in canonical form; the first value of
//     a header is used.
//  2. The signature does not start with "WECHATPAY/SIGNTEST/" ([ErrSignTestProbe]).
//  3. The timestamp is a plain decimal integer ([ErrBadTimestamp]).
//  4. |now − timestamp| ≤ [MaxSkew] ([ErrTimestampSkew]); exactly 300 s
//     passes in both directions, 300 s plus any fraction does not.
//  5. The serial names a key in Keys ([ErrUnknownSerial]).
//  6. The signature is standard base64 of a valid RSASSA-PKCS1-v1_5 SHA-256
//     signature over [ResponseMessage](timestamp, nonce, body) ([ErrBadSignature]).
//
// Every error wraps [ErrVerification] and exactly one of the sentinels above.
func (v *Verifier) Verify(h http.Header, body []byte) error {
	ts := headerValue(h, HeaderTimestamp)
	nonce := headerValue(h, HeaderNonce)
	serial := headerValue(h, HeaderSerial)
	sig := headerValue(h, HeaderSignature)
	return v.VerifyValues(ts, nonce, serial, sig, body)
}

// VerifyValues is [Verifier.Verify] with the four header values passed
// directly (an empty string counts as missing).
func (v *Verifier) VerifyValues(timestamp, nonce, serial, signature string, body []byte) error {
	if timestamp == "" || nonce == "" || serial == "" || signature == "" {
		var missing []string
		for _, p := range [...]struct{ name, value string }{
			{HeaderTimestamp, timestamp}, {HeaderNonce, nonce},
			{HeaderSerial, serial}, {HeaderSignature, signature},
		} {
			if p.value == "" {
				missing = append(missing, p.name)
			}
		}
		return fmt.Errorf("%w: missing or empty %s", ErrHeadersIncomplete, strings.Join(missing, ", "))
	}
	if strings.HasPrefix(signature, SignTestPrefix) {
		return fmt.Errorf("%w: signature %q is a WeChat Pay signature-test probe", ErrSignTestProbe, truncate(signature))
	}
	ts, ok := parseTimestamp(timestamp)
	if !ok {
		return fmt.Errorf("%w: %q is not a plain decimal integer of at most 12 digits", ErrBadTimestamp, truncate(timestamp))
	}
	now := time.Now
	if v.Now != nil {
		now = v.Now
	}
	local := now()
	sent := time.Unix(ts, 0)
	if d := local.Sub(sent); d > MaxSkew || d < -MaxSkew {
		return fmt.Errorf("%w: response time %d (%s) vs local time %s: off by %s, allowed ±%s",
			ErrTimestampSkew, ts, sent.UTC().Format(time.RFC3339), local.UTC().Format(time.RFC3339Nano), d, MaxSkew)
	}
	var pub *rsa.PublicKey
	if v.Keys != nil {
		pub, ok = v.Keys.PublicKey(serial)
	} else {
		ok = false // a nil store knows no serials
	}
	if !ok {
		known := []string{}
		if v.Keys != nil {
			known = v.Keys.Serials()
		}
		return fmt.Errorf("%w: %q is not among the known serials %q", ErrUnknownSerial, truncate(serial), known)
	}
	var rawBuf [512]byte // a signature of up to 4096 bits is decoded on the stack
	raw, err := base64.StdEncoding.AppendDecode(rawBuf[:0], []byte(signature))
	if err != nil {
		return fmt.Errorf("%w: Wechatpay-Signature is not valid base64: %v", ErrBadSignature, err)
	}
	digest := responseDigest(timestamp, nonce, body)
	if v.RSA != nil {
		err = v.verifyWith(pub, digest, raw)
	} else {
		err = rsa.VerifyPKCS1v15(pub, crypto.SHA256, digest[:], raw)
	}
	if err != nil {
		return fmt.Errorf("%w: RSA-SHA256 verification with key %s failed (timestamp=%s, nonce=%q, %d-byte body)",
			ErrBadSignature, serial, timestamp, truncate(nonce), len(body))
	}
	return nil
}

// verifyWith checks the signature with v.RSA. The digest and signature are copied first
// so that handing them to an interface does not move the default path's stack buffers to
// the heap.
func (v *Verifier) verifyWith(pub *rsa.PublicKey, digest [sha256.Size]byte, raw []byte) error {
	sig := append([]byte(nil), raw...)
	return v.RSA.VerifyPKCS1v15SHA256(pub, digest[:], sig)
}

// parseTimestamp accepts 1 to 12 ASCII digits and nothing else.
func parseTimestamp(s string) (int64, bool) {
	if len(s) == 0 || len(s) > 12 {
		return 0, false
	}
	var n int64
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	return n, true
}

// headerValue returns the first value of the named header. The canonical key
// is tried first (what net/http produces); maps built by hand with other
// spellings are then searched case-insensitively.
func headerValue(h http.Header, canonical string) string {
	if vs, ok := h[canonical]; ok {
		if len(vs) > 0 {
			return vs[0]
		}
		return ""
	}
	// Several spellings of one name: use the smallest key, so the result
	// does not depend on map iteration order.
	best, found := "", false
	for k, vs := range h {
		if len(vs) > 0 && strings.EqualFold(k, canonical) && (!found || k < best) {
			best, found = k, true
		}
	}
	if !found {
		return ""
	}
	return h[best][0]
}
