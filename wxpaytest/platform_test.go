package wxpaytest_test

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"log/slog"
	"net"
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

// An SDK with the platform's host names hard-coded is pointed at the sandbox by its dialer
// alone: the server's certificate names api.mch.weixin.qq.com (and api2, apihk) and
// chains to RootCAs, so the TLS verification stays on.
func TestReachedUnderThePlatformsHostNames(t *testing.T) {
	srv := wxpaytest.NewServer(t)
	var dialed atomic.Int32
	tr := &http.Transport{
		TLSClientConfig: &tls.Config{RootCAs: srv.RootCAs, MinVersion: tls.VersionTLS12},
		DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
			dialed.Add(1)
			var d net.Dialer
			return d.DialContext(ctx, network, srv.Host()) // every host name leads to the sandbox
		},
	}
	wx, err := wxpay.New(wxpay.WithBaseURL("https://api.mch.weixin.qq.com/"), wxpay.WithHTTPClient(&http.Client{Transport: tr}),
		wxpay.WithMerchant(srv.MchID, srv.MerchantSerial, srv.MerchantKey), wxpay.WithPlatformCertificates(srv.PlatformCert),
		wxpay.WithAPIv2Key(srv.APIv2Key), wxpay.WithClientCertificate(srv.ClientCert))
	require.NoError(t, err)
	ctx := context.Background()
	resp, err := wx.Chain("v3/pay/transactions/native").Post(ctx, map[string]any{"appid": "wxd678efh567hg6787", "mchid": srv.MchID,
		"description": "d", "out_trade_no": "HOST1", "notify_url": "https://127.0.0.1/n", "amount": map[string]any{"total": 1}})
	require.NoError(t, err)
	assert.Equal(t, srv.PlatformSerial, resp.Header.Get("Wechatpay-Serial"), "a verified answer")
	assert.Equal(t, "POST", srv.LastRequest().Method)

	// The Hong Kong zone (api.mch.weixin.qq.com/hk/) and the APIv2 mutual-TLS path too.
	_, err = wx.Chain("v3/transactions/out-trade-no/{out_trade_no}/reverse").Post(ctx, map[string]string{"mchid": srv.MchID},
		wxpay.PathParam("out_trade_no", "HOST1"))
	require.NoError(t, err)
	assert.Equal(t, "/hk/v3/transactions/out-trade-no/HOST1/reverse", srv.LastRequest().RequestURI)
	_, err = wx.Chain("v2/secapi/pay/reverse").Post(ctx, map[string]string{"appid": "wxd678efh567hg6787", "mch_id": srv.MchID, "out_trade_no": "HOST1"})
	require.NoError(t, err)
	assert.True(t, srv.LastRequest().ClientCert)

	// api2 and apihk: a handshake under each name verifies.
	for _, host := range []string{"api2.mch.weixin.qq.com", "apihk.mch.weixin.qq.com", "localhost"} {
		conn, err := tls.Dial("tcp", srv.Host(), &tls.Config{RootCAs: srv.RootCAs, ServerName: host, MinVersion: tls.VersionTLS12})
		require.NoError(t, err, host)
		conn.Close()
	}
	_, err = tls.Dial("tcp", srv.Host(), &tls.Config{RootCAs: srv.RootCAs, ServerName: "api.mch.weixin.qq.com.attacker.example", MinVersion: tls.VersionTLS12})
	assert.Error(t, err, "other names are not in the certificate")
	assert.NotZero(t, dialed.Load())
}

