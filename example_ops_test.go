package wxpay_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"time"

	"github.com/wxpay-go/wxpay"
	"github.com/wxpay-go/wxpay/notify"
	"github.com/wxpay-go/wxpay/wxpaytest"
)

// Examples of operating a client: refusals, retries, logging, certificate rotation and
// callbacks in web frameworks. Each runs against the embedded emulator.

// A refusal from WeChat Pay is a *wxpay.APIError: the HTTP status, the platform's code and
// message, its detail (which field, where) and the Request-ID to quote to WeChat Pay
// support. The *Response comes back too.
func ExampleAPIError() {
	srv, _ := wxpaytest.Start()
	defer srv.Close()
	wx, _ := wxpay.New(srv.ClientOptions()...)
	ctx := context.Background()

	_, err := wx.Chain("v3/pay/transactions/out-trade-no/{out_trade_no}").Get(ctx,
		wxpay.PathParam("out_trade_no", "NO-SUCH-ORDER"), wxpay.Query("mchid", "1900000109"))
	var apiErr *wxpay.APIError
	if errors.As(err, &apiErr) {
		fmt.Println(apiErr.StatusCode, apiErr.Code, apiErr.Message, apiErr.RequestID != "")
	}

	_, err = wx.Chain("v3/profitsharing/orders").Post(ctx, map[string]any{"appid": "wx8888888888888888"})
	if errors.As(err, &apiErr) {
		var detail struct {
			Field string `json:"field"`
		}
		_ = json.Unmarshal(apiErr.Detail, &detail)
		fmt.Println(apiErr.StatusCode, apiErr.Code, detail.Field)
	}
	fmt.Println(errors.Is(err, wxpay.ErrVerification), wxpay.FailureOf(err))
	// Output:
	// 404 ORDER_NOT_EXIST 订单不存在 true
	// 400 PARAM_ERROR transaction_id
	// false answer
}

// A retry policy: up to 4 attempts, waiting a jittered 200 ms, 400 ms, 800 ms, each attempt
// signed afresh. A busy platform (5xx, 429) is retried. A POST that was written but got no
// answer is not: its outcome is unknown (errors.Is(err, wxpay.ErrOutcomeUnknown)), so query
// the order before sending it again; an endpoint known to be idempotent (placing the same
// unpaid order again is) can be marked wxpay.Idempotent() to be retried like a GET.
func ExampleWithRetryPolicy() {
	srv, _ := wxpaytest.Start()
	defer srv.Close()
	wx, err := wxpay.New(append(srv.ClientOptions(),
		wxpay.WithRetryPolicy(wxpay.RetryPolicy{MaxAttempts: 4, BaseDelay: 200 * time.Millisecond}))...)
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()

	// The platform is busy once: 503 SYSTEM_ERROR, then the answer.
	var calls atomic.Int32
	srv.Handle("GET", "v3/merchant/fund/balance/{account_type}", func(r *wxpaytest.Request) *wxpaytest.Reply {
		if calls.Add(1) == 1 {
			return &wxpaytest.Reply{Status: 503, JSON: map[string]string{"code": "SYSTEM_ERROR", "message": "系统繁忙"}}
		}
		return &wxpaytest.Reply{JSON: map[string]int{"available_amount": 100}}
	})
	resp, err := wx.Chain("v3/merchant/fund/balance/{account_type}").Get(ctx, wxpay.PathParam("account_type", "BASIC"))
	fmt.Println(resp.StatusCode, err, calls.Load(), "attempts")

	// The network loses the answer to an order: WeChat Pay placed it, the client cannot know.
	lossy, sent, stop := loseFirstAnswer(srv)
	defer stop()
	order := map[string]any{
		"appid": "wxd678efh567hg6787", "mchid": "1900000109", "description": "QQ公仔",
		"out_trade_no": "R1001", "notify_url": "https://example.com/n", "amount": map[string]any{"total": 1},
	}
	_, err = wx.Chain("v3/pay/transactions/native").Post(ctx, order, wxpay.BaseURL(lossy))
	if errors.Is(err, wxpay.ErrOutcomeUnknown) {
		fmt.Println("outcome unknown after", sent.Load(), "attempt") // not retried: it could pay twice
		// 先查单: query the order before placing it again.
		q, err := wx.Chain("v3/pay/transactions/out-trade-no/{out_trade_no}").Get(ctx,
			wxpay.PathParam("out_trade_no", "R1001"), wxpay.Query("mchid", "1900000109"))
		var tx struct {
			TradeState string `json:"trade_state"`
		}
		if err == nil && q.Decode(&tx) == nil {
			fmt.Println("the order exists:", tx.TradeState)
		}
	}

	// Marked idempotent, the same lost answer is retried (same out_trade_no, same amount).
	lossy, sent, stop2 := loseFirstAnswer(srv)
	defer stop2()
	resp, err = wx.Chain("v3/pay/transactions/native").Post(ctx, order, wxpay.BaseURL(lossy), wxpay.Idempotent())
	fmt.Println(resp.StatusCode, err, sent.Load(), "attempts")
	// Output:
	// 200 <nil> 2 attempts
	// outcome unknown after 1 attempt
	// the order exists: NOTPAY
	// 200 <nil> 2 attempts
}

