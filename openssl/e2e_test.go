package openssl_test

import (
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/wxpay-go/wxpay"
	"github.com/wxpay-go/wxpay/keys"
	"github.com/wxpay-go/wxpay/openssl"
	"github.com/wxpay-go/wxpay/wxpaytest"
)

// countingSigner and countingVerifier count the calls that reach the OpenSSL backend, so
// the end-to-end test shows the client used it (and not Go's crypto) for every signature.
type countingSigner struct {
	*openssl.Signer
	n atomic.Int64
}

func (c *countingSigner) Sign(r io.Reader, d []byte, o crypto.SignerOpts) ([]byte, error) {
	c.n.Add(1)
	return c.Signer.Sign(r, d, o)
}

type countingVerifier struct {
	*openssl.Verifier
	n atomic.Int64
}

func (c *countingVerifier) VerifyPKCS1v15SHA256(pub *rsa.PublicKey, digest, sig []byte) error {
	c.n.Add(1)
	return c.Verifier.VerifyPKCS1v15SHA256(pub, digest, sig)
}

// TestClientOnOpenSSL: a client whose merchant key and answer verification are on the
// OpenSSL backend places, pays (the emulator sends the signed callback to the client's
// NotificationHandler) and queries an order against the emulator over TLS.
func TestClientOnOpenSSL(t *testing.T) {
	requireBackend(t)
	srv := wxpaytest.NewServer(t)
	s, err := openssl.NewSigner(srv.MerchantKey)
	require.NoError(t, err)
	v, err := openssl.NewVerifier()
	require.NoError(t, err)
	cs, cv := &countingSigner{Signer: s}, &countingVerifier{Verifier: v}
	wx, err := wxpay.New(append(srv.ClientOptions(),
		wxpay.WithMerchant(srv.MchID, srv.MerchantSerial, cs), wxpay.WithRSAVerifier(cv))...)
	require.NoError(t, err)
	ctx := context.Background()

	var paid atomic.Value
	hook := httptest.NewServer(wx.NotificationHandler(func(_ context.Context, n *wxpay.Notification) error {
		var tx struct {
			OutTradeNo string `json:"out_trade_no"`
			TradeState string `json:"trade_state"`
		}
		if err := n.Decode(&tx); err != nil {
			return err
		}
		paid.Store(tx.OutTradeNo + " " + tx.TradeState)
		return nil
	}))
	t.Cleanup(hook.Close)

	resp, err := wx.Chain("v3/pay/transactions/native").Post(ctx, map[string]any{
		"appid": "wxd678efh567hg6787", "mchid": srv.MchID, "description": "OpenSSL backend",
		"out_trade_no": "OSSL1", "notify_url": hook.URL + "/notify",
		"amount": map[string]any{"total": 1, "currency": "CNY"},
	})
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.EqualValues(t, 1, cs.n.Load(), "the request was signed by the OpenSSL signer")
	require.EqualValues(t, 1, cv.n.Load(), "the answer was verified by the OpenSSL verifier")

	status, err := srv.PayAndNotify(ctx, "OSSL1")
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, status, "the callback was verified and accepted")
	require.Equal(t, "OSSL1 SUCCESS", paid.Load())
	require.EqualValues(t, 2, cv.n.Load(), "the callback was verified by the OpenSSL verifier")

	resp, err = wx.Chain("v3/pay/transactions/out-trade-no/{out_trade_no}").
		Get(ctx, wxpay.PathParam("out_trade_no", "OSSL1"), wxpay.Query("mchid", srv.MchID))
	require.NoError(t, err)
	var tx struct {
		TradeState string `json:"trade_state"`
	}
	require.NoError(t, resp.Decode(&tx))
	require.Equal(t, "SUCCESS", tx.TradeState)
	require.EqualValues(t, 2, cs.n.Load())
	require.EqualValues(t, 3, cv.n.Load())

	// A callback whose body was changed after signing is refused by the OpenSSL check.
	h, body, err := srv.NotificationV3("TRANSACTION.SUCCESS", "transaction", map[string]any{"out_trade_no": "OSSL1"})
	require.NoError(t, err)
	_, err = wx.ParseNotification(h, body)
	require.NoError(t, err)
	body[len(body)-2] ^= 1
	_, err = wx.ParseNotification(h, body)
	require.ErrorIs(t, err, wxpay.ErrVerification)
	require.EqualValues(t, 5, cv.n.Load())
}

// TestClientOnOpenSSLSigner: the bare *openssl.Signer (no wrapper) drops into WithMerchant.
func TestClientOnOpenSSLSigner(t *testing.T) {
	requireBackend(t)
	srv := wxpaytest.NewServer(t)
	s, err := openssl.NewSigner(srv.MerchantKey)
	require.NoError(t, err)
	v, err := openssl.NewVerifier()
	require.NoError(t, err)
	wx, err := wxpay.New(append(srv.ClientOptions(),
		wxpay.WithMerchant(srv.MchID, srv.MerchantSerial, s), wxpay.WithRSAVerifier(v))...)
	require.NoError(t, err)
	_, err = wx.Chain("v3/certificates").Get(context.Background())
	require.NoError(t, err)
}

// TestREADMEPerformance runs the README's "Performance" block: the merchant key loaded from
// its PEM file, the OpenSSL signer and verifier, a client built with them; then the same
// client against the emulator makes a verified call.
func TestREADMEPerformance(t *testing.T) {
	srv := wxpaytest.NewServer(t)
	dir := t.TempDir()
	der, err := x509.MarshalPKCS8PrivateKey(srv.MerchantKey)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "apiclient_key.pem"), pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600))
	wd, err := os.Getwd()
	require.NoError(t, err)
	require.NoError(t, os.Chdir(dir))
	t.Cleanup(func() { _ = os.Chdir(wd) })
	mchid, serial := srv.MchID, srv.MerchantSerial

	key, err := keys.LoadPrivateKeyFile("apiclient_key.pem")
	require.NoError(t, err)
	s, err := openssl.NewSigner(key) // a crypto.Signer; the key is copied into OpenSSL
	if errors.Is(err, openssl.ErrUnavailable) {
		t.Skip(err)
	}
	require.NoError(t, err)
	v, err := openssl.NewVerifier() // answers and callbacks
	require.NoError(t, err)
	wx, err := wxpay.New(wxpay.WithMerchant(mchid, serial, s), wxpay.WithRSAVerifier(v) /* , … */)
	require.NoError(t, err)
	require.NotNil(t, wx)

	wx, err = wxpay.New(append(srv.ClientOptions(), wxpay.WithMerchant(mchid, serial, s), wxpay.WithRSAVerifier(v))...)
	require.NoError(t, err)
	_, err = wx.Chain("v3/pay/transactions/out-trade-no/{out_trade_no}").Get(context.Background(),
		wxpay.PathParam("out_trade_no", "none"), wxpay.Query("mchid", mchid))
	var ae *wxpay.APIError
	require.ErrorAs(t, err, &ae, "a verified refusal: the order does not exist")
}
