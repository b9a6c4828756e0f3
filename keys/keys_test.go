package keys_test

import (
	"bytes"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/wxpay-go/wxpay/keys"
)

func TestLoadPrivateKeyFormats(t *testing.T) {
	want := loadPriv(t, "apiclient_key.pem")
	require.Equal(t, 2048, want.N.BitLen())

	for _, name := range []string{
		"apiclient_key.pem",       // PKCS#8 PEM
		"apiclient_key_pkcs1.pem", // PKCS#1 PEM (openssl pkey -traditional)
		"apiclient_key_pkcs8.b64", // bare base64 PKCS#8 DER
		"apiclient_key_pkcs1.b64", // bare base64 PKCS#1 DER
	} {
		k, err := keys.LoadPrivateKey(readTestdata(t, name))
		require.NoError(t, err, name)
		require.True(t, want.Equal(k), name)
	}
	require.True(t, strings.HasPrefix(string(readTestdata(t, "apiclient_key_pkcs1.pem")), "-----BEGIN RSA PRIVATE KEY-----"))

	// Raw DER, base64 with line breaks, unpadded base64, and a PEM bundle with the certificate first.
	block, _ := pem.Decode(readTestdata(t, "apiclient_key.pem"))
	k, err := keys.LoadPrivateKey(block.Bytes)
	require.NoError(t, err)
	require.True(t, want.Equal(k))

	b64 := strings.TrimSpace(string(readTestdata(t, "apiclient_key_pkcs8.b64")))
	var wrapped strings.Builder
	for i := 0; i < len(b64); i += 64 {
		wrapped.WriteString(b64[i:min(i+64, len(b64))])
		wrapped.WriteString("\r\n")
	}
	k, err = keys.LoadPrivateKey([]byte(wrapped.String()))
	require.NoError(t, err)
	require.True(t, want.Equal(k))
	k, err = keys.LoadPrivateKey([]byte(strings.TrimRight(b64, "=")))
	require.NoError(t, err)
	require.True(t, want.Equal(k))

	bundle := append(readTestdata(t, "apiclient_cert.pem"), readTestdata(t, "apiclient_key_pkcs1.pem")...)
	k, err = keys.LoadPrivateKey(bundle)
	require.NoError(t, err)
	require.True(t, want.Equal(k))
}

func TestLoadPrivateKeyRejects(t *testing.T) {
	for name, tc := range map[string]struct {
		input []byte
		msg   string
	}{
		"empty":           {nil, "empty"},
		"spaces":          {[]byte(" \n\t"), "empty"},
		"garbage":         {[]byte("this is not a key"), "neither PEM"},
		"garbage base64":  {[]byte("aGVsbG8gd29ybGQ="), "neither"},
		"broken PEM":      {[]byte("-----BEGIN PRIVATE KEY-----\n!!!\n-----END PRIVATE KEY-----\n"), "no valid PEM"},
		"cert only":       {readTestdata(t, "apiclient_cert.pem"), `["CERTIFICATE"]`},
		"public key":      {readTestdata(t, "pubkey.pem"), "PUBLIC KEY"},
		"encrypted PKCS8": {readTestdata(t, "apiclient_key_encrypted_pkcs8.pem"), "encrypted"},
		"encrypted PKCS1": {readTestdata(t, "apiclient_key_encrypted_pkcs1.pem"), "encrypted"},
		"EC key":          {readTestdata(t, "ec_key.pem"), "not RSA"},
		"RSA 1024":        {readTestdata(t, "rsa1024_key.pem"), "1024 bits"},
		"EC PRIVATE KEY":  {[]byte("-----BEGIN EC PRIVATE KEY-----\nMAA=\n-----END EC PRIVATE KEY-----\n"), "not an RSA private key"},
		"bad PKCS8 body":  {pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: []byte{0x30, 0x03, 0x02, 0x01, 0x00}}), "PKCS#8"},
	} {
		k, err := keys.LoadPrivateKey(tc.input)
		require.Nil(t, k, name)
		require.ErrorIs(t, err, keys.ErrKey, name)
		require.Contains(t, err.Error(), tc.msg, name)
	}

	// Errors never echo key material.
	_, err := keys.LoadPrivateKey(readTestdata(t, "rsa1024_key.pem"))
	require.NotContains(t, err.Error(), "MII")
}

func TestLoadFiles(t *testing.T) {
	_, err := keys.LoadPrivateKeyFile(filepath.Join("testdata", "does-not-exist.pem"))
	require.ErrorIs(t, err, fs.ErrNotExist)
	require.NotErrorIs(t, err, keys.ErrKey)
	_, err = keys.LoadCertificateFile(filepath.Join("testdata", "does-not-exist.pem"))
	require.ErrorIs(t, err, fs.ErrNotExist)
	_, err = keys.LoadPublicKeyFile(filepath.Join("testdata", "does-not-exist.pem"))
	require.ErrorIs(t, err, fs.ErrNotExist)

	path := filepath.Join("testdata", "ec_key.pem")
	_, err = keys.LoadPrivateKeyFile(path)
	require.ErrorIs(t, err, keys.ErrKey)
	require.Contains(t, err.Error(), path)
	_, err = keys.LoadCertificateFile(path)
	require.ErrorIs(t, err, keys.ErrKey)
	_, err = keys.LoadPublicKeyFile(path)
	require.ErrorIs(t, err, keys.ErrKey)

	// A key in a temp file loads.
	tmp := filepath.Join(t.TempDir(), "k.pem")
	require.NoError(t, os.WriteFile(tmp, readTestdata(t, "apiclient_key_pkcs1.pem"), 0o600))
	k, err := keys.LoadPrivateKeyFile(tmp)
	require.NoError(t, err)
	require.True(t, loadPriv(t, "apiclient_key.pem").Equal(k))
}

