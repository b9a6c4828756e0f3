package notify_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wxpay-go/wxpay/codec"
	"github.com/wxpay-go/wxpay/notify"
	"github.com/wxpay-go/wxpay/signer"
	"github.com/wxpay-go/wxpay/wxpaytest"
)

const successV2 = `<xml><return_code><![CDATA[SUCCESS]]></return_code><return_msg><![CDATA[OK]]></return_msg></xml>`

// parserFor returns a Parser that trusts srv's platform certificate (and public key id).
func parserFor(t testing.TB, srv *wxpaytest.Server) *notify.Parser {
	t.Helper()
	ks := signer.NewKeyStore()
	_, err := ks.AddCertificate(srv.PlatformCert)
	require.NoError(t, err)
	require.NoError(t, ks.AddPublicKey(srv.PublicKeyID, &srv.PlatformKey.PublicKey))
	return &notify.Parser{Verifier: &signer.Verifier{Keys: ks}, APIv3Key: srv.APIv3Key, APIv2Key: srv.APIv2Key}
}

// recorder is a callback function that counts its calls and keeps the last notification.
type recorder struct {
	calls atomic.Int32
	last  atomic.Pointer[notify.Notification]
	err   error
}

func (r *recorder) fn(_ context.Context, n *notify.Notification) error {
	r.calls.Add(1)
	r.last.Store(n)
	return r.err
}

func serve(t *testing.T, p *notify.Parser, rec *recorder) string {
	t.Helper()
	hs := httptest.NewServer(p.Handler(rec.fn))
	t.Cleanup(hs.Close)
	return hs.URL + "/notify"
}

type transaction struct {
	Appid      string `json:"appid"`
	OutTradeNo string `json:"out_trade_no"`
	TradeState string `json:"trade_state"`
	Amount     struct {
		Total int `json:"total"`
	} `json:"amount"`
}

var txResource = map[string]any{
	"appid": "wxd678efh567hg6787", "mchid": wxpaytest.MchID, "out_trade_no": "T1001",
	"transaction_id": "4200000000000000001", "trade_state": "SUCCESS", "amount": map[string]any{"total": 100},
}

func TestRoundTripV3(t *testing.T) {
	for _, mode := range []string{"certificate", "public key"} {
		t.Run(mode, func(t *testing.T) {
			var opts []wxpaytest.Option
			if mode == "public key" {
				opts = append(opts, wxpaytest.PublicKeyMode())
			}
			srv := wxpaytest.NewServer(t, opts...)
			rec := &recorder{}
			url := serve(t, parserFor(t, srv), rec)

			h, body, err := srv.NotificationV3("TRANSACTION.SUCCESS", "transaction", txResource)
			require.NoError(t, err)
			if mode == "public key" {
				require.Equal(t, srv.PublicKeyID, h.Get("Wechatpay-Serial"))
			}
			status, reply, err := srv.SendNotification(context.Background(), url, h, body)
			require.NoError(t, err)
			require.Equal(t, http.StatusOK, status)
			require.Empty(t, reply)
			require.EqualValues(t, 1, rec.calls.Load())

			n := rec.last.Load()
			require.False(t, n.APIv2)
			require.Equal(t, "TRANSACTION.SUCCESS", n.EventType)
			require.Equal(t, "encrypt-resource", n.ResourceType)
			require.Equal(t, "transaction", n.OriginalType)
			require.Equal(t, "transaction", n.AssociatedData)
			require.Equal(t, "支付成功", n.Summary)
			require.NotEmpty(t, n.ID)
			_, err = time.Parse(time.RFC3339, n.CreateTime)
			require.NoError(t, err)
			want, _ := json.Marshal(txResource)
			require.JSONEq(t, string(want), string(n.Plaintext))

			var tx transaction
			require.NoError(t, n.Decode(&tx))
			require.Equal(t, "T1001", tx.OutTradeNo)
			require.Equal(t, "SUCCESS", tx.TradeState)
			require.Equal(t, 100, tx.Amount.Total)
		})
	}
}

