package wxpaytest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wxpay-go/wxpay"
	"github.com/wxpay-go/wxpay/catalog/schema"
	"github.com/wxpay-go/wxpay/wxpaytest"
)

// callbacks is a merchant's notify endpoint: it verifies every callback with the client
// and hands the verified notifications over.
func callbacks(t *testing.T, wx *wxpay.Client) (url string, got <-chan *wxpay.Notification) {
	ch := make(chan *wxpay.Notification, 8)
	hs := httptest.NewServer(wx.NotificationHandler(func(_ context.Context, n *wxpay.Notification) error {
		ch <- n
		return nil
	}))
	t.Cleanup(hs.Close)
	return hs.URL + "/notify", ch
}

func next(t *testing.T, ch <-chan *wxpay.Notification) *wxpay.Notification {
	t.Helper()
	select {
	case n := <-ch:
		return n
	case <-time.After(10 * time.Second):
		t.Fatal("no callback")
		return nil
	}
}

// TestPaymentFlow runs the core payment flow end to end on the emulator's state: order →
// query NOTPAY → simulated payment → callback → query SUCCESS → refund → refund callback →
// refund query SUCCESS, and the refusals along the way.
func TestPaymentFlow(t *testing.T) {
	srv := wxpaytest.NewServer(t)
	wx, err := wxpay.New(srv.ClientOptions()...)
	require.NoError(t, err)
	ctx := context.Background()
	notifyURL, got := callbacks(t, wx)

	_, err = wx.V3().Pay().Transactions().Native().Node().Post(ctx, map[string]any{"appid": "wxd678efh567hg6787",
		"mchid": srv.MchID, "description": "flow", "out_trade_no": "FLOW-1", "notify_url": notifyURL,
		"amount": map[string]any{"total": 100, "currency": "CNY"}})
	require.NoError(t, err)

	type tx struct {
		OutTradeNo    string `json:"out_trade_no"`
		TransactionID string `json:"transaction_id"`
		TradeState    string `json:"trade_state"`
		Amount        struct {
			Total int `json:"total"`
		} `json:"amount"`
	}
	query := func() tx {
		resp, err := wx.V3().Pay().Transactions().OutTradeNo("FLOW-1").Node().Get(ctx, wxpay.Query("mchid", srv.MchID))
		require.NoError(t, err)
		fitsCatalog(t, "GET", "v3/pay/transactions/out-trade-no/{out_trade_no}", resp.Body)
		var v tx
		require.NoError(t, resp.Decode(&v))
		return v
	}
	assert.Equal(t, "NOTPAY", query().TradeState)

	// A refund of an unpaid order is refused.
	refund := map[string]any{"out_trade_no": "FLOW-1", "out_refund_no": "RF-1", "notify_url": notifyURL,
		"amount": map[string]any{"refund": 60, "total": 100, "currency": "CNY"}}
	_, err = wx.V3().Refund().Domestic().Refunds().Node().Post(ctx, refund)
	var apiErr *wxpay.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, "INVALID_REQUEST", apiErr.Code)

	// The payer pays (from another process this is the same call, signed like any other).
	resp, err := wx.Chain("v3/wxpaytest/pay/{out_trade_no}").Post(ctx, nil, wxpay.PathParam("out_trade_no", "FLOW-1"))
	require.NoError(t, err)
	var paid struct {
		TradeState   string `json:"trade_state"`
		NotifyStatus int    `json:"notify_status"`
	}
	require.NoError(t, resp.Decode(&paid))
	assert.Equal(t, "SUCCESS", paid.TradeState)
	assert.Equal(t, http.StatusOK, paid.NotifyStatus, "the merchant's handler took the callback")

	n := next(t, got)
	assert.Equal(t, "TRANSACTION.SUCCESS", n.EventType)
	var cb tx
	require.NoError(t, n.Decode(&cb))
	assert.Equal(t, "FLOW-1", cb.OutTradeNo)
	assert.Equal(t, "SUCCESS", cb.TradeState)
	assert.Equal(t, 100, cb.Amount.Total)

	q := query()
	assert.Equal(t, "SUCCESS", q.TradeState)
	assert.Equal(t, cb.TransactionID, q.TransactionID)
	assert.NotEmpty(t, q.TransactionID)

	// Paying twice, or closing a paid order, is refused.
	_, err = wx.Chain("v3/wxpaytest/pay/{out_trade_no}").Post(ctx, nil, wxpay.PathParam("out_trade_no", "FLOW-1"))
	require.ErrorAs(t, err, &apiErr)
	_, err = wx.V3().Pay().Transactions().OutTradeNo("FLOW-1").Close().Node().Post(ctx, map[string]string{"mchid": srv.MchID})
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, "ORDER_PAID", apiErr.Code)

	// Refund: PROCESSING, then the callback, then SUCCESS.
	resp, err = wx.V3().Refund().Domestic().Refunds().Node().Post(ctx, refund)
	require.NoError(t, err)
	fitsCatalog(t, "POST", "v3/refund/domestic/refunds", resp.Body)
	var rf struct {
		OutRefundNo   string `json:"out_refund_no"`
		RefundID      string `json:"refund_id"`
		TransactionID string `json:"transaction_id"`
		Status        string `json:"status"`
		RefundStatus  string `json:"refund_status"`
	}
	require.NoError(t, resp.Decode(&rf))
	assert.Equal(t, "PROCESSING", rf.Status)
	assert.Equal(t, q.TransactionID, rf.TransactionID)

	n = next(t, got)
	assert.Equal(t, "REFUND.SUCCESS", n.EventType)
	var rcb struct {
		OutRefundNo  string `json:"out_refund_no"`
		RefundStatus string `json:"refund_status"`
	}
	require.NoError(t, n.Decode(&rcb))
	assert.Equal(t, "RF-1", rcb.OutRefundNo)
	assert.Equal(t, "SUCCESS", rcb.RefundStatus)

	resp, err = wx.V3().Refund().Domestic().Refunds().OutRefundNo("RF-1").Node().Get(ctx)
	require.NoError(t, err)
	fitsCatalog(t, "GET", "v3/refund/domestic/refunds/{out_refund_no}", resp.Body)
	require.NoError(t, resp.Decode(&rf))
	assert.Equal(t, "SUCCESS", rf.Status)

	// More than what is left is refused; the rest is fine.
	refund["out_refund_no"], refund["amount"] = "RF-2", map[string]any{"refund": 41, "total": 100, "currency": "CNY"}
	_, err = wx.V3().Refund().Domestic().Refunds().Node().Post(ctx, refund)
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, "INVALID_REQUEST", apiErr.Code)
	refund["amount"] = map[string]any{"refund": 40, "total": 100, "currency": "CNY"}
	_, err = wx.V3().Refund().Domestic().Refunds().Node().Post(ctx, refund)
	require.NoError(t, err)
	next(t, got)
}

