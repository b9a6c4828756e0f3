package keys_test

import (
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/wxpay-go/wxpay/keys"
)

const (
	testMchID      = "1900000109"
	merchantSerial = "3775B6A45ACD588826D15E583A95F5DD2C5C9DB8"
	platformSerial = "5157F09EFDC096DE15EBE81A47057A7232F5B8E1"
)

func readTestdata(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	require.NoError(t, err)
	return b
}

func loadPriv(t testing.TB, name string) *rsa.PrivateKey {
	t.Helper()
	k, err := keys.LoadPrivateKeyFile(filepath.Join("testdata", name))
	require.NoError(t, err)
	return k
}

func loadCert(t testing.TB, name string) *x509.Certificate {
	t.Helper()
	c, err := keys.LoadCertificateFile(filepath.Join("testdata", name))
	require.NoError(t, err)
	return c
}

// parsePKCS8 parses a PEM PKCS#8 key with the standard library alone.
func parsePKCS8(t testing.TB, name string) any {
	t.Helper()
	b, _ := pem.Decode(readTestdata(t, name))
	require.NotNil(t, b)
	k, err := x509.ParsePKCS8PrivateKey(b.Bytes)
	require.NoError(t, err)
	return k
}

// serialOf is the certificate serial as WeChat Pay writes it (upper-case hex).
func serialOf(c *x509.Certificate) string { return fmt.Sprintf("%X", c.SerialNumber) }
