package wxpay_test

import (
	"bytes"
	"context"
	"crypto/sha1"
	"crypto/tls"
	"encoding/hex"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wxpay-go/wxpay"
	"github.com/wxpay-go/wxpay/signer"
	"github.com/wxpay-go/wxpay/wxpaytest"
)

// Every test here talks to the wxpaytest emulator over a real loopback TLS socket.

func newClient(t *testing.T, srv *wxpaytest.Server, opts ...wxpay.Option) *wxpay.Client {
	t.Helper()
	wx, err := wxpay.New(append(srv.ClientOptions(), opts...)...)
	require.NoError(t, err)
	return wx
}

func nativeOrder(srv *wxpaytest.Server, no string) map[string]any {
	return map[string]any{
		"appid": "wxd678efh567hg6787", "mchid": srv.MchID, "description": "Image形象店-深圳腾大-QQ公仔",
		"out_trade_no": no, "notify_url": "https://example.com/notify?a=1&b=2",
		"amount": map[string]any{"total": 1, "currency": "CNY"},
	}
}

var authFormat = regexp.MustCompile(`^WECHATPAY2-SHA256-RSA2048 mchid="1900000109",serial_no="3775B6A45ACD588826D15E583A95F5DD2C5C9DB8",timestamp="\d{10}",nonce_str="[0-9A-Za-z]{32}",signature="[A-Za-z0-9+/]{342}=="$`)

func TestAPIv3PostAndGet(t *testing.T) {
	srv := wxpaytest.NewServer(t)
	wx := newClient(t, srv)
	ctx := context.Background()

	body := nativeOrder(srv, "T1217752501201407033233368018")
	resp, err := wx.Chain("v3/pay/transactions/native").Post(ctx, body)
	require.NoError(t, err)
	require.Equal(t, 200, resp.StatusCode)
	var out struct {
		CodeURL string `json:"code_url"`
	}
	require.NoError(t, resp.Decode(&out))
	assert.True(t, strings.HasPrefix(out.CodeURL, "weixin://wxpay/bizpayurl?pr="))

	got := srv.LastRequest()
	want, _ := json.Marshal(body)
	assert.Equal(t, "/v3/pay/transactions/native", got.RequestURI)
	assert.Equal(t, string(want), string(got.Body), "the body is sent exactly as encoded and signed")
	assert.Regexp(t, authFormat, got.Header.Get("Authorization"))
	assert.Equal(t, "application/json", got.Header.Get("Content-Type"))
	assert.Equal(t, "application/json", got.Header.Get("Accept"))
	assert.Equal(t, wxpaytest.PlatformSerial, got.Header.Get("Wechatpay-Serial"), "requests name the key the client verifies with")
	assert.True(t, strings.HasPrefix(got.Header.Get("User-Agent"), "wxpay-go/"))

	resp, err = wx.Chain("v3/pay/transactions/out-trade-no/{out_trade_no}").Get(ctx,
		wxpay.PathParam("out_trade_no", "T1217752501201407033233368018"),
		wxpay.Query("mchid", srv.MchID), wxpay.Query("note", "a b'c&d=é"))
	require.NoError(t, err)
	var order struct {
		TradeState string `json:"trade_state"`
	}
	require.NoError(t, resp.Decode(&order))
	assert.Equal(t, "NOTPAY", order.TradeState)
	got = srv.LastRequest()
	assert.Equal(t, "/v3/pay/transactions/out-trade-no/T1217752501201407033233368018?mchid=1900000109&note=a%20b%27c%26d%3D%C3%A9", got.RequestURI,
		"query sent in the order given, percent-encoded, and signed as sent")
	assert.Empty(t, got.Body)
	assert.Empty(t, got.Header.Get("Content-Type"), "no body, no Content-Type on GET")
}

func TestRawBodiesAreSentAndSignedAsIs(t *testing.T) {
	srv := wxpaytest.NewServer(t)
	wx := newClient(t, srv)
	raw := []byte(`{"appid":"wxd678efh567hg6787","mchid":"1900000109","description":"x</y>","out_trade_no":"RAW1","notify_url":"https://e.com/n","amount":{"total":5}}`)
	for _, body := range []any{raw, json.RawMessage(raw), string(raw)} {
		_, err := wx.Chain("v3/pay/transactions/native").Post(context.Background(), body)
		require.NoError(t, err)
		assert.Equal(t, raw, srv.LastRequest().Body)
	}
}

func TestHK204ReverseWithAngleTemplate(t *testing.T) {
	srv := wxpaytest.NewServer(t)
	wx := newClient(t, srv)
	resp, err := wx.Chain("v3/transactions/out-trade-no/<out_trade_no>/reverse").Post(context.Background(),
		map[string]string{"mchid": srv.MchID, "sp_mchid": srv.MchID, "sub_mchid": "1900000110"},
		wxpay.PathParam("out_trade_no", "HK1"), wxpay.BaseURL(srv.URL+"hk/"))
	require.NoError(t, err)
	assert.Equal(t, http.StatusNoContent, resp.StatusCode)
	assert.Empty(t, resp.Body)
	assert.NotEmpty(t, resp.Header.Get("Wechatpay-Signature"), "the empty 204 was signed and verified")
	assert.Equal(t, "/hk/v3/transactions/out-trade-no/HK1/reverse", srv.LastRequest().RequestURI)
}