// requireRejectedV3 sends the callback and checks that fn was not called and the reply
// is a non-2xx JSON FAIL with the given status.
func requireRejectedV3(t *testing.T, srv *wxpaytest.Server, url string, rec *recorder, h http.Header, body []byte, status int) map[string]string {
	t.Helper()
	before := rec.calls.Load()
	got, reply, err := srv.SendNotification(context.Background(), url, h, body)
	require.NoError(t, err)
	require.Equal(t, status, got, "reply %s", reply)
	var m map[string]string
	require.NoError(t, json.Unmarshal(reply, &m), "reply %q", reply)
	require.Equal(t, "FAIL", m["code"])
	require.NotEmpty(t, m["message"])
	require.Equal(t, before, rec.calls.Load(), "fn must not be called")
	return m
}

func TestRejectedV3(t *testing.T) {
	srv := wxpaytest.NewServer(t)
	p := parserFor(t, srv)
	rec := &recorder{}
	url := serve(t, p, rec)

	fresh := func(t *testing.T) (http.Header, []byte) {
		t.Helper()
		h, body, err := srv.NotificationV3("TRANSACTION.SUCCESS", "transaction", txResource)
		require.NoError(t, err)
		return h, body
	}
	resign := func(h http.Header, body []byte) {
		ts, n := h.Get("Wechatpay-Timestamp"), h.Get("Wechatpay-Nonce")
		h.Set("Wechatpay-Signature", srv.Sign(ts+"\n"+n+"\n"+string(body)+"\n"))
	}
	cases := []struct {
		name   string
		alter  func(h http.Header, body []byte) []byte
		want   error
		status int
	}{
		{"body", func(h http.Header, b []byte) []byte {
			return []byte(strings.Replace(string(b), `"TRANSACTION.SUCCESS"`, `"REFUND.SUCCESS"`, 1))
		}, signer.ErrBadSignature, 401},
		{"body whitespace", func(h http.Header, b []byte) []byte { return append(b, '\n') }, signer.ErrBadSignature, 401},
		{"signature", func(h http.Header, b []byte) []byte {
			sig, _ := base64.StdEncoding.DecodeString(h.Get("Wechatpay-Signature"))
			sig[10] ^= 1
			h.Set("Wechatpay-Signature", base64.StdEncoding.EncodeToString(sig))
			return b
		}, signer.ErrBadSignature, 401},
		{"nonce", func(h http.Header, b []byte) []byte { h.Set("Wechatpay-Nonce", "X"+h.Get("Wechatpay-Nonce")); return b }, signer.ErrBadSignature, 401},
		{"timestamp without re-signing", func(h http.Header, b []byte) []byte {
			ts, _ := strconv.ParseInt(h.Get("Wechatpay-Timestamp"), 10, 64)
			h.Set("Wechatpay-Timestamp", strconv.FormatInt(ts-1, 10))
			return b
		}, signer.ErrBadSignature, 401},
		{"timestamp -301 s (re-signed)", func(h http.Header, b []byte) []byte {
			h.Set("Wechatpay-Timestamp", strconv.FormatInt(time.Now().Unix()-301, 10))
			resign(h, b)
			return b
		}, signer.ErrTimestampSkew, 401},
		{"timestamp +301 s (re-signed)", func(h http.Header, b []byte) []byte {
			h.Set("Wechatpay-Timestamp", strconv.FormatInt(time.Now().Unix()+301, 10))
			resign(h, b)
			return b
		}, signer.ErrTimestampSkew, 401},
		{"serial", func(h http.Header, b []byte) []byte {
			h.Set("Wechatpay-Serial", "0000000000000000000000000000000000000000")
			return b
		}, signer.ErrUnknownSerial, 401},
		{"signtest probe", func(h http.Header, b []byte) []byte {
			h.Set("Wechatpay-Signature", "WECHATPAY/SIGNTEST/"+h.Get("Wechatpay-Signature"))
			return b
		}, signer.ErrSignTestProbe, 401},
		{"no signature", func(h http.Header, b []byte) []byte { h.Del("Wechatpay-Signature"); return b }, signer.ErrHeadersIncomplete, 401},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h, body := fresh(t)
			body = c.alter(h, body)
			_, err := p.Parse(h, body)
			require.ErrorIs(t, err, c.want)
			require.ErrorIs(t, err, signer.ErrVerification)
			require.NotErrorIs(t, err, notify.ErrNotification)
			m := requireRejectedV3(t, srv, url, rec, h, body, c.status)
			require.NotContains(t, m["message"], "ciphertext", "the body must not be echoed")
		})
	}

	t.Run("wrong APIv3 key", func(t *testing.T) {
		bad := *p
		bad.APIv3Key = strings.Repeat("k", 32)
		h, body := fresh(t)
		_, err := bad.Parse(h, body)
		require.ErrorIs(t, err, signer.ErrDecrypt)
		require.ErrorIs(t, err, notify.ErrNotification)
		require.Contains(t, err.Error(), "APIv3 key is wrong")
		require.NotContains(t, err.Error(), bad.APIv3Key)
		m := requireRejectedV3(t, srv, serve(t, &bad, rec), rec, h, body, 400)
		require.NotContains(t, m["message"], bad.APIv3Key)
		require.NotContains(t, m["message"], srv.APIv3Key)
	})

	t.Run("clock skew via WithClock", func(t *testing.T) {
		for _, off := range []time.Duration{-301 * time.Second, 301 * time.Second} {
			old := wxpaytest.NewServer(t, wxpaytest.WithClock(func() time.Time { return time.Now().Add(off) }))
			h, body, err := old.NotificationV3("TRANSACTION.SUCCESS", "transaction", txResource)
			require.NoError(t, err)
			_, err = p.Parse(h, body)
			require.ErrorIs(t, err, signer.ErrTimestampSkew)
			requireRejectedV3(t, srv, url, rec, h, body, 401)
		}
	})
	require.Zero(t, rec.calls.Load())
}

