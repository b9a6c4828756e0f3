package codec_test

import (
	"errors"
	"fmt"

	"github.com/wxpay-go/wxpay/codec"
)

func ExampleEncodeXML() {
	b, err := codec.EncodeXML(codec.Fields{
		{Name: "mch_id", Value: "1900000109"},
		{Name: "detail", Value: "2>1<0"},
		{Name: "tricky", Value: "a]]>b"},
		{Name: "sign", Value: "mock"},
	})
	if err != nil {
		panic(err)
	}
	fmt.Println(string(b))
	// Output:
	// <xml><mch_id>1900000109</mch_id><detail><![CDATA[2>1<0]]></detail><tricky><![CDATA[a]]]]><![CDATA[>b]]></tricky><sign>mock</sign></xml>
}

func ExampleFieldsOf() {
	type refund struct {
		AppID       string `xml:"appid"`
		MchID       string `xml:"mch_id"`
		OutRefundNo string `xml:"out_refund_no"`
		RefundFee   int64  `xml:"refund_fee"`
		RefundDesc  string `xml:"refund_desc,omitempty"`
		Internal    string `xml:"-"`
	}
	f, err := codec.FieldsOf(refund{AppID: "wx2421b1c4370ec43b", MchID: "10000100", OutRefundNo: "R1", RefundFee: 100})
	if err != nil {
		panic(err)
	}
	fmt.Println(f)

	m, _ := codec.FieldsOf(map[string]string{"remark": "b", "REMARK": "a"})
	fmt.Println(m)

	_, err = codec.FieldsOf(map[string]any{"detail": map[string]any{"goods": 1}})
	fmt.Println(errors.Is(err, codec.ErrNested), err)
	// Output:
	// [{appid wx2421b1c4370ec43b} {mch_id 10000100} {out_refund_no R1} {refund_fee 100}]
	// [{REMARK a} {remark b}]
	// true codec: nested value: field "detail" holds a map[string]interface {}; serialize it first (for example to a JSON string)
}

func ExampleDecodeXML() {
	f, err := codec.DecodeXML([]byte(`<xml>
  <return_code><![CDATA[SUCCESS]]></return_code>
  <return_msg><![CDATA[ OK ]]></return_msg>
  <coupon_id>a</coupon_id><coupon_id>b</coupon_id>
</xml>`))
	if err != nil {
		panic(err)
	}
	fmt.Printf("%q\n", f.Get("return_msg"))
	fmt.Println(f)
	// Output:
	// " OK "
	// [{return_code SUCCESS} {return_msg  OK } {coupon_id a} {coupon_id b}]
}

func ExampleDecodeXML_hostile() {
	for _, body := range []string{
		"<html>\r\n<head><title>404 Not Found</title></head></html>",
		`<!DOCTYPE xml [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><xml><a>&xxe;</a></xml>`,
		`{"code":"SYSTEM_ERROR"}`,
	} {
		_, err := codec.DecodeXML([]byte(body))
		fmt.Println(errors.Is(err, codec.ErrNotXML), errors.Is(err, codec.ErrUnsafeXML), err)
	}
	// Output:
	// true false codec: not XML: HTML page: "<html>\r\n<head><title>404 Not Found</title></head></html>"
	// false true codec: unsafe XML: DOCTYPE declaration at byte 0
	// true false codec: not XML: JSON body: "{\"code\":\"SYSTEM_ERROR\"}"
}

func ExampleDecodeXMLRoot() {
	// The decrypted req_info of a refund notification has the root <root>.
	f, err := codec.DecodeXMLRoot([]byte(`<root><out_refund_no><![CDATA[R1]]></out_refund_no><refund_status><![CDATA[SUCCESS]]></refund_status></root>`), "root")
	if err != nil {
		panic(err)
	}
	fmt.Println(f.Map()["refund_status"])
	// Output:
	// SUCCESS
}

func ExampleDecodeXMLInto() {
	var answer struct {
		ReturnCode string   `xml:"return_code"`
		TotalFee   int64    `xml:"total_fee"`
		CouponIDs  []string `xml:"coupon_id"`
	}
	err := codec.DecodeXMLInto([]byte(`<xml><return_code>SUCCESS</return_code><total_fee>888</total_fee><coupon_id>a</coupon_id><coupon_id>b</coupon_id></xml>`), &answer)
	if err != nil {
		panic(err)
	}
	fmt.Println(answer.ReturnCode, answer.TotalFee, answer.CouponIDs)
	// Output:
	// SUCCESS 888 [a b]
}

func ExampleFields_Decode() {
	f := codec.Fields{{Name: "result_code", Value: "SUCCESS"}, {Name: "total_fee", Value: "1"}}
	var m map[string]string
	if err := f.Decode(&m); err != nil {
		panic(err)
	}
	fmt.Println(m)
	// Output:
	// map[result_code:SUCCESS total_fee:1]
}

func ExampleEncodeJSON() {
	// Pre-serialized bodies are sent (and signed) byte for byte.
	b, _ := codec.EncodeJSON(`{"mchid":"1900000109",  "out_trade_no":"1"}`)
	fmt.Println(string(b))
	b, _ = codec.EncodeJSON(map[string]any{"amount": map[string]any{"total": 1}, "mchid": "1900000109"})
	fmt.Println(string(b))
	// Output:
	// {"mchid":"1900000109",  "out_trade_no":"1"}
	// {"amount":{"total":1},"mchid":"1900000109"}
}
