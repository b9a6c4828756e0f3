package signer_test

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/wxpay-go/wxpay/signer"
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
	require.Equal(t, merchantSerial, signer.CertificateSerial(cert))
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
			key, cert, tc, err := signer.LoadPKCS12(readTestdata(t, name), p12Password)
			require.NoError(t, err)
			checkMerchantIdentity(t, key, cert, tc)

			key, cert, tc, err = signer.LoadPKCS12File(filepath.Join("testdata", name), p12Password)
			require.NoError(t, err)
			checkMerchantIdentity(t, key, cert, tc)
		})
	}
}

func TestLoadPKCS12WrongPassword(t *testing.T) {
	for _, name := range p12Files {
		for _, pw := range []string{"", "1900000108", "wrong"} {
			_, _, tc, err := signer.LoadPKCS12(readTestdata(t, name), pw)
			require.ErrorIs(t, err, signer.ErrKey, "%s %q", name, pw)
			require.Contains(t, err.Error(), "wrong password (MAC check failed)")
			require.Nil(t, tc.PrivateKey)
		}
	}
	_, _, _, err := signer.LoadPKCS12File(filepath.Join("testdata", "p12_modern.p12"), "nope")
	require.ErrorIs(t, err, signer.ErrKey)
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
		k, c, tc, err := signer.LoadPKCS12(in, p12Password)
		require.ErrorIs(t, err, signer.ErrKey, name)
		require.Nil(t, k, name)
		require.Nil(t, c, name)
		require.Empty(t, tc.Certificate, name)
	}
	_, _, _, err := signer.LoadPKCS12File(filepath.Join("testdata", "does-not-exist.p12"), p12Password)
	require.ErrorIs(t, err, os.ErrNotExist)
}

func TestLoadEncryptedPrivateKey(t *testing.T) {
	want := loadPriv(t, "apiclient_key.pem")
	for _, name := range []string{
		"apiclient_key_encrypted_pkcs8.pem", // -v2 aes-256-cbc (PRF hmacWithSHA256)
		"enc_default.pem",                   // openssl default
		"enc_aes128_sha1.pem",               // -v2 aes-128-cbc -v2prf hmacWithSHA1
		"enc_des3.pem",                      // -v2 des3
	} {
		t.Run(name, func(t *testing.T) {
			data := readTestdata(t, name)
			k, err := signer.LoadEncryptedPrivateKey(data, "wxpaytest")
			require.NoError(t, err)
			require.True(t, k.Equal(want))
			require.True(t, k.PublicKey.Equal(loadCert(t, "apiclient_cert.pem").PublicKey))

			// The DER inside the PEM works too.
			b, _ := pem.Decode(data)
			k, err = signer.LoadEncryptedPrivateKey(b.Bytes, "wxpaytest")
			require.NoError(t, err)
			require.True(t, k.Equal(want))

			for _, pw := range []string{"", "wxpaytesT", "wrong"} {
				k, err = signer.LoadEncryptedPrivateKey(data, pw)
				require.ErrorIs(t, err, signer.ErrKey)
				require.Contains(t, err.Error(), "wrong passphrase")
				require.Nil(t, k)
			}
		})
	}
}

func TestLoadEncryptedPrivateKeyRejects(t *testing.T) {
	enc := readTestdata(t, "apiclient_key_encrypted_pkcs8.pem")
	b, _ := pem.Decode(enc)
	truncated := pem.EncodeToMemory(&pem.Block{Type: b.Type, Bytes: b.Bytes[:len(b.Bytes)-7]})
	cut := pem.EncodeToMemory(&pem.Block{Type: b.Type, Bytes: b.Bytes[:len(b.Bytes)/2]})
	for name, in := range map[string][]byte{
		"empty":     nil,
		"garbage":   []byte("garbage"),
		"plain":     readTestdata(t, "apiclient_key.pem"),
		"pkcs1":     readTestdata(t, "apiclient_key_pkcs1.pem"),
		"truncated": truncated,
		"cut":       cut,
		"cert":      readTestdata(t, "apiclient_cert.pem"),
	} {
		k, err := signer.LoadEncryptedPrivateKey(in, "wxpaytest")
		require.ErrorIs(t, err, signer.ErrKey, name)
		require.Nil(t, k, name)
		require.NotContains(t, err.Error(), "wxpaytest", name)
	}
}