// signedV3 signs an arbitrary body as the platform would.
func signedV3(srv *wxpaytest.Server, body []byte) http.Header {
	h := http.Header{}
	ts, n := strconv.FormatInt(time.Now().Unix(), 10), "n0nce"
	h.Set("Wechatpay-Timestamp", ts)
	h.Set("Wechatpay-Nonce", n)
	h.Set("Wechatpay-Serial", srv.PlatformSerial)
	h.Set("Wechatpay-Signature", srv.Sign(ts+"\n"+n+"\n"+string(body)+"\n"))
	return h
}

func TestSignedButInvalidV3(t *testing.T) {
	srv := wxpaytest.NewServer(t)
	p := parserFor(t, srv)
	rec := &recorder{}
	url := serve(t, p, rec)
	ct, err := signer.EncryptAESGCM(srv.APIv3Key, "0123456789ab", "", []byte(`{}`))
	require.NoError(t, err)
	for name, body := range map[string]string{
		"not JSON":       `not json`,
		"no resource":    `{"id":"1","event_type":"TRANSACTION.SUCCESS"}`,
		"algorithm":      `{"id":"1","resource":{"algorithm":"AEAD_AES_128_GCM","ciphertext":"` + ct + `","nonce":"0123456789ab"}}`,
		"no ciphertext":  `{"id":"1","resource":{"algorithm":"AEAD_AES_256_GCM","nonce":"0123456789ab"}}`,
		"wrong nonce":    `{"id":"1","resource":{"algorithm":"AEAD_AES_256_GCM","ciphertext":"` + ct + `","nonce":"0123456789ac"}}`,
		"associatedData": `{"id":"1","resource":{"algorithm":"AEAD_AES_256_GCM","ciphertext":"` + ct + `","nonce":"0123456789ab","associated_data":"x"}}`,
	} {
		t.Run(name, func(t *testing.T) {
			h := signedV3(srv, []byte(body))
			_, err := p.Parse(h, []byte(body))
			require.ErrorIs(t, err, notify.ErrNotification)
			require.NotErrorIs(t, err, signer.ErrVerification)
			requireRejectedV3(t, srv, url, rec, h, []byte(body), 400)
		})
	}
	// The same well-formed body is accepted.
	body := `{"id":"1","resource":{"algorithm":"AEAD_AES_256_GCM","ciphertext":"` + ct + `","nonce":"0123456789ab"}}`
	n, err := p.Parse(signedV3(srv, []byte(body)), []byte(body))
	require.NoError(t, err)
	require.Equal(t, "{}", string(n.Plaintext))
}

