package keys_test

import (
	"bytes"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
	gopkcs12 "software.sslmate.com/src/go-pkcs12"

	"github.com/wxpay-go/wxpay/keys"
)

const p12Password = testMchID // WeChat Pay uses the mchid as the .p12 password

var p12Files = []string{
	"p12_modern.p12", // PBES2 AES-256-CBC + PBKDF2-HMAC-SHA256, MAC SHA-256
	"p12_legacy.p12", // certs RC2-40, key 3DES, MAC SHA-1 (openssl -legacy)
	"p12_3des.p12",   // certs and key pbeWithSHAAnd3-KeyTripleDES-CBC, MAC SHA-256
}

func checkMerchantIdentity(t *testing.T, key *rsa.PrivateKey, cert *x509.Certificate, tc tls.Certificate) {
	t.Helper()
	want := loadCert(t, "apiclient_cert.pem")
	require.True(t, key.PublicKey.Equal(want.PublicKey), "key does not match apiclient_cert.pem")
	require.True(t, key.Equal(loadPriv(t, "apiclient_key.pem")))
	require.Equal(t, merchantSerial, serialOf(cert))
	require.Equal(t, want.Raw, cert.Raw)

	// The tls.Certificate is what tls.X509KeyPair would build.
	require.NotNil(t, tc.Leaf)
	require.Equal(t, cert.Raw, tc.Leaf.Raw)
	require.NotEmpty(t, tc.Certificate)
	require.Equal(t, cert.Raw, tc.Certificate[0])
	parsed, err := x509.ParseCertificate(tc.Certificate[0])
	require.NoError(t, err)
	require.True(t, key.PublicKey.Equal(parsed.PublicKey))
	pair, err := tls.X509KeyPair(
		pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: tc.Certificate[0]}),
		pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: mustPKCS8(t, key)}),
	)
	require.NoError(t, err)
	require.Equal(t, pair.Certificate, tc.Certificate)
	s, ok := tc.PrivateKey.(crypto.Signer)
	require.True(t, ok)
	digest := sha256.Sum256([]byte("mutual TLS"))
	sig, err := s.Sign(rand.Reader, digest[:], crypto.SHA256)
	require.NoError(t, err)
	require.NoError(t, rsa.VerifyPKCS1v15(cert.PublicKey.(*rsa.PublicKey), crypto.SHA256, digest[:], sig))
}

func mustPKCS8(t *testing.T, k *rsa.PrivateKey) []byte {
	t.Helper()
	der, err := x509.MarshalPKCS8PrivateKey(k)
	require.NoError(t, err)
	return der
}

func TestLoadPKCS12(t *testing.T) {
	for _, name := range p12Files {
		t.Run(name, func(t *testing.T) {
			key, cert, tc, err := keys.LoadPKCS12(readTestdata(t, name), p12Password)
			require.NoError(t, err)
			checkMerchantIdentity(t, key, cert, tc)

			key, cert, tc, err = keys.LoadPKCS12File(filepath.Join("testdata", name), p12Password)
			require.NoError(t, err)
			checkMerchantIdentity(t, key, cert, tc)
		})
	}
}

func TestLoadPKCS12WrongPassword(t *testing.T) {
	for _, name := range p12Files {
		for _, pw := range []string{"", "1900000108", "wrong"} {
			_, _, tc, err := keys.LoadPKCS12(readTestdata(t, name), pw)
			require.ErrorIs(t, err, keys.ErrKey, "%s %q", name, pw)
			require.Contains(t, err.Error(), "wrong password (MAC check failed)")
			require.Nil(t, tc.PrivateKey)
		}
	}
	_, _, _, err := keys.LoadPKCS12File(filepath.Join("testdata", "p12_modern.p12"), "nope")
	require.ErrorIs(t, err, keys.ErrKey)
	require.Contains(t, err.Error(), "p12_modern.p12")
	require.Contains(t, err.Error(), "wrong password")
}

