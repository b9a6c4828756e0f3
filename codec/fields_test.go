package codec_test

import (
	"encoding/json"
	"errors"
	"math"
	"net/url"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/wxpay-go/wxpay/codec"
)

func TestFieldsAccessors(t *testing.T) {
	f := codec.Fields{{"a", "1"}, {"b", ""}, {"a", "2"}}
	require.Equal(t, "1", f.Get("a"))
	require.Equal(t, "", f.Get("b"))
	require.Equal(t, "", f.Get("zz"))
	v, ok := f.Lookup("b")
	require.True(t, ok)
	require.Equal(t, "", v)
	_, ok = f.Lookup("zz")
	require.False(t, ok)
	require.Equal(t, map[string]string{"a": "1", "b": ""}, f.Map())
	require.NotNil(t, codec.Fields(nil).Map())
	require.Equal(t, "", codec.Fields(nil).Get("a"))
}

func TestFieldsOfMapByteOrder(t *testing.T) {
	f, err := codec.FieldsOf(map[string]string{"remark": "4", "re_openid": "3", "RE_OPENID": "2", "REMARK": "1"})
	require.NoError(t, err)
	require.Equal(t, codec.Fields{{"REMARK", "1"}, {"RE_OPENID", "2"}, {"re_openid", "3"}, {"remark", "4"}}, f)

	f, err = codec.FieldsOf(map[string]any{"rfc822": 3, "b": "x", "rfc2086": true, "rfc1": 1.5})
	require.NoError(t, err)
	require.Equal(t, codec.Fields{{"b", "x"}, {"rfc1", "1.5"}, {"rfc2086", "true"}, {"rfc822", "3"}}, f)

	f, err = codec.FieldsOf(map[string]any{
		"s": "", "i": 0, "u8": uint8(255), "neg": int64(-7), "f32": float32(0.1), "big": 1e21, "n": json.Number("007"),
		"nil": nil, "nilptr": (*string)(nil), "ptr": ptr("p"), "list": []string{"x", "y"}, "dur": time.Second,
		"ts": stringerStruct{"at"},
	})
	require.NoError(t, err)
	require.Equal(t, codec.Fields{
		{"big", "1000000000000000000000"}, {"dur", "1000000000"}, {"f32", "0.1"}, {"i", "0"},
		{"list", "x"}, {"list", "y"}, {"n", "007"}, {"neg", "-7"}, {"ptr", "p"}, {"s", ""}, {"ts", "stringer:at"}, {"u8", "255"},
	}, f)

	f, err = codec.FieldsOf(url.Values{"b": {"2", "3"}, "a": {"1"}})
	require.NoError(t, err)
	require.Equal(t, codec.Fields{{"a", "1"}, {"b", "2"}, {"b", "3"}}, f)

	type key string
	f, err = codec.FieldsOf(map[key]int{"b": 2, "a": 1})
	require.NoError(t, err)
	require.Equal(t, codec.Fields{{"a", "1"}, {"b", "2"}}, f)
}

func ptr[T any](v T) *T { return &v }

type stringerStruct struct{ s string }

func (s stringerStruct) String() string { return "stringer:" + s.s }

type tradeType string

type Common struct {
	AppID string `xml:"appid"`
	MchID string `xml:"mch_id"`
	Sign  string `xml:"sign,omitempty"`
}

type order struct {
	Common
	Body      string    `xml:"body"`
	Attach    string    `xml:"attach,omitempty"`
	TotalFee  int64     `xml:"total_fee"`
	Discount  int       `xml:"discount,omitempty"`
	Rate      float64   `xml:"rate,omitempty"`
	Profit    bool      `xml:"profit_sharing"`
	Receipt   bool      `xml:"receipt,omitempty"`
	TradeType tradeType `xml:"trade_type"`
	Plain     string
	Skipped   string         `xml:"-"`
	Optional  *int           `xml:"optional,omitempty"`
	Limit     *string        `xml:"limit_pay"`
	Tags      []string       `xml:"tag,omitempty"`
	Amount    json.Number    `xml:"amount,omitempty"`
	Expire    stringerStruct `xml:"time_expire,omitempty"`
	//lint:ignore U1000 present so that the tests show unexported fields are skipped
	unexported string
}