func TestBaseURLWithoutTrailingSlashKeepsItsPath(t *testing.T) {
	srv := wxpaytest.NewServer(t)
	wx := newClient(t, srv, wxpay.WithBaseURL(strings.TrimSuffix(srv.URL, "/")+"/hk"))
	_, err := wx.Chain("/v3/transactions/out-trade-no/{out_trade_no}/reverse").Post(context.Background(),
		map[string]string{"mchid": srv.MchID, "sp_mchid": srv.MchID, "sub_mchid": "1900000110"}, wxpay.PathParam("out_trade_no", "HK2"))
	require.NoError(t, err)
	assert.Equal(t, "/hk/v3/transactions/out-trade-no/HK2/reverse", srv.LastRequest().RequestURI)
}

func TestPathValueIsOneEscapedSegment(t *testing.T) {
	srv := wxpaytest.NewServer(t)
	var seen atomic.Value
	srv.Handle("GET", "v3/pay/transactions/id/{transaction_id}", func(r *wxpaytest.Request) *wxpaytest.Reply {
		seen.Store(r.Params["transaction_id"])
		return &wxpaytest.Reply{JSON: map[string]string{"ok": "1"}}
	})
	wx := newClient(t, srv)
	for value, escaped := range map[string]string{
		"../../x?y#z": "..%2F..%2Fx%3Fy%23z",
		"a/b%2Fc d":   "a%2Fb%252Fc%20d",
		"{x}<y>_z_":   "%7Bx%7D%3Cy%3E_z_",
		"...":         "...",
	} {
		_, err := wx.Chain("v3/pay/transactions/id/{transaction_id}").Get(context.Background(),
			wxpay.PathParam("transaction_id", value), wxpay.Query("mchid", srv.MchID))
		require.NoError(t, err, value)
		assert.Equal(t, "/v3/pay/transactions/id/"+escaped+"?mchid=1900000109", srv.LastRequest().RequestURI)
		assert.Equal(t, value, seen.Load(), "the server decodes exactly the value given")
	}
}

func TestBadPathValuesSendNothing(t *testing.T) {
	srv := wxpaytest.NewServer(t)
	wx := newClient(t, srv)
	ctx := context.Background()
	node := wx.Chain("v3/pay/transactions/out-trade-no/{out_trade_no}/close")

	_, err := node.Post(ctx, map[string]string{"mchid": srv.MchID})
	assert.ErrorIs(t, err, wxpay.ErrMissingPathParam)
	assert.Contains(t, err.Error(), "{out_trade_no}")
	for _, v := range []string{"", ".", ".."} {
		_, err = node.Post(ctx, nil, wxpay.PathParam("out_trade_no", v))
		assert.ErrorIs(t, err, wxpay.ErrInvalidPathParam, "%q", v)
	}
	_, err = node.PostAsync(ctx, nil).Wait()
	assert.ErrorIs(t, err, wxpay.ErrMissingPathParam)
	for _, tmpl := range []string{"v3/a//b", "v3/../x", "v3/x?y=1", "https://api.mch.weixin.qq.com/v3/x", "v3/{bad name}"} {
		_, err = wx.Chain(tmpl).Get(ctx)
		assert.ErrorIs(t, err, wxpay.ErrInvalidTemplate, tmpl)
	}
	assert.Empty(t, srv.Requests(), "nothing reached the server")
}

func TestTrailingSlashAndCapitalsKept(t *testing.T) {
	srv := wxpaytest.NewServer(t)
	srv.Handle("POST", "v3/applyment4sub/applyment/", func(r *wxpaytest.Request) *wxpaytest.Reply {
		return &wxpaytest.Reply{JSON: map[string]int{"applyment_id": 2000002124775691}}
	})
	wx := newClient(t, srv)
	_, err := wx.Chain("v3/applyment4sub/applyment/").Post(context.Background(), map[string]string{"business_code": "1"})
	require.NoError(t, err)
	assert.Equal(t, "/v3/applyment4sub/applyment/", srv.LastRequest().RequestURI)

	srv.Handle("POST", "secapi/mch/queryInstitutionsub", func(r *wxpaytest.Request) *wxpaytest.Reply {
		return &wxpaytest.Reply{Fields: [][2]string{{"return_code", "SUCCESS"}, {"result_code", "SUCCESS"}}}
	})
	_, err = wx.Chain("v2/secapi/mch/queryInstitutionsub").Post(context.Background(), map[string]string{"mch_id": srv.MchID})
	require.NoError(t, err)
	last := srv.LastRequest()
	assert.Equal(t, "/secapi/mch/queryInstitutionsub", last.RequestURI)
	assert.True(t, last.ClientCert)
	assert.NotContains(t, string(last.Body), "nonce_str", "queryInstitutionsub is nonceless")
}

// ---- verification -------------------------------------------------------------------

