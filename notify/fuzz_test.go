package notify_test

import (
	"bytes"
	"errors"
	"net/http"
	"testing"

	"github.com/wxpay-go/wxpay/notify"
	"github.com/wxpay-go/wxpay/signer"
	"github.com/wxpay-go/wxpay/wxpaytest"
)

// FuzzParseV3: the signature covers the exact body, so whatever is done to a genuine
// callback's body or signature, Parse succeeds only on the genuine bytes, and every error
// is one of the documented kinds.
func FuzzParseV3(f *testing.F) {
	srv := wxpaytest.NewServer(f)
	p := parserFor(f, srv)
	header, body, err := srv.NotificationV3("TRANSACTION.SUCCESS", "transaction", txResource)
	if err != nil {
		f.Fatal(err)
	}
	sig := header.Get("Wechatpay-Signature")
	f.Add(body, sig)
	f.Add(bytes.Replace(body, []byte(`"id"`), []byte(`"id" `), 1), sig)
	f.Add([]byte(`{"id":"x","resource":{"algorithm":"AEAD_AES_256_GCM"}}`), sig)
	f.Add(body, sig[:len(sig)-4]+"AAA=")
	f.Fuzz(func(t *testing.T, b []byte, s string) {
		h := header.Clone()
		h.Set("Wechatpay-Signature", s)
		n, err := p.Parse(h, b)
		if err != nil {
			if !errors.Is(err, notify.ErrNotification) && !errors.Is(err, signer.ErrVerification) {
				t.Fatalf("unclassified error: %v", err)
			}
			return
		}
		if !bytes.Equal(b, body) || s != sig {
			t.Fatalf("accepted a callback that is not the genuine one: %q", b)
		}
		if n.APIv2 || len(n.Plaintext) == 0 {
			t.Fatalf("genuine callback decoded wrongly: %+v", n)
		}
	})
}

// FuzzParseV2: APIv2 pay and refund callbacks, mutated: no panic, every error classified,
// and a refund callback's trusted fields only ever come from its decrypted req_info.
func FuzzParseV2(f *testing.F) {
	srv := wxpaytest.NewServer(f)
	p := parserFor(f, srv)
	f.Add(srv.NotificationV2([][2]string{{"appid", "wxd678efh567hg6787"}, {"mch_id", srv.MchID}, {"out_trade_no", "T1"}, {"total_fee", "1"}}))
	f.Add(srv.NotificationV2([][2]string{{"sign_type", "HMAC-SHA256"}, {"out_trade_no", "T2"}}))
	refund, err := srv.RefundNotificationV2([][2]string{{"out_refund_no", "R1"}, {"refund_status", "SUCCESS"}})
	if err != nil {
		f.Fatal(err)
	}
	f.Add(refund)
	f.Add(bytes.Replace(refund, []byte("<return_code>"), []byte("<out_refund_no>EVIL</out_refund_no><return_code>"), 1))
	f.Add([]byte(`<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><xml><return_code>SUCCESS</return_code></xml>`))
	f.Add([]byte(`<xml><return_code><![CDATA[SUCCESS]]></return_code><req_info>AAAA</req_info></xml>`))
	f.Fuzz(func(t *testing.T, b []byte) {
		n, err := p.Parse(http.Header{}, b)
		if err != nil {
			if !errors.Is(err, notify.ErrNotification) && !errors.Is(err, signer.ErrVerification) {
				t.Fatalf("unclassified error: %v", err)
			}
			return
		}
		if !n.APIv2 {
			return // an APIv3 body cannot verify without headers; nothing to check
		}
		if len(n.Outer) > 0 && !bytes.HasPrefix(n.Plaintext, []byte("<root>")) {
			t.Fatalf("refund callback whose trusted part is not the decrypted req_info: %q", n.Plaintext)
		}
		if v := n.Fields.Get("out_refund_no"); v == "EVIL" {
			t.Fatalf("an outer field reached the trusted fields")
		}
	})
}
