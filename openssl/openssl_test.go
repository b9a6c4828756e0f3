package openssl_test

import (
	"bytes"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/wxpay-go/wxpay/openssl"
	"github.com/wxpay-go/wxpay/signer"
)

// The verifier plugs into signer.Verifier.
var _ signer.RSAVerifier = (*openssl.Verifier)(nil)

// requireBackend returns when libcrypto is loaded; without cgo it checks the error and
// skips, with cgo a load failure fails the test.
func requireBackend(t *testing.T) {
	t.Helper()
	err := openssl.Init()
	if !withCgo {
		require.ErrorIs(t, err, openssl.ErrUnavailable)
		require.Contains(t, err.Error(), "CGO_ENABLED=0")
		t.Skip("built without cgo: the OpenSSL backend is unavailable")
	}
	require.NoError(t, err, "libcrypto.so.3 must be installed where cgo is on (Debian: libssl3)")
}

func readFile(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	require.NoError(t, err)
	return b
}

func loadKey(t testing.TB, name string) *rsa.PrivateKey {
	t.Helper()
	block, _ := pem.Decode(readFile(t, name))
	require.NotNil(t, block, name)
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	require.NoError(t, err)
	return k.(*rsa.PrivateKey)
}

func readSig(t testing.TB, name string) []byte {
	t.Helper()
	sig, err := base64.StdEncoding.DecodeString(strings.TrimSpace(string(readFile(t, name))))
	require.NoError(t, err)
	return sig
}

func newSigner(t testing.TB, k *rsa.PrivateKey) *openssl.Signer {
	t.Helper()
	s, err := openssl.NewSigner(k)
	require.NoError(t, err)
	return s
}

// vectors are the OpenSSL-command-line signatures in testdata, by message and key.
var vectors = []struct{ msg, sig, key string }{
	{"v3_get_certificates.msg", "v3_get_certificates.sig.b64", "apiclient_key.pem"},
	{"v3_post_native.msg", "v3_post_native.sig.b64", "apiclient_key.pem"},
	{"v3_resp_empty.msg", "v3_resp_empty.sig.b64", "platform_key.pem"},
	{"v3_resp_data.msg", "v3_resp_data.sig.b64", "platform_key.pem"},
	{"v3_resp_pubkeyid.msg", "v3_resp_pubkeyid.sig.b64", "pubkeyid_key.pem"},
}

func TestSignMatchesOpenSSLVectorsAndGo(t *testing.T) {
	requireBackend(t)
	for _, v := range vectors {
		t.Run(v.msg, func(t *testing.T) {
			key := loadKey(t, v.key)
			digest := sha256.Sum256(readFile(t, v.msg))
			got, err := newSigner(t, key).Sign(rand.Reader, digest[:], crypto.SHA256)
			require.NoError(t, err)
			require.Equal(t, readSig(t, v.sig), got, "the openssl command line's signature")
			goSig, err := rsa.SignPKCS1v15(nil, key, crypto.SHA256, digest[:])
			require.NoError(t, err)
			require.Equal(t, goSig, got, "Go's signature")
		})
	}
}

// TestSignByteIdenticalToGo signs many messages with keys of several sizes, some built
// without precomputed CRT values, and compares with crypto/rsa byte for byte.
func TestSignByteIdenticalToGo(t *testing.T) {
	requireBackend(t)
	keys := map[string]*rsa.PrivateKey{
		"apiclient": loadKey(t, "apiclient_key.pem"),
		"platform":  loadKey(t, "platform_key.pem"),
	}
	for _, bits := range []int{2048, 3072, 4096} {
		k, err := rsa.GenerateKey(rand.Reader, bits)
		require.NoError(t, err)
		keys[fmt.Sprint("generated-", bits)] = k
	}
	// A key with only N, E, D and the primes, as a hand-built key has them.
	a := keys["apiclient"]
	keys["no-precomputed"] = &rsa.PrivateKey{PublicKey: a.PublicKey, D: a.D, Primes: a.Primes}

	for name, key := range keys {
		s := newSigner(t, key)
		require.Equal(t, key.N, s.Public().(*rsa.PublicKey).N, name)
		require.Equal(t, key.E, s.Public().(*rsa.PublicKey).E, name)
		for i := 0; i < 20; i++ {
			msg := make([]byte, i*37)
			_, _ = rand.Read(msg)
			digest := sha256.Sum256(msg)
			got, err := s.Sign(nil, digest[:], crypto.SHA256)
			require.NoError(t, err)
			want, err := rsa.SignPKCS1v15(nil, key, crypto.SHA256, digest[:])
			require.NoError(t, err)
			require.True(t, bytes.Equal(want, got), "%s: message %d differs", name, i)
		}
	}
	// The caller's key is left as it was.
	require.Nil(t, keys["no-precomputed"].Precomputed.Dp)
}