func TestBrokenAnswersAreRejected(t *testing.T) {
	cases := []struct {
		name   string
		reply  wxpaytest.Reply
		reason error
	}{
		{"tampered body", wxpaytest.Reply{Tamper: true}, signer.ErrBadSignature},
		{"stale by 305 s", wxpaytest.Reply{TimeOffset: -305 * time.Second}, signer.ErrTimestampSkew},
		{"305 s in the future", wxpaytest.Reply{TimeOffset: 305 * time.Second}, signer.ErrTimestampSkew},
		{"unknown serial", wxpaytest.Reply{Serial: "1DDE55AD98ED71D6EDD4A4A16996DE7B47773A8C"}, signer.ErrUnknownSerial},
		{"no Wechatpay headers", wxpaytest.Reply{Unsigned: true}, signer.ErrHeadersIncomplete},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := wxpaytest.NewServer(t)
			var calls atomic.Int32
			srv.Handle("GET", "v3/merchant/fund/balance/{account_type}", func(r *wxpaytest.Request) *wxpaytest.Reply {
				calls.Add(1)
				rep := tc.reply
				rep.JSON = map[string]int{"available_amount": 999999}
				return &rep
			})
			wx := newClient(t, srv)
			resp, err := wx.Chain("v3/merchant/fund/balance/{account_type}").Get(context.Background(), wxpay.PathParam("account_type", "BASIC"))
			require.Error(t, err)
			assert.Nil(t, resp, "an unverified body is never handed back as a Response")
			assert.ErrorIs(t, err, wxpay.ErrVerification)
			assert.ErrorIs(t, err, tc.reason)
			var ve *wxpay.VerificationError
			require.ErrorAs(t, err, &ve)
			assert.Contains(t, string(ve.UntrustedBody), "999999")
			assert.EqualValues(t, 1, calls.Load(), "a verification failure is never retried")
		})
	}
}

func TestSkewWithinWindowAndGzipAreAccepted(t *testing.T) {
	srv := wxpaytest.NewServer(t)
	for _, rep := range []wxpaytest.Reply{{TimeOffset: -299 * time.Second}, {TimeOffset: 299 * time.Second}, {Gzip: true}} {
		srv.Handle("GET", "v3/merchant/fund/balance/BASIC", func(r *wxpaytest.Request) *wxpaytest.Reply {
			out := rep
			out.JSON = map[string]int{"available_amount": 1}
			return &out
		})
		wx := newClient(t, srv)
		resp, err := wx.Chain("v3/merchant/fund/balance/BASIC").Get(context.Background())
		require.NoError(t, err)
		assert.JSONEq(t, `{"available_amount":1}`, string(resp.Body))
	}
}

func TestPublicKeyModeAndMigration(t *testing.T) {
	srv := wxpaytest.NewServer(t, wxpaytest.PublicKeyMode())
	pub := &srv.PlatformKey.PublicKey
	// Public-key only: the request announces the key id, the answer is signed with it.
	wx, err := wxpay.New(wxpay.WithBaseURL(srv.URL), wxpay.WithTLSConfig(tlsFor(srv)),
		wxpay.WithMerchant(srv.MchID, srv.MerchantSerial, srv.MerchantKey),
		wxpay.WithPlatformPublicKey(srv.PublicKeyID, pub))
	require.NoError(t, err)
	resp, err := wx.Chain("v3/pay/transactions/native").Post(context.Background(), nativeOrder(srv, "PK1"))
	require.NoError(t, err)
	assert.Equal(t, srv.PublicKeyID, resp.Header.Get("Wechatpay-Serial"))
	assert.Equal(t, srv.PublicKeyID, srv.LastRequest().Header.Get("Wechatpay-Serial"))

	// Certificate-only client, answer signed by a public key it does not hold: unknown serial.
	wx2 := newClient(t, srv)
	srv.Handle("GET", "v3/x", func(r *wxpaytest.Request) *wxpaytest.Reply {
		return &wxpaytest.Reply{JSON: map[string]int{"a": 1}, Serial: "PUB_KEY_ID_NOT_CONFIGURED"}
	})
	_, err = wx2.Chain("v3/x").Get(context.Background())
	assert.ErrorIs(t, err, signer.ErrUnknownSerial)

	// Migration: both configured; each answer verified by whichever key it names.
	wx3 := newClient(t, srv, wxpay.WithPlatformCertificates(srv.PlatformCert)) // the public key comes from ClientOptions
	for _, serial := range []string{srv.PlatformSerial, srv.PublicKeyID} {
		_, err = wx3.Chain("v3/pay/transactions/native").Post(context.Background(), nativeOrder(srv, "PK2"),
			wxpay.Header("Wechatpay-Serial", serial))
		require.NoError(t, err, serial)
		assert.Equal(t, serial, srv.LastRequest().Header.Get("Wechatpay-Serial"))
	}
}

// ---- APIv2 -----------------------------------------------------------------------------