func TestMissingKeys(t *testing.T) {
	srv := wxpaytest.NewServer(t)
	h, body, err := srv.NotificationV3("TRANSACTION.SUCCESS", "", txResource)
	require.NoError(t, err)
	full := parserFor(t, srv)

	_, err = (&notify.Parser{APIv3Key: srv.APIv3Key}).Parse(h, body)
	require.ErrorIs(t, err, notify.ErrNotification)
	_, err = (&notify.Parser{Verifier: full.Verifier}).Parse(h, body)
	require.ErrorIs(t, err, notify.ErrNotification)
	_, err = (&notify.Parser{Verifier: &signer.Verifier{}, APIv3Key: srv.APIv3Key}).Parse(h, body)
	require.ErrorIs(t, err, signer.ErrUnknownSerial)

	v2 := srv.NotificationV2([][2]string{{"appid", "wx"}, {"mch_id", srv.MchID}, {"out_trade_no", "T1"}})
	_, err = (&notify.Parser{}).Parse(nil, v2)
	require.ErrorIs(t, err, notify.ErrNotification)
	_, err = (&notify.Parser{APIv2Key: "short"}).Parse(nil, v2)
	require.ErrorIs(t, err, notify.ErrNotification)
	require.ErrorIs(t, err, signer.ErrKey)
	refund, err := srv.RefundNotificationV2([][2]string{{"out_refund_no", "R1"}})
	require.NoError(t, err)
	_, err = (&notify.Parser{}).Parse(nil, refund)
	require.ErrorIs(t, err, notify.ErrNotification)
}

func TestPayV2(t *testing.T) {
	for _, st := range []string{"", "MD5", "HMAC-SHA256"} {
		t.Run("sign_type="+st, func(t *testing.T) {
			srv := wxpaytest.NewServer(t)
			p := parserFor(t, srv)
			rec := &recorder{}
			url := serve(t, p, rec)
			fields := [][2]string{{"appid", "wxd678efh567hg6787"}, {"mch_id", srv.MchID}, {"result_code", "SUCCESS"},
				{"openid", "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"}, {"out_trade_no", "T2002"}, {"total_fee", "101"},
				{"transaction_id", "4200000000000000002"}, {"attach", "a <b> & ]]> c"}}
			if st != "" {
				fields = append(fields, [2]string{"sign_type", st})
			}
			body := srv.NotificationV2(fields)

			status, reply, err := srv.SendNotification(context.Background(), url, nil, body)
			require.NoError(t, err)
			require.Equal(t, http.StatusOK, status)
			require.Equal(t, successV2, string(reply))
			require.EqualValues(t, 1, rec.calls.Load())
			n := rec.last.Load()
			require.True(t, n.APIv2)
			require.Equal(t, string(body), string(n.Plaintext))
			require.Equal(t, "T2002", n.Fields.Get("out_trade_no"))
			require.Equal(t, "a <b> & ]]> c", n.Fields.Get("attach"))
			require.NotEmpty(t, n.Fields.Get("sign"))

			var m map[string]string
			require.NoError(t, n.Decode(&m))
			require.Equal(t, "101", m["total_fee"])
			var f codec.Fields
			require.NoError(t, n.Decode(&f))
			require.Equal(t, n.Fields, f)
			var s struct {
				OutTradeNo string `xml:"out_trade_no"`
				TotalFee   int    `xml:"total_fee"`
			}
			require.NoError(t, n.Decode(&s))
			require.Equal(t, 101, s.TotalFee)

			// Tampered: a field changed after signing.
			bad := []byte(strings.Replace(string(body), "<total_fee>101</total_fee>", "<total_fee>1</total_fee>", 1))
			require.NotEqual(t, body, bad)
			_, err = p.Parse(nil, bad)
			require.ErrorIs(t, err, signer.ErrBadSignature)
			requireRejectedV2(t, srv, url, rec, bad)

			// Signed with another key.
			other := wxpaytest.NewServer(t, wxpaytest.WithAPIv2Key(strings.Repeat("x", 32)))
			bad = other.NotificationV2(fields)
			_, err = p.Parse(nil, bad)
			require.ErrorIs(t, err, signer.ErrBadSignature)
			requireRejectedV2(t, srv, url, rec, bad)
			require.EqualValues(t, 1, rec.calls.Load())
		})
	}
}