func TestLoadEncryptedPrivateKeyLegacyPEM(t *testing.T) {
	_, err := signer.LoadEncryptedPrivateKey(readTestdata(t, "apiclient_key_encrypted_pkcs1.pem"), "wxpaytest")
	require.ErrorIs(t, err, signer.ErrKey)
	require.Contains(t, err.Error(), "Proc-Type")
}

func TestLoadEncryptedPrivateKeyUnsupportedScheme(t *testing.T) {
	// PBES1 pbeWithMD5AndDES-CBC (openssl pkcs8 -topk8 -v1 PBE-MD5-DES),
	// built by hand: only the OID matters.
	der := []byte{
		0x30, 0x1f,
		0x30, 0x1a, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x05, 0x03,
		0x30, 0x0d, 0x04, 0x08, 1, 2, 3, 4, 5, 6, 7, 8, 0x02, 0x01, 0x01,
		0x04, 0x01, 0x00,
	}
	_, err := signer.LoadEncryptedPrivateKey(pem.EncodeToMemory(&pem.Block{Type: "ENCRYPTED PRIVATE KEY", Bytes: der}), "x")
	require.ErrorIs(t, err, signer.ErrKey)
	require.Contains(t, err.Error(), "1.2.840.113549.1.5.3")
	require.False(t, errors.Is(err, signer.ErrVerification))
	require.False(t, strings.Contains(err.Error(), "wrong passphrase"))
}

func TestLoadPKCS12NoMAC(t *testing.T) {
	key, cert, tc, err := signer.LoadPKCS12(readTestdata(t, "p12_nomac.p12"), p12Password)
	require.NoError(t, err)
	checkMerchantIdentity(t, key, cert, tc)
	for _, pw := range []string{"", "1900000108"} {
		_, _, _, err = signer.LoadPKCS12(readTestdata(t, "p12_nomac.p12"), pw)
		require.ErrorIs(t, err, signer.ErrKey)
		require.Contains(t, err.Error(), "wrong password (decryption failed)")
	}
}

// Every truncation and single-byte corruption gives an error, never a panic.
func TestLoadPKCS12Corruptions(t *testing.T) {
	for _, name := range append(p12Files, "p12_nomac.p12") {
		good := readTestdata(t, name)
		for i := 0; i < len(good); i += 13 {
			_, _, _, err := signer.LoadPKCS12(good[:i], p12Password)
			require.ErrorIs(t, err, signer.ErrKey, "%s[:%d]", name, i)
			bad := append([]byte{}, good...)
			bad[i] ^= 0x5a
			if _, _, _, err := signer.LoadPKCS12(bad, p12Password); err != nil {
				require.ErrorIs(t, err, signer.ErrKey, "%s flip %d", name, i)
			}
		}
	}
	enc := readTestdata(t, "enc_des3.pem")
	b, _ := pem.Decode(enc)
	for i := 0; i < len(b.Bytes); i += 7 {
		_, err := signer.LoadEncryptedPrivateKey(b.Bytes[:i], "wxpaytest")
		require.ErrorIs(t, err, signer.ErrKey, "enc_des3[:%d]", i)
	}
}

func TestLoadEncryptedPrivateKeyFile(t *testing.T) {
	key, err := signer.LoadEncryptedPrivateKeyFile("testdata/enc_default.pem", "wxpaytest")
	require.NoError(t, err)
	cert, err := signer.LoadCertificateFile("testdata/apiclient_cert.pem")
	require.NoError(t, err)
	require.True(t, key.PublicKey.Equal(cert.PublicKey))
	_, err = signer.LoadEncryptedPrivateKeyFile("testdata/enc_default.pem", "wrong")
	require.ErrorIs(t, err, signer.ErrKey)
	_, err = signer.LoadEncryptedPrivateKeyFile("testdata/no-such-file.pem", "x")
	require.Error(t, err)
}