func TestAPIv2ExactBytesWithOfficialVector(t *testing.T) {
	// The published APIv2 example: key 192006250b4c09247ec02edce69f6a2d gives
	// MD5 9A0A8659F005D6984697E2CA0A9CF3B7 and HMAC-SHA256 6A9AE165…0DACD6.
	const key = "192006250b4c09247ec02edce69f6a2d"
	srv := wxpaytest.NewServer(t, wxpaytest.WithAPIv2Key(key))
	srv.Handle("POST", "pay/micropay", func(r *wxpaytest.Request) *wxpaytest.Reply {
		return &wxpaytest.Reply{Fields: [][2]string{{"return_code", "SUCCESS"}, {"result_code", "SUCCESS"}, {"sign_type", r.Fields["sign_type"]}}}
	})
	wx := newClient(t, srv, wxpay.WithAPIv2Key(key))
	fields := map[string]string{"appid": "wxd930ea5d5a258f4f", "mch_id": "10000100", "device_info": "1000", "body": "test", "nonce_str": "ibuaiVcKdpRxkhJA"}

	_, err := wx.Chain("v2/pay/micropay").Post(context.Background(), fields)
	require.NoError(t, err)
	assert.Equal(t, "<xml><appid>wxd930ea5d5a258f4f</appid><body>test</body><device_info>1000</device_info><mch_id>10000100</mch_id><nonce_str>ibuaiVcKdpRxkhJA</nonce_str><sign>9A0A8659F005D6984697E2CA0A9CF3B7</sign></xml>",
		string(srv.LastRequest().Body))
	assert.Equal(t, "/pay/micropay", srv.LastRequest().RequestURI)
	assert.Equal(t, "text/xml; charset=utf-8", srv.LastRequest().Header.Get("Content-Type"))

	_, err = wx.Chain("v2/pay/micropay").Post(context.Background(), fields, wxpay.SignType("HMAC-SHA256"))
	require.NoError(t, err)
	// sign_type joins the signed fields, so the vector's HMAC (computed without it) is checked
	// through the server's independent verification plus the exact layout here.
	assert.Regexp(t, `^<xml><appid>wxd930ea5d5a258f4f</appid><body>test</body><device_info>1000</device_info><mch_id>10000100</mch_id><nonce_str>ibuaiVcKdpRxkhJA</nonce_str><sign_type>HMAC-SHA256</sign_type><sign>[0-9A-F]{64}</sign></xml>$`,
		string(srv.LastRequest().Body))
}

func TestAPIv2NonceAddedAndFailures(t *testing.T) {
	srv := wxpaytest.NewServer(t)
	wx := newClient(t, srv)
	ctx := context.Background()

	_, err := wx.Chain("v2/pay/unifiedorder").Post(ctx, map[string]string{
		"appid": "wxd678efh567hg6787", "mch_id": srv.MchID, "body": "b", "out_trade_no": "V2A",
		"total_fee": "1", "spbill_create_ip": "1.2.3.4", "notify_url": "https://e.com/n", "trade_type": "NATIVE"})
	require.NoError(t, err)
	assert.Regexp(t, `<nonce_str>[0-9A-Za-z]{32}</nonce_str><sign>[0-9A-F]{32}</sign></xml>$`, string(srv.LastRequest().Body))

	// return_code FAIL (unsigned): an APIError with return_code/return_msg, and the Response.
	resp, err := wx.Chain("v2/pay/unifiedorder").Post(ctx, map[string]string{"appid": "x", "mch_id": srv.MchID})
	var ae *wxpay.APIError
	require.ErrorAs(t, err, &ae)
	assert.Equal(t, "FAIL", ae.Code)
	assert.Contains(t, ae.Message, "缺少参数")
	require.NotNil(t, resp)

	// result_code FAIL (signed): err_code / err_code_des.
	_, err = wx.Chain("v2/pay/orderquery").Post(ctx, map[string]string{"appid": "x", "mch_id": srv.MchID, "out_trade_no": "NOPE"})
	require.ErrorAs(t, err, &ae)
	assert.Equal(t, "ORDERNOTEXIST", ae.Code)
	assert.Equal(t, "此交易订单号不存在", ae.Message)

	// A tampered APIv2 answer fails its sign check.
	srv.Handle("POST", "pay/orderquery", func(r *wxpaytest.Request) *wxpaytest.Reply {
		return &wxpaytest.Reply{Fields: [][2]string{{"return_code", "SUCCESS"}, {"result_code", "SUCCESS"}, {"trade_state", "SUCCESS"}}, Tamper: true}
	})
	resp, err = wx.Chain("v2/pay/orderquery").Post(ctx, map[string]string{"mch_id": srv.MchID, "out_trade_no": "X"})
	assert.ErrorIs(t, err, wxpay.ErrVerification)
	assert.Nil(t, resp)

	// An unsigned SUCCESS answer on a signed endpoint is rejected too.
	srv.Handle("POST", "pay/orderquery", func(r *wxpaytest.Request) *wxpaytest.Reply {
		return &wxpaytest.Reply{Fields: [][2]string{{"return_code", "SUCCESS"}, {"result_code", "SUCCESS"}}, Unsigned: true}
	})
	_, err = wx.Chain("v2/pay/orderquery").Post(ctx, map[string]string{"mch_id": srv.MchID, "out_trade_no": "X"})
	assert.ErrorIs(t, err, signer.ErrBadSignature)
}

func TestHostileAPIv2AnswersFailFast(t *testing.T) {
	big := bytes.Repeat([]byte("A"), 50<<20)
	cases := []struct {
		name string
		body []byte
		want error
		text string
	}{
		{"XXE", []byte(`<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><xml><return_code>&xxe;</return_code></xml>`), wxpay.ErrBadAnswer, "DOCTYPE"},
		{"billion laughs", []byte(`<!DOCTYPE xml [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]><xml><return_code>&c;</return_code></xml>`), wxpay.ErrBadAnswer, "DOCTYPE"},
		{"undeclared entity", []byte(`<xml><return_code>&a;</return_code></xml>`), wxpay.ErrBadAnswer, ""},
		{"HTML 404 page", []byte("<html>\r\n<head><title>404 Not Found</title></head>\r\n<body>\r\n<center><h1>404 Not Found</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"), wxpay.ErrBadAnswer, "HTML"},
		{"JSON", []byte(`{"code":"SYSTEM_ERROR"}`), wxpay.ErrBadAnswer, "JSON"},
		{"50 MB", big, wxpay.ErrResponseTooLarge, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := wxpaytest.NewServer(t)
			srv.Handle("POST", "pay/orderquery", func(r *wxpaytest.Request) *wxpaytest.Reply {
				return &wxpaytest.Reply{Body: tc.body}
			})
			wx := newClient(t, srv)
			start := time.Now()
			resp, err := wx.Chain("v2/pay/orderquery").Post(context.Background(), map[string]string{"mch_id": srv.MchID})
			assert.Nil(t, resp)
			assert.ErrorIs(t, err, tc.want)
			assert.Contains(t, err.Error(), tc.text)
			assert.Less(t, time.Since(start), 3*time.Second)
		})
	}
}