// TestSignerThroughV3Signer: the Signer drops into signer.NewV3Signer (what WithMerchant
// uses) and gives the Authorization header the OpenSSL command line's vector gives.
func TestSignerThroughV3Signer(t *testing.T) {
	requireBackend(t)
	v3, err := signer.NewV3Signer("1900000109", "3775B6A45ACD588826D15E583A95F5DD2C5C9DB8", newSigner(t, loadKey(t, "apiclient_key.pem")))
	require.NoError(t, err)
	auth, err := v3.AuthorizationAt("GET", "/v3/certificates", nil, 1554208460, "593BEC0C930BF1AFEB40B4A08C8FB242")
	require.NoError(t, err)
	want := base64.StdEncoding.EncodeToString(readSig(t, "v3_get_certificates.sig.b64"))
	require.Equal(t, `WECHATPAY2-SHA256-RSA2048 mchid="1900000109",serial_no="3775B6A45ACD588826D15E583A95F5DD2C5C9DB8",timestamp="1554208460",nonce_str="593BEC0C930BF1AFEB40B4A08C8FB242",signature="`+want+`"`, auth)
}

func TestSignRefusesOtherOptions(t *testing.T) {
	requireBackend(t)
	s := newSigner(t, loadKey(t, "apiclient_key.pem"))
	d := sha256.Sum256([]byte("x"))
	for name, c := range map[string]struct {
		digest []byte
		opts   crypto.SignerOpts
	}{
		"nil options":       {d[:], nil},
		"SHA-1":             {d[:20], crypto.SHA1},
		"SHA-512":           {make([]byte, 64), crypto.SHA512},
		"no hash":           {d[:], crypto.Hash(0)},
		"PSS":               {d[:], &rsa.PSSOptions{Hash: crypto.SHA256}},
		"short digest":      {d[:31], crypto.SHA256},
		"long digest":       {make([]byte, 33), crypto.SHA256},
		"message, not hash": {[]byte("a message that is not a digest"), crypto.SHA256},
	} {
		sig, err := s.Sign(rand.Reader, c.digest, c.opts)
		require.ErrorIs(t, err, openssl.ErrUnsupported, name)
		require.Nil(t, sig, name)
	}
	var zero openssl.Signer
	_, err := zero.Sign(nil, d[:], crypto.SHA256)
	require.ErrorIs(t, err, openssl.ErrUnsupported)
}

func TestNewSignerRefusesUnusableKeys(t *testing.T) {
	// These are refused before libcrypto is needed, so also without cgo.
	_, err := openssl.NewSigner(nil)
	require.ErrorIs(t, err, openssl.ErrUnsupported)
	_, err = openssl.NewSigner(loadKey(t, "rsa1024_key.pem"))
	require.ErrorIs(t, err, openssl.ErrUnsupported)
	require.Contains(t, err.Error(), "1024 bits")
	bad := *loadKey(t, "apiclient_key.pem")
	bad.D = new(big.Int).Add(bad.D, big.NewInt(2))
	_, err = openssl.NewSigner(&bad)
	require.ErrorIs(t, err, openssl.ErrUnsupported)
	require.Contains(t, err.Error(), "invalid RSA private key")
}

// TestSignerPrintsNoKeyMaterial formats the signer every way a log line might, alone and
// inside other values, and finds no part of the key in the output.
func TestSignerPrintsNoKeyMaterial(t *testing.T) {
	requireBackend(t)
	key := loadKey(t, "apiclient_key.pem")
	s := newSigner(t, key)
	secrets := []*big.Int{key.D, key.Primes[0], key.Primes[1], key.Precomputed.Dp, key.Precomputed.Dq, key.Precomputed.Qinv, key.N}
	type holder struct {
		Name   string
		Signer crypto.Signer
	}
	values := []any{s, *s, holder{"merchant", s}, &holder{"merchant", s}, []crypto.Signer{s}, map[string]any{"k": s}}
	for _, v := range values {
		for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%x", "%X", "%d", "%q"} {
			out := fmt.Sprintf(verb, v)
			for _, x := range secrets {
				for _, form := range []string{x.String(), x.Text(16), strings.ToUpper(x.Text(16)), x.Text(16)[:16]} {
					require.NotContains(t, out, form, "%s of %T printed key material", verb, v)
				}
				require.NotContains(t, out, fmt.Sprint(x.Bits()[:2]), "%s of %T printed key words", verb, v)
			}
		}
	}
	require.Equal(t, "openssl.Signer(RSA-2048)", fmt.Sprintf("%+v", s))
	require.Equal(t, "{merchant openssl.Signer(RSA-2048)}", fmt.Sprintf("%v", holder{"merchant", s}))
}

