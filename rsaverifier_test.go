package wxpay_test

import (
	"context"
	"crypto"
	"crypto/rsa"
	"errors"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/wxpay-go/wxpay"
	"github.com/wxpay-go/wxpay/wxpaytest"
)

// goRSA is a signer.RSAVerifier on crypto/rsa that counts its calls, or refuses everything.
type goRSA struct {
	calls  atomic.Int64
	refuse bool
}

func (g *goRSA) VerifyPKCS1v15SHA256(pub *rsa.PublicKey, digest, sig []byte) error {
	g.calls.Add(1)
	if g.refuse {
		return errors.New("refused")
	}
	return rsa.VerifyPKCS1v15(pub, crypto.SHA256, digest, sig)
}

// TestWithRSAVerifier: the verifier checks APIv3 answers and callbacks alike, and its
// refusal fails the call as a verification error.
func TestWithRSAVerifier(t *testing.T) {
	srv := wxpaytest.NewServer(t)
	ctx := context.Background()
	g := &goRSA{}
	wx := newClient(t, srv, wxpay.WithRSAVerifier(g))

	_, err := wx.Chain("v3/pay/transactions/native").Post(ctx, nativeOrder(srv, "RSAV1"))
	require.NoError(t, err)
	require.EqualValues(t, 1, g.calls.Load())

	h, body, err := srv.NotificationV3("TRANSACTION.SUCCESS", "transaction", map[string]any{"out_trade_no": "RSAV1"})
	require.NoError(t, err)
	_, err = wx.ParseNotification(h, body)
	require.NoError(t, err)
	require.EqualValues(t, 2, g.calls.Load())

	g.refuse = true
	_, err = wx.Chain("v3/pay/transactions/native").Post(ctx, nativeOrder(srv, "RSAV2"))
	require.ErrorIs(t, err, wxpay.ErrVerification)
	_, err = wx.ParseNotification(h, body)
	require.ErrorIs(t, err, wxpay.ErrVerification)
	require.EqualValues(t, 4, g.calls.Load())

	// Without the option, Go's crypto/rsa checks: the verifier above is not called.
	plain := newClient(t, srv)
	_, err = plain.ParseNotification(h, body)
	require.NoError(t, err)
	require.EqualValues(t, 4, g.calls.Load())
}

func TestWithRSAVerifierRefusesNil(t *testing.T) {
	_, err := wxpay.New(wxpay.WithRSAVerifier(nil))
	require.ErrorIs(t, err, wxpay.ErrConfig)
	var typedNil *goRSA
	_, err = wxpay.New(wxpay.WithRSAVerifier(typedNil))
	require.ErrorIs(t, err, wxpay.ErrConfig)
}