// loseFirstAnswer returns the base URL of a loopback relay to srv that delivers every
// request but hangs up instead of relaying the first answer, as a network failure after
// the request was sent would; sent counts the requests it delivered. stop closes it.
func loseFirstAnswer(srv *wxpaytest.Server) (baseURL string, sent *atomic.Int32, stop func()) {
	return lossyRelay(srv, true)
}

// lossyRelay is a loopback relay to srv that hangs up on the first request without
// answering: having delivered it to srv first (deliverFirst: the answer was lost) or not
// (the request was lost on the way). Later requests are relayed both ways. sent counts
// the requests delivered to srv.
func lossyRelay(srv *wxpaytest.Server, deliverFirst bool) (baseURL string, sent *atomic.Int32, stop func()) {
	sent = new(atomic.Int32)
	var seen atomic.Int32
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: srv.RootCAs}}}
	relay := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		first := seen.Add(1) == 1
		hangUp := func() {
			conn, _, _ := w.(http.Hijacker).Hijack()
			conn.Close()
		}
		if first && !deliverFirst {
			hangUp() // the request never reaches the platform
			return
		}
		req, _ := http.NewRequestWithContext(r.Context(), r.Method, strings.TrimSuffix(srv.URL, "/")+r.RequestURI, bytes.NewReader(body))
		req.Header = r.Header.Clone()
		resp, err := client.Do(req)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		defer resp.Body.Close()
		answer, _ := io.ReadAll(resp.Body)
		sent.Add(1)
		if first {
			hangUp() // the answer is lost
			return
		}
		for k, vs := range resp.Header {
			w.Header()[k] = vs
		}
		w.WriteHeader(resp.StatusCode)
		_, _ = w.Write(answer)
	}))
	return relay.URL + "/", sent, func() { relay.Close(); client.CloseIdleConnections() }
}

// WithLogger writes one slog record per attempt (Debug on success, Warn on failure). The
// Authorization header keeps only mchid and serial_no: the signature, keys and bodies are
// never logged.
func ExampleWithLogger() {
	srv, _ := wxpaytest.Start()
	defer srv.Close()
	var buf bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	wx, _ := wxpay.New(append(srv.ClientOptions(), wxpay.WithLogger(logger))...)

	_, _ = wx.Chain("v3/pay/transactions/out-trade-no/{out_trade_no}").Get(context.Background(),
		wxpay.PathParam("out_trade_no", "L1"), wxpay.Query("mchid", "1900000109"))

	var rec struct {
		Level, Msg, Method, Failure string
		Status, Attempt             int
		Header                      map[string][]string `json:"request_header"`
	}
	_ = json.Unmarshal(buf.Bytes(), &rec)
	fmt.Println(rec.Level, rec.Msg, rec.Method, rec.Status, rec.Attempt, rec.Failure)
	fmt.Println(rec.Header["Authorization"][0])
	sent := srv.LastRequest().Header.Get("Authorization")
	signature := sent[strings.Index(sent, "signature=")+len(`signature="`) : len(sent)-1]
	fmt.Println("signature logged:", strings.Contains(buf.String(), signature))
	// Output:
	// WARN wxpay call GET 404 1 answer
	// WECHATPAY2-SHA256-RSA2048 mchid="1900000109",serial_no="3775B6A45ACD588826D15E583A95F5DD2C5C9DB8",signature=[REDACTED]
	// signature logged: false
}