// TestVerifiersAgree: OpenSSL's verifier and Go's accept and refuse the same signatures.
func TestVerifiersAgree(t *testing.T) {
	requireBackend(t)
	v, err := openssl.NewVerifier()
	require.NoError(t, err)
	other := loadKey(t, "pubkeyid_key.pem")
	for _, vec := range vectors {
		key := loadKey(t, vec.key)
		msg, sig := readFile(t, vec.msg), readSig(t, vec.sig)
		pub := &key.PublicKey
		check := func(name string, pub *rsa.PublicKey, msg, sig []byte, valid bool) {
			t.Helper()
			d := sha256.Sum256(msg)
			goErr := rsa.VerifyPKCS1v15(pub, crypto.SHA256, d[:], sig)
			osErr := v.VerifyPKCS1v15SHA256(pub, d[:], sig)
			require.Equal(t, valid, goErr == nil, "%s %s: Go", vec.msg, name)
			require.Equal(t, valid, osErr == nil, "%s %s: OpenSSL says %v", vec.msg, name, osErr)
		}
		check("good", pub, msg, sig, true)
		for _, i := range []int{0, 1, 100, len(sig) - 2, len(sig) - 1} {
			for _, bit := range []byte{0x01, 0x80} {
				bad := bytes.Clone(sig)
				bad[i] ^= bit
				check(fmt.Sprintf("signature byte %d ^%#x", i, bit), pub, msg, bad, false)
			}
		}
		changed := bytes.Clone(msg)
		changed[0] ^= 1
		check("message changed", pub, changed, sig, false)
		check("message extended", pub, append(bytes.Clone(msg), ' '), sig, false)
		if vec.key != "pubkeyid_key.pem" {
			check("wrong key", &other.PublicKey, msg, sig, false)
		} else {
			check("wrong key", &loadKey(t, "platform_key.pem").PublicKey, msg, sig, false)
		}
		check("truncated", pub, msg, sig[:len(sig)-1], false)
		check("extended", pub, msg, append([]byte{0}, sig...), false)
		check("leading zero dropped", pub, msg, sig[1:], false)
		check("empty", pub, msg, nil, false)
		check("all zero", pub, msg, make([]byte, len(sig)), false)
		// A signature equal to the modulus, and one past it.
		check("= N", pub, msg, pub.N.FillBytes(make([]byte, len(sig))), false)
	}
}

// TestVerifierFollowsKeyChanges: a cached key is not used for a key whose value changed.
func TestVerifierFollowsKeyChanges(t *testing.T) {
	requireBackend(t)
	v, err := openssl.NewVerifier()
	require.NoError(t, err)
	platform, merchant := loadKey(t, "platform_key.pem"), loadKey(t, "apiclient_key.pem")
	msg, sig := readFile(t, "v3_resp_data.msg"), readSig(t, "v3_resp_data.sig.b64")
	d := sha256.Sum256(msg)
	pub := &rsa.PublicKey{N: new(big.Int).Set(platform.N), E: platform.E}
	require.NoError(t, v.VerifyPKCS1v15SHA256(pub, d[:], sig))
	pub.N.Set(merchant.N) // same pointer, another key
	require.Error(t, v.VerifyPKCS1v15SHA256(pub, d[:], sig))
	pub.N.Set(platform.N)
	require.NoError(t, v.VerifyPKCS1v15SHA256(pub, d[:], sig))
	require.ErrorIs(t, v.VerifyPKCS1v15SHA256(nil, d[:], sig), openssl.ErrUnsupported)
	require.ErrorIs(t, v.VerifyPKCS1v15SHA256(pub, d[:20], sig), openssl.ErrUnsupported)
}

// TestConcurrentUse signs and verifies from many goroutines (run with -race).
func TestConcurrentUse(t *testing.T) {
	requireBackend(t)
	key := loadKey(t, "apiclient_key.pem")
	s := newSigner(t, key)
	v, err := openssl.NewVerifier()
	require.NoError(t, err)
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < 25; i++ {
				d := sha256.Sum256([]byte(fmt.Sprint(g, "/", i)))
				sig, err := s.Sign(nil, d[:], crypto.SHA256)
				if err == nil {
					err = v.VerifyPKCS1v15SHA256(&key.PublicKey, d[:], sig)
				}
				if err == nil {
					err = rsa.VerifyPKCS1v15(&key.PublicKey, crypto.SHA256, d[:], sig)
				}
				if err != nil {
					errs <- err
					return
				}
			}
		}(g)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
}

func TestUnavailableWithoutCgo(t *testing.T) {
	if withCgo {
		t.Skip("built with cgo; see TestLoadMissingLibrary")
	}
	_, err := openssl.NewSigner(loadKey(t, "apiclient_key.pem"))
	require.ErrorIs(t, err, openssl.ErrUnavailable)
	_, err = openssl.NewVerifier()
	require.ErrorIs(t, err, openssl.ErrUnavailable)
	require.True(t, errors.Is(openssl.Init(), openssl.ErrUnavailable))
}
