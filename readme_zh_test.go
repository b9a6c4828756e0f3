package wxpay_test

// README.zh-CN.md's Go blocks, run (see readme_mirror_test.go and TestREADMEGoBlocks).

import (
	"context"
	"errors"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wxpay-go/wxpay"
	"github.com/wxpay-go/wxpay/notify"
	"github.com/wxpay-go/wxpay/wxpaytest"
)

// README.zh-CN.md, 快速开始: the first call.
func TestREADMEZhQuickStart(t *testing.T) {
	ctx := context.Background()
	srv, err := wxpaytest.Start() // 本机的微信支付模拟器；在 Go 测试里用 wxpaytest.NewServer(t)
	require.NoError(t, err)
	defer srv.Close()
	wx, err := wxpay.New(srv.ClientOptions()...) // 生产环境换成下一节的配置
	require.NoError(t, err)

	resp, err := wx.Chain("v3/pay/transactions/native").Post(ctx, map[string]any{
		"appid": "wxd678efh567hg6787", "mchid": "1900000109", "description": "Image形象店-深圳腾大-QQ公仔",
		"out_trade_no": "1217752501201407033233368018", "notify_url": "https://www.weixin.qq.com/wxpay/pay.php",
		"amount": map[string]any{"total": 100, "currency": "CNY"},
	})
	require.NoError(t, err)
	var out struct {
		CodeURL string `json:"code_url"`
	}
	err = resp.Decode(&out) // 应答在交给你之前已经验过签；out.CodeURL 用来生成二维码
	require.NoError(t, err)
	assert.Contains(t, out.CodeURL, "weixin://wxpay/bizpayurl")
}

// README.zh-CN.md, 错误处理: the switch meets each of its cases, and 先查单再重试 places an
// order whose request was lost, but not one whose answer was lost.
func TestREADMEZhErrors(t *testing.T) {
	ctx := context.Background()
	srv := wxpaytest.NewServer(t)
	tampering := wxpaytest.NewServer(t)
	tampering.Handle("POST", "v3/pay/transactions/native", func(r *wxpaytest.Request) *wxpaytest.Reply {
		return &wxpaytest.Reply{JSON: map[string]string{"code_url": "weixin://wxpay/bizpayurl?pr=x"}, Tamper: true}
	})
	answerLost, _, stop1 := lossyRelay(srv, true)
	defer stop1()
	requestLost, _, stop2 := lossyRelay(srv, false)
	defer stop2()
	bad := nativeOrder(srv, "E2")
	delete(bad, "amount")

	cases := []struct {
		name       string
		wx         *wxpay.Client
		outTradeNo string
		order      any
		want       string
		placed     bool // after the README's recovery
	}{
		{"ok", newClient(t, srv), "E1", nativeOrder(srv, "E1"), "ok", true},
		{"refused", newClient(t, srv), "E2", bad, "api", false},
		{"tampered answer", newClient(t, tampering), "E3", nativeOrder(tampering, "E3"), "verification", false},
		{"answer lost", newClient(t, srv, wxpay.WithBaseURL(answerLost)), "E4", nativeOrder(srv, "E4"), "unknown", true},
		{"request lost", newClient(t, srv, wxpay.WithBaseURL(requestLost)), "E5", nativeOrder(srv, "E5"), "unknown", true},
		{"bad input", newClient(t, srv), "E6", make(chan int), "other", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			wx, order, outTradeNo := c.wx, c.order, c.outTradeNo
			hit := ""

			resp, err := wx.Chain("v3/pay/transactions/native").Post(ctx, order)
			var apiErr *wxpay.APIError
			switch {
			case err == nil:
				hit = "ok"
				require.NotNil(t, resp)
			case errors.As(err, &apiErr):
				hit = "api"
				log.Printf("微信支付拒绝：HTTP %d %s %s detail=%s Request-ID=%s",
					apiErr.StatusCode, apiErr.Code, apiErr.Message, apiErr.Detail, apiErr.RequestID)
				assert.Equal(t, "PARAM_ERROR", apiErr.Code)
			case errors.Is(err, wxpay.ErrVerification):
				hit = "verification"
			case errors.Is(err, wxpay.ErrOutcomeUnknown):
				hit = "unknown"
			default:
				hit = "other"
				assert.Equal(t, wxpay.FailureInput, wxpay.FailureOf(err), "%v", err)
			}
			require.Equal(t, c.want, hit, "%v", err)

			if errors.Is(err, wxpay.ErrOutcomeUnknown) {
				_, qerr := wx.Chain("v3/pay/transactions/out-trade-no/{out_trade_no}").Get(ctx,
					wxpay.PathParam("out_trade_no", outTradeNo), wxpay.Query("mchid", "1900000109"))
				var apiErr *wxpay.APIError
				if errors.As(qerr, &apiErr) && apiErr.Code == "ORDER_NOT_EXIST" {
					resp, err = wx.Chain("v3/pay/transactions/native").Post(ctx, order) // 确实没有下单：用同一个 out_trade_no 再下一次
					require.NoError(t, err, "the request was lost: placed now")
					assert.Equal(t, http.StatusOK, resp.StatusCode)
				} else {
					require.NoError(t, qerr, "the answer was lost: the query finds the order")
				}
			}
			_, qerr := newClient(t, srv).Chain("v3/pay/transactions/out-trade-no/{out_trade_no}").Get(ctx,
				wxpay.PathParam("out_trade_no", outTradeNo), wxpay.Query("mchid", "1900000109"))
			assert.Equal(t, c.placed, qerr == nil, "order %s on the platform: %v", outTradeNo, qerr)
		})
	}
}

