package wxpay_test

import (
	"bytes"
	"context"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"

	"github.com/wxpay-go/wxpay"
	"github.com/wxpay-go/wxpay/apiv2"
	"github.com/wxpay-go/wxpay/apiv3"
	"github.com/wxpay-go/wxpay/keys"
	"github.com/wxpay-go/wxpay/wxpaytest"
)

// Each example runs against the embedded emulator; with real credentials, replace
// srv.ClientOptions() with WithMerchant, WithPlatformPublicKey (or certificates),
// WithAPIv2Key and WithClientCertificate.

// An APIv3 call by string path: the body is JSON-encoded and signed, the answer verified.
func Example() {
	srv, err := wxpaytest.Start()
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	wx, err := wxpay.New(srv.ClientOptions()...)
	if err != nil {
		log.Fatal(err)
	}

	resp, err := wx.Chain("v3/pay/transactions/native").Post(context.Background(), map[string]any{
		"appid": "wxd678efh567hg6787", "mchid": "1900000109", "description": "Image形象店-深圳腾大-QQ公仔",
		"out_trade_no": "1217752501201407033233368018", "notify_url": "https://www.weixin.qq.com/wxpay/pay.php",
		"amount": map[string]any{"total": 100, "currency": "CNY"},
	})
	if err != nil {
		log.Fatal(err)
	}
	var out struct {
		CodeURL string `json:"code_url"`
	}
	if err := resp.Decode(&out); err != nil {
		log.Fatal(err)
	}
	fmt.Println(resp.StatusCode, out.CodeURL != "")
	// Output: 200 true
}

// Placeholders in {name}, <name> or _name_ form are filled with PathParam; values are
// escaped as one segment. Query parameters are sent and signed in the order given.
func ExampleClient_Chain() {
	srv, _ := wxpaytest.Start()
	defer srv.Close()
	wx, _ := wxpay.New(srv.ClientOptions()...)
	ctx := context.Background()

	_, err := wx.Chain("v3/pay/transactions/out-trade-no/<out_trade_no>").
		Get(ctx, wxpay.PathParam("out_trade_no", "no/such?order"), wxpay.Query("mchid", "1900000109"))
	fmt.Println(srv.LastRequest().RequestURI)

	var apiErr *wxpay.APIError
	if errors.As(err, &apiErr) {
		fmt.Println(apiErr.StatusCode, apiErr.Code)
	}
	// Output:
	// /v3/pay/transactions/out-trade-no/no%2Fsuch%3Forder?mchid=1900000109
	// 404 ORDER_NOT_EXIST
}

// A path starting "v2/" is APIv2: fields become XML with nonce_str and sign added,
// "v2/" is dropped from the URL, and the answer's return_code, result_code and sign are
// checked. Secapi endpoints go over mutual TLS by themselves.
func ExampleClient_Chain_apiv2() {
	srv, _ := wxpaytest.Start()
	defer srv.Close()
	wx, _ := wxpay.New(srv.ClientOptions()...)
	ctx := context.Background()

	_, err := wx.Chain("v2/pay/unifiedorder").Post(ctx, map[string]string{
		"appid": "wxd678efh567hg6787", "mch_id": "1900000109", "body": "腾讯充值中心-QQ会员充值",
		"out_trade_no": "20150806125346", "total_fee": "888", "spbill_create_ip": "123.12.12.123",
		"notify_url": "https://www.weixin.qq.com/wxpay/pay.php", "trade_type": "NATIVE",
	}, wxpay.SignType("HMAC-SHA256"))
	if err != nil {
		log.Fatal(err)
	}
	resp, err := wx.Chain("v2/secapi/pay/reverse").Post(ctx, map[string]string{
		"appid": "wxd678efh567hg6787", "mch_id": "1900000109", "out_trade_no": "20150806125346",
	})
	if err != nil {
		log.Fatal(err)
	}
	var out struct {
		ResultCode string `xml:"result_code"`
		Recall     string `xml:"recall"`
	}
	if err := resp.Decode(&out); err != nil {
		log.Fatal(err)
	}
	fmt.Println(out.ResultCode, out.Recall, srv.LastRequest().ClientCert)
	// Output: SUCCESS N true
}