// A direct merchant's 合单 order has no sub_mchid (only a 服务商's names its sub-merchants);
// the hk/global orders take either the direct merchant's fields or the partner's
// (merchant_modes.tsv).
func TestDirectMerchantFieldsWhereTheCatalogMergedPartnerFields(t *testing.T) {
	srv := wxpaytest.NewServer(t)
	wx, err := wxpay.New(srv.ClientOptions()...)
	require.NoError(t, err)
	ctx := context.Background()
	subOrder := func(no string, extra map[string]any) map[string]any {
		o := map[string]any{"mchid": srv.MchID, "attach": "a", "amount": map[string]any{"total_amount": 10, "currency": "CNY"},
			"out_trade_no": no, "description": "d"}
		for k, v := range extra {
			o[k] = v
		}
		return o
	}
	combine := func(subs ...map[string]any) map[string]any {
		return map[string]any{"combine_appid": "wxd678efh567hg6787", "combine_mchid": srv.MchID, "combine_out_trade_no": "C1",
			"notify_url": "https://127.0.0.1/n", "combine_payer_info": map[string]string{"openid": "o1"},
			"scene_info": map[string]any{"payer_client_ip": "127.0.0.1", "device_id": "POS1", "h5_info": map[string]string{"type": "Wap"}},
			"sub_orders": subs}
	}
	for _, tt := range []string{"jsapi", "app", "h5", "native"} {
		_, err := wx.Chain("v3/combine-transactions/"+tt).Post(ctx, combine(subOrder("S1", nil), subOrder("S2", nil)))
		require.NoError(t, err, "a direct merchant's 合单 %s", tt)
	}
	// A 服务商's 合单 names a sub-merchant in every sub-order: one left out is refused.
	_, err = wx.Chain("v3/combine-transactions/jsapi").Post(ctx, combine(subOrder("S1", map[string]any{"sub_mchid": "1900000110"}), subOrder("S2", nil)))
	var apiErr *wxpay.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Contains(t, string(apiErr.Detail), "sub_mchid")
	_, err = wx.Chain("v3/combine-transactions/jsapi").Post(ctx, combine(subOrder("S1", map[string]any{"sub_mchid": "1900000110"}),
		subOrder("S2", map[string]any{"sub_mchid": "1900000111"})))
	require.NoError(t, err)

	// Cross-border: the direct merchant's order (mchid, appid) and the 机构's (sp_mchid,
	// sp_appid, sub_mchid) are served; a partner order missing sub_mchid is refused.
	hkOrder := func(fields map[string]any) map[string]any {
		o := map[string]any{"description": "d", "notify_url": "https://127.0.0.1/n", "out_trade_no": "HK1", "trade_type": "NATIVE",
			"merchant_category_code": "4111", "amount": map[string]any{"total": 1, "currency": "HKD"}}
		for k, v := range fields {
			o[k] = v
		}
		return o
	}
	_, err = wx.Chain("v3/transactions/native").Post(ctx, hkOrder(map[string]any{"mchid": srv.MchID, "appid": "wxd678efh567hg6787"}))
	require.NoError(t, err, "direct")
	_, err = wx.Chain("v3/transactions/native").Post(ctx, hkOrder(map[string]any{"sp_mchid": srv.MchID, "sp_appid": "wxd678efh567hg6787", "sub_mchid": "1900000110"}))
	require.NoError(t, err, "partner")
	_, err = wx.Chain("v3/transactions/native").Post(ctx, hkOrder(map[string]any{"sp_mchid": srv.MchID, "sp_appid": "wxd678efh567hg6787"}))
	require.ErrorAs(t, err, &apiErr)
	assert.Contains(t, string(apiErr.Detail), `"field":"sub_mchid"`)
	_, err = wx.Chain("v3/global/transactions/out-trade-no/{out_trade_no}").Get(ctx, wxpay.PathParam("out_trade_no", "HK1"), wxpay.Query("mchid", srv.MchID))
	require.NoError(t, err, "a direct merchant's query by mchid alone")
	_, err = wx.Chain("v3/global/transactions/out-trade-no/{out_trade_no}").Get(ctx, wxpay.PathParam("out_trade_no", "HK1"))
	require.ErrorAs(t, err, &apiErr, "neither kind of merchant's fields")
	assert.Contains(t, string(apiErr.Detail), `"location":"query"`)
}