// relayedServer is an emulator reached through a lossy network: its ClientOptions point
// the client at the relay.
type relayedServer struct {
	*wxpaytest.Server
	relay string
}

func (s relayedServer) ClientOptions() []wxpay.Option {
	return append(s.Server.ClientOptions(), wxpay.WithBaseURL(s.relay))
}

// README.zh-CN.md, the retry policy: a lost answer to an order marked Idempotent is retried
// (the emulator, like the platform, takes the same unpaid order again).
func TestREADMEZhRetry(t *testing.T) {
	ctx := context.Background()
	emulator := wxpaytest.NewServer(t)
	relay, sent, stop := loseFirstAnswer(emulator)
	defer stop()
	srv := relayedServer{emulator, relay}
	order := nativeOrder(emulator, "I1")

	wx, err := wxpay.New(append(srv.ClientOptions(),
		wxpay.WithRetryPolicy(wxpay.RetryPolicy{MaxAttempts: 4, BaseDelay: 200 * time.Millisecond}))...)
	require.NoError(t, err)
	start := time.Now()
	resp, err := wx.Chain("v3/pay/transactions/native").Post(ctx, order, wxpay.Idempotent())
	require.NoError(t, err)
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.EqualValues(t, 2, sent.Load(), "the first answer was lost, the retry answered")
	assert.GreaterOrEqual(t, time.Since(start), 100*time.Millisecond, "the retry waited at least half of BaseDelay")
}

