// Package openssl is an opt-in backend that runs the APIv3 RSA work through the system's
// OpenSSL 3 (libcrypto.so.3), loaded at run time by github.com/golang-fips/openssl/v2.
//
// On the machines this SDK is measured on, an RSA-2048 PKCS#1 v1.5 signature takes about a
// third of the time it takes in Go's crypto/rsa, and a verification about three quarters;
// signing is the bulk of an APIv3 call's CPU time. The signatures are byte for byte the ones
// Go makes (RSASSA-PKCS1-v1_5 is deterministic), so WeChat Pay sees no difference.
//
//	key, err := keys.LoadPrivateKeyFile("apiclient_key.pem") // *rsa.PrivateKey
//	s, err := openssl.NewSigner(key)
//	v, err := openssl.NewVerifier()
//	wx, err := wxpay.New(wxpay.WithMerchant(mchid, serial, s), wxpay.WithRSAVerifier(v), …)
//
// The cost: the package needs cgo (a C compiler at build time) and libcrypto.so.3 at run
// time (Debian and Ubuntu: the libssl3 package). Built with CGO_ENABLED=0, or where the
// library cannot be loaded, [NewSigner] and [NewVerifier] return an error wrapping
// [ErrUnavailable] instead of crashing, and the rest of the module does not depend on this
// package at all.
//
// Only what APIv3 needs is provided: RSASSA-PKCS1-v1_5 with SHA-256.
package openssl

import (
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"math/big"
	"sync"
)

// ErrUnavailable is wrapped by every error that comes from libcrypto not being usable: the
// package was built without cgo, or libcrypto.so.3 could not be loaded or initialized.
var ErrUnavailable = errors.New("openssl: backend unavailable")

// ErrUnsupported is wrapped by the errors of a request this backend does not serve: a key
// or signing option other than RSA PKCS#1 v1.5 with SHA-256.
var ErrUnsupported = errors.New("openssl: unsupported")

// Library is the shared library [Init] loads.
const Library = "libcrypto.so.3"

var (
	initOnce sync.Once
	initErr  error
)

// Init loads and initializes libcrypto once; later calls return the first call's result.
// [NewSigner] and [NewVerifier] call it; call it yourself to check at start-up. An error
// wraps [ErrUnavailable] and says why (built without cgo, library not found, unsupported
// version).
func Init() error {
	initOnce.Do(func() { initErr = load(Library) })
	return initErr
}

// Signer is a crypto.Signer whose private key lives in OpenSSL's memory. It makes
// RSASSA-PKCS1-v1_5 SHA-256 signatures, and is safe for concurrent use. Formatting it with
// fmt (%v, %+v, %#v, %s) prints only the key size, never key material.
type Signer struct {
	pub  *rsa.PublicKey
	priv *privateKey
}

// NewSigner copies key into OpenSSL and returns a Signer for it. key must be a valid
// two-prime RSA key of at least 2048 bits (what WeChat Pay issues); the caller's key is not
// modified. The copy is independent: changing key afterwards does not change the Signer.
// Errors wrap [ErrUnavailable] (no libcrypto) or [ErrUnsupported] (an unusable key).
func NewSigner(key *rsa.PrivateKey) (*Signer, error) {
	if key == nil || key.N == nil || key.D == nil {
		return nil, fmt.Errorf("%w: nil or incomplete RSA private key", ErrUnsupported)
	}
	if bits := key.N.BitLen(); bits < 2048 {
		return nil, fmt.Errorf("%w: RSA key of %d bits, need at least 2048", ErrUnsupported, bits)
	}
	if len(key.Primes) != 2 {
		return nil, fmt.Errorf("%w: RSA key with %d primes, need 2", ErrUnsupported, len(key.Primes))
	}
	if err := key.Validate(); err != nil {
		return nil, fmt.Errorf("%w: invalid RSA private key: %v", ErrUnsupported, err)
	}
	if err := Init(); err != nil {
		return nil, err
	}
	priv, err := newPrivateKey(key)
	if err != nil {
		return nil, err
	}
	pub := &rsa.PublicKey{N: new(big.Int).Set(key.N), E: key.E}
	return &Signer{pub: pub, priv: priv}, nil
}

