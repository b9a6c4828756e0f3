//go:build cgo

package openssl

import (
	"crypto"
	"crypto/rsa"
	"fmt"
	"math/big"
	"sync"

	fips "github.com/golang-fips/openssl/v2"
	"github.com/golang-fips/openssl/v2/bbig"
)

// load dlopens lib and initializes it. The library is probed first, so that a missing
// library is reported without committing golang-fips/openssl's one-time Init to it.
func load(lib string) error {
	if ok, _ := fips.CheckVersion(lib); !ok {
		return fmt.Errorf("%w: cannot load %s (OpenSSL 3's libcrypto; on Debian and Ubuntu it is the libssl3 package)", ErrUnavailable, lib)
	}
	if err := fips.Init(lib); err != nil {
		return fmt.Errorf("%w: %s: %v", ErrUnavailable, lib, err)
	}
	return nil
}

// privateKey is an RSA private key held by OpenSSL (an EVP_PKEY in C memory, freed by a
// finalizer). It has no fields that fmt could print as key material.
type privateKey struct{ k *fips.PrivateKeyRSA }

func newPrivateKey(key *rsa.PrivateKey) (*privateKey, error) {
	p, q := key.Primes[0], key.Primes[1]
	dp, dq, qinv := key.Precomputed.Dp, key.Precomputed.Dq, key.Precomputed.Qinv
	if dp == nil || dq == nil || qinv == nil {
		// A key built by hand without Precompute: derive the CRT values here rather than
		// modify the caller's key, and wipe them once OpenSSL has its copy.
		one := big.NewInt(1)
		dp = new(big.Int).Mod(key.D, new(big.Int).Sub(p, one))
		dq = new(big.Int).Mod(key.D, new(big.Int).Sub(q, one))
		qinv = new(big.Int).ModInverse(q, p)
		if qinv == nil {
			return nil, fmt.Errorf("%w: RSA primes are not coprime", ErrUnsupported)
		}
		defer wipe(dp, dq, qinv)
	}
	k, err := fips.NewPrivateKeyRSA(bbig.Enc(key.N), bbig.Enc(big.NewInt(int64(key.E))), bbig.Enc(key.D),
		bbig.Enc(p), bbig.Enc(q), bbig.Enc(dp), bbig.Enc(dq), bbig.Enc(qinv))
	if err != nil {
		return nil, fmt.Errorf("%w: OpenSSL refused the RSA key: %v", ErrUnsupported, err)
	}
	return &privateKey{k: k}, nil
}

func wipe(xs ...*big.Int) {
	for _, x := range xs {
		clear(x.Bits())
		x.SetInt64(0)
	}
}

func (p *privateKey) sign(digest []byte) ([]byte, error) {
	sig, err := fips.SignRSAPKCS1v15(p.k, crypto.SHA256, digest)
	if err != nil {
		return nil, fmt.Errorf("openssl: RSA sign: %w", err)
	}
	return sig, nil
}

// publicKey is the OpenSSL form of an *rsa.PublicKey, with the values it was made from.
type publicKey struct {
	n *big.Int
	e int
	k *fips.PublicKeyRSA
}

func (k *publicKey) verify(digest, sig []byte) error {
	if err := fips.VerifyRSAPKCS1v15(k.k, crypto.SHA256, digest, sig); err != nil {
		return errVerification
	}
	return nil
}

// maxCachedKeys bounds the cache; WeChat Pay has a handful of platform keys at a time.
const maxCachedKeys = 64

// keyCache maps the *rsa.PublicKey values a key store hands out to their OpenSSL form, so
// that a key is converted once, not on every verification. An entry is used only while
// the key still has the modulus and exponent it was converted from.
type keyCache struct {
	mu sync.RWMutex
	m  map[*rsa.PublicKey]*publicKey
}

func (c *keyCache) get(pub *rsa.PublicKey) (*publicKey, error) {
	c.mu.RLock()
	k := c.m[pub]
	c.mu.RUnlock()
	if k != nil && k.e == pub.E && k.n.Cmp(pub.N) == 0 {
		return k, nil
	}
	if pub.E < 2 || pub.N.Sign() <= 0 {
		return nil, fmt.Errorf("%w: malformed RSA public key", ErrUnsupported)
	}
	n := new(big.Int).Set(pub.N)
	ok, err := fips.NewPublicKeyRSA(bbig.Enc(n), bbig.Enc(big.NewInt(int64(pub.E))))
	if err != nil {
		return nil, fmt.Errorf("%w: OpenSSL refused the RSA public key: %v", ErrUnsupported, err)
	}
	k = &publicKey{n: n, e: pub.E, k: ok}
	c.mu.Lock()
	if c.m == nil || len(c.m) >= maxCachedKeys {
		c.m = make(map[*rsa.PublicKey]*publicKey)
	}
	c.m[pub] = k
	c.mu.Unlock()
	return k, nil
}
