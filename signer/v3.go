package signer

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/wxpay-go/wxpay/internal/keyerr"
)

// Scheme is the APIv3 authorization scheme (RSASSA-PKCS1-v1_5 with SHA-256).
const Scheme = "WECHATPAY2-SHA256-RSA2048"

// MinRSABits is the smallest RSA modulus accepted anywhere in this package
// (and by the key loaders of package keys: the same constant).
const MinRSABits = keyerr.MinRSABits

// V3Signer produces APIv3 Authorization headers for one merchant identity.
// It is immutable and safe for concurrent use.
type V3Signer struct {
	mchid  string
	serial string
	key    crypto.Signer
}

// NewV3Signer returns a signer for merchant mchid whose API certificate has
// serial number serial and whose private key is key.
//
// It validates that mchid matches [0-9A-Za-z]{1,32}, serial matches
// [0-9A-Za-z]{8,40}, key is non-nil (also not a typed nil pointer), and
// key.Public() is an *rsa.PublicKey of at least [MinRSABits] bits. Any
// crypto.Signer with an RSA public key works (an *rsa.PrivateKey, an HSM or
// KMS handle, a test double); it is called as key.Sign(rand.Reader, digest,
// crypto.SHA256) and must return a PKCS#1 v1.5 signature. Failures wrap
// [ErrKey] and say which input is wrong.
func NewV3Signer(mchid, serial string, key crypto.Signer) (*V3Signer, error) {
	if !isAlnum(mchid, 1, 32) {
		return nil, keyErrorf("merchant id %q must be 1-32 characters of [0-9A-Za-z]", truncate(mchid))
	}
	if !isAlnum(serial, 8, 40) {
		return nil, keyErrorf("certificate serial %q must be 8-40 characters of [0-9A-Za-z]", truncate(serial))
	}
	if isNil(key) {
		return nil, keyErrorf("private key is nil")
	}
	pub, ok := key.Public().(*rsa.PublicKey)
	if !ok || pub == nil || pub.N == nil {
		return nil, keyErrorf("private key must be RSA, got a %T public key", key.Public())
	}
	if bits := pub.N.BitLen(); bits < MinRSABits {
		return nil, keyErrorf("RSA private key is %d bits, need at least %d", bits, MinRSABits)
	}
	return &V3Signer{mchid: mchid, serial: serial, key: key}, nil
}

// MchID returns the merchant id.
func (s *V3Signer) MchID() string { return s.mchid }

// Serial returns the merchant API certificate serial number.
func (s *V3Signer) Serial() string { return s.serial }

// Authorization returns the Authorization header value for a request, signed
// with a fresh [Nonce] and the current Unix time. See [V3Signer.AuthorizationAt].
func (s *V3Signer) Authorization(method, target string, body []byte) (string, error) {
	timestamp := time.Now().Unix()
	if timestamp < 0 {
		return "", fmt.Errorf("wxpay: negative timestamp %d", timestamp)
	}
	// A fresh nonce, valid by construction; as it does not escape, the string stays on
	// the stack.
	var nonce [NonceLength]byte
	fillNonce(&nonce)
	return s.authorization(method, target, body, timestamp, string(nonce[:]))
}

// AuthorizationAt is the deterministic form of [V3Signer.Authorization]. It
// signs [Message](method, target, timestamp, nonce, body) and returns
//
//	WECHATPAY2-SHA256-RSA2048 mchid="…",serial_no="…",timestamp="…",nonce_str="…",signature="…"
//
// with the parameters in exactly this order and no spaces after the commas.
// timestamp must not be negative; nonce must be non-empty printable ASCII
// without space, double quote, backslash or comma (so that it cannot break
// the header syntax). Because RSASSA-PKCS1-v1_5 is
// deterministic, equal inputs give byte-identical output.
func (s *V3Signer) AuthorizationAt(method, target string, body []byte, timestamp int64, nonce string) (string, error) {
	if timestamp < 0 {
		return "", fmt.Errorf("wxpay: negative timestamp %d", timestamp)
	}
	if !validNonce(nonce) {
		return "", fmt.Errorf("wxpay: invalid nonce %q: want non-empty printable ASCII without space, double quote, backslash or comma", truncate(nonce))
	}
	return s.authorization(method, target, body, timestamp, nonce)
}