// README.zh-CN.md, 回调通知: the net/http handler and the framework form with notify.Reply.
func TestREADMEZhCallbacks(t *testing.T) {
	srv := wxpaytest.NewServer(t)
	wx := newClient(t, srv)
	mux := http.NewServeMux()
	paid := make(chan string, 4)
	markPaid := func(ctx context.Context, outTradeNo string) error { paid <- outTradeNo; return nil }
	failing := errors.New("数据库不可用：dsn=secret")
	process := func(ctx context.Context, n *wxpay.Notification) error {
		var tx struct {
			OutTradeNo string `json:"out_trade_no"`
		}
		if err := n.Decode(&tx); err != nil {
			return err
		}
		if tx.OutTradeNo == "FAIL" {
			return failing
		}
		return markPaid(ctx, tx.OutTradeNo)
	}

	mux.Handle("/wxpay/notify", wx.NotificationHandler(func(ctx context.Context, n *wxpay.Notification) error {
		var tx struct {
			OutTradeNo string `json:"out_trade_no"`
			TradeState string `json:"trade_state"`
		}
		if err := n.Decode(&tx); err != nil {
			return err
		}
		return markPaid(ctx, tx.OutTradeNo) // 返回错误，微信支付会稍后重新通知
	}))
	mux.HandleFunc("/framework", func(rw http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body) // what gin's c.GetRawData() did
		w, header, ctx := rw, r.Header, r.Context()
		if err == nil {
			var n *wxpay.Notification
			if n, err = wx.ParseNotification(header, body); err == nil {
				err = process(ctx, n) // 你的业务：验签、解密都已完成
			}
		}
		notify.Reply(w, body, err) // 成功 200；验签失败 401；你的处理出错 500（错误内容不会发给微信支付）
	})
	hook := httptest.NewServer(mux)
	defer hook.Close()
	ctx := context.Background()

	send := func(path, outTradeNo string, tamper bool) (int, string) {
		h, body, err := srv.NotificationV3("TRANSACTION.SUCCESS", "transaction",
			map[string]string{"out_trade_no": outTradeNo, "trade_state": "SUCCESS"})
		require.NoError(t, err)
		if tamper {
			body[len(body)-2] ^= 1
		}
		status, reply, err := srv.SendNotification(ctx, hook.URL+path, h, body)
		require.NoError(t, err)
		return status, string(reply)
	}
	status, _ := send("/wxpay/notify", "N1", false)
	assert.Equal(t, http.StatusOK, status)
	assert.Equal(t, "N1", <-paid)
	status, _ = send("/framework", "N2", false)
	assert.Equal(t, http.StatusOK, status)
	assert.Equal(t, "N2", <-paid)
	status, _ = send("/framework", "N3", true)
	assert.Equal(t, http.StatusUnauthorized, status)
	status, reply := send("/framework", "FAIL", false)
	assert.Equal(t, http.StatusInternalServerError, status)
	assert.NotContains(t, reply, "secret")
	assert.Empty(t, paid)
}

// README.zh-CN.md, 在 Go 测试里用模拟器: the README's test, as written, plus its checks.
func TestCheckout(t *testing.T) {
	ctx := context.Background()
	got := make(chan string, 1)
	onPaid := func(ctx context.Context, n *wxpay.Notification) error {
		var tx struct {
			OutTradeNo string `json:"out_trade_no"`
			TradeState string `json:"trade_state"`
		}
		err := n.Decode(&tx)
		got <- tx.OutTradeNo + " " + tx.TradeState
		return err
	}
	srv := wxpaytest.NewServer(t) // 测试结束时自动关闭
	wx, err := wxpay.New(srv.ClientOptions()...)
	require.NoError(t, err)
	shop := httptest.NewServer(wx.NotificationHandler(onPaid)) // 你的回调处理
	defer shop.Close()
	_, err = wx.Chain("v3/pay/transactions/jsapi").Post(ctx, map[string]any{
		"appid": "wxd678efh567hg6787", "mchid": srv.MchID, "description": "测试商品", "out_trade_no": "T1001",
		"notify_url": shop.URL + "/wxpay/notify", "amount": map[string]any{"total": 1},
		"payer": map[string]string{"openid": "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"},
	})
	require.NoError(t, err)
	status, err := srv.PayAndNotify(ctx, "T1001") // 模拟用户付款：订单变为 SUCCESS，支付成功通知发到 notify_url
	require.NoError(t, err)
	assert.Equal(t, http.StatusOK, status)
	assert.Equal(t, "T1001 SUCCESS", <-got)
}
