package keys_test

import (
	"bytes"
	"encoding/asn1"
	"encoding/pem"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	gopkcs12 "software.sslmate.com/src/go-pkcs12"

	"github.com/wxpay-go/wxpay/keys"
)

// A crafted file is priced before any key derivation runs, all its iteration
// counts together. Each file here keeps every count under the old per-field
// cap (10,000,000), so the old loader ran the derivations — up to a second
// each — and then reported a wrong password; now it refuses at once.
func TestLoadPKCS12RefusesCostlyFiles(t *testing.T) {
	for name, data := range map[string][]byte{
		// MAC (SHA-256) + certificate safe + key bag (PBES2, HMAC-SHA256), 1,000,000 each
		"three fields": rewriteInts(t, readTestdata(t, "p12_modern.p12"), 2048, 1_000_000),
		// the MAC alone (SHA-1), 7,000,000 iterations
		"MAC": rewriteMACIterations(t, readTestdata(t, "p12_legacy.p12"), 7_000_000),
		// the largest INTEGER encoding/asn1 takes as an int
		"max int": rewriteInts(t, readTestdata(t, "p12_3des.p12"), 2048, 1<<62),
	} {
		start := time.Now()
		k, _, _, err := keys.LoadPKCS12(data, p12Password)
		elapsed := time.Since(start)
		require.Nil(t, k, name)
		require.ErrorIs(t, err, keys.ErrKey, name)
		require.Contains(t, err.Error(), "more key-derivation work", name)
		require.NotContains(t, err.Error(), "wrong password", name)
		require.Less(t, elapsed, time.Second, name) // no derivation ran (it takes microseconds)
	}
}

// An empty password makes go-pkcs12 try the MAC twice (with and without the
// BMPString terminator); the price counts both.
func TestLoadPKCS12EmptyPasswordCountsTwice(t *testing.T) {
	data := rewriteMACIterations(t, readTestdata(t, "p12_legacy.p12"), 3_100_000)
	_, _, _, err := keys.LoadPKCS12(data, "")
	require.ErrorContains(t, err, "more key-derivation work")
	_, _, _, err = keys.LoadPKCS12(data, p12Password) // once, 3,100,000 is within the budget: the MAC runs and fails
	require.ErrorContains(t, err, "wrong password (MAC check failed)")
}

// A file written with many more iterations than any common tool uses still
// loads: the budget is not tight.
func TestLoadPKCS12HeavyButLegitimate(t *testing.T) {
	key, cert := loadPriv(t, "apiclient_key.pem"), loadCert(t, "apiclient_cert.pem")
	data, err := gopkcs12.Modern2023.WithIterations(200_000).Encode(key, cert, nil, p12Password)
	require.NoError(t, err)
	k, c, _, err := keys.LoadPKCS12(data, p12Password)
	require.NoError(t, err)
	require.True(t, k.Equal(key))
	require.Equal(t, cert.Raw, c.Raw)
}

func TestLoadEncryptedPrivateKeyRefusesCostlyFiles(t *testing.T) {
	b, _ := pem.Decode(readTestdata(t, "enc_default.pem")) // PBKDF2-HMAC-SHA256, AES-256-CBC, 2048 iterations
	for _, iter := range []int64{2_500_000, 1 << 40} {
		crafted := pem.EncodeToMemory(&pem.Block{Type: b.Type, Bytes: rewriteInts(t, b.Bytes, 2048, iter)})
		start := time.Now()
		k, err := keys.LoadEncryptedPrivateKey(crafted, "wxpaytest")
		require.Nil(t, k)
		require.ErrorIs(t, err, keys.ErrKey)
		require.Contains(t, err.Error(), "more key-derivation work")
		require.NotContains(t, err.Error(), "wrong passphrase")
		require.Less(t, time.Since(start), time.Second)
	}
	// 500,000 iterations are within the budget: the derivation runs (and, the
	// file having been made with 2048, the passphrase then looks wrong).
	crafted := pem.EncodeToMemory(&pem.Block{Type: b.Type, Bytes: rewriteInts(t, b.Bytes, 2048, 500_000)})
	_, err := keys.LoadEncryptedPrivateKey(crafted, "wxpaytest")
	require.ErrorContains(t, err, "wrong passphrase")
}

func TestInputSizeLimit(t *testing.T) {
	big := append(readTestdata(t, "apiclient_key.pem"), bytes.Repeat([]byte{'\n'}, keys.MaxInputSize)...)
	_, err := keys.LoadPrivateKey(big)
	require.ErrorIs(t, err, keys.ErrKey)
	require.Contains(t, err.Error(), "larger than 1048576 bytes")
	_, err = keys.LoadPublicKey(big)
	require.ErrorIs(t, err, keys.ErrKey)
	_, err = keys.LoadCertificate(big)
	require.ErrorIs(t, err, keys.ErrKey)
	_, err = keys.LoadEncryptedPrivateKey(big, "x")
	require.ErrorIs(t, err, keys.ErrKey)
	_, _, _, err = keys.LoadPKCS12(append(readTestdata(t, "p12_modern.p12"), make([]byte, keys.MaxInputSize)...), p12Password)
	require.ErrorIs(t, err, keys.ErrKey)
	require.Contains(t, err.Error(), "larger than")

	// Files are read no further than the limit.
	path := filepath.Join(t.TempDir(), "big.pem")
	require.NoError(t, os.WriteFile(path, big, 0o600))
	_, err = keys.LoadPrivateKeyFile(path)
	require.ErrorIs(t, err, keys.ErrKey)
	require.True(t, strings.HasPrefix(err.Error(), path+": "), err.Error())
	_, _, _, err = keys.LoadPKCS12File(path, p12Password)
	require.ErrorIs(t, err, keys.ErrKey)

	// Exactly at the limit is still parsed.
	atLimit := append(readTestdata(t, "apiclient_key.pem"), bytes.Repeat([]byte{'\n'}, keys.MaxInputSize-len(readTestdata(t, "apiclient_key.pem")))...)
	require.Len(t, atLimit, keys.MaxInputSize)
	_, err = keys.LoadPrivateKey(atLimit)
	require.NoError(t, err)
}

// rewriteMACIterations sets the iteration count of a PKCS#12 file's
// MacData to n, leaving everything else as it is.
func rewriteMACIterations(t testing.TB, p12 []byte, n int64) []byte {
	t.Helper()
	var pfx struct {
		Version  int
		AuthSafe asn1.RawValue
		MacData  asn1.RawValue
	}
	_, err := asn1.Unmarshal(p12, &pfx)
	require.NoError(t, err)
	var md struct {
		Mac        asn1.RawValue
		MacSalt    []byte
		Iterations int64
	}
	_, err = asn1.Unmarshal(pfx.MacData.FullBytes, &md)
	require.NoError(t, err)
	md.Iterations = n
	enc, err := asn1.Marshal(md)
	require.NoError(t, err)
	pfx.MacData = asn1.RawValue{FullBytes: enc}
	out, err := asn1.Marshal(pfx)
	require.NoError(t, err)
	return out
}
