package signer_test

import (
	"bytes"
	"crypto"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/wxpay-go/wxpay/keys"
	"github.com/wxpay-go/wxpay/signer"
)

// oaepNameVector is testdata/oaep_name.b64: "张三" encrypted by OpenSSL with
// RSAES-OAEP SHA-1/MGF1-SHA-1 to pubkey.pem (see testdata/VECTORS.md).
const oaepNameVector = "MwpxNeouaXyX563jqaqSlrsYMjrJizFB0u32Mhre1XwlufiC8mIx5UTTO3gxeyWUJ/tJNtYaxKDDMyVslaAHZOcHhWdjAXH+GXKwMtiVNE/X2hIWp1qtV+fg9HViB1p7My0i9+uqBhhhSN8LiQAZtCs2qFm5C2NsCgExD7aFWp5SnzaOvIo/uBFbm8wsJpuJ5Yh0Mz/gX9Kzd5a69+jsM21KgEG5+f9H6tpECS5KtqNNh3x2RfrC+uam0P+5viNNEPZmF2HI2og++FrxEwfUW8Lh9J1OlrnGRgLsFUHvPYZrqJkypeu/V6JKqAfTOdQeHk4XDQw5QjfGuOqWraVovQ=="

func TestOAEPOpenSSLVectors(t *testing.T) {
	require.Equal(t, oaepNameVector, strings.TrimSpace(string(readTestdata(t, "oaep_name.b64"))))
	priv := loadPriv(t, "platform_key.pem")
	for file, want := range map[string]string{
		"oaep_name.b64":   "张三",
		"oaep_idcard.b64": "11010519491231002X",
	} {
		got, err := signer.DecryptOAEP(priv, strings.TrimSpace(string(readTestdata(t, file))))
		require.NoError(t, err, file)
		require.Equal(t, want, string(got), file)
	}
}

func TestOAEPRoundTrip(t *testing.T) {
	priv := loadPriv(t, "platform_key.pem")
	for _, pubFile := range []string{"pubkey.pem", "platform_cert.pem"} {
		pub := loadPub(t, pubFile)
		for _, plain := range [][]byte{
			[]byte("张三"),
			[]byte("11010519491231002X"),
			{},
			bytes.Repeat([]byte{0xA5}, 256-2*20-2), // 214 bytes: the most a 2048-bit key holds
		} {
			ct1, err := signer.EncryptOAEP(pub, plain)
			require.NoError(t, err)
			ct2, err := signer.EncryptOAEP(pub, plain)
			require.NoError(t, err)
			require.NotEqual(t, ct1, ct2, "OAEP is randomized")
			raw, err := base64.StdEncoding.DecodeString(ct1)
			require.NoError(t, err)
			require.Len(t, raw, 256)

			for _, ct := range []string{ct1, ct2} {
				got, err := signer.DecryptOAEP(priv, ct)
				require.NoError(t, err)
				require.NotNil(t, got)
				require.Equal(t, plain, got)
			}
		}
	}
}

func TestEncryptOAEPErrors(t *testing.T) {
	pub := loadPub(t, "pubkey.pem")
	_, err := signer.EncryptOAEP(pub, make([]byte, 215))
	require.ErrorIs(t, err, rsa.ErrMessageTooLong)
	require.Contains(t, err.Error(), "215 bytes, at most 214")

	for name, k := range map[string]*rsa.PublicKey{
		"nil":      nil,
		"empty":    {},
		"1024-bit": &rsa1024(t).PublicKey,
	} {
		ct, err := signer.EncryptOAEP(k, []byte("张三"))
		require.Empty(t, ct, name)
		require.ErrorIs(t, err, signer.ErrKey, name)
	}
}

