package notify_test

import (
	"context"
	"fmt"
	"net/http/httptest"

	"github.com/wxpay-go/wxpay/notify"
	"github.com/wxpay-go/wxpay/signer"
	"github.com/wxpay-go/wxpay/wxpaytest"
)

// A callback endpoint, fed by the emulator as WeChat Pay would feed it.
func ExampleParser_Handler() {
	srv, err := wxpaytest.Start()
	if err != nil {
		panic(err)
	}
	defer srv.Close()

	// The merchant's side: trust the platform certificate; keep the APIv3 key.
	keys := signer.NewKeyStore()
	if _, err := keys.AddCertificate(srv.PlatformCert); err != nil {
		panic(err)
	}
	p := &notify.Parser{Verifier: &signer.Verifier{Keys: keys}, APIv3Key: srv.APIv3Key}
	endpoint := httptest.NewServer(p.Handler(func(ctx context.Context, n *notify.Notification) error {
		var tx struct {
			OutTradeNo string `json:"out_trade_no"`
			TradeState string `json:"trade_state"`
		}
		if err := n.Decode(&tx); err != nil {
			return err
		}
		fmt.Println(n.EventType, tx.OutTradeNo, tx.TradeState)
		return nil
	}))
	defer endpoint.Close()

	// The platform's side: a signed, encrypted TRANSACTION.SUCCESS callback.
	header, body, err := srv.NotificationV3("TRANSACTION.SUCCESS", "transaction",
		map[string]any{"out_trade_no": "T1001", "trade_state": "SUCCESS"})
	if err != nil {
		panic(err)
	}
	status, _, err := srv.SendNotification(context.Background(), endpoint.URL, header, body)
	if err != nil {
		panic(err)
	}
	fmt.Println("reply", status)

	// A probe (or a forgery) never reaches the function.
	header.Set("Wechatpay-Signature", "WECHATPAY/SIGNTEST/"+header.Get("Wechatpay-Signature"))
	status, reply, err := srv.SendNotification(context.Background(), endpoint.URL, header, body)
	if err != nil {
		panic(err)
	}
	fmt.Println("reply", status, string(reply[:15]))
	// Output:
	// TRANSACTION.SUCCESS T1001 SUCCESS
	// reply 200
	// reply 401 {"code":"FAIL",
}