func requireRejectedV2(t *testing.T, srv *wxpaytest.Server, url string, rec *recorder, body []byte) {
	t.Helper()
	before := rec.calls.Load()
	status, reply, err := srv.SendNotification(context.Background(), url, nil, body)
	require.NoError(t, err)
	require.Equal(t, http.StatusBadRequest, status)
	f, err := codec.DecodeXML(reply)
	require.NoError(t, err, "reply %q", reply)
	require.Equal(t, "FAIL", f.Get("return_code"))
	require.NotEmpty(t, f.Get("return_msg"))
	require.Equal(t, before, rec.calls.Load(), "fn must not be called")
}

func TestRejectedV2(t *testing.T) {
	srv := wxpaytest.NewServer(t)
	p := parserFor(t, srv)
	rec := &recorder{}
	url := serve(t, p, rec)
	for name, body := range map[string][]byte{
		"unsigned":        []byte(`<xml><return_code>SUCCESS</return_code><out_trade_no>T1</out_trade_no></xml>`),
		"return_code":     srv.NotificationV2([][2]string{{"return_code", "FAIL"}, {"return_msg", "x"}}),
		"malformed":       []byte(`<xml><return_code>SUCCESS</return_code>`),
		"doctype":         []byte(`<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY a "b">]><xml><return_code>&a;</return_code></xml>`),
		"duplicate field": []byte(strings.Replace(string(srv.NotificationV2([][2]string{{"out_trade_no", "T1"}})), "</xml>", "<out_trade_no>T2</out_trade_no></xml>", 1)),
	} {
		t.Run(name, func(t *testing.T) {
			_, err := p.Parse(nil, body)
			require.Error(t, err)
			requireRejectedV2(t, srv, url, rec, body)
		})
	}
}

// The published vector: APIv2 key exposed_your_key_here_have_risks.
const (
	vectorKey     = "exposed_your_key_here_have_risks"
	vectorReqInfo = "sQHh/cSF5F2ms58BHQoBmSe6PR7CX1bhrvBSH9Qhny+XrJMY2DfYIO50b51BFVxzk/GNmvI9NBWlrTMA5+VT+Ab/5JopDsr0SxnGBcoiwMA="
	vectorPlain   = "<root><out_refund_no><![CDATA[131811191610442717309]]></out_refund_no></root>"
)