// fitsCatalog requires an answer of the stateful endpoints to have the catalog's shape.
func fitsCatalog(t *testing.T, method, path string, body []byte) {
	t.Helper()
	e, ok := schema.Lookup(method, "", path)
	require.True(t, ok)
	d := json.NewDecoder(bytes.NewReader(body))
	d.UseNumber()
	var v any
	require.NoError(t, d.Decode(&v))
	_, out := e.Success()
	require.NoError(t, out.Validate(v), "%s %s: %s", method, path, body)
}

// TestPaymentFlowV2: unifiedorder → orderquery NOTPAY → payment with the XML callback →
// orderquery SUCCESS.
func TestPaymentFlowV2(t *testing.T) {
	srv := wxpaytest.NewServer(t)
	wx, err := wxpay.New(srv.ClientOptions()...)
	require.NoError(t, err)
	ctx := context.Background()
	notifyURL, got := callbacks(t, wx)

	_, err = wx.V2().Pay().Unifiedorder().Node().Post(ctx, map[string]string{"appid": "wxd678efh567hg6787", "mch_id": srv.MchID,
		"body": "flow", "out_trade_no": "V2FLOW", "total_fee": "7", "spbill_create_ip": "127.0.0.1",
		"notify_url": notifyURL, "trade_type": "NATIVE"})
	require.NoError(t, err)
	state := func() map[string]string {
		resp, err := wx.V2().Pay().Orderquery().Node().Post(ctx, map[string]string{"appid": "wxd678efh567hg6787",
			"mch_id": srv.MchID, "out_trade_no": "V2FLOW"})
		require.NoError(t, err)
		f := map[string]string{}
		require.NoError(t, resp.Decode(&f))
		return f
	}
	assert.Equal(t, "NOTPAY", state()["trade_state"])

	status, err := srv.PayAndNotify(ctx, "V2FLOW")
	require.NoError(t, err)
	assert.Equal(t, http.StatusOK, status)
	n := next(t, got)
	require.True(t, n.APIv2)
	fields := map[string]string{}
	for _, f := range n.Fields {
		fields[f.Name] = f.Value
	}
	assert.Equal(t, "V2FLOW", fields["out_trade_no"])
	assert.Equal(t, "7", fields["total_fee"])
	f := state()
	assert.Equal(t, "SUCCESS", f["trade_state"])
	assert.Equal(t, fields["transaction_id"], f["transaction_id"])
}

// TestRequestLog: one line per request, with method, path, status and the error code, and
// never a header or a body.
func TestRequestLog(t *testing.T) {
	var buf syncBuffer
	srv := wxpaytest.NewServer(t, wxpaytest.WithLogger(slog.New(slog.NewTextHandler(&buf, nil))))
	wx, err := wxpay.New(srv.ClientOptions()...)
	require.NoError(t, err)
	ctx := context.Background()
	_, _ = wx.V3().Pay().Transactions().OutTradeNo("NOPE").Node().Get(ctx, wxpay.Query("mchid", srv.MchID))
	_, _ = wx.Chain("v3/profitsharing/orders").Post(ctx, map[string]any{})
	_, err = wx.V3().Certificates().Node().Get(ctx)
	require.NoError(t, err)
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	require.Len(t, lines, 3, buf.String())
	assert.Contains(t, lines[0], `method=GET path="/v3/pay/transactions/out-trade-no/NOPE?mchid=1900000109" status=404 code=ORDER_NOT_EXIST`)
	assert.Contains(t, lines[1], `method=POST path=/v3/profitsharing/orders status=400 code=PARAM_ERROR`)
	assert.Contains(t, lines[2], `method=GET path=/v3/certificates status=200 dur=`)
	assert.NotContains(t, buf.String(), "WECHATPAY2-SHA256-RSA2048")
	assert.NotContains(t, buf.String(), "signature")
}

// syncBuffer is a bytes.Buffer safe for the server's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestWithAddr listens where it is told, and the announced URL names that port.
func TestWithAddr(t *testing.T) {
	probe := httptest.NewServer(http.NotFoundHandler())
	addr := strings.TrimPrefix(probe.URL, "http://")
	probe.Close() // a port that was free a moment ago
	srv := wxpaytest.NewServer(t, wxpaytest.WithAddr(addr))
	assert.Equal(t, "https://"+addr+"/", srv.URL)
	wx, err := wxpay.New(srv.ClientOptions()...)
	require.NoError(t, err)
	_, err = wx.V3().Certificates().Node().Get(context.Background())
	require.NoError(t, err)

	_, err = wxpaytest.Start(wxpaytest.WithAddr(addr))
	require.Error(t, err, "the port is taken")
}