func TestMutualTLS(t *testing.T) {
	srv := wxpaytest.NewServer(t)
	wx := newClient(t, srv)
	ctx := context.Background()
	_, err := wx.Chain("v2/pay/unifiedorder").Post(ctx, map[string]string{"appid": "a", "mch_id": srv.MchID,
		"body": "b", "out_trade_no": "M1", "total_fee": "1", "spbill_create_ip": "1.2.3.4", "notify_url": "https://e.com", "trade_type": "NATIVE"})
	require.NoError(t, err)
	assert.False(t, srv.LastRequest().ClientCert, "no certificate on an ordinary call")

	resp, err := wx.Chain("v2/secapi/pay/reverse").Post(ctx, map[string]string{"appid": "a", "mch_id": srv.MchID, "out_trade_no": "M1"})
	require.NoError(t, err)
	assert.True(t, srv.LastRequest().ClientCert, "secapi calls present the merchant certificate")
	fields := map[string]string{}
	require.NoError(t, resp.Decode(&fields))
	assert.Equal(t, "N", fields["recall"])

	_, err = wx.Chain("v2/pay/orderquery").Post(ctx, map[string]string{"appid": "a", "mch_id": srv.MchID, "out_trade_no": "M1"}, wxpay.Secure())
	require.NoError(t, err)
	assert.True(t, srv.LastRequest().ClientCert, "Secure() forces mutual TLS")

	// Without a certificate: ErrConfig and nothing sent.
	n := len(srv.Requests())
	bare, err := wxpay.New(wxpay.WithBaseURL(srv.URL), wxpay.WithTLSConfig(tlsFor(srv)), wxpay.WithAPIv2Key(srv.APIv2Key))
	require.NoError(t, err)
	for _, path := range []string{"v2/secapi/pay/refund", "v2/mmpaymkttransfers/sendredpack", "v2/secapi/anything/new"} {
		_, err = bare.Chain(path).Post(ctx, map[string]string{"mch_id": srv.MchID})
		assert.ErrorIs(t, err, wxpay.ErrConfig, path)
		assert.Contains(t, err.Error(), "WithClientCertificate")
	}
	_, err = bare.Chain("v2/pay/orderquery").Post(ctx, map[string]string{"mch_id": srv.MchID}, wxpay.Secure())
	assert.ErrorIs(t, err, wxpay.ErrConfig)
	assert.Len(t, srv.Requests(), n)
}

// ---- errors, retries, failover ----------------------------------------------------------

func TestAPIv3ErrorCarriesCodeAndResponse(t *testing.T) {
	srv := wxpaytest.NewServer(t)
	wx := newClient(t, srv)
	resp, err := wx.Chain("v3/pay/transactions/native").Post(context.Background(), map[string]string{"appid": "x"})
	var ae *wxpay.APIError
	require.ErrorAs(t, err, &ae)
	assert.Equal(t, 400, ae.StatusCode)
	assert.Equal(t, "PARAM_ERROR", ae.Code)
	assert.Equal(t, "参数错误: mchid required field missing", ae.Message)
	assert.JSONEq(t, `{"location":"body","field":"mchid","issue":"required field missing"}`, string(ae.Detail))
	assert.True(t, strings.HasPrefix(ae.RequestID, "wxpaytest-"))
	require.NotNil(t, resp)
	assert.Same(t, resp, ae.Response)
	assert.Contains(t, err.Error(), "HTTP 400 PARAM_ERROR: 参数错误")
}

func TestRetryResignsAndStops(t *testing.T) {
	srv := wxpaytest.NewServer(t)
	var calls atomic.Int32
	srv.Handle("GET", "v3/busy", func(r *wxpaytest.Request) *wxpaytest.Reply {
		if calls.Add(1) < 3 {
			return &wxpaytest.Reply{Status: 500, JSON: map[string]string{"code": "SYSTEM_ERROR", "message": "系统繁忙"}}
		}
		return &wxpaytest.Reply{JSON: map[string]string{"ok": "yes"}}
	})
	wx := newClient(t, srv, wxpay.WithRetryPolicy(wxpay.RetryPolicy{MaxAttempts: 3, BaseDelay: time.Millisecond, MaxDelay: 5 * time.Millisecond}))
	resp, err := wx.Chain("v3/busy").Get(context.Background())
	require.NoError(t, err)
	assert.Equal(t, 200, resp.StatusCode)
	reqs := srv.Requests()
	require.Len(t, reqs, 3)
	assert.NotEqual(t, reqs[0].Header.Get("Authorization"), reqs[1].Header.Get("Authorization"), "each attempt is signed afresh")

	calls.Store(-10)
	_, err = wx.Chain("v3/busy").Get(context.Background(), wxpay.NoRetry())
	var ae *wxpay.APIError
	require.ErrorAs(t, err, &ae)
	assert.Equal(t, "SYSTEM_ERROR", ae.Code)
	assert.EqualValues(t, -9, calls.Load(), "NoRetry: one attempt")

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = wx.Chain("v3/busy").Get(ctx)
	assert.ErrorIs(t, err, context.Canceled)
	assert.EqualValues(t, -9, calls.Load(), "a cancelled context sends nothing more")
}

