package wxpaytest_test

import (
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wxpay-go/wxpay"
	"github.com/wxpay-go/wxpay/wxpaytest"
)

// A JSAPI shop, end to end against the emulator as it comes (no handler overrides): order,
// pay-sign, payment and its callback, query, refund and its callback, then the day's bill
// applied for and downloaded with its digest checked. Callbacks are parsed the way a web
// framework that has already read the body does: ParseNotification(header, body).
func TestJSAPIShopFlow(t *testing.T) {
	srv := wxpaytest.NewServer(t)
	wx, err := wxpay.New(srv.ClientOptions()...)
	require.NoError(t, err)
	ctx := context.Background()
	const appID, openID, no = "wxd678efh567hg6787", "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o", "SHOP20261201001"

	callbacks := make(chan *wxpay.Notification, 4)
	shop := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		n, err := wx.ParseNotification(r.Header, body)
		if err != nil {
			t.Errorf("%s: %v", r.URL.Path, err)
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		callbacks <- n
		w.WriteHeader(http.StatusNoContent)
	}))
	defer shop.Close()
	next := func(event string) map[string]any {
		t.Helper()
		select {
		case n := <-callbacks:
			require.Equal(t, event, n.EventType)
			var res map[string]any
			require.NoError(t, n.Decode(&res))
			return res
		case <-time.After(10 * time.Second):
			t.Fatalf("no %s callback", event)
			return nil
		}
	}

	// 1. Order.
	resp, err := wx.V3().Pay().Transactions().Jsapi().Node().Post(ctx, map[string]any{
		"appid": appID, "mchid": srv.MchID, "description": "Image形象店-深圳腾大-QQ公仔", "out_trade_no": no,
		"notify_url": shop.URL + "/notify/pay", "amount": map[string]any{"total": 100, "currency": "CNY"},
		"payer": map[string]string{"openid": openID}})
	require.NoError(t, err)
	var order struct {
		PrepayID string `json:"prepay_id"`
	}
	require.NoError(t, resp.Decode(&order))
	require.NotEmpty(t, order.PrepayID)

	// 2. Pay-sign for wx.requestPayment, checked here with the standard library.
	pp, err := wx.JSAPIPayParams(appID, order.PrepayID)
	require.NoError(t, err)
	assert.Equal(t, "prepay_id="+order.PrepayID, pp["package"])
	assert.Equal(t, "RSA", pp["signType"])
	sig, err := base64.StdEncoding.DecodeString(pp["paySign"])
	require.NoError(t, err)
	sum := sha256.Sum256([]byte(pp["appId"] + "\n" + pp["timeStamp"] + "\n" + pp["nonceStr"] + "\n" + pp["package"] + "\n"))
	require.NoError(t, rsa.VerifyPKCS1v15(&srv.MerchantKey.PublicKey, crypto.SHA256, sum[:], sig))

	// 3. The payer pays; the payment callback reaches the shop.
	status, err := srv.PayAndNotify(ctx, no)
	require.NoError(t, err)
	assert.Equal(t, http.StatusNoContent, status)
	paid := next("TRANSACTION.SUCCESS")
	assert.Equal(t, no, paid["out_trade_no"])
	assert.Equal(t, "SUCCESS", paid["trade_state"])

	// 4. Query.
	resp, err = wx.V3().Pay().Transactions().OutTradeNo(no).Node().Get(ctx, wxpay.Query("mchid", srv.MchID))
	require.NoError(t, err)
	var tx struct {
		TradeState    string `json:"trade_state"`
		TransactionID string `json:"transaction_id"`
	}
	require.NoError(t, resp.Decode(&tx))
	assert.Equal(t, "SUCCESS", tx.TradeState)
	assert.Equal(t, paid["transaction_id"], tx.TransactionID)

	// 5. Refund part of it; the refund callback reaches the shop.
	resp, err = wx.V3().Refund().Domestic().Refunds().Node().Post(ctx, map[string]any{"out_trade_no": no, "out_refund_no": "RF" + no,
		"notify_url": shop.URL + "/notify/refund", "amount": map[string]any{"refund": 40, "total": 100, "currency": "CNY"}})
	require.NoError(t, err)
	var rf struct{ Status string }
	require.NoError(t, resp.Decode(&rf))
	assert.Equal(t, "PROCESSING", rf.Status)
	refunded := next("REFUND.SUCCESS")
	assert.Equal(t, "RF"+no, refunded["out_refund_no"])
	assert.Equal(t, "SUCCESS", refunded["refund_status"])

	// 6. The trade bill: apply, download, digest verified; the order is in it.
	resp, err = wx.V3().Bill().Tradebill().Node().Get(ctx, wxpay.Query("bill_date", time.Now().Format("2006-01-02")))
	require.NoError(t, err)
	var bill struct {
		DownloadURL string `json:"download_url"`
		HashType    string `json:"hash_type"`
		HashValue   string `json:"hash_value"`
	}
	require.NoError(t, resp.Decode(&bill))
	file, err := wx.DownloadBill(ctx, bill.DownloadURL, bill.HashType, bill.HashValue)
	require.NoError(t, err)
	defer file.Close()
	csv, err := io.ReadAll(file)
	require.NoError(t, err, "the SHA-1 matches")
	assert.Contains(t, string(csv), "`"+no+",")
	assert.Contains(t, string(csv), "`"+tx.TransactionID+",")
	assert.Contains(t, string(csv), "`1.00\n")
}