// The refresher downloads the platform certificates when started (so a wrong APIv3 key
// fails at once), then every interval, so that a rotated certificate is known before
// WeChat Pay signs with it. Here a client starts with no platform certificate at all and
// the platform rotates while it runs. (Merchants in public-key mode do not need it.)
func ExampleClient_StartCertificateRefresher() {
	srv, _ := wxpaytest.Start()
	defer srv.Close()
	srv.HandleCertificates()
	wx, err := wxpay.New(wxpay.WithBaseURL(srv.URL), wxpay.WithTLSConfig(&tls.Config{RootCAs: srv.RootCAs}),
		wxpay.WithMerchant(srv.MchID, srv.MerchantSerial, srv.MerchantKey), wxpay.WithAPIv3Key(srv.APIv3Key))
	if err != nil {
		log.Fatal(err)
	}

	ctx := context.Background()
	r, err := wx.StartCertificateRefresher(ctx, 20*time.Millisecond, func(err error) { log.Print(err) }) // production: 12*time.Hour
	if err != nil {
		log.Fatal(err) // the first download failed: wrong APIv3 key, public-key mode (404), network
	}
	defer r.Close()
	fmt.Println(wx.KeyStore().Serials())

	// WeChat Pay publishes a new certificate next to the old one.
	next, _ := srv.NewPlatformCertificate(time.Now(), time.Now().AddDate(5, 0, 0))
	srv.HandleCertificates(srv.PlatformCert, next)
	for deadline := time.Now().Add(5 * time.Second); wx.KeyStore().Len() < 2 && time.Now().Before(deadline); {
		time.Sleep(5 * time.Millisecond)
	}
	fmt.Println(wx.KeyStore().Len(), "certificates known")
	// Output:
	// [5157F09EFDC096DE15EBE81A47057A7232F5B8E1]
	// 2 certificates known
}

// A callback in a framework that has already read the body (gin's c.GetRawData(), echo's
// io.ReadAll(c.Request().Body)): pass the raw bytes to ParseNotification, process the
// notification, and let notify.Reply answer WeChat Pay (200; 401 for a failed signature;
// 500, without your error's text, when processing failed). Here a plain http.HandlerFunc
// plays the framework.
func ExampleClient_ParseNotification() {
	srv, _ := wxpaytest.Start()
	defer srv.Close()
	wx, _ := wxpay.New(srv.ClientOptions()...)

	paid := make(chan string, 1)
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body) // what the framework did before calling you
		if err == nil {
			var n *wxpay.Notification
			if n, err = wx.ParseNotification(r.Header, body); err == nil {
				var tx struct {
					OutTradeNo string `json:"out_trade_no"`
					TradeState string `json:"trade_state"`
				}
				if err = n.Decode(&tx); err == nil {
					paid <- tx.OutTradeNo + " " + tx.TradeState // mark the order paid, idempotently
				}
			}
		}
		notify.Reply(w, body, err)
	}))
	defer hook.Close()

	ctx := context.Background()
	_, _ = wx.Chain("v3/pay/transactions/native").Post(ctx, map[string]any{
		"appid": "wxd678efh567hg6787", "mchid": "1900000109", "description": "QQ公仔",
		"out_trade_no": "F1001", "notify_url": hook.URL + "/wxpay/notify", "amount": map[string]any{"total": 1},
	})
	status, err := srv.PayAndNotify(ctx, "F1001") // the payer pays; WeChat Pay calls notify_url
	fmt.Println(status, err, <-paid)

	// A forged callback is answered 401 and never processed.
	header, body, _ := srv.NotificationV3("TRANSACTION.SUCCESS", "transaction",
		map[string]string{"out_trade_no": "F1002", "trade_state": "SUCCESS"})
	body[len(body)-2] ^= 1
	status, reply, _ := srv.SendNotification(ctx, hook.URL+"/wxpay/notify", header, body)
	fmt.Println(status, string(reply[:15]), len(paid))
	// Output:
	// 200 <nil> F1001 SUCCESS
	// 401 {"code":"FAIL", 0
}