func TestFailoverToBackupHost(t *testing.T) {
	srv := wxpaytest.NewServer(t)
	dead, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	deadURL := "https://" + dead.Addr().String() + "/"
	require.NoError(t, dead.Close())

	wx := newClient(t, srv, wxpay.WithBaseURL(deadURL),
		wxpay.WithRetryPolicy(wxpay.RetryPolicy{MaxAttempts: 2, BaseDelay: time.Millisecond, MaxDelay: time.Millisecond}))
	_, err = wx.Chain("v3/pay/transactions/native").Post(context.Background(), nativeOrder(srv, "F1"))
	var se *wxpay.SendError
	assert.ErrorAs(t, err, &se, "without failover the dead host fails the call")

	wx = newClient(t, srv, wxpay.WithBaseURL(deadURL), wxpay.WithBackupHost(srv.Host()),
		wxpay.WithRetryPolicy(wxpay.RetryPolicy{MaxAttempts: 2, BaseDelay: time.Millisecond, MaxDelay: time.Millisecond}))
	resp, err := wx.Chain("v3/pay/transactions/native").Post(context.Background(), nativeOrder(srv, "F2"))
	require.NoError(t, err)
	assert.Equal(t, 200, resp.StatusCode)
}

// ---- async, concurrency, logging -------------------------------------------------------------

func TestAsyncBatchAndNoLeaks(t *testing.T) {
	srv := wxpaytest.NewServer(t)
	wx := newClient(t, srv)
	ctx := context.Background()
	_, err := wx.Chain("v3/pay/transactions/native").Post(ctx, nativeOrder(srv, "A1"))
	require.NoError(t, err)
	before := runtime.NumGoroutine()

	node := wx.Chain("v3/pay/transactions/out-trade-no/{out_trade_no}")
	var futures []*wxpay.Future
	for i := 0; i < 20; i++ {
		futures = append(futures, node.GetAsync(ctx, wxpay.PathParam("out_trade_no", "A1"), wxpay.Query("mchid", srv.MchID)))
	}
	for _, f := range futures {
		<-f.Done()
		resp, err := f.Wait()
		require.NoError(t, err)
		assert.Equal(t, 200, resp.StatusCode)
	}
	// A cancelled async call ends with its context.
	cctx, cancel := context.WithCancel(ctx)
	srv.Handle("GET", "v3/slow", func(r *wxpaytest.Request) *wxpaytest.Reply {
		time.Sleep(300 * time.Millisecond)
		return &wxpaytest.Reply{JSON: map[string]int{"a": 1}}
	})
	f := wx.Chain("v3/slow").GetAsync(cctx)
	cancel()
	_, err = f.Wait()
	assert.ErrorIs(t, err, context.Canceled)

	wx.CloseIdleConnections()
	require.Eventually(t, func() bool { return runtime.NumGoroutine() <= before+2 }, 3*time.Second, 20*time.Millisecond,
		"goroutines: before %d, now %d", before, runtime.NumGoroutine())
}

func TestConcurrentCallsShareOneClient(t *testing.T) {
	srv := wxpaytest.NewServer(t)
	wx := newClient(t, srv)
	node := wx.Chain("v3/pay/transactions/native")
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for i := 0; i < 16; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			_, err := node.Post(context.Background(), nativeOrder(srv, "C"+string(rune('A'+i))))
			errs <- err
		}(i)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
}

func TestLoggingIsRedacted(t *testing.T) {
	srv := wxpaytest.NewServer(t)
	var buf bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	wx := newClient(t, srv, wxpay.WithLogger(logger))
	_, err := wx.Chain("v3/pay/transactions/native").Post(context.Background(), nativeOrder(srv, "L1"))
	require.NoError(t, err)
	_, err = wx.Chain("v2/pay/orderquery").Post(context.Background(), map[string]string{"mch_id": srv.MchID, "out_trade_no": "none"})
	require.Error(t, err)
	out := buf.String()
	assert.Contains(t, out, `"msg":"wxpay call"`)
	assert.Contains(t, out, `"status":200`)
	assert.Contains(t, out, `"request_id":"wxpaytest-`)
	sig := srv.Requests()[0].Header.Get("Authorization")
	sig = sig[strings.Index(sig, `signature="`)+11:]
	assert.NotContains(t, out, sig[:40], "no signature in logs")
	assert.Contains(t, out, `WECHATPAY2-SHA256-RSA2048 mchid=\"1900000109\",serial_no=\"3775B6A45ACD588826D15E583A95F5DD2C5C9DB8\",signature=[REDACTED]`,
		"the Authorization header as sent is logged, redacted")
	assert.NotContains(t, out, "nonce_str=", "nor the nonce or timestamp of the signature")
	assert.NotContains(t, out, srv.APIv2Key)
	assert.NotContains(t, out, srv.APIv3Key)
	assert.NotContains(t, out, "<xml>", "no bodies in logs")
}

