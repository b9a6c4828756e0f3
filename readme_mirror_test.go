package wxpay_test

// The README's Go blocks, run. TestREADMEGoBlocks checks that each block's lines occur, in
// order, in one of these functions (or in an example); a function here adds what the
// README leaves out (the emulator, the variables a snippet assumes, checks of the result)
// between the README's lines.

import (
	"bytes"
	"context"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wxpay-go/wxpay"
	"github.com/wxpay-go/wxpay/wxpaytest"
)

// README.md, "Protocols".
func TestREADMEProtocols(t *testing.T) {
	srv := wxpaytest.NewServer(t)
	wx := newClient(t, srv)
	ctx := context.Background()

	// APIv3 POST: a struct, a map, or []byte / json.RawMessage sent and signed as is.
	resp, err := wx.Chain("v3/pay/transactions/native").Post(ctx, map[string]any{
		"appid": "wxd678efh567hg6787", "mchid": "1900000109", "description": "Image形象店-深圳腾大-QQ公仔",
		"out_trade_no": "1217752501201407033233368018", "notify_url": "https://www.weixin.qq.com/wxpay/pay.php",
		"amount": map[string]any{"total": 100, "currency": "CNY"},
	})
	require.NoError(t, err)
	var out struct {
		CodeURL string `json:"code_url"`
	}
	err = resp.Decode(&out)
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(out.CodeURL, "weixin://"))

	_, err = wx.Chain("v3/pay/transactions/out-trade-no/<out_trade_no>").
		Get(ctx, wxpay.PathParam("out_trade_no", "no/such?order"), wxpay.Query("mchid", "1900000109"))
	assert.Equal(t, "/v3/pay/transactions/out-trade-no/no%2Fsuch%3Forder?mchid=1900000109", srv.LastRequest().RequestURI)
	var apiErr *wxpay.APIError
	require.ErrorAs(t, err, &apiErr)

	// APIv2: a map[string]string or a struct with xml tags; MD5 by default.
	_, err = wx.Chain("v2/pay/unifiedorder").Post(ctx, map[string]string{
		"appid": "wxd678efh567hg6787", "mch_id": "1900000109", "body": "腾讯充值中心-QQ会员充值",
		"out_trade_no": "20150806125346", "total_fee": "888", "spbill_create_ip": "123.12.12.123",
		"notify_url": "https://www.weixin.qq.com/wxpay/pay.php", "trade_type": "NATIVE",
	}, wxpay.SignType("HMAC-SHA256"))
	require.NoError(t, err)
	assert.Equal(t, "HMAC-SHA256", srv.LastRequest().Fields["sign_type"])

	resp, err = wx.Chain("v2/secapi/pay/reverse").Post(ctx, map[string]string{
		"appid": "wxd678efh567hg6787", "mch_id": "1900000109", "out_trade_no": "20150806125346",
	})
	require.NoError(t, err)
	var rev struct {
		ResultCode string `xml:"result_code"`
		Recall     string `xml:"recall"`
	}
	err = resp.Decode(&rev)
	require.NoError(t, err)
	assert.Equal(t, "SUCCESS", rev.ResultCode)
	assert.True(t, srv.LastRequest().ClientCert)
}

