// Command demo runs the SDK's main job against the embedded WeChat Pay emulator
// (wxpaytest) and prints a transcript: APIv3 calls with verified answers, APIv2 MD5 and
// HMAC-SHA256 calls, a mutual-TLS secapi call, an async batch, a fluent call, a
// callback round trip, a platform-certificate download, the emulator's payment flow and
// an endpoint answered from the catalog. No credentials needed:
//
//	make demo        # or: go run ./examples/demo
package main

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log"
	"net/http/httptest"
	"os"
	"time"

	"github.com/wxpay-go/wxpay"
	"github.com/wxpay-go/wxpay/apiv3"
	"github.com/wxpay-go/wxpay/wxpaytest"
)

func main() {
	if err := run(context.Background()); err != nil {
		log.SetFlags(0)
		log.Fatalf("demo failed: %v", err)
	}
}

func run(ctx context.Context) error {
	srv, err := wxpaytest.Start()
	if err != nil {
		return err
	}
	defer srv.Close()
	fmt.Printf("wxpaytest emulator at %s (merchant %s)\n\n", srv.URL, srv.MchID)

	wx, err := wxpay.New(srv.ClientOptions()...)
	if err != nil {
		return err
	}
	outTradeNo := fmt.Sprintf("DEMO%d", time.Now().UnixNano())

	// 1. APIv3 POST with a JSON body.
	step("APIv3 POST v3/pay/transactions/native")
	resp, err := wx.Chain("v3/pay/transactions/native").Post(ctx, map[string]any{
		"appid": "wxd678efh567hg6787", "mchid": srv.MchID, "description": "Image形象店-深圳腾大-QQ公仔",
		"out_trade_no": outTradeNo, "notify_url": "https://example.com/notify",
		"amount": map[string]any{"total": 100, "currency": "CNY"},
	})
	if err != nil {
		return err
	}
	var native struct {
		CodeURL string `json:"code_url"`
	}
	if err := resp.Decode(&native); err != nil {
		return err
	}
	verified(resp)
	fmt.Printf("   code_url = %s\n", native.CodeURL)

	// 2. APIv3 GET with a path value and a query.
	step("APIv3 GET v3/pay/transactions/out-trade-no/{out_trade_no}?mchid=…")
	resp, err = wx.Chain("v3/pay/transactions/out-trade-no/{out_trade_no}").
		Get(ctx, wxpay.PathParam("out_trade_no", outTradeNo), wxpay.Query("mchid", srv.MchID))
	if err != nil {
		return err
	}
	var order struct {
		TradeState string `json:"trade_state"`
	}
	if err := resp.Decode(&order); err != nil {
		return err
	}
	verified(resp)
	fmt.Printf("   trade_state = %s\n", order.TradeState)
	fmt.Printf("   signed request target: %s\n", srv.LastRequest().RequestURI)

	// 3. A 204 on the Hong Kong base path, through the <name> template form.
	step("APIv3 POST v3/transactions/out-trade-no/<out_trade_no>/reverse on " + srv.URL + "hk/")
	resp, err = wx.Chain("v3/transactions/out-trade-no/<out_trade_no>/reverse").Post(ctx,
		map[string]string{"sp_mchid": srv.MchID, "sub_mchid": "1900000110", "mchid": srv.MchID},
		wxpay.PathParam("out_trade_no", outTradeNo), wxpay.BaseURL(srv.URL+"hk/"))
	if err != nil {
		return err
	}
	verified(resp)
	fmt.Printf("   signed request target: %s\n", srv.LastRequest().RequestURI)

	// 4. APIv2 with MD5.
	v2no := outTradeNo + "V2"
	step("APIv2 POST v2/pay/unifiedorder (MD5)")
	resp, err = wx.Chain("v2/pay/unifiedorder").Post(ctx, map[string]string{
		"appid": "wxd678efh567hg6787", "mch_id": srv.MchID, "body": "腾讯充值中心-QQ会员充值",
		"out_trade_no": v2no, "total_fee": "888", "spbill_create_ip": "123.12.12.123",
		"notify_url": "https://example.com/notify", "trade_type": "NATIVE",
	})
	if err != nil {
		return err
	}
	fields := map[string]string{}
	if err := resp.Decode(&fields); err != nil {
		return err
	}
	fmt.Printf("   %d, sign (MD5, %d hex chars) checked; prepay_id = %s\n", resp.StatusCode, len(fields["sign"]), fields["prepay_id"])

	// 5. APIv2 with HMAC-SHA256.
	step("APIv2 POST v2/pay/orderquery (HMAC-SHA256)")
	resp, err = wx.Chain("v2/pay/orderquery").Post(ctx, map[string]string{
		"appid": "wxd678efh567hg6787", "mch_id": srv.MchID, "out_trade_no": v2no,
	}, wxpay.SignType("HMAC-SHA256"))
	if err != nil {
		return err
	}
	fields = map[string]string{}
	if err := resp.Decode(&fields); err != nil {
		return err
	}
	fmt.Printf("   %d, sign (HMAC-SHA256, %d hex chars) checked; trade_state = %s\n", resp.StatusCode, len(fields["sign"]), fields["trade_state"])

	// 6. APIv2 secapi over mutual TLS.
	step("APIv2 POST v2/secapi/pay/reverse (mutual TLS)")
	resp, err = wx.Chain("v2/secapi/pay/reverse").Post(ctx, map[string]string{
		"appid": "wxd678efh567hg6787", "mch_id": srv.MchID, "out_trade_no": v2no,
	})
	if err != nil {
		return err
	}
	fields = map[string]string{}
	if err := resp.Decode(&fields); err != nil {
		return err
	}
	fmt.Printf("   %d, client certificate presented: %v; recall = %s\n", resp.StatusCode, srv.LastRequest().ClientCert, fields["recall"])

	// 7. An async batch: ten queries in flight at once.
	step("async batch: 10 × GET v3/pay/transactions/out-trade-no/{out_trade_no}")
	node := wx.Chain("v3/pay/transactions/out-trade-no/{out_trade_no}")
	futures := make([]*wxpay.Future, 10)
	start := time.Now()
	for i := range futures {
		futures[i] = node.GetAsync(ctx, wxpay.PathParam("out_trade_no", outTradeNo), wxpay.Query("mchid", srv.MchID))
	}
	ok := 0
	for _, f := range futures {
		if r, err := f.Wait(); err == nil && r.StatusCode == 200 {
			ok++
		} else if err != nil {
			return err
		}
	}
	fmt.Printf("   %d/10 answers verified in %s\n", ok, time.Since(start).Round(time.Millisecond))

	// 8. The fluent tree, generated from the endpoint catalog, typed with each endpoint's
	// request and answer (package apiv3): the same kind of call three ways.
	step("typed fluent: wx.V3().Pay().Transactions().OutTradeNo(…).Get(ctx, &apiv3.…Request{Mchid: …})")
	tx, resp, err := wx.V3().Pay().Transactions().OutTradeNo(outTradeNo).Get(ctx, &apiv3.PayTransactionsOutTradeNoRequest{Mchid: srv.MchID})
	if err != nil {
		return err
	}
	verified(resp)
	fmt.Printf("   typed answer: *apiv3.PayTransactionsOutTradeNoAnswer{OutTradeNo: %q, TradeState: %q}\n", tx.OutTradeNo, tx.TradeState)
	step("untyped fluent: ….Close().Node().Post(ctx, map[string]string{…})")
	resp, err = wx.V3().Pay().Transactions().OutTradeNo(outTradeNo).Close().Node().Post(ctx, map[string]string{"mchid": srv.MchID})
	if err != nil {
		return err
	}
	verified(resp)
	fmt.Printf("   signed request target: %s\n", srv.LastRequest().RequestURI)

	// 9. A callback round trip: the emulator sends a signed, encrypted TRANSACTION.SUCCESS
	// to a handler served by the client; a tampered copy is refused.
	step("callback: the platform POSTs TRANSACTION.SUCCESS to wx.NotificationHandler")
	got := make(chan string, 2)
	hook := httptest.NewServer(wx.NotificationHandler(func(ctx context.Context, n *wxpay.Notification) error {
		var tx struct {
			OutTradeNo string `json:"out_trade_no"`
		}
		if err := n.Decode(&tx); err != nil {
			return err
		}
		got <- n.EventType + " for " + tx.OutTradeNo
		return nil
	}))
	defer hook.Close()
	header, body, err := srv.NotificationV3("TRANSACTION.SUCCESS", "transaction",
		map[string]any{"out_trade_no": outTradeNo, "trade_state": "SUCCESS", "amount": map[string]int{"total": 100}})
	if err != nil {
		return err
	}
	status, _, err := srv.SendNotification(ctx, hook.URL, header, body)
	if err != nil {
		return err
	}
	fmt.Printf("   reply %d; handler got %s (verified, then decrypted)\n", status, <-got)
	body[len(body)-2] ^= 1
	status, reply, err := srv.SendNotification(ctx, hook.URL, header, body)
	if err != nil {
		return err
	}
	fmt.Printf("   tampered copy: reply %d %s; handler not called: %v\n", status, reply, len(got) == 0)

	// 10. Platform certificate download: a client configured with no platform key
	// decrypts the certificates with its APIv3 key, verifies the answer with them, and
	// keeps them to verify later answers.
	step("certificate download: GET v3/certificates on a client with no platform key yet")
	fresh, err := wxpay.New(wxpay.WithBaseURL(srv.URL), wxpay.WithTLSConfig(&tls.Config{RootCAs: srv.RootCAs}),
		wxpay.WithMerchant(srv.MchID, srv.MerchantSerial, srv.MerchantKey), wxpay.WithAPIv3Key(srv.APIv3Key))
	if err != nil {
		return err
	}
	certs, err := fresh.DownloadCertificates(ctx)
	if err != nil {
		return err
	}
	for _, c := range certs {
		fmt.Printf("   certificate %s, valid until %s: decrypted, answer verified, stored\n", c.Serial, c.ExpireTime.Format("2006-01-02"))
	}
	resp, err = fresh.Chain("v3/pay/transactions/out-trade-no/{out_trade_no}").
		Get(ctx, wxpay.PathParam("out_trade_no", outTradeNo), wxpay.Query("mchid", srv.MchID))
	if err != nil {
		return err
	}
	verified(resp)

	// 11. What a refusal looks like.
	step("a refusal: GET an order that does not exist")
	_, err = wx.Chain("v3/pay/transactions/out-trade-no/{out_trade_no}").
		Get(ctx, wxpay.PathParam("out_trade_no", "NO-SUCH-ORDER"), wxpay.Query("mchid", srv.MchID))
	var apiErr *wxpay.APIError
	if !errors.As(err, &apiErr) {
		return fmt.Errorf("expected an APIError, got %v", err)
	}
	fmt.Printf("   *wxpay.APIError: status %d, code %s, message %s\n", apiErr.StatusCode, apiErr.Code, apiErr.Message)

	// 12. The emulator's payment flow: order → NOTPAY → paid (the sandbox's own endpoint) →
	// TRANSACTION.SUCCESS sent to notify_url → refund → REFUND.SUCCESS.
	step("payment flow: order, pay through v3/wxpaytest/pay/{out_trade_no}, callback, refund")
	flowNo := outTradeNo + "F"
	if _, _, err = wx.V3().Pay().Transactions().Native().Post(ctx, &apiv3.PayTransactionsNativeRequest{
		Appid: "wxd678efh567hg6787", Mchid: srv.MchID, Description: "flow", OutTradeNo: flowNo,
		NotifyURL: hook.URL, Amount: &apiv3.ChargeTransactionsAmount{Total: 100, Currency: "CNY"},
	}); err != nil {
		return err
	}
	if _, err = wx.Chain("v3/wxpaytest/pay/{out_trade_no}").Post(ctx, nil, wxpay.PathParam("out_trade_no", flowNo)); err != nil {
		return err
	}
	fmt.Printf("   paid; handler got %s\n", <-got)
	refund, _, err := wx.V3().Refund().Domestic().Refunds().Post(ctx, &apiv3.DomesticRefundsRequest{OutTradeNo: flowNo,
		OutRefundNo: flowNo + "R", NotifyURL: hook.URL, Amount: &apiv3.DomesticRefundsAmount{Refund: 40, Total: 100, Currency: "CNY"}})
	if err != nil {
		return err
	}
	fmt.Printf("   refund %s (typed answer: Status %q, Amount.Refund %d); handler got %s\n", refund.OutRefundNo, refund.Status, refund.Amount.Refund, <-got)

	// 13. Every other catalog endpoint: checked against the catalog's schema, answered from
	// its example values with the request's identifiers.
	step("any catalog endpoint: POST v3/profitsharing/orders, then the same without transaction_id")
	share, resp, err := wx.V3().Profitsharing().Orders().Post(ctx, &apiv3.ProfitsharingOrdersRequest{Appid: "wxd678efh567hg6787",
		TransactionID: "4208450740201411110007820472", OutOrderNo: "P" + flowNo, UnfreezeUnsplit: true,
		Receivers: []apiv3.PostBrandProfitsharingOrdersReceivers{{Type: apiv3.ReceiversTypeMerchantID, Account: "86693852", Amount: 10, Description: "分账"}}})
	if err != nil {
		return err
	}
	fmt.Printf("   %d, typed answer: OutOrderNo %s (echoed), State %s\n", resp.StatusCode, share.OutOrderNo, share.State)
	_, _, err = wx.V3().Profitsharing().Orders().Post(ctx, &apiv3.ProfitsharingOrdersRequest{Appid: "wxd678efh567hg6787", OutOrderNo: "P2"})
	if !errors.As(err, &apiErr) {
		return fmt.Errorf("expected an APIError, got %v", err)
	}
	fmt.Printf("   *wxpay.APIError: status %d, code %s, detail %s\n", apiErr.StatusCode, apiErr.Code, apiErr.Detail)

	fmt.Fprintln(os.Stdout, "\ndemo: all calls signed, sent and verified")
	return nil
}

func step(s string) { fmt.Printf("→ %s\n", s) }

func verified(r *wxpay.Response) {
	fmt.Printf("   %d, answer verified: Wechatpay-Serial %s, Request-ID %s, %d-byte body\n",
		r.StatusCode, r.Header.Get("Wechatpay-Serial"), r.RequestID(), len(r.Body))
}
