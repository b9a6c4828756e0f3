package wxpaytest_test

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wxpay-go/wxpay"
	"github.com/wxpay-go/wxpay/wxpaytest"
)

// A bad query parameter is reported where it is: detail.location "query".
func TestBadQueryParameterLocation(t *testing.T) {
	srv := wxpaytest.NewServer(t)
	wx, err := wxpay.New(srv.ClientOptions()...)
	require.NoError(t, err)
	ctx := context.Background()
	_, err = wx.Chain("v3/pay/transactions/native").Post(ctx, map[string]any{"appid": "wxd678efh567hg6787", "mchid": srv.MchID,
		"description": "d", "out_trade_no": "Q1", "notify_url": "https://127.0.0.1/n", "amount": map[string]any{"total": 1}})
	require.NoError(t, err)
	for name, q := range map[string][]wxpay.CallOption{
		"another merchant (the stateful handler)": {wxpay.Query("mchid", "1900000110")},
		"missing (the catalog check)":             nil,
	} {
		_, err = wx.Chain("v3/pay/transactions/out-trade-no/{out_trade_no}").Get(ctx, append(q, wxpay.PathParam("out_trade_no", "Q1"))...)
		var apiErr *wxpay.APIError
		require.ErrorAs(t, err, &apiErr, name)
		assert.Equal(t, "PARAM_ERROR", apiErr.Code, name)
		var detail struct{ Location, Field string }
		require.NoError(t, json.Unmarshal(apiErr.Detail, &detail), name)
		assert.Equal(t, "query", detail.Location, name)
		assert.Equal(t, "mchid", detail.Field, name)
	}
}

// A PublicKeyMode server's ClientOptions make a client that verifies with the public key:
// it announces PUB_KEY_ID_… and holds no certificate.
func TestPublicKeyModeClientOptions(t *testing.T) {
	srv := wxpaytest.NewServer(t, wxpaytest.PublicKeyMode())
	wx, err := wxpay.New(srv.ClientOptions()...)
	require.NoError(t, err)
	assert.Equal(t, []string{srv.PublicKeyID}, wx.KeyStore().Serials())
	resp, err := wx.Chain("v3/pay/transactions/native").Post(context.Background(), map[string]any{"appid": "wxd678efh567hg6787",
		"mchid": srv.MchID, "description": "d", "out_trade_no": "PK1", "notify_url": "https://127.0.0.1/n", "amount": map[string]any{"total": 1}})
	require.NoError(t, err)
	assert.Equal(t, srv.PublicKeyID, resp.Header.Get("Wechatpay-Serial"), "the answer was verified with the public key")
	assert.Equal(t, srv.PublicKeyID, srv.LastRequest().Header.Get("Wechatpay-Serial"))
}

// The sandbox never calls a notify_url off this machine: the callback is recorded and
// logged, not sent; a loopback one is sent.
func TestCallbacksStayOnThisMachine(t *testing.T) {
	var logs syncBuffer
	srv := wxpaytest.NewServer(t, wxpaytest.WithLogger(slog.New(slog.NewTextHandler(&logs, nil))))
	wx, err := wxpay.New(srv.ClientOptions()...)
	require.NoError(t, err)
	ctx := context.Background()
	var hits atomic.Int32
	local := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { hits.Add(1) }))
	defer local.Close()

	for _, no := range []string{"OFF1", "OFF2", "ON1"} {
		notify := map[string]string{"OFF1": "https://example.com/notify?secret=s3", "OFF2": "http://127.attacker.example/n", "ON1": local.URL + "/n"}[no]
		_, err := wx.Chain("v3/pay/transactions/jsapi").Post(ctx, map[string]any{"appid": "wxd678efh567hg6787", "mchid": srv.MchID,
			"description": "d", "out_trade_no": no, "notify_url": notify, "amount": map[string]any{"total": 1},
			"payer": map[string]string{"openid": "o1"}})
		require.NoError(t, err)
		status, err := srv.PayAndNotify(ctx, no)
		if no == "ON1" {
			require.NoError(t, err)
			assert.Equal(t, http.StatusOK, status)
			continue
		}
		assert.True(t, errors.Is(err, wxpaytest.ErrNotLoopback), "%v", err)
		assert.Zero(t, status)
	}
	assert.EqualValues(t, 1, hits.Load(), "only the loopback callback was sent")
	held := srv.WithheldCallbacks()
	require.Len(t, held, 2)
	assert.Equal(t, "https://example.com/notify?secret=s3", held[0].URL)
	assert.Contains(t, string(held[0].Body), `"event_type":"TRANSACTION.SUCCESS"`)
	assert.NotEmpty(t, held[0].Header.Get("Wechatpay-Signature"))
	assert.Equal(t, "http://127.attacker.example/n", held[1].URL)
	assert.Contains(t, logs.String(), "callback not sent")
	assert.Contains(t, logs.String(), "example.com/notify")
	assert.NotContains(t, logs.String(), "s3", "the URL's query is not logged")

	// SendNotification, called directly, keeps the same rule.
	for _, u := range []string{"http://localhost.attacker.example/", "http://10.0.0.1/", "ftp://127.0.0.1/"} {
		_, _, err := srv.SendNotification(ctx, u, nil, []byte("{}"))
		assert.ErrorIs(t, err, wxpaytest.ErrNotLoopback, u)
	}
}