// oaepFailures returns ciphertexts that DecryptOAEP with platform_key.pem
// must refuse, for reasons ranging from the encoding to the padding.
func oaepFailures(t *testing.T) map[string]string {
	good := strings.TrimSpace(string(readTestdata(t, "oaep_name.b64")))
	raw, err := base64.StdEncoding.DecodeString(good)
	require.NoError(t, err)
	flip := func(i int) string {
		b := bytes.Clone(raw)
		b[i] ^= 0x01
		return base64.StdEncoding.EncodeToString(b)
	}
	// Valid OAEP, but to the merchant's key rather than the platform key.
	other, err := signer.EncryptOAEP(&loadPriv(t, "apiclient_key.pem").PublicKey, []byte("张三"))
	require.NoError(t, err)
	return map[string]string{
		"tampered first byte":    flip(0),
		"tampered middle":        flip(128),
		"tampered last byte":     flip(255),
		"wrong key":              other,
		"PKCS#1 v1.5 (openssl)":  strings.TrimSpace(string(readTestdata(t, "oaep_pkcs1v15.b64"))),
		"OAEP SHA-256 (openssl)": strings.TrimSpace(string(readTestdata(t, "oaep_sha256.b64"))),
		"bad base64":             good[:len(good)-1] + "!",
		"URL-safe base64":        strings.NewReplacer("+", "-", "/", "_").Replace(good),
		"empty":                  "",
		"one byte short":         base64.StdEncoding.EncodeToString(raw[:255]),
		"one byte long":          base64.StdEncoding.EncodeToString(append(bytes.Clone(raw), 0)),
		"zero":                   base64.StdEncoding.EncodeToString(make([]byte, 256)),
		"above modulus":          base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{0xFF}, 256)),
	}
}

func TestDecryptOAEPNoOracle(t *testing.T) {
	priv := loadPriv(t, "platform_key.pem")
	var first error
	for name, ct := range oaepFailures(t) {
		pt, err := signer.DecryptOAEP(priv, ct)
		require.Nil(t, pt, name)
		require.ErrorIs(t, err, signer.ErrDecrypt, name)
		require.False(t, errors.Is(err, signer.ErrKey), name)
		if first == nil {
			first = err
		}
		require.True(t, err == first, "%s: not the same error value", name)
		require.Equal(t, first.Error(), err.Error(), name)
	}
	require.Contains(t, first.Error(), "RSA-OAEP")
}

func TestDecryptOAEPKeyErrors(t *testing.T) {
	ct := strings.TrimSpace(string(readTestdata(t, "oaep_name.b64")))
	for name, k := range map[string]crypto.Decrypter{
		"nil interface":    nil,
		"typed nil":        (*rsa.PrivateKey)(nil),
		"typed nil HSM":    (*recordingDecrypter)(nil),
		"1024-bit":         rsa1024(t),
		"non-RSA":          nonRSADecrypter{},
		"nil RSA public":   &recordingDecrypter{pub: (*rsa.PublicKey)(nil)},
		"empty RSA public": &recordingDecrypter{pub: &rsa.PublicKey{}},
	} {
		var pt []byte
		var err error
		require.NotPanics(t, func() { pt, err = signer.DecryptOAEP(k, ct) }, name)
		require.Nil(t, pt, name)
		require.ErrorIs(t, err, signer.ErrKey, name)
		require.False(t, errors.Is(err, signer.ErrDecrypt), name)
	}
}

// recordingDecrypter stands in for an HSM: it records the options it is
// called with and delegates to key (or fails with err).
type recordingDecrypter struct {
	key  *rsa.PrivateKey
	pub  crypto.PublicKey
	err  error
	opts crypto.DecrypterOpts
}

func (d *recordingDecrypter) Public() crypto.PublicKey {
	if d.pub != nil || d.key == nil {
		return d.pub
	}
	return d.key.Public()
}

func (d *recordingDecrypter) Decrypt(r io.Reader, msg []byte, opts crypto.DecrypterOpts) ([]byte, error) {
	d.opts = opts
	if d.err != nil {
		return nil, d.err
	}
	return d.key.Decrypt(r, msg, opts)
}

type nonRSADecrypter struct{}

func (nonRSADecrypter) Public() crypto.PublicKey { return ed25519.PublicKey(make([]byte, 32)) }
func (nonRSADecrypter) Decrypt(io.Reader, []byte, crypto.DecrypterOpts) ([]byte, error) {
	return nil, errors.New("unreachable")
}

