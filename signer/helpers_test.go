package signer_test

import (
	"crypto/rsa"
	"crypto/x509"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/wxpay-go/wxpay/keys"
	"github.com/wxpay-go/wxpay/signer"
)

const (
	testMchID          = "1900000109"
	merchantSerial     = "3775B6A45ACD588826D15E583A95F5DD2C5C9DB8"
	platformSerial     = "5157F09EFDC096DE15EBE81A47057A7232F5B8E1"
	testPubKeyID       = "PUB_KEY_ID_0114232134912410000000000000"
	vectorRespTS       = "1554209980"
	vectorRespNonce    = "c5ac7061fccab6bf3e254dcf98995b8c"
	vectorRespTSInt    = 1554209980
	vectorPubKeyIDTS   = "1554209985"
	vectorPubKeyIDNon  = "5K8264ILTKCH16CQ2502SI8ZNMTM67VS"
	vectorPubKeyIDBody = `{"code":"SUCCESS","message":"公钥模式"}`
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

func loadPub(t testing.TB, name string) *rsa.PublicKey {
	t.Helper()
	k, err := keys.LoadPublicKeyFile(filepath.Join("testdata", name))
	require.NoError(t, err)
	return k
}

func merchantSigner(t testing.TB) *signer.V3Signer {
	t.Helper()
	s, err := signer.NewV3Signer(testMchID, merchantSerial, loadPriv(t, "apiclient_key.pem"))
	require.NoError(t, err)
	return s
}

// platformStore holds the platform certificate and, under testPubKeyID, the
// public-key-mode key: both kinds in one store.
func platformStore(t testing.TB) *signer.KeyStore {
	t.Helper()
	ks := signer.NewKeyStore()
	serial, err := ks.AddCertificate(loadCert(t, "platform_cert.pem"))
	require.NoError(t, err)
	require.Equal(t, platformSerial, serial)
	require.NoError(t, ks.AddPublicKey(testPubKeyID, loadPub(t, "pubkeyid_pub.pem")))
	return ks
}

var verificationSentinels = []error{
	signer.ErrHeadersIncomplete,
	signer.ErrBadTimestamp,
	signer.ErrTimestampSkew,
	signer.ErrUnknownSerial,
	signer.ErrBadSignature,
	signer.ErrSignTestProbe,
}

// requireSentinel asserts err wraps want and ErrVerification, and none of
// the other precise sentinels.
func requireSentinel(t testing.TB, err, want error, msgContains ...string) {
	t.Helper()
	require.Error(t, err)
	require.ErrorIs(t, err, want)
	require.ErrorIs(t, err, signer.ErrVerification)
	for _, other := range verificationSentinels {
		if other != want {
			require.False(t, errors.Is(err, other), "error %q also matches %q", err, other)
		}
	}
	for _, s := range msgContains {
		require.True(t, strings.Contains(err.Error(), s), "error %q does not contain %q", err, s)
	}
}