func TestFieldsOfStruct(t *testing.T) {
	o := order{
		Common:    Common{AppID: "wx1", MchID: "100"},
		Body:      "腾讯充值中心-QQ会员充值",
		TotalFee:  1,
		Rate:      0.25,
		TradeType: "JSAPI",
		Plain:     "p",
		Skipped:   "never",
		Optional:  ptr(0),
		Tags:      []string{"a", ""},
		Expire:    stringerStruct{"x"},
	}
	f, err := codec.FieldsOf(o)
	require.NoError(t, err)
	want := codec.Fields{
		{"appid", "wx1"}, {"mch_id", "100"}, {"body", "腾讯充值中心-QQ会员充值"}, {"total_fee", "1"}, {"rate", "0.25"},
		{"profit_sharing", "false"}, {"trade_type", "JSAPI"}, {"Plain", "p"}, {"optional", "0"},
		{"tag", "a"}, {"tag", ""}, {"time_expire", "stringer:x"},
	}
	require.Equal(t, want, f)

	f2, err := codec.FieldsOf(&o)
	require.NoError(t, err)
	require.Equal(t, f, f2)

	f, err = codec.FieldsOf((*order)(nil))
	require.NoError(t, err)
	require.Empty(t, f)

	type outer struct {
		*Common
		AppID string `xml:"appid"` // shallower field wins over Common.AppID
		X     any    `xml:"x,omitempty"`
		Y     any    `xml:"y"`
	}
	f, err = codec.FieldsOf(outer{AppID: "mine", X: 0, Y: 3})
	require.NoError(t, err)
	require.Equal(t, codec.Fields{{"appid", "mine"}, {"x", "0"}, {"y", "3"}}, f, "nil embedded pointer skipped; non-nil interface kept")
	f, err = codec.FieldsOf(outer{Common: &Common{AppID: "theirs", MchID: "m"}, AppID: "mine"})
	require.NoError(t, err)
	require.Equal(t, codec.Fields{{"mch_id", "m"}, {"appid", "mine"}}, f)
}

func TestFieldsOfNested(t *testing.T) {
	type sub struct{ A string }
	for name, v := range map[string]any{
		"struct":       struct{ Detail sub }{},
		"struct ptr":   struct{ Detail *sub }{Detail: &sub{}},
		"map":          struct{ Detail map[string]string }{},
		"int slice":    struct{ Detail []int }{},
		"bytes":        struct{ Detail []byte }{Detail: []byte("x")},
		"map in map":   map[string]any{"Detail": map[string]any{"a": 1}},
		"slice in map": map[string]any{"Detail": []any{"a"}},
		"array":        struct{ Detail [2]string }{},
	} {
		_, err := codec.FieldsOf(v)
		require.ErrorIs(t, err, codec.ErrNested, name)
		require.ErrorContains(t, err, `field "Detail"`, name)
		require.ErrorContains(t, err, "serialize it first", name)
	}
	// A nil nested pointer is no value at all.
	f, err := codec.FieldsOf(struct{ Detail *struct{ A string } }{})
	require.NoError(t, err)
	require.Empty(t, f)

	for _, v := range []any{42, "str", []string{"a"}, map[int]string{1: "a"}} {
		_, err := codec.FieldsOf(v)
		require.Error(t, err, "%T", v)
	}
	_, err = codec.FieldsOf(map[string]any{"f": math.NaN()})
	require.ErrorContains(t, err, `field "f"`)
	_, err = codec.FieldsOf(map[string]any{"f": math.Inf(1)})
	require.Error(t, err)
	_, err = codec.FieldsOf(map[string]any{"c": make(chan int)})
	require.ErrorContains(t, err, "unsupported type")
}

func TestFieldsOfCopies(t *testing.T) {
	in := codec.Fields{{"a", "1"}}
	for _, v := range []any{in, &in, []codec.Field(in)} {
		f, err := codec.FieldsOf(v)
		require.NoError(t, err)
		require.Equal(t, in, f)
		f[0].Value = "changed"
		require.Equal(t, "1", in[0].Value)
	}
	f, err := codec.FieldsOf(nil)
	require.NoError(t, err)
	require.NotNil(t, f)
	require.Empty(t, f)
}

type answer struct {
	Common
	ReturnCode string      `xml:"return_code"`
	TotalFee   int         `xml:"total_fee"`
	Refund     uint32      `xml:"refund_fee"`
	Rate       float32     `xml:"rate"`
	Settled    bool        `xml:"settled"`
	Coupon     *int64      `xml:"coupon_fee"`
	Memo       *string     `xml:"memo"`
	Empty      int         `xml:"empty_num"`
	Tags       []string    `xml:"tag"`
	Any        any         `xml:"any"`
	Num        json.Number `xml:"num"`
	Expire     textTime    `xml:"time_expire"`
	Ignored    string      `xml:"-"`
}

type textTime struct{ t time.Time }

func (tt *textTime) UnmarshalText(b []byte) error {
	t, err := time.Parse("20060102150405", string(b))
	tt.t = t
	return err
}

