package wxpay_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wxpay-go/wxpay"
	"github.com/wxpay-go/wxpay/apiv3"
	"github.com/wxpay-go/wxpay/wxpaytest"
)

// TestTypedCallbackResources: the payment and refund callbacks the emulator sends, as the
// platform does, decode into apiv3.TransactionResource and apiv3.RefundResource with unknown
// fields disallowed.
func TestTypedCallbackResources(t *testing.T) {
	srv := wxpaytest.NewServer(t)
	wx := newClient(t, srv)
	got := make(chan *wxpay.Notification, 2)
	hs := httptest.NewServer(wx.NotificationHandler(func(_ context.Context, n *wxpay.Notification) error {
		got <- n
		return nil
	}))
	defer hs.Close()
	ctx := context.Background()
	_, _, err := wx.V3().Pay().Transactions().Native().Post(ctx, &apiv3.PayTransactionsNativeRequest{
		Appid: "wxd678efh567hg6787", Mchid: srv.MchID, Description: "d", OutTradeNo: "CB1",
		NotifyURL: hs.URL + "/notify", Amount: &apiv3.ChargeTransactionsAmount{Total: 100},
	})
	require.NoError(t, err)
	_, err = wx.Chain("v3/wxpaytest/pay/CB1").Post(ctx, nil)
	require.NoError(t, err)
	n := wait(t, got)
	var tx apiv3.TransactionResource
	strict(t, n.Plaintext, &tx)
	assert.Equal(t, "CB1", tx.OutTradeNo)
	assert.EqualValues(t, "SUCCESS", tx.TradeState)

	_, _, err = wx.V3().Refund().Domestic().Refunds().Post(ctx, &apiv3.DomesticRefundsRequest{
		OutTradeNo: "CB1", OutRefundNo: "CB1R", NotifyURL: hs.URL + "/notify",
		Amount: &apiv3.DomesticRefundsAmount{Refund: 40, Total: 100, Currency: "CNY"},
	})
	require.NoError(t, err)
	n = wait(t, got)
	assert.Equal(t, "REFUND.SUCCESS", n.EventType)
	var rf apiv3.RefundResource
	strict(t, n.Plaintext, &rf)
	assert.Equal(t, "CB1R", rf.OutRefundNo)
	assert.Equal(t, "SUCCESS", rf.RefundStatus)
	require.NotNil(t, rf.Amount)
	assert.EqualValues(t, 40, rf.Amount.Refund)
	var viaDecode apiv3.RefundResource
	require.NoError(t, n.Decode(&viaDecode))
	assert.Equal(t, rf, viaDecode)
}

func wait(t *testing.T, c <-chan *wxpay.Notification) *wxpay.Notification {
	t.Helper()
	select {
	case n := <-c:
		return n
	case <-time.After(5 * time.Second):
		t.Fatal("no callback")
		return nil
	}
}

func strict(t *testing.T, data []byte, v any) {
	t.Helper()
	d := json.NewDecoder(bytes.NewReader(data))
	d.DisallowUnknownFields()
	require.NoError(t, d.Decode(v), "%s", data)
}