func TestRefundV2Vector(t *testing.T) {
	p := &notify.Parser{APIv2Key: vectorKey}
	body := `<xml><return_code>SUCCESS</return_code><appid>wx</appid><mch_id>1</mch_id><nonce_str>x</nonce_str><req_info>` + vectorReqInfo + `</req_info></xml>`
	n, err := p.Parse(nil, []byte(body))
	require.NoError(t, err)
	require.True(t, n.APIv2)
	require.Equal(t, vectorPlain, string(n.Plaintext))
	require.Equal(t, "131811191610442717309", n.Fields.Get("out_refund_no"))
	require.Equal(t, "wx", n.Outer.Get("appid"))
	_, inFields := n.Fields.Lookup("appid")
	require.False(t, inFields, "outer fields are not in Fields")
	require.Equal(t, codec.Field{Name: "out_refund_no", Value: "131811191610442717309"}, n.Fields[len(n.Fields)-1])

	// Altered req_info: last character of the base64 changed, or a block dropped.
	for _, ri := range []string{
		vectorReqInfo[:len(vectorReqInfo)-4] + "AAA=",
		vectorReqInfo[24:],
		"not base64!",
	} {
		_, err := p.Parse(nil, []byte(strings.Replace(body, vectorReqInfo, ri, 1)))
		require.ErrorIs(t, err, notify.ErrNotification)
	}
	// Wrong key.
	_, err = (&notify.Parser{APIv2Key: strings.Repeat("k", 32)}).Parse(nil, []byte(body))
	require.ErrorIs(t, err, signer.ErrDecrypt)
	require.ErrorIs(t, err, notify.ErrNotification)
}

func TestRefundV2(t *testing.T) {
	srv := wxpaytest.NewServer(t)
	p := parserFor(t, srv)
	rec := &recorder{}
	url := serve(t, p, rec)
	body, err := srv.RefundNotificationV2([][2]string{{"transaction_id", "4200000000000000003"},
		{"out_trade_no", "T3003"}, {"refund_id", "50000000000000000001"}, {"out_refund_no", "R3003"},
		{"total_fee", "100"}, {"refund_fee", "40"}, {"refund_status", "SUCCESS"}, {"success_time", "2026-11-24 10:00:00"}})
	require.NoError(t, err)

	status, reply, err := srv.SendNotification(context.Background(), url, nil, body)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, status)
	require.Equal(t, successV2, string(reply))
	require.EqualValues(t, 1, rec.calls.Load())
	n := rec.last.Load()
	require.True(t, strings.HasPrefix(string(n.Plaintext), "<root>"))
	require.Equal(t, "R3003", n.Fields.Get("out_refund_no"))
	require.Equal(t, srv.MchID, n.Outer.Get("mch_id"))
	var r struct {
		MchID        string `xml:"mch_id"`
		OutRefundNo  string `xml:"out_refund_no"`
		RefundFee    int    `xml:"refund_fee"`
		RefundStatus string `xml:"refund_status"`
	}
	require.NoError(t, n.Decode(&r))
	require.Equal(t, 40, r.RefundFee)
	require.Equal(t, "SUCCESS", r.RefundStatus)
	require.Empty(t, r.MchID, "mch_id is outside req_info: unauthenticated, not decoded")

	// Tampered req_info (one base64 character of the first block changed): fn is not called.
	f, err := codec.DecodeXML(body)
	require.NoError(t, err)
	ri := f.Get("req_info")
	c := byte('A')
	if ri[5] == 'A' {
		c = 'B'
	}
	bad := []byte(strings.Replace(string(body), ri, ri[:5]+string(c)+ri[6:], 1))
	_, err = p.Parse(nil, bad)
	require.ErrorIs(t, err, notify.ErrNotification)
	requireRejectedV2(t, srv, url, rec, bad)
	// Signed by another merchant's key.
	other := wxpaytest.NewServer(t, wxpaytest.WithAPIv2Key(strings.Repeat("x", 32)))
	bad, err = other.RefundNotificationV2([][2]string{{"out_refund_no", "R3003"}})
	require.NoError(t, err)
	requireRejectedV2(t, srv, url, rec, bad)
	require.EqualValues(t, 1, rec.calls.Load())
}

