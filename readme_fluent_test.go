package wxpay_test

// The READMEs' blocks that call through the fluent trees (wx.V3()…, wx.V2()…, .Node()), run
// (see readme_mirror_test.go and TestREADMEGoBlocks). Update these with the READMEs' blocks.
// (The uploads block's fluent line is in TestREADMEUploadsAndDownloads.)

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wxpay-go/wxpay"
	"github.com/wxpay-go/wxpay/apiv2"
	"github.com/wxpay-go/wxpay/apiv3"
	"github.com/wxpay-go/wxpay/wxpaytest"
)

// placeReversibleOrder places the APIv2 order the README's reverse calls reverse.
func placeReversibleOrder(t *testing.T, wx *wxpay.Client) {
	t.Helper()
	_, err := wx.Chain("v2/pay/unifiedorder").Post(context.Background(), map[string]string{
		"appid": "wxd678efh567hg6787", "mch_id": "1900000109", "body": "QQ会员充值", "out_trade_no": "20150806125347",
		"total_fee": "1", "spbill_create_ip": "123.12.12.123", "notify_url": "https://example.com/n", "trade_type": "NATIVE",
	})
	require.NoError(t, err)
}

// README.md, the four lines at the top.
func TestREADMEOverview(t *testing.T) {
	srv := wxpaytest.NewServer(t)
	wx := newClient(t, srv)
	ctx := context.Background()
	order := &apiv3.PayTransactionsNativeRequest{Appid: "wxd678efh567hg6787", Mchid: srv.MchID, Description: "d",
		OutTradeNo: "O1", NotifyURL: "https://example.com/n", Amount: &apiv3.ChargeTransactionsAmount{Total: 1}}
	body := map[string]string{"mchid": "1900000109", "sp_mchid": "1900000109", "sub_mchid": "1900000110"}
	reverse := &apiv2.PayReverseRequest{Appid: "wxd678efh567hg6787", MchID: "1900000109", OutTradeNo: "20150806125347"}
	placeReversibleOrder(t, wx)

	out, resp, err := wx.V3().Pay().Transactions().Native().Post(ctx, order) // typed (*apiv3.PayTransactionsNativeRequest), generated from the catalog
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(out.CodeURL, "weixin://"))
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	resp, err = wx.V3().Transactions().OutTradeNo("x").Reverse().Node().Post(ctx, body) // the same tree, untyped
	require.NoError(t, err)
	assert.Equal(t, http.StatusNoContent, resp.StatusCode)
	assert.Equal(t, "/hk/v3/transactions/out-trade-no/x/reverse", srv.LastRequest().RequestURI)
	resp, err = wx.Chain("v3/transactions/out-trade-no/<out_trade_no>/reverse").Post(ctx, body, wxpay.PathParam("out_trade_no", "x"))
	require.NoError(t, err)
	assert.Equal(t, http.StatusNoContent, resp.StatusCode)
	rev, resp, err := wx.V2().Secapi().Pay().Reverse().PostAsync(ctx, reverse).Wait() // APIv2 (*apiv2.PayReverseRequest): XML, MD5/HMAC, mutual TLS
	require.NoError(t, err)
	assert.True(t, srv.LastRequest().ClientCert)
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, apiv2.RecallN, rev.Recall)
}