// authorization is AuthorizationAt after the checks on timestamp and nonce.
func (s *V3Signer) authorization(method, target string, body []byte, timestamp int64, nonce string) (string, error) {
	var tsb [20]byte
	ts := strconv.AppendInt(tsb[:0], timestamp, 10)
	sig, err := s.sign(messageDigest(method, target, ts, nonce, body))
	if err != nil {
		return "", err
	}

	const (
		pMchid  = ` mchid="`
		pSerial = `",serial_no="`
		pTime   = `",timestamp="`
		pNonce  = `",nonce_str="`
		pSig    = `",signature="`
	)
	var b strings.Builder
	b.Grow(len(Scheme) + len(pMchid) + len(s.mchid) + len(pSerial) + len(s.serial) +
		len(pTime) + len(ts) + len(pNonce) + len(nonce) + len(pSig) + base64.StdEncoding.EncodedLen(len(sig)) + 1)
	b.WriteString(Scheme)
	b.WriteString(pMchid)
	b.WriteString(s.mchid)
	b.WriteString(pSerial)
	b.WriteString(s.serial)
	b.WriteString(pTime)
	b.Write(ts)
	b.WriteString(pNonce)
	b.WriteString(nonce)
	b.WriteString(pSig)
	var enc [1024]byte // base64 of up to a 6144-bit signature, encoded on the stack
	b.Write(base64.StdEncoding.AppendEncode(enc[:0], sig))
	b.WriteByte('"')
	return b.String(), nil
}

// Sign returns the standard (padded) base64 encoding of the
// RSASSA-PKCS1-v1_5 SHA-256 signature of msg, computed by
// key.Sign(rand.Reader, sha256(msg), crypto.SHA256). Errors from the key are
// wrapped, so errors.Is sees them.
func (s *V3Signer) Sign(msg []byte) (string, error) {
	sig, err := s.sign(sha256.Sum256(msg))
	if err != nil {
		return "", err
	}
	return base64.StdEncoding.EncodeToString(sig), nil
}

// sign returns the raw signature of a SHA-256 digest.
func (s *V3Signer) sign(digest [sha256.Size]byte) ([]byte, error) {
	sig, err := s.key.Sign(rand.Reader, digest[:], crypto.SHA256)
	if err != nil {
		return nil, fmt.Errorf("wxpay: RSA-SHA256 signing failed: %w", err)
	}
	if len(sig) == 0 {
		return nil, errors.New("wxpay: RSA-SHA256 signing returned an empty signature")
	}
	return sig, nil
}

// isAlnum reports whether s has length in [min, max] and consists of
// [0-9A-Za-z] only.
func isAlnum(s string, min, max int) bool {
	if len(s) < min || len(s) > max {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z') {
			return false
		}
	}
	return true
}

func validNonce(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= ' ' || c >= 0x7f || c == '"' || c == '\\' || c == ',' {
			return false
		}
	}
	return true
}

// isNil reports whether a key (a crypto.Signer or crypto.Decrypter) is nil or an
// interface holding a nil pointer (or other nil-able kind), on which calling Public
// would panic.
func isNil(k any) bool {
	if k == nil {
		return true
	}
	v := reflect.ValueOf(k)
	switch v.Kind() {
	case reflect.Pointer, reflect.Map, reflect.Slice, reflect.Func, reflect.Interface, reflect.Chan:
		return v.IsNil()
	}
	return false
}

// truncate shortens untrusted strings quoted in error messages.
func truncate(s string) string {
	const max = 64
	if len(s) > max {
		return s[:max] + "…"
	}
	return s
}