func TestFieldsDecodeStruct(t *testing.T) {
	f := codec.Fields{
		{"appid", "wx1"}, {"return_code", "SUCCESS"}, {"return_code", "IGNORED"}, {"total_fee", "-5"},
		{"refund_fee", "4294967295"}, {"rate", "0.5"}, {"settled", "true"}, {"coupon_fee", "10"},
		{"memo", ""}, {"empty_num", ""}, {"tag", "a"}, {"unknown", "x"}, {"tag", "b"}, {"any", "v"},
		{"num", "007"}, {"time_expire", "20240102030405"}, {"-", "no"}, {"Ignored", "no"},
	}
	a := answer{Tags: []string{"old"}, Empty: 9}
	require.NoError(t, f.Decode(&a))
	require.Equal(t, "wx1", a.AppID)
	require.Equal(t, "SUCCESS", a.ReturnCode, "first value wins")
	require.Equal(t, -5, a.TotalFee)
	require.Equal(t, uint32(4294967295), a.Refund)
	require.Equal(t, float32(0.5), a.Rate)
	require.True(t, a.Settled)
	require.Equal(t, int64(10), *a.Coupon)
	require.NotNil(t, a.Memo)
	require.Equal(t, "", *a.Memo)
	require.Equal(t, 9, a.Empty, "empty value leaves a number untouched")
	require.Equal(t, []string{"a", "b"}, a.Tags, "repeated values replace the slice")
	require.Equal(t, "v", a.Any)
	require.Equal(t, json.Number("007"), a.Num)
	require.Equal(t, time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC), a.Expire.t)
	require.Equal(t, "", a.Ignored)

	for _, tc := range []struct{ name, value, msg string }{
		{"total_fee", "1.5", `field "total_fee": invalid integer "1.5"`},
		{"total_fee", " 1", `invalid integer " 1"`},
		{"total_fee", "99999999999999999999", "value out of range"},
		{"refund_fee", "-1", `field "refund_fee"`},
		{"refund_fee", "4294967296", "value out of range"},
		{"rate", "x", `field "rate": invalid number`},
		{"settled", "yes", `field "settled": invalid boolean`},
		{"coupon_fee", "1e3", `field "coupon_fee"`},
		{"time_expire", "tomorrow", `field "time_expire"`},
	} {
		var a answer
		err := codec.Fields{{tc.name, tc.value}}.Decode(&a)
		require.ErrorContains(t, err, tc.msg, "%s=%q", tc.name, tc.value)
		var numErr *strconv.NumError
		if tc.name != "time_expire" {
			require.True(t, errors.As(err, &numErr), "%v", err)
		}
	}

	var nested struct {
		Detail struct{ A string } `xml:"detail"`
	}
	require.ErrorIs(t, codec.Fields{{"detail", "<a>1</a>"}}.Decode(&nested), codec.ErrNested)
	require.NoError(t, codec.Fields{{"other", "1"}}.Decode(&nested), "unsupported field without a value is fine")
}

func TestFieldsDecodeTargets(t *testing.T) {
	f := codec.Fields{{"a", "1"}, {"b", "2"}, {"a", "3"}}

	var m map[string]string
	require.NoError(t, f.Decode(&m))
	require.Equal(t, map[string]string{"a": "1", "b": "2"}, m)

	m = map[string]string{"keep": "k", "a": "old"}
	require.NoError(t, f.Decode(&m))
	require.Equal(t, map[string]string{"keep": "k", "a": "1", "b": "2"}, m)

	var out codec.Fields
	require.NoError(t, f.Decode(&out))
	require.Equal(t, f, out)
	out[0].Value = "x"
	require.Equal(t, "1", f[0].Value, "copied")

	var s struct{ A, B string }
	require.NoError(t, codec.Fields{{"A", "x"}, {"B", "y"}}.Decode(&s))
	require.Equal(t, "x", s.A)

	for _, v := range []any{nil, s, (*struct{})(nil), (*map[string]string)(nil), (*codec.Fields)(nil), new(int), new(map[string]any)} {
		require.Error(t, f.Decode(v), "%T", v)
	}
}

func TestFieldsStructRoundTrip(t *testing.T) {
	type req struct {
		Common
		OutTradeNo string   `xml:"out_trade_no"`
		TotalFee   int      `xml:"total_fee"`
		Attach     string   `xml:"attach,omitempty"`
		Tags       []string `xml:"tag"`
		Profit     bool     `xml:"profit"`
		Rate       float64  `xml:"rate"`
	}
	in := req{Common{AppID: "wx", MchID: "1", Sign: "S"}, "20240101 <&>\r\n", 100, "", []string{"x", "y"}, true, 0.125}
	b, err := codec.XML.Encode(in)
	require.NoError(t, err)
	var out req
	require.NoError(t, codec.XML.Decode(b, &out))
	require.Equal(t, in, out)
}