// Public returns the *rsa.PublicKey of the signer's key.
func (s *Signer) Public() crypto.PublicKey { return s.pub }

// Sign returns the RSASSA-PKCS1-v1_5 signature of digest, a SHA-256 hash. opts must hash
// with crypto.SHA256 and must not be *rsa.PSSOptions; anything else is refused with an
// error wrapping [ErrUnsupported]. rand is not used: these signatures are deterministic.
func (s *Signer) Sign(_ io.Reader, digest []byte, opts crypto.SignerOpts) ([]byte, error) {
	if s == nil || s.priv == nil {
		return nil, fmt.Errorf("%w: Signer not made by NewSigner", ErrUnsupported)
	}
	if opts == nil {
		return nil, fmt.Errorf("%w: nil signer options, need crypto.SHA256", ErrUnsupported)
	}
	if _, ok := opts.(*rsa.PSSOptions); ok {
		return nil, fmt.Errorf("%w: RSA-PSS; only PKCS#1 v1.5 with SHA-256 is provided", ErrUnsupported)
	}
	if h := opts.HashFunc(); h != crypto.SHA256 {
		return nil, fmt.Errorf("%w: hash %v; only SHA-256 is provided", ErrUnsupported, h)
	}
	if len(digest) != sha256.Size {
		return nil, fmt.Errorf("%w: digest of %d bytes, a SHA-256 digest has %d", ErrUnsupported, len(digest), sha256.Size)
	}
	return s.priv.sign(digest)
}

// String describes the signer without key material: "openssl.Signer(RSA-2048)".
func (s Signer) String() string {
	if s.pub == nil || s.pub.N == nil {
		return "openssl.Signer(empty)"
	}
	return fmt.Sprintf("openssl.Signer(RSA-%d)", s.pub.N.BitLen())
}

// GoString is String, so that %#v shows no key material either.
func (s Signer) GoString() string { return s.String() }

// Format writes String for every verb, so that no verb or flag (%v, %+v, %#v, %x, …) can
// print anything else, for a Signer or a *Signer.
func (s Signer) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, s.String()) }

// Verifier checks RSASSA-PKCS1-v1_5 SHA-256 signatures with OpenSSL. It implements
// signer.RSAVerifier: give it to wxpay.WithRSAVerifier to verify answers and callbacks on
// this backend. It keeps the OpenSSL form of the few WeChat Pay public keys it has seen, and
// is safe for concurrent use.
type Verifier struct {
	keys keyCache
}

// NewVerifier returns a Verifier, or an error wrapping [ErrUnavailable].
func NewVerifier() (*Verifier, error) {
	if err := Init(); err != nil {
		return nil, err
	}
	return &Verifier{}, nil
}

// VerifyPKCS1v15SHA256 returns nil exactly when sig is a valid RSASSA-PKCS1-v1_5 signature
// of the SHA-256 digest under pub, as rsa.VerifyPKCS1v15(pub, crypto.SHA256, digest, sig)
// decides: the signature must be exactly as long as the modulus.
func (v *Verifier) VerifyPKCS1v15SHA256(pub *rsa.PublicKey, digest, sig []byte) error {
	if v == nil {
		return fmt.Errorf("%w: Verifier not made by NewVerifier", ErrUnsupported)
	}
	if pub == nil || pub.N == nil {
		return fmt.Errorf("%w: nil RSA public key", ErrUnsupported)
	}
	if len(digest) != sha256.Size {
		return fmt.Errorf("%w: digest of %d bytes, a SHA-256 digest has %d", ErrUnsupported, len(digest), sha256.Size)
	}
	if len(sig) != (pub.N.BitLen()+7)/8 {
		return errVerification
	}
	k, err := v.keys.get(pub)
	if err != nil {
		return err
	}
	return k.verify(digest, sig)
}

// String describes the verifier.
func (v *Verifier) String() string { return "openssl.Verifier" }

var errVerification = errors.New("openssl: RSA verification error")
