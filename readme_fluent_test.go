package wxpay_test

// The READMEs' blocks that call through the fluent tree (wx.V3()…, wx.V2()…, .Node()), run
// (see readme_mirror_test.go and TestREADMEGoBlocks). Kept apart because the tree's
// signatures change with the typed models: update these with the READMEs' blocks. (The
// uploads block's one fluent line is in TestREADMEUploadsAndDownloads.)

import (
	"context"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wxpay-go/wxpay"
	"github.com/wxpay-go/wxpay/wxpaytest"
)

// README.md, the three lines at the top.
func TestREADMEOverview(t *testing.T) {
	srv := wxpaytest.NewServer(t)
	wx := newClient(t, srv)
	ctx := context.Background()
	body := map[string]string{"mchid": "1900000109", "sp_mchid": "1900000109", "sub_mchid": "1900000110"}
	xmlFields := map[string]string{"appid": "wxd678efh567hg6787", "mch_id": "1900000109", "out_trade_no": "20150806125347"}

	resp, err := wx.V3().Transactions().OutTradeNo("x").Reverse().Post(ctx, body) // fluent, generated from the catalog
	require.NoError(t, err)
	assert.Equal(t, http.StatusNoContent, resp.StatusCode)
	assert.Equal(t, "/hk/v3/transactions/out-trade-no/x/reverse", srv.LastRequest().RequestURI)
	resp, err = wx.Chain("v3/transactions/out-trade-no/<out_trade_no>/reverse").Post(ctx, body, wxpay.PathParam("out_trade_no", "x"))
	require.NoError(t, err)
	assert.Equal(t, http.StatusNoContent, resp.StatusCode)
	_, err = wx.Chain("v2/pay/unifiedorder").Post(ctx, map[string]string{ // the order to reverse
		"appid": "wxd678efh567hg6787", "mch_id": "1900000109", "body": "QQ会员充值", "out_trade_no": "20150806125347",
		"total_fee": "1", "spbill_create_ip": "123.12.12.123", "notify_url": "https://example.com/n", "trade_type": "NATIVE",
	})
	require.NoError(t, err)
	resp, err = wx.V2().Secapi().Pay().Reverse().PostAsync(ctx, xmlFields).Wait() // APIv2: XML, MD5/HMAC, mutual TLS
	require.NoError(t, err)
	assert.True(t, srv.LastRequest().ClientCert)
	fields := map[string]string{}
	require.NoError(t, resp.Decode(&fields))
	assert.Equal(t, "SUCCESS", fields["result_code"])
}

// README.md, "Calls".
func TestREADMECalls(t *testing.T) {
	srv := wxpaytest.NewServer(t)
	wx := newClient(t, srv)
	ctx := context.Background()
	body := map[string]string{"mchid": "1900000109", "sp_mchid": "1900000109", "sub_mchid": "1900000110"}

	// Fluent: generated from the endpoint catalog (all 1155 endpoints, APIv2 and APIv3).
	node := wx.V3().Transactions().OutTradeNo("1217752501201407033233368018").Reverse()
	assert.Equal(t, "v3/transactions/out-trade-no/{out_trade_no}/reverse", node.Template())
	resp, err := node.Post(ctx, map[string]string{"mchid": "1900000109", "sp_mchid": "1900000109", "sub_mchid": "1900000110"})
	require.NoError(t, err)
	assert.Equal(t, http.StatusNoContent, resp.StatusCode)
	assert.Equal(t, "/hk/v3/transactions/out-trade-no/1217752501201407033233368018/reverse", srv.LastRequest().RequestURI)

	resp, err = wx.Chain("v3/transactions/out-trade-no/<out_trade_no>/reverse").Post(ctx, body,
		wxpay.PathParam("out_trade_no", "1217752501201407033233368018"))
	require.NoError(t, err)
	assert.Equal(t, http.StatusNoContent, resp.StatusCode)
	assert.Equal(t, "/hk/v3/transactions/out-trade-no/1217752501201407033233368018/reverse", srv.LastRequest().RequestURI)

	_, err = wx.Chain("v2/pay/unifiedorder").Post(ctx, map[string]string{ // the order to reverse
		"appid": "wxd678efh567hg6787", "mch_id": "1900000109", "body": "QQ会员充值", "out_trade_no": "20150806125347",
		"total_fee": "1", "spbill_create_ip": "123.12.12.123", "notify_url": "https://example.com/n", "trade_type": "NATIVE",
	})
	require.NoError(t, err)
	// APIv2 through the fluent tree, asynchronously.
	resp, err = wx.V2().Secapi().Pay().Reverse().PostAsync(ctx, map[string]string{
		"appid": "wxd678efh567hg6787", "mch_id": "1900000109", "out_trade_no": "20150806125347",
	}).Wait()
	require.NoError(t, err)
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.True(t, srv.LastRequest().ClientCert)
}

// README.zh-CN.md, 三种调用方式: the three blocks, each in its own scope.
func TestREADMEZhCallStyles(t *testing.T) {
	srv := wxpaytest.NewServer(t)
	wx := newClient(t, srv)
	ctx := context.Background()
	order := nativeOrder(srv, "1217752501201407033233368018")

	t.Run("fluent", func(t *testing.T) {
		resp, err := wx.V3().Pay().Transactions().Native().Post(ctx, order)
		require.NoError(t, err)
		assert.Equal(t, http.StatusOK, resp.StatusCode)
		assert.Equal(t, "/v3/pay/transactions/native", srv.LastRequest().RequestURI)
		resp, err = wx.V3().Pay().Transactions().OutTradeNo("1217752501201407033233368018").Get(ctx, wxpay.Query("mchid", "1900000109"))
		require.NoError(t, err)
		assert.Contains(t, string(resp.Body), `"trade_state":"NOTPAY"`)
	})
	t.Run("node", func(t *testing.T) {
		node := wx.V3().Pay().Transactions().OutTradeNo("1217752501201407033233368018").Node()
		resp, err := node.Get(ctx, wxpay.Query("mchid", "1900000109"))
		require.NoError(t, err)
		assert.Equal(t, http.StatusOK, resp.StatusCode)
		assert.Equal(t, "/v3/pay/transactions/out-trade-no/1217752501201407033233368018?mchid=1900000109", srv.LastRequest().RequestURI)
		resp, err = node.Chain("close").Post(ctx, map[string]string{"mchid": "1900000109"}) // 关单
		require.NoError(t, err)
		assert.Equal(t, http.StatusNoContent, resp.StatusCode)
		assert.Equal(t, "/v3/pay/transactions/out-trade-no/1217752501201407033233368018/close", srv.LastRequest().RequestURI)
	})
	t.Run("string path", func(t *testing.T) {
		resp, err := wx.Chain("v3/pay/transactions/out-trade-no/{out_trade_no}").Get(ctx,
			wxpay.PathParam("out_trade_no", "1217752501201407033233368018"), wxpay.Query("mchid", "1900000109"))
		require.NoError(t, err)
		assert.Contains(t, string(resp.Body), `"trade_state":"CLOSED"`)
	})
}
