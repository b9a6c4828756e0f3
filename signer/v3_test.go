package signer_test

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"io"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/wxpay-go/wxpay/signer"
)

// countingSigner is a custom crypto.Signer (think HSM) wrapping an RSA key.
type countingSigner struct {
	key   *rsa.PrivateKey
	calls atomic.Int64
	opts  crypto.SignerOpts
}

func (c *countingSigner) Public() crypto.PublicKey { return &c.key.PublicKey }
func (c *countingSigner) Sign(r io.Reader, digest []byte, opts crypto.SignerOpts) ([]byte, error) {
	c.calls.Add(1)
	c.opts = opts
	return c.key.Sign(r, digest, opts)
}

type failingSigner struct{ pub crypto.PublicKey }

var errHSM = errors.New("hsm offline")

func (f failingSigner) Public() crypto.PublicKey { return f.pub }
func (f failingSigner) Sign(io.Reader, []byte, crypto.SignerOpts) ([]byte, error) {
	return nil, errHSM
}

func parsePKCS8(t *testing.T, name string) any {
	t.Helper()
	b, _ := pem.Decode(readTestdata(t, name))
	require.NotNil(t, b)
	k, err := x509.ParsePKCS8PrivateKey(b.Bytes)
	require.NoError(t, err)
	return k
}

func TestNewV3SignerAccepts(t *testing.T) {
	s := merchantSigner(t)
	require.Equal(t, testMchID, s.MchID())
	require.Equal(t, merchantSerial, s.Serial())

	for _, id := range []string{"1", strings.Repeat("9", 32), "abcXYZ019"} {
		_, err := signer.NewV3Signer(id, merchantSerial, loadPriv(t, "apiclient_key.pem"))
		require.NoError(t, err, id)
	}
	for _, serial := range []string{"ABCDEF01", strings.Repeat("F", 40), "BE2A2344B984167B"} {
		_, err := signer.NewV3Signer(testMchID, serial, loadPriv(t, "apiclient_key.pem"))
		require.NoError(t, err, serial)
	}
}

func TestNewV3SignerRejects(t *testing.T) {
	key := loadPriv(t, "apiclient_key.pem")
	rsa1024 := parsePKCS8(t, "rsa1024_key.pem").(*rsa.PrivateKey)
	ecKey := parsePKCS8(t, "ec_key.pem").(*ecdsa.PrivateKey)
	ecGen, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)

	for name, tc := range map[string]struct {
		mchid, serial string
		key           crypto.Signer
		msg           string
	}{
		"nil key":           {testMchID, merchantSerial, nil, "nil"},
		"typed nil key":     {testMchID, merchantSerial, (*rsa.PrivateKey)(nil), "nil"},
		"1024-bit RSA":      {testMchID, merchantSerial, rsa1024, "1024 bits"},
		"ECDSA (openssl)":   {testMchID, merchantSerial, ecKey, "RSA"},
		"ECDSA (gen)":       {testMchID, merchantSerial, ecGen, "RSA"},
		"empty mchid":       {"", merchantSerial, key, "merchant id"},
		"long mchid":        {strings.Repeat("1", 33), merchantSerial, key, "merchant id"},
		"mchid dash":        {"1900-0109", merchantSerial, key, "merchant id"},
		"mchid space":       {"1900000109 ", merchantSerial, key, "merchant id"},
		"mchid unicode":     {"商户号", merchantSerial, key, "merchant id"},
		"short serial":      {testMchID, "ABCDEF0", key, "serial"},
		"long serial":       {testMchID, strings.Repeat("A", 41), key, "serial"},
		"serial colons":     {testMchID, "37:75:B6:A4:5A:CD:58", key, "serial"},
		"empty serial":      {testMchID, "", key, "serial"},
		"serial with quote": {testMchID, `3775B6A4"`, key, "serial"},
	} {
		s, err := signer.NewV3Signer(tc.mchid, tc.serial, tc.key)
		require.Nil(t, s, name)
		require.ErrorIs(t, err, signer.ErrKey, name)
		require.Contains(t, err.Error(), tc.msg, name)
	}
}

