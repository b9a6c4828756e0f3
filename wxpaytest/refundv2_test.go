package wxpaytest_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wxpay-go/wxpay"
	"github.com/wxpay-go/wxpay/wxpaytest"
)

// APIv2 refunds keep state as APIv3 ones do: the platform's refusals, and the encrypted
// refund callback, decoded here by the client's ParseNotification.
func TestRefundV2Stateful(t *testing.T) {
	srv := wxpaytest.NewServer(t)
	wx, err := wxpay.New(srv.ClientOptions()...)
	require.NoError(t, err)
	ctx := context.Background()

	got := make(chan map[string]string, 4)
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		n, err := wx.ParseNotification(r.Header, body)
		if err != nil {
			t.Errorf("callback: %v", err)
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		f := map[string]string{}
		for _, x := range n.Fields {
			f[x.Name] = x.Value
		}
		got <- f
		_, _ = w.Write([]byte("<xml><return_code><![CDATA[SUCCESS]]></return_code></xml>"))
	}))
	defer hs.Close()

	_, err = wx.V2().Pay().Unifiedorder().Node().Post(ctx, map[string]string{"appid": "wxd678efh567hg6787", "mch_id": srv.MchID,
		"body": "r", "out_trade_no": "V2R", "total_fee": "7", "spbill_create_ip": "127.0.0.1",
		"notify_url": hs.URL + "/pay", "trade_type": "NATIVE"})
	require.NoError(t, err)
	refund := func(outRefundNo string, total, fee int) (map[string]string, error) {
		resp, err := wx.V2().Secapi().Pay().Refund().Node().Post(ctx, map[string]string{"appid": "wxd678efh567hg6787", "mch_id": srv.MchID,
			"out_trade_no": "V2R", "out_refund_no": outRefundNo, "total_fee": strconv.Itoa(total), "refund_fee": strconv.Itoa(fee),
			"notify_url": hs.URL + "/refund"})
		if err != nil {
			return nil, err
		}
		f := map[string]string{}
		require.NoError(t, resp.Decode(&f))
		return f, nil
	}
	refused := func(err error, code string) {
		t.Helper()
		var apiErr *wxpay.APIError
		require.ErrorAs(t, err, &apiErr)
		assert.Equal(t, code, apiErr.Code, apiErr.Message)
	}

	_, err = refund("R0", 7, 1)
	refused(err, "ERROR") // not paid yet
	require.True(t, srv.Pay("V2R"))

	f, err := refund("R1", 7, 3)
	require.NoError(t, err)
	assert.Equal(t, "3", f["refund_fee"])
	assert.NotEmpty(t, f["refund_id"])
	select {
	case cb := <-got:
		assert.Equal(t, "R1", cb["out_refund_no"])
		assert.Equal(t, "V2R", cb["out_trade_no"])
		assert.Equal(t, "3", cb["refund_fee"])
		assert.Equal(t, "SUCCESS", cb["refund_status"])
		assert.Equal(t, f["refund_id"], cb["refund_id"])
	case <-time.After(10 * time.Second):
		t.Fatal("no refund callback")
	}

	_, err = refund("R2", 7, 5) // 3 + 5 > 7
	refused(err, "INVALID_REQUEST")
	_, err = refund("R1", 7, 4) // the same out_refund_no, another amount
	refused(err, "REFUND_FEE_MISMATCH")
	_, err = refund("R3", 8, 1) // not the order's total
	refused(err, "REFUND_FEE_MISMATCH")
	_, err = refund("R4", 7, 9) // more than the order
	refused(err, "FAIL")
	again, err := refund("R1", 7, 3) // the same refund again: idempotent
	require.NoError(t, err)
	assert.Equal(t, f["refund_id"], again["refund_id"])
	_, err = refund("R5", 7, 4)
	require.NoError(t, err)
	<-got
	_, err = refund("R6", 7, 1)
	refused(err, "ERROR") // fully refunded

	// pay/refundquery answers from the same state: every refund of the order, in order.
	resp, err := wx.V2().Pay().Refundquery().Node().Post(ctx, map[string]string{"appid": "wxd678efh567hg6787", "mch_id": srv.MchID, "out_trade_no": "V2R"})
	require.NoError(t, err)
	q := map[string]string{}
	require.NoError(t, resp.Decode(&q))
	assert.Equal(t, "2", q["refund_count"])
	assert.Equal(t, "R1", q["out_refund_no_0"])
	assert.Equal(t, "3", q["refund_fee_0"])
	assert.Equal(t, "R5", q["out_refund_no_1"])
	assert.Equal(t, "SUCCESS", q["refund_status_1"])
	_, err = wx.V2().Pay().Refundquery().Node().Post(ctx, map[string]string{"appid": "wxd678efh567hg6787", "mch_id": srv.MchID, "out_refund_no": "NOSUCH"})
	refused(err, "REFUNDNOTEXIST")
	_, err = wx.V2().Secapi().Pay().Refund().Node().Post(ctx, map[string]string{"appid": "wxd678efh567hg6787", "mch_id": srv.MchID,
		"out_trade_no": "NOSUCH", "out_refund_no": "R7", "total_fee": "1", "refund_fee": "1"})
	refused(err, "ORDERNOTEXIST")
}