func TestLoadPublicKeyFormats(t *testing.T) {
	want := &loadPriv(t, "platform_key.pem").PublicKey
	for _, name := range []string{"pubkey.pem", "pubkey_pkcs1.pem", "platform_cert.pem", "pubkey_spki.b64"} {
		k, err := keys.LoadPublicKey(readTestdata(t, name))
		require.NoError(t, err, name)
		require.True(t, want.Equal(k), name)
	}
	require.True(t, strings.HasPrefix(string(readTestdata(t, "pubkey_pkcs1.pem")), "-----BEGIN RSA PUBLIC KEY-----"))

	// bare DER of a certificate and of a PKCS#1 public key
	for _, name := range []string{"platform_cert.pem", "pubkey_pkcs1.pem"} {
		block, _ := pem.Decode(readTestdata(t, name))
		k, err := keys.LoadPublicKey(block.Bytes)
		require.NoError(t, err, name)
		require.True(t, want.Equal(k), name)
	}

	for name, tc := range map[string]struct {
		input []byte
		msg   string
	}{
		"garbage":     {[]byte("garbage"), "neither PEM"},
		"EC public":   {readTestdata(t, "ec_pub.pem"), "not RSA"},
		"private key": {readTestdata(t, "apiclient_key.pem"), `["PRIVATE KEY"]`},
		"RSA 1024":    {pem.EncodeToMemory(&pem.Block{Type: "RSA PUBLIC KEY", Bytes: pkcs1Pub(t, &parsePKCS8(t, "rsa1024_key.pem").(*rsa.PrivateKey).PublicKey)}), "1024 bits"},
		"bad DER":     {[]byte{0x30, 0x01, 0x00}, "not an SPKI"},
	} {
		k, err := keys.LoadPublicKey(tc.input)
		require.Nil(t, k, name)
		require.ErrorIs(t, err, keys.ErrKey, name)
		require.Contains(t, err.Error(), tc.msg, name)
	}
}

func TestLoadCertificate(t *testing.T) {
	c, err := keys.LoadCertificate(readTestdata(t, "apiclient_cert.pem"))
	require.NoError(t, err)
	require.Equal(t, merchantSerial, serialOf(c))
	require.Equal(t, "1900000109", c.Subject.CommonName)

	c, err = keys.LoadCertificate(readTestdata(t, "platform_cert.pem"))
	require.NoError(t, err)
	require.Equal(t, platformSerial, serialOf(c))

	// bare base64 and raw DER
	block, _ := pem.Decode(readTestdata(t, "apiclient_cert.pem"))
	c2, err := keys.LoadCertificate(block.Bytes)
	require.NoError(t, err)
	require.True(t, bytes.Equal(block.Bytes, c2.Raw))
	b64 := strings.Join(strings.Split(string(readTestdata(t, "apiclient_cert.pem")), "\n")[1:], "")
	b64 = strings.TrimSuffix(b64, "-----END CERTIFICATE-----")
	c3, err := keys.LoadCertificate([]byte(b64))
	require.NoError(t, err)
	require.True(t, bytes.Equal(block.Bytes, c3.Raw))

	for _, in := range [][]byte{nil, []byte("garbage"), readTestdata(t, "pubkey.pem"), {0x30, 0x01, 0x00}} {
		_, err := keys.LoadCertificate(in)
		require.ErrorIs(t, err, keys.ErrKey)
	}

}

func pkcs1Pub(t *testing.T, k *rsa.PublicKey) []byte {
	t.Helper()
	return x509.MarshalPKCS1PublicKey(k)
}

// An error names at most a few of the PEM block types it skipped, each cut
// short: the types come from the input, which may be anything.
func TestErrorListsFewBlockTypes(t *testing.T) {
	var in []byte
	for i := 0; i < 50; i++ {
		in = append(in, pem.EncodeToMemory(&pem.Block{Type: strings.Repeat("X", 500), Bytes: []byte{1}})...)
	}
	for _, load := range []func([]byte) error{
		func(b []byte) error { _, err := keys.LoadPrivateKey(b); return err },
		func(b []byte) error { _, err := keys.LoadPublicKey(b); return err },
		func(b []byte) error { _, err := keys.LoadCertificate(b); return err },
		func(b []byte) error { _, err := keys.LoadEncryptedPrivateKey(b, "x"); return err },
	} {
		err := load(in)
		require.ErrorIs(t, err, keys.ErrKey)
		require.Less(t, len(err.Error()), 400, err.Error())
		require.Contains(t, err.Error(), "…")
	}
}