func TestConfigErrors(t *testing.T) {
	srv := wxpaytest.NewServer(t)
	_, err := wxpay.New(wxpay.WithAPIv2Key("short"))
	assert.ErrorIs(t, err, wxpay.ErrConfig)
	_, err = wxpay.New(wxpay.WithAPIv3Key("short"))
	assert.ErrorIs(t, err, wxpay.ErrConfig)
	_, err = wxpay.New(wxpay.WithBaseURL("http://api.mch.weixin.qq.com/"))
	assert.ErrorIs(t, err, wxpay.ErrConfig, "plain http only to loopback")
	_, err = wxpay.New(wxpay.WithMerchant("1900000109", "BAD SERIAL", srv.MerchantKey))
	assert.ErrorIs(t, err, wxpay.ErrConfig)
	_, err = wxpay.New(wxpay.WithMerchant(srv.MchID, srv.MerchantSerial, srv.MerchantKey), wxpay.WithPlatformCertificates(srv.MerchantCert))
	assert.ErrorIs(t, err, wxpay.ErrConfig, "the merchant's own certificate is not a platform certificate")

	// APIv3 without a verification key, APIv2 without a key: ErrConfig, nothing sent.
	wx, err := wxpay.New(wxpay.WithBaseURL(srv.URL), wxpay.WithTLSConfig(tlsFor(srv)),
		wxpay.WithMerchant(srv.MchID, srv.MerchantSerial, srv.MerchantKey))
	require.NoError(t, err)
	_, err = wx.Chain("v3/pay/transactions/native").Post(context.Background(), nativeOrder(srv, "X"))
	assert.ErrorIs(t, err, wxpay.ErrConfig)
	_, err = wx.Chain("v2/pay/orderquery").Post(context.Background(), map[string]string{"mch_id": "1"})
	assert.ErrorIs(t, err, wxpay.ErrConfig)
	assert.Empty(t, srv.Requests())
}

func TestAPIv2BodyErrors(t *testing.T) {
	srv := wxpaytest.NewServer(t)
	wx := newClient(t, srv)
	ctx := context.Background()
	_, err := wx.Chain("v2/pay/orderquery").Post(ctx, map[string]any{"detail": map[string]string{"a": "b"}})
	assert.Error(t, err, "nested values must be serialized first")
	_, err = wx.Chain("v2/pay/orderquery").Post(ctx, map[string]string{"sign": "x"})
	assert.Error(t, err)
	_, err = wx.Chain("v2/pay/orderquery").Post(ctx, map[string]string{"mch_id": "1"}, wxpay.SignType("RSA"))
	assert.Error(t, err)
	_, err = wx.Chain("v2/pay/orderquery").Post(ctx, map[string]string{"bad": "\x01"})
	assert.Error(t, err)
	assert.Empty(t, srv.Requests())
}

func tlsFor(srv *wxpaytest.Server) *tls.Config {
	return &tls.Config{RootCAs: srv.RootCAs, MinVersion: tls.VersionTLS12}
}

func TestUnsignedDownloadsAndEscapedMediaID(t *testing.T) {
	srv := wxpaytest.NewServer(t)
	png := []byte("\x89PNG\r\n\x1a\n...image bytes...")
	srv.Handle("GET", "v3/merchant-service/images/{media_id}", func(r *wxpaytest.Request) *wxpaytest.Reply {
		return &wxpaytest.Reply{Body: png, Unsigned: true, Header: http.Header{"Content-Type": {"image/png"}}}
	})
	wx := newClient(t, srv)
	resp, err := wx.Chain("v3/merchant-service/images/{media_id}").Get(context.Background(),
		wxpay.PathParamEscaped("media_id", "ChsyMjAxOTA1MjcxNzI5MDA%2BcXB3"))
	require.NoError(t, err, "complaint images are not signed by WeChat Pay: listed in transport/rules.go")
	assert.Equal(t, png, resp.Body)
	assert.Equal(t, "/v3/merchant-service/images/ChsyMjAxOTA1MjcxNzI5MDA%2BcXB3", srv.LastRequest().RequestURI, "encoded once")

	// The same unsigned answer on an ordinary endpoint is rejected.
	srv.Handle("GET", "v3/merchant-service/complaints-v2/{id}", func(r *wxpaytest.Request) *wxpaytest.Reply {
		return &wxpaytest.Reply{JSON: map[string]string{"a": "b"}, Unsigned: true}
	})
	_, err = wx.Chain("v3/merchant-service/complaints-v2/{id}").Get(context.Background(), wxpay.PathParam("id", "1"))
	assert.ErrorIs(t, err, signer.ErrHeadersIncomplete)
}