func TestLoadPKCS12Malformed(t *testing.T) {
	good := readTestdata(t, "p12_modern.p12")
	inputs := map[string][]byte{
		"empty":     nil,
		"garbage":   []byte("this is not a PKCS#12 file"),
		"pem":       readTestdata(t, "apiclient_cert.pem"),
		"half":      good[:len(good)/2],
		"truncated": good[:len(good)-1],
		"trailing":  append(append([]byte{}, good...), 0),
	}
	// Flip a byte inside the authenticated content: the MAC no longer matches.
	flipped := append([]byte{}, good...)
	flipped[len(flipped)/2] ^= 0x01
	inputs["flipped"] = flipped
	for name, in := range inputs {
		k, c, tc, err := keys.LoadPKCS12(in, p12Password)
		require.ErrorIs(t, err, keys.ErrKey, name)
		require.Nil(t, k, name)
		require.Nil(t, c, name)
		require.Empty(t, tc.Certificate, name)
	}
	_, _, _, err := keys.LoadPKCS12File(filepath.Join("testdata", "does-not-exist.p12"), p12Password)
	require.ErrorIs(t, err, os.ErrNotExist)
}

func TestLoadPKCS12NoMAC(t *testing.T) {
	key, cert, tc, err := keys.LoadPKCS12(readTestdata(t, "p12_nomac.p12"), p12Password)
	require.NoError(t, err)
	checkMerchantIdentity(t, key, cert, tc)
	for _, pw := range []string{"", "1900000108"} {
		_, _, _, err = keys.LoadPKCS12(readTestdata(t, "p12_nomac.p12"), pw)
		require.ErrorIs(t, err, keys.ErrKey)
		require.Contains(t, err.Error(), "wrong password (decryption failed)")
	}
}

// Every truncation and single-byte corruption gives an error, never a panic.
func TestLoadPKCS12Corruptions(t *testing.T) {
	for _, name := range append(p12Files, "p12_nomac.p12") {
		good := readTestdata(t, name)
		for i := 0; i < len(good); i += 13 {
			_, _, _, err := keys.LoadPKCS12(good[:i], p12Password)
			require.ErrorIs(t, err, keys.ErrKey, "%s[:%d]", name, i)
			bad := append([]byte{}, good...)
			bad[i] ^= 0x5a
			if _, _, _, err := keys.LoadPKCS12(bad, p12Password); err != nil {
				require.ErrorIs(t, err, keys.ErrKey, "%s flip %d", name, i)
			}
		}
	}
	enc := readTestdata(t, "enc_des3.pem")
	b, _ := pem.Decode(enc)
	for i := 0; i < len(b.Bytes); i += 7 {
		_, err := keys.LoadEncryptedPrivateKey(b.Bytes[:i], "wxpaytest")
		require.ErrorIs(t, err, keys.ErrKey, "enc_des3[:%d]", i)
	}
}

// The files go-pkcs12's own encoders write load too: its PBMAC1 profile
// (RFC 9579, which OpenSSL 3.0 cannot write), its legacy 3DES one, and a
// file without encryption or MAC.
func TestLoadPKCS12OtherWriters(t *testing.T) {
	key, cert := loadPriv(t, "apiclient_key.pem"), loadCert(t, "apiclient_cert.pem")
	for name, enc := range map[string]*gopkcs12.Encoder{
		"Modern2026 (PBMAC1)": gopkcs12.Modern2026,
		"LegacyDES":           gopkcs12.LegacyDES,
		"LegacyRC2":           gopkcs12.LegacyRC2,
	} {
		data, err := enc.Encode(key, cert, nil, p12Password)
		require.NoError(t, err, name)
		k, c, tc, err := keys.LoadPKCS12(data, p12Password)
		require.NoError(t, err, name)
		checkMerchantIdentity(t, k, c, tc)
		_, _, _, err = keys.LoadPKCS12(data, "1900000108")
		require.ErrorIs(t, err, keys.ErrKey, name)
		require.Contains(t, err.Error(), "wrong password (MAC check failed)", name)
	}
	data, err := gopkcs12.Passwordless.Encode(key, cert, nil, "")
	require.NoError(t, err)
	k, c, tc, err := keys.LoadPKCS12(data, "")
	require.NoError(t, err)
	checkMerchantIdentity(t, k, c, tc)
}