// TestRefundV2OuterFieldsCannotShadow: a genuine (replayed) req_info with forged outer
// refund_status and out_refund_no. Before the fix the outer values won in Decode and Get.
func TestRefundV2OuterFieldsCannotShadow(t *testing.T) {
	srv := wxpaytest.NewServer(t)
	p := parserFor(t, srv)
	body, err := srv.RefundNotificationV2([][2]string{{"out_refund_no", "R-GENUINE"}, {"refund_status", "CHANGE"}, {"refund_fee", "40"}})
	require.NoError(t, err)
	forged := strings.Replace(string(body), "<return_code>", "<refund_status>SUCCESS</refund_status><out_refund_no>ATTACKER</out_refund_no><refund_fee>99999</refund_fee><extra>x</extra><return_code>", 1)
	n, err := p.Parse(nil, []byte(forged))
	require.NoError(t, err)
	assert.Equal(t, "R-GENUINE", n.Fields.Get("out_refund_no"))
	assert.Equal(t, "CHANGE", n.Fields.Get("refund_status"))
	_, added := n.Fields.Lookup("extra")
	assert.False(t, added, "outer fields do not add to the trusted ones")
	var m map[string]string
	require.NoError(t, n.Decode(&m))
	assert.Equal(t, map[string]string{"out_refund_no": "R-GENUINE", "refund_status": "CHANGE", "refund_fee": "40"}, m)
	var r struct {
		OutRefundNo  string `xml:"out_refund_no"`
		RefundStatus string `xml:"refund_status"`
		RefundFee    int64  `xml:"refund_fee"`
	}
	require.NoError(t, n.Decode(&r))
	assert.Equal(t, "R-GENUINE", r.OutRefundNo)
	assert.Equal(t, "CHANGE", r.RefundStatus)
	assert.EqualValues(t, 40, r.RefundFee)
	assert.Equal(t, "ATTACKER", n.Outer.Get("out_refund_no"), "kept apart, for diagnosis")
}

func TestHandlerErrors(t *testing.T) {
	srv := wxpaytest.NewServer(t)
	p := parserFor(t, srv)

	t.Run("fn error", func(t *testing.T) {
		rec := &recorder{err: errors.New("database is down: secret dsn")}
		url := serve(t, p, rec)
		h, body, err := srv.NotificationV3("TRANSACTION.SUCCESS", "transaction", txResource)
		require.NoError(t, err)
		status, reply, err := srv.SendNotification(context.Background(), url, h, body)
		require.NoError(t, err)
		require.Equal(t, http.StatusInternalServerError, status)
		var m map[string]string
		require.NoError(t, json.Unmarshal(reply, &m))
		require.Equal(t, "FAIL", m["code"])
		require.NotContains(t, m["message"], "secret")
		require.EqualValues(t, 1, rec.calls.Load())

		status, reply, err = srv.SendNotification(context.Background(), url, nil, srv.NotificationV2([][2]string{{"out_trade_no", "T"}}))
		require.NoError(t, err)
		require.Equal(t, http.StatusInternalServerError, status)
		f, err := codec.DecodeXML(reply)
		require.NoError(t, err)
		require.Equal(t, "FAIL", f.Get("return_code"))
		require.EqualValues(t, 2, rec.calls.Load())
	})

	t.Run("GET", func(t *testing.T) {
		rec := &recorder{}
		url := serve(t, p, rec)
		resp, err := http.Get(url)
		require.NoError(t, err)
		defer resp.Body.Close()
		require.Equal(t, http.StatusMethodNotAllowed, resp.StatusCode)
		require.Equal(t, "POST", resp.Header.Get("Allow"))
		require.Zero(t, rec.calls.Load())
	})

	t.Run("oversized", func(t *testing.T) {
		rec := &recorder{}
		url := serve(t, p, rec)
		// A validly signed body just over the cap.
		body := []byte(`{"pad":"` + strings.Repeat("a", notify.MaxBodySize) + `"}`)
		status, reply, err := srv.SendNotification(context.Background(), url, signedV3(srv, body), body)
		require.NoError(t, err)
		require.Equal(t, http.StatusRequestEntityTooLarge, status)
		require.Contains(t, string(reply), `"FAIL"`)
		require.Zero(t, rec.calls.Load())
	})

	t.Run("empty body", func(t *testing.T) {
		rec := &recorder{}
		url := serve(t, p, rec)
		requireRejectedV3(t, srv, url, rec, nil, nil, 401)
	})
}