func TestDecryptOAEPDecrypter(t *testing.T) {
	priv := loadPriv(t, "platform_key.pem")
	d := &recordingDecrypter{key: priv}
	got, err := signer.DecryptOAEP(d, oaepNameVector)
	require.NoError(t, err)
	require.Equal(t, "张三", string(got))
	opts, ok := d.opts.(*rsa.OAEPOptions)
	require.True(t, ok, "called with %T", d.opts)
	require.Equal(t, crypto.SHA1, opts.Hash)
	require.True(t, opts.MGFHash == 0 || opts.MGFHash == crypto.SHA1)
	require.Empty(t, opts.Label)

	// An HSM error is not passed through: same error as any other failure.
	_, want := signer.DecryptOAEP(priv, "")
	failing := &recordingDecrypter{key: priv, err: errors.New("hsm: slot 3 PIN locked, key handle 0xdeadbeef")}
	pt, err := signer.DecryptOAEP(failing, oaepNameVector)
	require.Nil(t, pt)
	require.True(t, err == want)
	require.ErrorIs(t, err, signer.ErrDecrypt)
}

func rsa1024(t *testing.T) *rsa.PrivateKey {
	t.Helper()
	block, _ := pem.Decode(readTestdata(t, "rsa1024_key.pem"))
	require.NotNil(t, block)
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	require.NoError(t, err)
	rk, ok := k.(*rsa.PrivateKey)
	require.True(t, ok)
	require.Equal(t, 1024, rk.N.BitLen())
	return rk
}

func ExampleDecryptAESGCM() {
	// resource.ciphertext, resource.nonce and resource.associated_data of a
	// verified APIv3 callback, and the merchant's APIv3 key.
	const (
		apiv3Key   = "0123456789abcdef0123456789abcdef"
		nonce      = "5K8264ILTKCH"
		aad        = "transaction"
		ciphertext = "wm33US4bKFQwG6Ysdk2sU7gpajPcpE7IC1ogVZ5O3mY8YCqa8GIHiba/onijCOxKK9jUwbvqi7N3srR7vyLVcXlnf1M3U1l43LFJe2xw+A=="
	)
	plain, err := signer.DecryptAESGCM(apiv3Key, nonce, aad, ciphertext)
	if err != nil {
		panic(err)
	}
	fmt.Println(string(plain))

	_, err = signer.DecryptAESGCM("0123456789abcdef0123456789abcdeX", nonce, aad, ciphertext)
	fmt.Println(errors.Is(err, signer.ErrDecrypt))
	fmt.Println(err)
	// Output:
	// {"mchid":"1900000109","trade_state":"SUCCESS","payer":"张三"}
	// true
	// wxpay: decryption failed: AES-GCM authentication failed: the APIv3 key is wrong (it is the 32-character key set under API security, not the APIv2 key) or the ciphertext, nonce or associated_data was altered
}

func ExampleDecryptRefundInfo() {
	// req_info of an APIv2 refund notification and the merchant's APIv2 key.
	const reqInfo = "sQHh/cSF5F2ms58BHQoBmSe6PR7CX1bhrvBSH9Qhny+XrJMY2DfYIO50b51BFVxzk/GNmvI9NBWlrTMA5+VT+Ab/5JopDsr0SxnGBcoiwMA="
	xml, err := signer.DecryptRefundInfo("exposed_your_key_here_have_risks", reqInfo)
	if err != nil {
		panic(err)
	}
	fmt.Println(string(xml))
	// Output:
	// <root><out_refund_no><![CDATA[131811191610442717309]]></out_refund_no></root>
}

func ExampleEncryptOAEP() {
	// Encrypt with the WeChat Pay public key (or platform certificate) and
	// send its id in the Wechatpay-Serial header.
	pub, err := keys.LoadPublicKeyFile("testdata/pubkey.pem")
	if err != nil {
		panic(err)
	}
	name, err := signer.EncryptOAEP(pub, []byte("张三"))
	if err != nil {
		panic(err)
	}
	fmt.Println(len(name)) // base64 of 256 bytes; different every time

	// WeChat Pay decrypts with its private key. Merchants call DecryptOAEP
	// with theirs on fields WeChat Pay encrypted for them.
	priv, err := keys.LoadPrivateKeyFile("testdata/platform_key.pem")
	if err != nil {
		panic(err)
	}
	plain, err := signer.DecryptOAEP(priv, name)
	if err != nil {
		panic(err)
	}
	fmt.Println(string(plain))
	// Output:
	// 344
	// 张三
}