// The leaf is the certificate that matches the key, wherever the file puts
// it; the others follow it in the tls.Certificate chain.
func TestLoadPKCS12Chain(t *testing.T) {
	key, cert, other := loadPriv(t, "apiclient_key.pem"), loadCert(t, "apiclient_cert.pem"), loadCert(t, "platform_cert.pem")
	for name, order := range map[string][2]*x509.Certificate{"leaf first": {cert, other}, "leaf second": {other, cert}} {
		data, err := gopkcs12.Modern2023.Encode(key, order[0], []*x509.Certificate{order[1]}, p12Password)
		require.NoError(t, err, name)
		_, c, tc, err := keys.LoadPKCS12(data, p12Password)
		require.NoError(t, err, name)
		require.Equal(t, cert.Raw, c.Raw, name)
		require.Equal(t, [][]byte{cert.Raw, other.Raw}, tc.Certificate, name)
		require.Equal(t, cert.Raw, tc.Leaf.Raw, name)
	}
}

func TestLoadPKCS12Refusals(t *testing.T) {
	cert := loadCert(t, "apiclient_cert.pem")
	platformKey, platformCert := loadPriv(t, "platform_key.pem"), loadCert(t, "platform_cert.pem")

	noKey, err := gopkcs12.Modern2023.EncodeTrustStore([]*x509.Certificate{cert}, p12Password)
	require.NoError(t, err)
	noKeyNoMAC, err := gopkcs12.Passwordless.EncodeTrustStore([]*x509.Certificate{cert}, "")
	require.NoError(t, err)
	mismatch, err := gopkcs12.Modern2023.Encode(platformKey, cert, nil, p12Password)
	require.NoError(t, err)
	ecKey, err := gopkcs12.Modern2023.Encode(parsePKCS8(t, "ec_key.pem"), platformCert, nil, p12Password)
	require.NoError(t, err)
	short, err := gopkcs12.Modern2023.Encode(parsePKCS8(t, "rsa1024_key.pem"), cert, nil, p12Password)
	require.NoError(t, err)
	for name, tc := range map[string]struct {
		data []byte
		msg  string
	}{
		"no key":         {noKey, "PKCS#12: the file contains no private key"},
		"no key, no MAC": {noKeyNoMAC, "PKCS#12: the file contains no private key"},
		"mismatch":       {mismatch, "PKCS#12: no certificate in the file matches the private key (1 certificates)"},
		"EC key":         {ecKey, "PKCS#12: wxpay: invalid key: private key is ECDSA"},
		"1024 bits":      {short, "RSA private key is 1024 bits, need at least 2048"},
		"public-key":     {publicKeyIntegrity(t, readTestdata(t, "p12_modern.p12")), "public-key integrity mode is not supported"},
	} {
		k, c, tls, err := keys.LoadPKCS12(tc.data, p12Password)
		require.Nil(t, k, name)
		require.Nil(t, c, name)
		require.Nil(t, tls.PrivateKey, name)
		require.ErrorIs(t, err, keys.ErrKey, name)
		require.Contains(t, err.Error(), tc.msg, name)
		require.NotContains(t, err.Error(), p12Password, name)
	}
}

// publicKeyIntegrity relabels the authSafe of a PFX as SignedData
// (public-key integrity mode), which the loader does not support.
func publicKeyIntegrity(t *testing.T, p12 []byte) []byte {
	t.Helper()
	data := []byte{0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x01}   // id-data
	signed := []byte{0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02} // id-signedData
	i := bytes.Index(p12, data)
	require.Positive(t, i)
	out := append([]byte{}, p12...)
	copy(out[i:], signed)
	return out
}
