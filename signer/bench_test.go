package signer_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/wxpay-go/wxpay/signer"
)

func BenchmarkRSASign(b *testing.B) {
	s := merchantSigner(b)
	body := readTestdata(b, "v3_post_native.body")
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := s.Authorization("POST", "/v3/pay/transactions/native", body); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkRSAVerify(b *testing.B) {
	v := &signer.Verifier{Keys: platformStore(b), Now: func() time.Time { return time.Unix(vectorRespTSInt, 0) }}
	h := http.Header{}
	h.Set("Wechatpay-Timestamp", vectorRespTS)
	h.Set("Wechatpay-Nonce", vectorRespNonce)
	h.Set("Wechatpay-Serial", platformSerial)
	h.Set("Wechatpay-Signature", sigRespData)
	body := []byte(`{"data":[]}`)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := v.Verify(h, body); err != nil {
			b.Fatal(err)
		}
	}
}

// v2Fields12 is a typical unifiedorder request: 12 fields.
var v2Fields12 = []signer.Field{
	{Name: "appid", Value: "wxd930ea5d5a258f4f"},
	{Name: "mch_id", Value: "10000100"},
	{Name: "device_info", Value: "013467007045764"},
	{Name: "nonce_str", Value: "5K8264ILTKCH16CQ2502SI8ZNMTM67VS"},
	{Name: "sign_type", Value: "MD5"},
	{Name: "body", Value: "腾讯充值中心-QQ会员充值"},
	{Name: "out_trade_no", Value: "20150806125346"},
	{Name: "fee_type", Value: "CNY"},
	{Name: "total_fee", Value: "88"},
	{Name: "spbill_create_ip", Value: "123.12.12.123"},
	{Name: "notify_url", Value: "https://www.weixin.qq.com/wxpay/pay.php"},
	{Name: "trade_type", Value: "JSAPI"},
}

func BenchmarkSignV2MD5(b *testing.B) {
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := signer.SignV2(signer.SignTypeMD5, officialV2Key, v2Fields12); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSignV2HMAC(b *testing.B) {
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := signer.SignV2(signer.SignTypeHMACSHA256, officialV2Key, v2Fields12); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkNonce(b *testing.B) {
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		_ = signer.Nonce()
	}
}

func BenchmarkMessage(b *testing.B) {
	body := []byte(`{"appid":"wxd678efh567hg6787","mchid":"1900000109"}`)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		_ = signer.Message("POST", "/v3/pay/transactions/native", 1554208460, "593BEC0C930BF1AFEB40B4A08C8FB242", body)
	}
}