func TestCustomSigner(t *testing.T) {
	cs := &countingSigner{key: loadPriv(t, "apiclient_key.pem")}
	s, err := signer.NewV3Signer(testMchID, merchantSerial, cs)
	require.NoError(t, err)
	got, err := s.AuthorizationAt("GET", "/v3/certificates", nil, 1554208460, "593BEC0C930BF1AFEB40B4A08C8FB242")
	require.NoError(t, err)
	require.True(t, strings.HasSuffix(got, `signature="`+sigGetCertificates+`"`), got)
	require.EqualValues(t, 1, cs.calls.Load())
	require.Equal(t, crypto.SHA256, cs.opts.HashFunc())

	// Errors from the key surface, wrapped.
	fs, err := signer.NewV3Signer(testMchID, merchantSerial, failingSigner{pub: &cs.key.PublicKey})
	require.NoError(t, err)
	_, err = fs.Authorization("GET", "/v3/certificates", nil)
	require.ErrorIs(t, err, errHSM)
	_, err = fs.Sign([]byte("x"))
	require.ErrorIs(t, err, errHSM)

	// A signer whose public key is not RSA is refused up front.
	_, err = signer.NewV3Signer(testMchID, merchantSerial, failingSigner{pub: &parsePKCS8(t, "ec_key.pem").(*ecdsa.PrivateKey).PublicKey})
	require.ErrorIs(t, err, signer.ErrKey)
	_, err = signer.NewV3Signer(testMchID, merchantSerial, failingSigner{pub: nil})
	require.ErrorIs(t, err, signer.ErrKey)
}

var authRE = regexp.MustCompile(`^WECHATPAY2-SHA256-RSA2048 mchid="([0-9A-Za-z]{1,32})",serial_no="([0-9A-Za-z]{8,40})",timestamp="(1\d{9})",nonce_str="([0-9A-Za-z]{32})",signature="([A-Za-z0-9+/]+={0,2})"$`)

func TestAuthorizationFresh(t *testing.T) {
	s := merchantSigner(t)
	body := []byte(`{"mchid":"1900000109"}`)
	before := time.Now().Unix()
	h1, err := s.Authorization("POST", "/v3/pay/transactions/jsapi", body)
	require.NoError(t, err)
	after := time.Now().Unix()
	h2, err := s.Authorization("POST", "/v3/pay/transactions/jsapi", body)
	require.NoError(t, err)
	require.NotEqual(t, h1, h2) // fresh nonce

	m := authRE.FindStringSubmatch(h1)
	require.NotNil(t, m, h1)
	require.Equal(t, testMchID, m[1])
	require.Equal(t, merchantSerial, m[2])
	ts, err := strconv.ParseInt(m[3], 10, 64)
	require.NoError(t, err)
	require.GreaterOrEqual(t, ts, before)
	require.LessOrEqual(t, ts, after)

	raw, err := base64.StdEncoding.DecodeString(m[5])
	require.NoError(t, err)
	digest := sha256.Sum256(signer.Message("POST", "/v3/pay/transactions/jsapi", ts, m[4], body))
	require.NoError(t, rsa.VerifyPKCS1v15(&loadPriv(t, "apiclient_key.pem").PublicKey, crypto.SHA256, digest[:], raw))
}

func TestAuthorizationAtRejectsBadInputs(t *testing.T) {
	s := merchantSigner(t)
	for _, nonce := range []string{"", "a b", `a"b`, `a\b`, "a,b", "a\nb", "a\x00", "随机"} {
		_, err := s.AuthorizationAt("GET", "/v3/x", nil, 1554208460, nonce)
		require.Error(t, err, "%q", nonce)
	}
	_, err := s.AuthorizationAt("GET", "/v3/x", nil, -1, "abc")
	require.Error(t, err)
	// Non-alphanumeric but harmless nonces are allowed.
	_, err = s.AuthorizationAt("GET", "/v3/x", nil, 0, "a-b_c.d")
	require.NoError(t, err)
}

func TestMessageExactAndOneAllocation(t *testing.T) {
	require.Equal(t, "GET\n/v3/certificates\n1554208460\n593BEC0C930BF1AFEB40B4A08C8FB242\n\n",
		string(signer.Message("GET", "/v3/certificates", 1554208460, "593BEC0C930BF1AFEB40B4A08C8FB242", nil)))
	require.Equal(t, "POST\n/v3/a?b=c%27\n0\nn\n{}\n", string(signer.Message("POST", "/v3/a?b=c%27", 0, "n", []byte("{}"))))
	require.Equal(t, "1\n2\n\n", string(signer.ResponseMessage("1", "2", nil)))

	body := []byte(`{"a":1}`)
	allocs := testing.AllocsPerRun(100, func() {
		_ = signer.Message("POST", "/v3/pay/transactions/native", 1554208460, "593BEC0C930BF1AFEB40B4A08C8FB242", body)
	})
	require.Equal(t, 1.0, allocs)
	allocs = testing.AllocsPerRun(100, func() {
		_ = signer.ResponseMessage("1554209980", "c5ac7061fccab6bf3e254dcf98995b8c", body)
	})
	require.Equal(t, 1.0, allocs)
	m := signer.Message("GET", "/v3/x", 1, "n", nil)
	require.Equal(t, len(m), cap(m))
}
