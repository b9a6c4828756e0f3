package codec_test

import (
	"testing"

	"github.com/wxpay-go/wxpay/codec"
)

// requestFields is a realistic 12-field pay/unifiedorder request, signed.
func requestFields() codec.Fields {
	return codec.Fields{
		{"appid", "wx2421b1c4370ec43b"},
		{"attach", "支付测试"},
		{"body", "JSAPI支付测试"},
		{"mch_id", "10000100"},
		{"nonce_str", "1add1a30ac87aa2db72f57a2375d8fec"},
		{"notify_url", "https://wxpay.example.com/pay/notify?src=v2&id=1"},
		{"openid", "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"},
		{"out_trade_no", "1415659990"},
		{"spbill_create_ip", "14.23.150.211"},
		{"total_fee", "1"},
		{"trade_type", "JSAPI"},
		{"sign", "0CB01533B8C1EF103065174F50BCA001"},
	}
}

func BenchmarkEncodeXML(b *testing.B) {
	f := requestFields()
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, err := codec.EncodeXML(f); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkAppendXML(b *testing.B) {
	f := requestFields()
	buf := make([]byte, 0, 1024)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, err := codec.AppendXML(buf[:0], f); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecodeXML(b *testing.B) {
	data := []byte(unifiedOrderAnswer)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, err := codec.DecodeXML(data); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecodeXMLCompact(b *testing.B) {
	data, err := codec.EncodeXML(requestFields())
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, err := codec.DecodeXML(data); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecodeXMLUnsafe(b *testing.B) {
	data := []byte(billionLaughs)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, err := codec.DecodeXML(data); err == nil {
			b.Fatal("accepted")
		}
	}
}

func BenchmarkFieldsOfStruct(b *testing.B) {
	o := order{Common: Common{AppID: "wx1", MchID: "100"}, Body: "body", TotalFee: 1, TradeType: "JSAPI"}
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, err := codec.FieldsOf(o); err != nil {
			b.Fatal(err)
		}
	}
}