// README.md, "Calls".
func TestREADMECalls(t *testing.T) {
	srv := wxpaytest.NewServer(t)
	wx := newClient(t, srv)
	ctx := context.Background()
	body := map[string]string{"mchid": "1900000109", "sp_mchid": "1900000109", "sub_mchid": "1900000110"}
	placeReversibleOrder(t, wx)

	// Typed fluent: generated from the endpoint catalog (all 1155 endpoints, APIv2 and APIv3),
	// each endpoint's verbs taking its request type and returning its answer type, the
	// verified *wxpay.Response and the error. A misspelt field or a verb the endpoint does not
	// have does not compile.
	out, resp, err := wx.V3().Pay().Transactions().Native().Post(ctx, &apiv3.PayTransactionsNativeRequest{
		Appid: "wxd678efh567hg6787", Mchid: "1900000109", Description: "Image形象店-深圳腾大-QQ公仔",
		OutTradeNo: "1217752501201407033233368018", NotifyURL: "https://example.com/notify",
		Amount: &apiv3.ChargeTransactionsAmount{Total: 100, Currency: "CNY"},
	})
	require.NoError(t, err)
	fmt.Println(out.CodeURL)
	assert.Equal(t, http.StatusOK, resp.StatusCode)

	// Untyped fluent: every node's Node() is a wxpay.Node with every verb, any body.
	node := wx.V3().Transactions().OutTradeNo("1217752501201407033233368018").Reverse()
	assert.Equal(t, "v3/transactions/out-trade-no/{out_trade_no}/reverse", node.Template()) // "v3/transactions/out-trade-no/{out_trade_no}/reverse"
	resp, err = node.Node().Post(ctx, map[string]string{"mchid": "1900000109", "sp_mchid": "1900000109", "sub_mchid": "1900000110"})
	require.NoError(t, err)
	assert.Equal(t, http.StatusNoContent, resp.StatusCode)
	assert.Equal(t, "/hk/v3/transactions/out-trade-no/1217752501201407033233368018/reverse", srv.LastRequest().RequestURI)

	// String path: any endpoint, including ones the catalog does not know yet.
	resp, err = wx.Chain("v3/transactions/out-trade-no/<out_trade_no>/reverse").Post(ctx, body,
		wxpay.PathParam("out_trade_no", "1217752501201407033233368018"))
	require.NoError(t, err)
	assert.Equal(t, http.StatusNoContent, resp.StatusCode)

	// APIv2, typed and asynchronously: the SDK adds nonce_str and the sign.
	rev, resp, err := wx.V2().Secapi().Pay().Reverse().PostAsync(ctx, &apiv2.PayReverseRequest{
		Appid: "wxd678efh567hg6787", MchID: "1900000109", OutTradeNo: "20150806125347",
	}).Wait()
	require.NoError(t, err)
	fmt.Println(rev.Recall == apiv2.RecallN)
	assert.True(t, srv.LastRequest().ClientCert)
	assert.Equal(t, http.StatusOK, resp.StatusCode)
}

// README.zh-CN.md, 三种调用方式: the three blocks, each in its own scope.
func TestREADMEZhCallStyles(t *testing.T) {
	srv := wxpaytest.NewServer(t)
	wx := newClient(t, srv)
	ctx := context.Background()

	t.Run("typed fluent", func(t *testing.T) {
		order := &apiv3.PayTransactionsNativeRequest{
			Appid: "wxd678efh567hg6787", Mchid: "1900000109", Description: "Image形象店-深圳腾大-QQ公仔",
			OutTradeNo: "1217752501201407033233368018", NotifyURL: "https://example.com/notify",
			Amount: &apiv3.ChargeTransactionsAmount{Total: 100, Currency: "CNY"}, // 金额单位：分
		}
		out, resp, err := wx.V3().Pay().Transactions().Native().Post(ctx, order) // out.CodeURL：二维码链接
		require.NoError(t, err)
		assert.Equal(t, http.StatusOK, resp.StatusCode)
		assert.True(t, strings.HasPrefix(out.CodeURL, "weixin://"))
		assert.Equal(t, "/v3/pay/transactions/native", srv.LastRequest().RequestURI)
		tx, resp, err := wx.V3().Pay().Transactions().OutTradeNo("1217752501201407033233368018").Get(ctx,
			&apiv3.PayTransactionsOutTradeNoRequest{Mchid: "1900000109"}) // tx.TradeState：NOTPAY、SUCCESS……
		require.NoError(t, err)
		assert.Equal(t, http.StatusOK, resp.StatusCode)
		assert.EqualValues(t, "NOTPAY", tx.TradeState)
		assert.Equal(t, "/v3/pay/transactions/out-trade-no/1217752501201407033233368018?mchid=1900000109", srv.LastRequest().RequestURI)
	})
	t.Run("node", func(t *testing.T) {
		node := wx.V3().Pay().Transactions().OutTradeNo("1217752501201407033233368018").Node()
		resp, err := node.Get(ctx, wxpay.Query("mchid", "1900000109"))
		require.NoError(t, err)
		assert.Equal(t, http.StatusOK, resp.StatusCode)
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