func TestReplies(t *testing.T) {
	w := httptest.NewRecorder()
	notify.ReplySuccess(w, true)
	require.Equal(t, 200, w.Code)
	require.Equal(t, successV2, w.Body.String())

	w = httptest.NewRecorder()
	notify.ReplySuccess(w, false)
	require.Equal(t, 200, w.Code)
	require.Empty(t, w.Body.String())

	w = httptest.NewRecorder()
	notify.ReplyFailure(w, true, 400, "bad ]]> \x00 \xff"+strings.Repeat("é", 300))
	require.Equal(t, 400, w.Code)
	f, err := codec.DecodeXML(w.Body.Bytes())
	require.NoError(t, err)
	require.Equal(t, "FAIL", f.Get("return_code"))
	require.True(t, strings.HasPrefix(f.Get("return_msg"), "bad ]]> \uFFFD \uFFFD"))
	require.LessOrEqual(t, len(f.Get("return_msg")), 256)

	w = httptest.NewRecorder()
	notify.ReplyFailure(w, false, 401, "no")
	require.Equal(t, 401, w.Code)
	require.JSONEq(t, `{"code":"FAIL","message":"no"}`, w.Body.String())
	require.Equal(t, "application/json", w.Header().Get("Content-Type"))
}

// A callback is verified with the sign type its sign_type field names (MD5
// when absent), not one guessed from the sign's length: an MD5 sign under
// sign_type HMAC-SHA256, or an HMAC-SHA256 sign without sign_type, is
// refused. Before, both passed.
func TestV2SignTypeIsTheCallbacks(t *testing.T) {
	srv := wxpaytest.NewServer(t)
	p := parserFor(t, srv)
	base := codec.Fields{{Name: "return_code", Value: "SUCCESS"}, {Name: "result_code", Value: "SUCCESS"},
		{Name: "out_trade_no", Value: "T3003"}, {Name: "total_fee", Value: "101"}}
	callback := func(signedAs string, fields codec.Fields) []byte {
		sign, err := signer.SignV2(signedAs, srv.APIv2Key, fields)
		require.NoError(t, err)
		body, err := codec.EncodeXML(append(fields[:len(fields):len(fields)], codec.Field{Name: "sign", Value: sign}))
		require.NoError(t, err)
		return body
	}
	withType := func(st string) codec.Fields {
		return append(base[:len(base):len(base)], codec.Field{Name: "sign_type", Value: st})
	}

	for name, body := range map[string][]byte{
		"MD5, no sign_type":  callback(signer.SignTypeMD5, base),
		"MD5, sign_type MD5": callback(signer.SignTypeMD5, withType("MD5")),
		"HMAC, sign_type":    callback(signer.SignTypeHMACSHA256, withType("HMAC-SHA256")),
	} {
		n, err := p.Parse(nil, body)
		require.NoError(t, err, name)
		require.Equal(t, "T3003", n.Fields.Get("out_trade_no"), name)
	}
	for name, body := range map[string][]byte{
		"MD5 sign under sign_type HMAC-SHA256": callback(signer.SignTypeMD5, withType("HMAC-SHA256")),
		"HMAC sign without sign_type":          callback(signer.SignTypeHMACSHA256, base),
		"HMAC sign under sign_type MD5":        callback(signer.SignTypeHMACSHA256, withType("MD5")),
		"unknown sign_type":                    callback(signer.SignTypeMD5, withType("SHA1")),
	} {
		_, err := p.Parse(nil, body)
		require.ErrorIs(t, err, signer.ErrBadSignature, name)
	}
}