func TestStatementDigest(t *testing.T) {
	srv := wxpaytest.NewServer(t)
	csv := []byte("交易时间,公众账号ID\n`2026-11-23 10:00:00,`wx8888888888888888\n")
	sum := sha1.Sum(csv)
	digest := hex.EncodeToString(sum[:])
	var tamper atomic.Bool
	srv.Handle("GET", "hk/v3/statements", func(r *wxpaytest.Request) *wxpaytest.Reply {
		body := csv
		if tamper.Load() {
			body = append([]byte("x"), csv...)
		}
		return &wxpaytest.Reply{Body: body, Header: http.Header{"Wechatpay-Statement-Sha1": {digest}}}
	})
	wx := newClient(t, srv)
	resp, err := wx.Chain("v3/statements").Get(context.Background(), wxpay.Query("date", "20261123"), wxpay.BaseURL(srv.URL+"hk/"))
	require.NoError(t, err, "the signed {\"sha1\":…} digest and the file's SHA-1 both check out")
	assert.Equal(t, csv, resp.Body)

	tamper.Store(true)
	_, err = wx.Chain("v3/statements").Get(context.Background(), wxpay.Query("date", "20261123"), wxpay.BaseURL(srv.URL+"hk/"))
	assert.ErrorIs(t, err, signer.ErrBadSignature)
}

func TestStreamedDownloads(t *testing.T) {
	srv := wxpaytest.NewServer(t)
	wx := newClient(t, srv)
	ctx := context.Background()
	csv := bytes.Repeat([]byte("`2026-11-23 10:00:00,`wx8888888888888888,`1900000109\n"), 40000) // ~2 MB
	srv.Handle("GET", "v3/billdownload/file", func(r *wxpaytest.Request) *wxpaytest.Reply {
		return &wxpaytest.Reply{Body: csv, Unsigned: true, Gzip: r.Query.Get("tartype") == "GZIP"}
	})
	for _, q := range []string{"", "GZIP"} {
		resp, err := wx.Chain("v3/billdownload/file").Get(ctx, wxpay.Query("token", "t"), wxpay.Query("tartype", q), wxpay.Stream())
		require.NoError(t, err)
		require.Nil(t, resp.Body, "streamed, not buffered")
		got, err := io.ReadAll(resp.Stream)
		require.NoError(t, err)
		require.NoError(t, resp.Stream.Close())
		assert.Equal(t, csv, got, "tartype=%q", q)
	}

	// APIv2 downloadbill: the CSV streams; an XML error is read and reported.
	srv.Handle("POST", "pay/downloadbill", func(r *wxpaytest.Request) *wxpaytest.Reply {
		if r.Fields["bill_date"] == "20000101" {
			return &wxpaytest.Reply{Fields: [][2]string{{"return_code", "FAIL"}, {"return_msg", "No Bill Exist"}}, Unsigned: true}
		}
		return &wxpaytest.Reply{Body: csv[:200]}
	})
	resp, err := wx.Chain("v2/pay/downloadbill").Post(ctx, map[string]string{"mch_id": srv.MchID, "bill_date": "20261122", "bill_type": "ALL"}, wxpay.Stream())
	require.NoError(t, err)
	got, _ := io.ReadAll(resp.Stream)
	resp.Stream.Close()
	assert.Equal(t, csv[:200], got)
	_, err = wx.Chain("v2/pay/downloadbill").Post(ctx, map[string]string{"mch_id": srv.MchID, "bill_date": "20000101", "bill_type": "ALL"}, wxpay.Stream())
	var ae *wxpay.APIError
	require.ErrorAs(t, err, &ae)
	assert.Equal(t, "No Bill Exist", ae.Message)

	// Stream never skips verification: on a signed endpoint the answer is read and checked.
	srv.Handle("GET", "v3/merchant/fund/balance/BASIC", func(r *wxpaytest.Request) *wxpaytest.Reply {
		return &wxpaytest.Reply{JSON: map[string]int{"available_amount": 1}, Tamper: true}
	})
	_, err = wx.Chain("v3/merchant/fund/balance/BASIC").Get(ctx, wxpay.Stream())
	assert.ErrorIs(t, err, wxpay.ErrVerification)
}

func TestTimeoutBoundsTheWaitNotTheStream(t *testing.T) {
	srv := wxpaytest.NewServer(t)
	srv.Handle("GET", "v3/stall", func(r *wxpaytest.Request) *wxpaytest.Reply {
		time.Sleep(600 * time.Millisecond)
		return &wxpaytest.Reply{JSON: map[string]int{"a": 1}}
	})
	wx := newClient(t, srv, wxpay.WithTimeout(150*time.Millisecond), wxpay.WithRetryPolicy(wxpay.RetryPolicy{MaxAttempts: 1}))
	start := time.Now()
	_, err := wx.Chain("v3/stall").Get(context.Background())
	var se *wxpay.SendError
	require.ErrorAs(t, err, &se, "no answer headers within the timeout")
	assert.Less(t, time.Since(start), 550*time.Millisecond)

	// A download whose body takes longer than the timeout to arrive is not cut off.
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(200)
		for i := 0; i < 4; i++ {
			_, _ = w.Write(bytes.Repeat([]byte("x"), 1000))
			w.(http.Flusher).Flush()
			time.Sleep(100 * time.Millisecond)
		}
	}))
	defer hs.Close()
	slow := newClient(t, srv, wxpay.WithBaseURL(hs.URL), wxpay.WithTimeout(150*time.Millisecond))
	resp, err := slow.Chain("v3/billdownload/file").Get(context.Background(), wxpay.Query("token", "t"), wxpay.Stream())
	require.NoError(t, err)
	got, err := io.ReadAll(resp.Stream)
	require.NoError(t, err, "400 ms of body with a 150 ms timeout")
	resp.Stream.Close()
	assert.Len(t, got, 4000)
}