// README.md, "Uploads and downloads".
func TestREADMEUploadsAndDownloads(t *testing.T) {
	srv := wxpaytest.NewServer(t)
	wx := newClient(t, srv)
	ctx := context.Background()
	png := []byte("\x89PNG\r\n\x1a\n…image bytes…")
	file := bytes.NewReader(png)

	resp, err := wx.Upload(ctx, "v3/merchant/media/upload", "receipt.png", file, nil)
	require.NoError(t, err)
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	_, _ = file.Seek(0, io.SeekStart)
	body, opts, err := wxpay.UploadBody("receipt.png", file, nil) // the same body for a fluent node:
	require.NoError(t, err)
	media, resp, err := wx.V3().Merchant().Media().Upload().Post(ctx, body, opts...) // media.MediaID
	require.NoError(t, err)
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.NotEmpty(t, media.MediaID)

	{
		file := png
		meta := `{"file_name":"license.png","file_digest":"` + hex.EncodeToString(sha256Sum(file)) + `"}`
		body, opts, err = wxpay.FormBody(
			wxpay.FormPart{Name: "submission_file", Filename: "license.png", Data: file},
			wxpay.FormPart{Name: "meta", Data: []byte(meta)},
			wxpay.FormPart{Name: "item_id", Data: []byte("56")},
			wxpay.FormPart{Name: "manage_record_id", Data: []byte("56")})
		require.NoError(t, err)
		resp, err = wx.Chain("v3/mch-manage/submission-files/sub-mchid/{sub_mchid}/upload").Post(ctx, body,
			append(opts, wxpay.PathParam("sub_mchid", "1900000110"))...)
		require.NoError(t, err)
		assert.Equal(t, http.StatusOK, resp.StatusCode)
	}

	image := bytes.NewReader(png)
	resp, err = wx.UploadV2(ctx, "v2/secapi/mch/uploadmedia", "media", "id_card.png", image,
		map[string]string{"mch_id": "1900000109"})
	require.NoError(t, err)
	assert.True(t, srv.LastRequest().ClientCert)
	assert.Equal(t, http.StatusOK, resp.StatusCode)

	// The bill: tradebill answers the download_url and the SHA-1 of the file served there.
	bill := []byte("交易时间,公众账号ID,商户号\n`2026-11-22 10:00:00,`wx8888888888888888,`1900000109\n")
	sum := sha1.Sum(bill)
	srv.Handle("GET", "v3/bill/tradebill", func(r *wxpaytest.Request) *wxpaytest.Reply {
		return &wxpaytest.Reply{JSON: map[string]string{"hash_type": "SHA1", "hash_value": hex.EncodeToString(sum[:]),
			"download_url": srv.URL + "v3/billdownload/file?token=abc"}}
	})
	srv.Handle("GET", "v3/billdownload/file", func(r *wxpaytest.Request) *wxpaytest.Reply {
		return &wxpaytest.Reply{Body: bill, Unsigned: true}
	})
	resp, err = wx.Chain("v3/bill/tradebill").Get(ctx, wxpay.Query("bill_date", "2026-11-22"))
	require.NoError(t, err)
	var apply struct {
		DownloadURL string `json:"download_url"`
		HashType    string `json:"hash_type"`
		HashValue   string `json:"hash_value"`
	}
	require.NoError(t, resp.Decode(&apply))
	dst := new(bytes.Buffer)
	f, err := wx.DownloadBill(ctx, apply.DownloadURL, apply.HashType, apply.HashValue)
	require.NoError(t, err)
	defer f.Close()
	_, err = io.Copy(dst, f) // an error wrapping ErrVerification if the file does not match
	require.NoError(t, err)
	assert.Equal(t, bill, dst.Bytes())

	fields := map[string]string{"appid": "wxd678efh567hg6787", "mch_id": "1900000109", "bill_date": "20261122", "bill_type": "ALL"}
	resp, err = wx.Chain("v2/pay/downloadbill").Post(ctx, fields, wxpay.Stream()) // resp.Stream; an XML error is an APIError
	require.NoError(t, err)
	require.NotNil(t, resp.Stream)
	got, err := io.ReadAll(resp.Stream)
	require.NoError(t, err)
	assert.NotEmpty(t, got)
	require.NoError(t, resp.Stream.Close())
}