// Every verb has an …Async form returning a Future; the call runs on its own goroutine,
// which ends with the call.
func ExampleNode_GetAsync() {
	srv, _ := wxpaytest.Start()
	defer srv.Close()
	wx, _ := wxpay.New(srv.ClientOptions()...)
	ctx := context.Background()

	node := wx.Chain("v3/pay/transactions/out-trade-no/{out_trade_no}")
	var futures []*wxpay.Future
	for _, no := range []string{"A1", "A2", "A3"} {
		futures = append(futures, node.GetAsync(ctx, wxpay.PathParam("out_trade_no", no), wxpay.Query("mchid", "1900000109")))
	}
	for _, f := range futures {
		resp, err := f.Wait() // or select on f.Done()
		var apiErr *wxpay.APIError
		fmt.Println(resp.StatusCode, errors.As(err, &apiErr) && apiErr.Code == "ORDER_NOT_EXIST")
	}
	// Output:
	// 404 true
	// 404 true
	// 404 true
}

// The fluent tree is generated from the endpoint catalog: each segment a method, a
// placeholder a method taking its value, and each endpoint's verbs typed with its request
// and answer (package apiv3). The same call three ways: typed, the node's untyped
// chain.Node, and a string path.
func ExampleClient_V3() {
	srv, _ := wxpaytest.Start()
	defer srv.Close()
	wx, _ := wxpay.New(srv.ClientOptions()...)
	ctx := context.Background()

	// Typed: a misspelt field does not compile; the answer is decoded.
	out, resp, err := wx.V3().Pay().Transactions().Native().Post(ctx, &apiv3.PayTransactionsNativeRequest{
		Appid: "wxd678efh567hg6787", Mchid: srv.MchID, Description: "Image形象店-深圳腾大-QQ公仔",
		OutTradeNo: "1217752501201407033233368018", NotifyURL: "https://example.com/notify",
		Amount: &apiv3.ChargeTransactionsAmount{Total: 100, Currency: "CNY"},
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(resp.StatusCode, strings.HasPrefix(out.CodeURL, "weixin://"))

	// Untyped: Node() has every verb and takes any body.
	node := wx.V3().Transactions().OutTradeNo("1217752501201407033233368018").Reverse()
	fmt.Println(node.Template())
	resp, err = node.Node().Post(ctx, map[string]string{"mchid": "1900000109", "sp_mchid": "1900000109", "sub_mchid": "1900000110"})
	if err != nil {
		log.Fatal(err)
	}
	// The catalog knows this endpoint lives on the Hong Kong base (/hk/).
	fmt.Println(resp.StatusCode, srv.LastRequest().RequestURI)

	// A string path: for tools, and paths the catalog does not know.
	resp, err = wx.Chain("v3/pay/transactions/out-trade-no/{out_trade_no}").Get(ctx,
		wxpay.PathParam("out_trade_no", "1217752501201407033233368018"), wxpay.Query("mchid", srv.MchID))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(resp.StatusCode)
	// Output:
	// 200 true
	// v3/transactions/out-trade-no/{out_trade_no}/reverse
	// 204 /hk/v3/transactions/out-trade-no/1217752501201407033233368018/reverse
	// 200
}

// APIv2 through the typed tree (package apiv2), asynchronously; secapi/pay/reverse goes
// over mutual TLS. The SDK adds nonce_str and the sign.
func ExampleClient_V2() {
	srv, _ := wxpaytest.Start()
	defer srv.Close()
	wx, _ := wxpay.New(srv.ClientOptions()...)
	ctx := context.Background()

	order, _, err := wx.V2().Pay().Unifiedorder().Post(ctx, &apiv2.PayUnifiedorderRequest{
		Appid: "wxd678efh567hg6787", MchID: srv.MchID, Body: "QQ会员充值", OutTradeNo: "20150806125347",
		TotalFee: 1, SpbillCreateIP: "123.12.12.123", NotifyURL: "https://example.com/n", TradeType: "NATIVE",
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(order.ResultCode, order.CodeURL != "")
	rev, _, err := wx.V2().Secapi().Pay().Reverse().PostAsync(ctx, &apiv2.PayReverseRequest{
		Appid: "wxd678efh567hg6787", MchID: srv.MchID, OutTradeNo: "20150806125347",
	}).Wait()
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(rev.ResultCode, rev.Recall == apiv2.RecallN, srv.LastRequest().ClientCert)
	// Output:
	// SUCCESS true
	// SUCCESS true true
}

// Key material from PEM files, as a merchant keeps it: the merchant API key, and the
// WeChat Pay public key with its id. (Here the emulator's test identity is written to a
// temporary directory first.)
func ExampleNew() {
	srv, _ := wxpaytest.Start()
	defer srv.Close()
	dir, _ := os.MkdirTemp("", "wxpay-example")
	defer os.RemoveAll(dir)
	_ = os.WriteFile(filepath.Join(dir, "apiclient_key.pem"), srv.MerchantKeyPEM, 0o600)
	_ = os.WriteFile(filepath.Join(dir, "pub_key.pem"), srv.PublicKeyPEM, 0o644)

	key, err := keys.LoadPrivateKeyFile(filepath.Join(dir, "apiclient_key.pem")) // PKCS#8 or PKCS#1 PEM
	if err != nil {
		log.Fatal(err)
	}
	pub, err := keys.LoadPublicKeyFile(filepath.Join(dir, "pub_key.pem")) // WeChat Pay public key
	if err != nil {
		log.Fatal(err)
	}
	wx, err := wxpay.New(
		wxpay.WithMerchant("1900000109", "3775B6A45ACD588826D15E583A95F5DD2C5C9DB8", key),
		wxpay.WithPlatformPublicKey(srv.PublicKeyID, pub),
		wxpay.WithBaseURL(srv.URL), wxpay.WithTLSConfig(&tls.Config{RootCAs: srv.RootCAs}), // the emulator; omit for production
	)
	if err != nil {
		log.Fatal(err)
	}
	resp, err := wx.Chain("v3/pay/transactions/out-trade-no/{out_trade_no}").Get(context.Background(),
		wxpay.PathParam("out_trade_no", "none"), wxpay.Query("mchid", "1900000109"))
	var apiErr *wxpay.APIError
	fmt.Println(resp.StatusCode, errors.As(err, &apiErr), srv.LastRequest().Header.Get("Wechatpay-Serial") == srv.PublicKeyID)
	// Output: 404 true true
}

// Callbacks: NotificationHandler calls the function only for a verified callback, with
// the resource decrypted, and answers WeChat Pay as it expects.
func ExampleClient_NotificationHandler() {
	srv, _ := wxpaytest.Start()
	defer srv.Close()
	wx, _ := wxpay.New(srv.ClientOptions()...)

	paid := make(chan string, 1)
	hook := httptest.NewServer(wx.NotificationHandler(func(ctx context.Context, n *wxpay.Notification) error {
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
	defer hook.Close()

	// The emulator sends a callback the way the platform does: encrypted and signed.
	header, body, _ := srv.NotificationV3("TRANSACTION.SUCCESS", "transaction",
		map[string]string{"out_trade_no": "1217752501201407033233368018", "trade_state": "SUCCESS"})
	status, _, _ := srv.SendNotification(context.Background(), hook.URL, header, body)
	fmt.Println(status, <-paid)

	// The same callback with one byte changed never reaches the function.
	body[len(body)-2] ^= 1
	status, _, _ = srv.SendNotification(context.Background(), hook.URL, header, body)
	fmt.Println(status, len(paid))
	// Output:
	// 200 TRANSACTION.SUCCESS 1217752501201407033233368018 SUCCESS
	// 401 0
}

// Media upload: a multipart body whose meta part ({"filename","sha256"}) is what gets
// signed, byte for byte; the file part carries the file.
func ExampleClient_Upload() {
	srv, _ := wxpaytest.Start()
	defer srv.Close()
	wx, _ := wxpay.New(srv.ClientOptions()...)

	image := bytes.NewReader([]byte("\x89PNG\r\n\x1a\n…image bytes…"))
	resp, err := wx.Upload(context.Background(), "v3/merchant/media/upload", "receipt.png", image, nil)
	if err != nil {
		log.Fatal(err)
	}
	var out struct {
		MediaID string `json:"media_id"`
	}
	_ = resp.Decode(&out)
	fmt.Println(resp.StatusCode, strings.HasPrefix(out.MediaID, "wxpaytest-"))
	// Output: 200 true
}

// An upload whose file part has another name and that takes more fields than meta:
// FormBody builds it; the signature covers the meta part.
func ExampleFormBody() {
	srv, _ := wxpaytest.Start()
	defer srv.Close()
	wx, _ := wxpay.New(srv.ClientOptions()...)

	file := []byte("\x89PNG\r\n\x1a\n…image bytes…")
	sum := sha256.Sum256(file)
	meta := `{"file_name":"license.png","file_digest":"` + hex.EncodeToString(sum[:]) + `"}`
	body, opts, err := wxpay.FormBody(
		wxpay.FormPart{Name: "submission_file", Filename: "license.png", Data: file},
		wxpay.FormPart{Name: "meta", Data: []byte(meta)},
		wxpay.FormPart{Name: "item_id", Data: []byte("56")},
		wxpay.FormPart{Name: "manage_record_id", Data: []byte("56")},
	)
	if err != nil {
		log.Fatal(err)
	}
	resp, err := wx.Chain("v3/mch-manage/submission-files/sub-mchid/{sub_mchid}/upload").Post(context.Background(),
		body, append(opts, wxpay.PathParam("sub_mchid", "1900000110"))...)
	if err != nil {
		log.Fatal(err)
	}
	var out struct {
		FileID string `json:"file_id"`
	}
	_ = resp.Decode(&out)
	fmt.Println(resp.StatusCode, out.FileID != "")
	// Output: 200 true
}

// The APIv2 upload (secapi/mch/uploadmedia): form fields signed with HMAC-SHA256, the
// file's MD5 as media_hash, over mutual TLS.
func ExampleClient_UploadV2() {
	srv, _ := wxpaytest.Start()
	defer srv.Close()
	wx, _ := wxpay.New(srv.ClientOptions()...)

	image := bytes.NewReader([]byte("\x89PNG\r\n\x1a\n…image bytes…"))
	resp, err := wx.UploadV2(context.Background(), "v2/secapi/mch/uploadmedia", "media", "id_card.png", image,
		map[string]string{"mch_id": srv.MchID})
	if err != nil {
		log.Fatal(err)
	}
	fields := map[string]string{}
	_ = resp.Decode(&fields)
	fmt.Println(fields["result_code"], fields["media_id"] != "")
	// Output: SUCCESS true
}

// Bill download: the download_url from v3/bill/tradebill, read as a stream whose SHA-1 is
// checked against hash_value at the end.
func ExampleClient_DownloadBill() {
	srv, _ := wxpaytest.Start()
	defer srv.Close()
	wx, _ := wxpay.New(srv.ClientOptions()...)
	bill := []byte("交易时间,公众账号ID,商户号\n`2026-11-22 10:00:00,`wx8888888888888888,`1900000109\n")
	srv.Handle("GET", "v3/billdownload/file", func(r *wxpaytest.Request) *wxpaytest.Reply {
		return &wxpaytest.Reply{Body: bill, Unsigned: true} // bill files are not signed
	})
	sum := sha1.Sum(bill)

	file, err := wx.DownloadBill(context.Background(), srv.URL+"v3/billdownload/file?token=abc", "SHA1", hex.EncodeToString(sum[:]))
	if err != nil {
		log.Fatal(err)
	}
	defer file.Close()
	got, err := io.ReadAll(file) // an error wrapping ErrVerification if the SHA-1 differs
	fmt.Println(len(got) == len(bill), err)
	// Output: true <nil>
}
