package keys_test

import (
	"encoding/pem"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/wxpay-go/wxpay/keys"
)

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
			k, err := keys.LoadEncryptedPrivateKey(data, "wxpaytest")
			require.NoError(t, err)
			require.True(t, k.Equal(want))
			require.True(t, k.PublicKey.Equal(loadCert(t, "apiclient_cert.pem").PublicKey))

			// The DER inside the PEM works too.
			b, _ := pem.Decode(data)
			k, err = keys.LoadEncryptedPrivateKey(b.Bytes, "wxpaytest")
			require.NoError(t, err)
			require.True(t, k.Equal(want))

			for _, pw := range []string{"", "wxpaytesT", "wrong"} {
				k, err = keys.LoadEncryptedPrivateKey(data, pw)
				require.ErrorIs(t, err, keys.ErrKey)
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
		k, err := keys.LoadEncryptedPrivateKey(in, "wxpaytest")
		require.ErrorIs(t, err, keys.ErrKey, name)
		require.Nil(t, k, name)
		require.NotContains(t, err.Error(), "wxpaytest", name)
	}
}

func TestLoadEncryptedPrivateKeyLegacyPEM(t *testing.T) {
	_, err := keys.LoadEncryptedPrivateKey(readTestdata(t, "apiclient_key_encrypted_pkcs1.pem"), "wxpaytest")
	require.ErrorIs(t, err, keys.ErrKey)
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
	_, err := keys.LoadEncryptedPrivateKey(pem.EncodeToMemory(&pem.Block{Type: "ENCRYPTED PRIVATE KEY", Bytes: der}), "x")
	require.ErrorIs(t, err, keys.ErrKey)
	require.Contains(t, err.Error(), "1.2.840.113549.1.5.3")
	require.False(t, strings.Contains(err.Error(), "wrong passphrase"))
}

func TestLoadEncryptedPrivateKeyFile(t *testing.T) {
	key, err := keys.LoadEncryptedPrivateKeyFile("testdata/enc_default.pem", "wxpaytest")
	require.NoError(t, err)
	cert, err := keys.LoadCertificateFile("testdata/apiclient_cert.pem")
	require.NoError(t, err)
	require.True(t, key.PublicKey.Equal(cert.PublicKey))
	_, err = keys.LoadEncryptedPrivateKeyFile("testdata/enc_default.pem", "wrong")
	require.ErrorIs(t, err, keys.ErrKey)
	_, err = keys.LoadEncryptedPrivateKeyFile("testdata/no-such-file.pem", "x")
	require.Error(t, err)
}
