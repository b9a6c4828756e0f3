package wxpaytest_test

import (
	"context"
	"fmt"
	"log"
	"net/http/httptest"

	"github.com/wxpay-go/wxpay"
	"github.com/wxpay-go/wxpay/wxpaytest"
)

// A payment and its callback, as a test of your shop would run them: the shop places an
// order whose notify_url is its own callback endpoint, the emulator plays the payer
// (PayAndNotify marks the order paid and sends the signed, encrypted TRANSACTION.SUCCESS
// callback there), and the order is then SUCCESS.
//
// In a test, use wxpaytest.NewServer(t), which closes the server when the test ends; Start
// is for programs. Without a Handle, every catalog endpoint is answered, and orders,
// payments and refunds keep state.
func ExampleServer_PayAndNotify() {
	srv, err := wxpaytest.Start() // in a test: srv := wxpaytest.NewServer(t)
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	wx, err := wxpay.New(srv.ClientOptions()...)
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()

	// The shop's callback endpoint.
	paid := make(chan string, 1)
	shop := httptest.NewServer(wx.NotificationHandler(func(ctx context.Context, n *wxpay.Notification) error {
		var tx struct {
			OutTradeNo string `json:"out_trade_no"`
			TradeState string `json:"trade_state"`
		}
		if err := n.Decode(&tx); err != nil {
			return err
		}
		paid <- n.EventType + " " + tx.OutTradeNo + " " + tx.TradeState
		return nil
	}))
	defer shop.Close()

	// The shop places a JSAPI order.
	_, err = wx.Chain("v3/pay/transactions/jsapi").Post(ctx, map[string]any{
		"appid": "wxd678efh567hg6787", "mchid": srv.MchID, "description": "QQ公仔",
		"out_trade_no": "T1001", "notify_url": shop.URL + "/wxpay/notify",
		"amount": map[string]any{"total": 100}, "payer": map[string]string{"openid": "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"},
	})
	if err != nil {
		log.Fatal(err)
	}

	// The payer pays; WeChat Pay calls notify_url. status is the shop's reply.
	status, err := srv.PayAndNotify(ctx, "T1001")
	fmt.Println(status, err, <-paid)

	resp, err := wx.Chain("v3/pay/transactions/out-trade-no/{out_trade_no}").Get(ctx,
		wxpay.PathParam("out_trade_no", "T1001"), wxpay.Query("mchid", srv.MchID))
	if err != nil {
		log.Fatal(err)
	}
	var tx struct {
		TradeState    string `json:"trade_state"`
		TransactionID string `json:"transaction_id"`
	}
	_ = resp.Decode(&tx)
	fmt.Println(tx.TradeState, tx.TransactionID != "")

	// Paying twice is refused, as on the platform.
	_, err = srv.PayAndNotify(ctx, "T1001")
	fmt.Println("second payment refused:", err != nil)
	// Output:
	// 200 <nil> TRANSACTION.SUCCESS T1001 SUCCESS
	// SUCCESS true
	// second payment refused: true
}