// README.md, "Callbacks": a handler on the merchant's mux, and the framework-neutral form.
func TestREADMECallbacks(t *testing.T) {
	srv := wxpaytest.NewServer(t)
	wx := newClient(t, srv)
	ctx := context.Background()
	mux := http.NewServeMux()
	got := make(chan string, 2)

	mux.Handle("/wxpay/notify", wx.NotificationHandler(func(ctx context.Context, n *wxpay.Notification) error {
		var tx struct {
			OutTradeNo string `json:"out_trade_no"`
			TradeState string `json:"trade_state"`
		}
		defer func() { got <- tx.OutTradeNo + " " + tx.TradeState }()
		return n.Decode(&tx) // return an error and WeChat Pay retries
	}))
	mux.HandleFunc("/framework", func(w http.ResponseWriter, r *http.Request) {
		rawBody, _ := io.ReadAll(r.Body)
		n, err := wx.ParseNotification(r.Header, rawBody) // framework-neutral form
		if err != nil {
			http.Error(w, err.Error(), http.StatusUnauthorized)
			return
		}
		got <- n.EventType
	})
	hook := httptest.NewServer(mux)
	defer hook.Close()

	header, body, err := srv.NotificationV3("TRANSACTION.SUCCESS", "transaction",
		map[string]string{"out_trade_no": "C1", "trade_state": "SUCCESS"})
	require.NoError(t, err)
	status, _, err := srv.SendNotification(ctx, hook.URL+"/wxpay/notify", header, body)
	require.NoError(t, err)
	assert.Equal(t, http.StatusOK, status)
	assert.Equal(t, "C1 SUCCESS", <-got)
	status, _, err = srv.SendNotification(ctx, hook.URL+"/framework", header, body)
	require.NoError(t, err)
	assert.Equal(t, http.StatusOK, status)
	assert.Equal(t, "TRANSACTION.SUCCESS", <-got)
}

// README.md, "Testing your code: wxpaytest", both blocks.
func TestREADMEWxpaytest(t *testing.T) {
	srv := wxpaytest.NewServer(t) // closes when the test ends
	wx, err := wxpay.New(srv.ClientOptions()...)
	require.NoError(t, err)
	srv.Handle("GET", "v3/merchant/fund/balance/{account_type}", func(r *wxpaytest.Request) *wxpaytest.Reply {
		return &wxpaytest.Reply{JSON: map[string]int{"available_amount": 100}}
	})
	ctx := context.Background()
	resp, err := wx.Chain("v3/merchant/fund/balance/{account_type}").Get(ctx, wxpay.PathParam("account_type", "BASIC"))
	require.NoError(t, err)
	var bal struct {
		AvailableAmount int `json:"available_amount"`
	}
	require.NoError(t, resp.Decode(&bal))
	assert.Equal(t, 100, bal.AvailableAmount)

	hook := httptest.NewServer(wx.NotificationHandler(func(context.Context, *wxpay.Notification) error { return nil }))
	defer hook.Close()
	for _, no := range []string{"T1", "T2"} {
		_, err = wx.Chain("v3/pay/transactions/native").Post(ctx, map[string]any{
			"appid": "wxd678efh567hg6787", "mchid": srv.MchID, "description": "d", "out_trade_no": no,
			"notify_url": hook.URL + "/n", "amount": map[string]any{"total": 1},
		})
		require.NoError(t, err)
	}
	status, err := srv.PayAndNotify(ctx, "T1") // the payer pays; TRANSACTION.SUCCESS goes to the order's notify_url
	require.NoError(t, err)
	assert.Equal(t, http.StatusOK, status)
	assert.True(t, srv.Pay("T2")) // paid, no callback
	assert.False(t, srv.Pay("T2"), "paid already")

	// A fixed address, when the port is free (it is the sandbox's usual one).
	if l, err := net.Listen("tcp", "127.0.0.1:8443"); err != nil {
		t.Logf("127.0.0.1:8443 is taken, WithAddr not run here (TestWithAddr runs it on a free port): %v", err)
		return
	} else {
		l.Close()
	}
	t.Run("WithAddr", func(t *testing.T) {
		srv := wxpaytest.NewServer(t, wxpaytest.WithAddr("127.0.0.1:8443"), wxpaytest.WithLogger(slog.Default()))
		assert.Equal(t, "https://127.0.0.1:8443/", srv.URL)
		wx, err := wxpay.New(srv.ClientOptions()...)
		require.NoError(t, err)
		_, err = wx.Chain("v3/certificates").Get(context.Background())
		require.NoError(t, err)
	})
}

func sha256Sum(b []byte) []byte {
	sum := sha256.Sum256(b)
	return sum[:]
}
