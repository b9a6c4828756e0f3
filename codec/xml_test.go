package codec_test

import (
	"bytes"
	"compress/gzip"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/wxpay-go/wxpay/codec"
)

func encode(t *testing.T, f codec.Fields) string {
	t.Helper()
	b, err := codec.EncodeXML(f)
	require.NoError(t, err)
	return string(b)
}

func roundTrip(t *testing.T, f codec.Fields) {
	t.Helper()
	b, err := codec.EncodeXML(f)
	require.NoError(t, err)
	got, err := codec.DecodeXML(b)
	require.NoError(t, err, "document %q", b)
	require.Equal(t, f, got, "document %q", b)
}

func TestEncodeXMLVectors(t *testing.T) {
	for _, tc := range []struct {
		in   codec.Fields
		want string
	}{
		{codec.Fields{{"mch_id", "1900000109"}, {"sign", "mock"}}, `<xml><mch_id>1900000109</mch_id><sign>mock</sign></xml>`},
		{codec.Fields{}, `<xml></xml>`},
		{nil, `<xml></xml>`},
		{codec.Fields{{"a", ""}}, `<xml><a></a></xml>`},
		{codec.Fields{{"a", "2>1<0"}}, `<xml><a><![CDATA[2>1<0]]></a></xml>`},
		{codec.Fields{{"a", `x&y`}}, `<xml><a><![CDATA[x&y]]></a></xml>`},
		{codec.Fields{{"a", `say "hi"`}}, `<xml><a><![CDATA[say "hi"]]></a></xml>`},
		{codec.Fields{{"a", `it's`}}, `<xml><a><![CDATA[it's]]></a></xml>`},
		{codec.Fields{{"a", "a]]>b"}}, `<xml><a><![CDATA[a]]]]><![CDATA[>b]]></a></xml>`},
		{codec.Fields{{"a", "]]>]]>"}}, `<xml><a><![CDATA[]]]]><![CDATA[>]]]]><![CDATA[>]]></a></xml>`},
		{codec.Fields{{"a", "x\r\ny"}}, "<xml><a>x&#xD;\ny</a></xml>"},
		{codec.Fields{{"a", "<\r&'\">"}}, "<xml><a>&lt;&#xD;&amp;&apos;&quot;&gt;</a></xml>"},
		{codec.Fields{{"a", " sp "}, {"b", "\t\n"}}, "<xml><a> sp </a><b>\t\n</b></xml>"},
		{codec.Fields{{"body", "腾讯充值中心-QQ会员充值"}}, `<xml><body>腾讯充值中心-QQ会员充值</body></xml>`},
		{codec.Fields{{"h", "1"}, {"h", "2"}}, `<xml><h>1</h><h>2</h></xml>`},
		{codec.Fields{{"_x", "1"}, {"xmlfoo", "2"}, {"XML", "3"}, {"a-b.c_9", "4"}}, `<xml><_x>1</_x><xmlfoo>2</xmlfoo><XML>3</XML><a-b.c_9>4</a-b.c_9></xml>`},
		{codec.Fields{{"a", "\U0001F600\uFFFD\uE000"}}, "<xml><a>\U0001F600\uFFFD\uE000</a></xml>"},
	} {
		require.Equal(t, tc.want, encode(t, tc.in), "%q", tc.in)
		b, err := codec.EncodeXML(tc.in)
		require.NoError(t, err)
		require.Equal(t, len(b), cap(b), "exactly sized: %q", tc.in)
	}
}

func TestEncodeXMLRoundTrip(t *testing.T) {
	for _, f := range []codec.Fields{
		{{"a", "a]]>b"}},
		{{"a", "]]>"}, {"b", "]]"}, {"c", "]>"}, {"d", "]]]>>"}},
		{{"a", "\r\n x \t"}},
		{{"a", "\r"}, {"b", "\r\r\n\n"}, {"c", "a\rb<c]]>"}},
		{{"a", " sp "}, {"b", "  "}, {"c", "\n"}, {"d", " <lead and trail> "}},
		{{"a", "&amp; is not decoded twice &lt;"}},
		{{"a", "\u0085\u2028 next line and line separator"}},
		{{"x", ""}, {"x", "1"}, {"x", ""}},
	} {
		roundTrip(t, f)
	}
}

func TestEncodeXMLInvalidChar(t *testing.T) {
	for _, v := range []string{"a\x01b", "\x00", "\x1f", "bad \xff utf8", "\xed\xa0\x80" /* surrogate */, "\uFFFE", "\uFFFF", "\xc3"} {
		dst := []byte("keep")
		out, err := codec.AppendXML(dst, codec.Fields{{"ok", "fine"}, {"field_x", v}})
		require.ErrorIs(t, err, codec.ErrInvalidChar, "%q", v)
		require.Contains(t, err.Error(), `"field_x"`)
		require.Equal(t, "keep", string(out), "dst unchanged on error")
	}
	_, err := codec.EncodeXML(codec.Fields{{"a", "bad \xff"}})
	require.ErrorContains(t, err, "invalid UTF-8 at byte 4")
	_, err = codec.EncodeXML(codec.Fields{{"a", "x\x01"}})
	require.ErrorContains(t, err, "U+0001 at byte 1")
}

func TestEncodeXMLInvalidName(t *testing.T) {
	for _, n := range []string{"", "1a", "-a", ".a", "a b", "a:b", "a<b", "a>", "名字", "a&b", "a\x00", "a/b", "é"} {
		_, err := codec.EncodeXML(codec.Fields{{n, "v"}})
		require.ErrorIs(t, err, codec.ErrInvalidName, "%q", n)
	}
}

func TestAppendXML(t *testing.T) {
	buf := make([]byte, 0, 256)
	out, err := codec.AppendXML(buf[:0], codec.Fields{{"a", "1"}})
	require.NoError(t, err)
	require.Equal(t, "<xml><a>1</a></xml>", string(out))
	require.Equal(t, &buf[:1][0], &out[0], "appended in place when capacity allows")

	out, err = codec.AppendXML([]byte("prefix:"), codec.Fields{{"a", "<"}})
	require.NoError(t, err)
	require.Equal(t, "prefix:<xml><a><![CDATA[<]]></a></xml>", string(out))
}

func TestEncodeXMLAllocs(t *testing.T) {
	f := requestFields()
	allocs := testing.AllocsPerRun(100, func() {
		if _, err := codec.EncodeXML(f); err != nil {
			panic(err)
		}
	})
	require.LessOrEqual(t, allocs, 1.0)
	buf := make([]byte, 0, 4096)
	allocs = testing.AllocsPerRun(100, func() {
		if _, err := codec.AppendXML(buf[:0], f); err != nil {
			panic(err)
		}
	})
	require.Zero(t, allocs)
}

// unifiedOrderAnswer is a typical pay/unifiedorder answer, with the
// whitespace between elements WeChat Pay's documentation shows.
const unifiedOrderAnswer = `<xml>
   <return_code><![CDATA[SUCCESS]]></return_code>
   <return_msg><![CDATA[OK]]></return_msg>
   <appid><![CDATA[wx2421b1c4370ec43b]]></appid>
   <mch_id><![CDATA[10000100]]></mch_id>
   <device_info><![CDATA[WEB]]></device_info>
   <nonce_str><![CDATA[IITRi8Iabbblz1Jc]]></nonce_str>
   <sign><![CDATA[7921E432F65EB8ED0CE9755F0E86D72F]]></sign>
   <result_code><![CDATA[SUCCESS]]></result_code>
   <prepay_id><![CDATA[wx201411101639507cbf6ffd8b0779950874]]></prepay_id>
   <trade_type><![CDATA[NATIVE]]></trade_type>
   <code_url><![CDATA[weixin://wxpay/bizpayurl?pr=8yqxcKb&sr=1]]></code_url>
   <total_fee>888</total_fee>
</xml>`

func TestDecodeXMLUnifiedOrder(t *testing.T) {
	f, err := codec.DecodeXML([]byte(unifiedOrderAnswer))
	require.NoError(t, err)
	require.Equal(t, codec.Fields{
		{"return_code", "SUCCESS"},
		{"return_msg", "OK"},
		{"appid", "wx2421b1c4370ec43b"},
		{"mch_id", "10000100"},
		{"device_info", "WEB"},
		{"nonce_str", "IITRi8Iabbblz1Jc"},
		{"sign", "7921E432F65EB8ED0CE9755F0E86D72F"},
		{"result_code", "SUCCESS"},
		{"prepay_id", "wx201411101639507cbf6ffd8b0779950874"},
		{"trade_type", "NATIVE"},
		{"code_url", "weixin://wxpay/bizpayurl?pr=8yqxcKb&sr=1"},
		{"total_fee", "888"},
	}, f)
}

func TestDecodeXMLFaithful(t *testing.T) {
	doc := "\xef\xbb\xbf \r\n<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!-- answer -->\n" +
		`<xml a="ignored">` +
		`<sp> sp </sp>` +
		`<cdata_sp><![CDATA[  both  ]]></cdata_sp>` +
		`<mixed>a<![CDATA[<b>]]>&amp;&#x4E2D;&#25991;<!-- c --> z</mixed>` +
		`<coupon_id_0>c0</coupon_id_0>` +
		`<h>1</h><h>2</h>` +
		`<empty/><empty2></empty2>` +
		`<ws>   </ws>` +
		"<detail>\n  <goods id=\"1&amp;2\">\n    <name>apple &lt;red&gt;</name>\n    <n/>\n  </goods>\n</detail>" +
		`<ns:x xmlns:ns="urn:x">nsval</ns:x>` +
		`<xmlfoo>xml prefix</xmlfoo>` +
		"</xml>\n<!-- trailing comment -->\n"
	f, err := codec.DecodeXML([]byte(doc))
	require.NoError(t, err)
	require.Equal(t, codec.Fields{
		{"sp", " sp "},
		{"cdata_sp", "  both  "},
		{"mixed", "a<b>&中文 z"},
		{"coupon_id_0", "c0"},
		{"h", "1"},
		{"h", "2"},
		{"empty", ""},
		{"empty2", ""},
		{"ws", "   "},
		{"detail", `<goods id="1&amp;2"><name>apple &lt;red&gt;</name><n></n></goods>`},
		{"ns:x", "nsval"},
		{"xmlfoo", "xml prefix"},
	}, f)

	// The inner XML of a nested element parses again.
	inner, err := codec.DecodeXMLRoot([]byte(f.Get("detail")), "goods")
	require.NoError(t, err)
	require.Equal(t, codec.Fields{{"name", "apple <red>"}, {"n", ""}}, inner)

	f, err = codec.DecodeXML([]byte("<xml/>"))
	require.NoError(t, err)
	require.NotNil(t, f)
	require.Empty(t, f)

	f, err = codec.DecodeXML([]byte("<xml>\n\t<a>x&#xD;&#13;\r\ny\r</a>\n</xml>"))
	require.NoError(t, err)
	require.Equal(t, codec.Fields{{"a", "x\r\r\ny\n"}}, f, "char refs keep \\r; literal \\r is normalised by XML itself")
}

func TestDecodeXMLRoot(t *testing.T) {
	reqInfo := `<root><out_refund_no><![CDATA[131811191610442717309]]></out_refund_no><refund_fee><![CDATA[3960]]></refund_fee></root>`
	f, err := codec.DecodeXMLRoot([]byte(reqInfo), "root")
	require.NoError(t, err)
	require.Equal(t, codec.Fields{{"out_refund_no", "131811191610442717309"}, {"refund_fee", "3960"}}, f)

	_, err = codec.DecodeXML([]byte(reqInfo))
	require.ErrorIs(t, err, codec.ErrNotXML)
	require.ErrorContains(t, err, "unexpected root <root>")

	_, err = codec.DecodeXMLRoot([]byte(`<xml></xml>`), "root")
	require.ErrorIs(t, err, codec.ErrNotXML)
}

func gzipped(t *testing.T, s string) []byte {
	var buf bytes.Buffer
	w := gzip.NewWriter(&buf)
	_, err := w.Write([]byte(s))
	require.NoError(t, err)
	require.NoError(t, w.Close())
	return buf.Bytes()
}

const nginx404 = "<html>\r\n<head><title>404 Not Found</title></head>\r\n<body>\r\n<center><h1>404 Not Found</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"

func TestDecodeXMLNotXML(t *testing.T) {
	for _, tc := range []struct {
		name, body, msg string
	}{
		{"empty", "", "codec: not XML: empty body"},
		{"whitespace", " \r\n\t", "empty body"},
		{"bom only", "\xef\xbb\xbf", "empty body"},
		{"nginx 404", nginx404, `codec: not XML: HTML page: "<html>\r\n<head><title>404 Not Found</title></head>\r\n<body>\r\n<cent"…`},
		{"doctype html", "<!DOCTYPE html>\n<html><body>oops</body></html>", "HTML page"},
		{"doctype html lower", "  <!doctype HTML><p>x", "HTML page"},
		{"xhtml", `<?xml version="1.0"?><!-- x --><!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" "x"><html/>`, "HTML page"},
		{"HTML upper", "<HTML><BODY>502 Bad Gateway</BODY></HTML>", "HTML page"},
		{"json", `{"code":"x"}`, `codec: not XML: JSON body: "{\"code\":\"x\"}"`},
		{"json array", ` [1,2]`, "JSON body"},
		{"csv", "交易时间,公众账号ID,商户号\n`2024-01-01,`wx123,`100\n", "text/CSV"},
		{"text", "test", `codec: not XML: text/CSV: "test"`},
		{"binary", "\x00\x01\x02", `text/CSV: "\x00\x01\x02"`},
		{"gzip", string(gzipped(t, "<xml></xml>")), `codec: not XML: gzip data: "\x1f\x8b`},
		{"mismatched", `<xml><a>1</b></xml>`, "malformed XML"},
		{"unclosed", `<xml><a>1</a>`, "malformed XML"},
		{"unclosed child", `<xml><a>1</xml>`, "malformed XML"},
		{"bad syntax", `<xml><a 1</a></xml>`, "malformed XML"},
		{"bare ampersand", `<xml><a>AT&T</a></xml>`, "malformed XML"},
		{"bad char ref", `<xml><a>&#x1;</a></xml>`, "malformed XML"},
		{"control char", "<xml><a>\x01</a></xml>", "malformed XML"},
		{"bad utf8", "<xml><a>\xff</a></xml>", "malformed XML"},
		{"fragment injection", `<batchjob><payment><id>1</id><amount>100</amount></payment><payment><id>2</id><amount>99999</amount></payment></batchjob>`, "unexpected root <batchjob>, want <xml>"},
		{"two roots", `<xml><a>1</a></xml><xml><a>2</a></xml>`, "more than one root element"},
		{"trailing garbage", `<xml><a>1</a></xml>garbage`, "text after the root element"},
		{"trailing element", `<xml></xml><b/>`, "more than one root element"},
		{"trailing NUL", "<xml></xml>\x00", "malformed XML"},
		{"text in root", `<xml>hello<a>1</a></xml>`, "text directly inside <xml>"},
		{"root only text", `<xml>hello</xml>`, "text directly inside <xml>"},
		{"root with prefix", `<p:xml xmlns:p="u"></p:xml>`, "unexpected root <p:xml>"},
		{"Root case", `<XML></XML>`, "unexpected root <XML>"},
		{"only comment", `<!-- nothing -->`, "no root element"},
		{"too deep", "<xml>" + strings.Repeat("<a>", 100) + strings.Repeat("</a>", 100) + "</xml>", "nested deeper than 64"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, err := codec.DecodeXML([]byte(tc.body))
			require.Nil(t, f)
			require.ErrorIs(t, err, codec.ErrNotXML)
			require.NotErrorIs(t, err, codec.ErrUnsafeXML)
			require.ErrorContains(t, err, tc.msg)
		})
	}
	_, err := codec.DecodeXML(nil)
	require.ErrorIs(t, err, codec.ErrEmptyBody)
	_, err = codec.DecodeXML([]byte(strings.Repeat("a,b,c\n", 100)))
	require.Less(t, len(err.Error()), 120, "the quoted prefix is bounded: %s", err)
	require.True(t, strings.HasSuffix(err.Error(), `"…`), err.Error())
}

const billionLaughs = `<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<xml><a>&lol9;</a></xml>`

func TestDecodeXMLUnsafe(t *testing.T) {
	for _, tc := range []struct {
		name, body, msg string
	}{
		{"xxe", `<!DOCTYPE xml [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><xml><a>&xxe;</a></xml>`, "codec: unsafe XML: DOCTYPE declaration at byte 0"},
		{"xxe after declaration", "<?xml version=\"1.0\"?>\n<!DOCTYPE xml [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]><xml><a>&xxe;</a></xml>", "DOCTYPE declaration at byte 22"},
		{"billion laughs", billionLaughs, "DOCTYPE declaration"},
		{"entity decl", `<!ENTITY a "b"><xml></xml>`, "ENTITY declaration"},
		{"directive inside", `<xml><!ELEMENT a ANY><a>1</a></xml>`, `directive "<!ELEMENT a ANY>" at byte 5`},
		{"doctype after root", `<xml></xml><!DOCTYPE x>`, "DOCTYPE declaration"},
		{"undeclared entity", `<xml><a>&foo;</a></xml>`, `entity reference "&foo;" at byte 8`},
		{"entity in attribute", `<xml><a b="&foo;">1</a></xml>`, `entity reference "&foo;"`},
		{"processing instruction", `<xml><?foo?><a>1</a></xml>`, "processing instruction <?foo at byte 5"},
		{"leading pi", `<?foo bar?><xml></xml>`, "processing instruction <?foo"},
		{"stylesheet pi", `<?xml-stylesheet href="x"?><xml></xml>`, "processing instruction <?xml-stylesheet"},
		{"second declaration", `<?xml version="1.0"?><xml><?xml version="1.0"?></xml>`, "processing instruction <?xml at byte 26"},
		{"upper XML declaration", `<?XML version="1.0"?><xml></xml>`, "processing instruction <?XML"},
		{"pi after root", "<xml></xml>\n<?php echo 1 ?>", "processing instruction <?php"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, err := codec.DecodeXML([]byte(tc.body))
			require.Nil(t, f)
			require.ErrorIs(t, err, codec.ErrUnsafeXML)
			require.ErrorContains(t, err, tc.msg)
		})
	}

	// Markup-looking text in CDATA sections and comments is data, not markup.
	f, err := codec.DecodeXML([]byte(`<xml><!-- <!DOCTYPE x> &foo; <?pi?> --><a><![CDATA[<!DOCTYPE x [<!ENTITY y "z">]> &foo; <?pi?>]]></a><b>&lt;&gt;&amp;&quot;&apos;&#65;&#x42;</b></xml>`))
	require.NoError(t, err)
	require.Equal(t, codec.Fields{{"a", `<!DOCTYPE x [<!ENTITY y "z">]> &foo; <?pi?>`}, {"b", `<>&"'AB`}}, f)

	// A billion-laughs document is refused before parsing: cheap even when huge.
	huge := []byte(billionLaughs + strings.Repeat("<!-- padding -->", 1<<16))
	start := time.Now()
	for range 100 {
		_, err = codec.DecodeXML(huge)
		require.ErrorIs(t, err, codec.ErrUnsafeXML)
	}
	require.Less(t, time.Since(start), 2*time.Second)
}

func TestDecodeXMLErrorsAreClassified(t *testing.T) {
	// Every failure is ErrNotXML or ErrUnsafeXML, never a bare parser error.
	for _, body := range []string{"<", "<x", "<xml", "<xml>", "<xml><", "<xml><a>", "<xml></a>", "<!", "<!-", "<![CDATA[", "&", "<xml>&", "<xml>&#;</xml>", "<xml>&#xZZ;</xml>", "<?xml", "<?xml?>", "<xml><a b=></a></xml>"} {
		_, err := codec.DecodeXML([]byte(body))
		require.Error(t, err, "%q", body)
		require.True(t, errors.Is(err, codec.ErrNotXML) || errors.Is(err, codec.ErrUnsafeXML), "%q: %v", body, err)
	}
}

type unifiedOrderResult struct {
	ReturnCode string   `xml:"return_code"`
	ReturnMsg  string   `xml:"return_msg"`
	AppID      string   `xml:"appid"`
	MchID      string   `xml:"mch_id"`
	PrepayID   string   `xml:"prepay_id"`
	CodeURL    string   `xml:"code_url"`
	TotalFee   int64    `xml:"total_fee"`
	Tags       []string `xml:"tag"`
	Detail     string   `xml:"detail"`
	Memo       string   `xml:"memo"`
	Sign       string   `xml:"-"`
}

func TestDecodeXMLInto(t *testing.T) {
	doc := strings.Replace(unifiedOrderAnswer, "</xml>",
		"<tag>a</tag><tag> b </tag><detail><g><id>1</id></g></detail><memo>  keep me  </memo></xml>", 1)

	var s unifiedOrderResult
	require.NoError(t, codec.DecodeXMLInto([]byte(doc), &s))
	require.Equal(t, unifiedOrderResult{
		ReturnCode: "SUCCESS", ReturnMsg: "OK", AppID: "wx2421b1c4370ec43b", MchID: "10000100",
		PrepayID: "wx201411101639507cbf6ffd8b0779950874", CodeURL: "weixin://wxpay/bizpayurl?pr=8yqxcKb&sr=1",
		TotalFee: 888, Tags: []string{"a", " b "}, Detail: "<g><id>1</id></g>", Memo: "  keep me  ",
	}, s)

	var m map[string]string
	require.NoError(t, codec.DecodeXMLInto([]byte(doc), &m))
	require.Equal(t, "a", m["tag"])
	require.Equal(t, "888", m["total_fee"])
	require.Equal(t, "7921E432F65EB8ED0CE9755F0E86D72F", m["sign"])
	require.Len(t, m, 15)

	var f codec.Fields
	require.NoError(t, codec.DecodeXMLInto([]byte(doc), &f))
	require.Len(t, f, 16)
	require.Equal(t, codec.Field{Name: "tag", Value: " b "}, f[13])

	require.NoError(t, codec.XML.Decode([]byte(doc), &s))
	err := codec.DecodeXMLInto([]byte(nginx404), &s)
	require.ErrorIs(t, err, codec.ErrNotXML)
}

func TestXMLCodec(t *testing.T) {
	require.Equal(t, "text/xml", codec.XML.ContentType())
	b, err := codec.XML.Encode(map[string]string{"sign": "mock", "mch_id": "1900000109"})
	require.NoError(t, err)
	require.Equal(t, `<xml><mch_id>1900000109</mch_id><sign>mock</sign></xml>`, string(b))
	_, err = codec.XML.Encode(map[string]any{"detail": map[string]any{"a": 1}})
	require.ErrorIs(t, err, codec.ErrNested)
	_, err = codec.XML.Encode(codec.Fields{{"a b", "1"}})
	require.ErrorIs(t, err, codec.ErrInvalidName)
}

// fuzzFields splits s into name, value, name, value, … at NUL bytes (which
// cannot occur in a valid XML value anyway).
func fuzzFields(s string) codec.Fields {
	if s == "" {
		return codec.Fields{}
	}
	parts := strings.Split(s, "\x00")
	f := codec.Fields{}
	for i := 0; i < len(parts); i += 2 {
		fl := codec.Field{Name: parts[i]}
		if i+1 < len(parts) {
			fl.Value = parts[i+1]
		}
		f = append(f, fl)
	}
	return f
}

func FuzzXMLRoundTrip(f *testing.F) {
	for _, seed := range []string{
		"", "a\x00", "mch_id\x001900000109\x00sign\x00mock",
		"a\x00a]]>b", "a\x00]]>]]>\x00b\x00]]", "a\x00\r\n x \t", "a\x00 sp ", "a\x00\r<]]>",
		"a\x002>1<0", "h\x001\x00h\x002", "body\x00腾讯充值中心", "x\x00<!DOCTYPE x>&foo;<?pi?>",
		"a\x00&amp;", "a\x00\uFFFD", "1a\x00bad name", "a\x00\x01", "a\x00\xff",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, s string) {
		in := fuzzFields(s)
		b, err := codec.EncodeXML(in)
		if err != nil {
			require.True(t, errors.Is(err, codec.ErrInvalidName) || errors.Is(err, codec.ErrInvalidChar), "%v", err)
			return
		}
		out, err := codec.DecodeXML(b)
		require.NoError(t, err, "document %q", b)
		require.Equal(t, in, out, "document %q", b)
	})
}

func FuzzDecodeXML(f *testing.F) {
	for _, seed := range []string{
		"", unifiedOrderAnswer, nginx404, billionLaughs, `{"code":"x"}`, "<xml><a>1</b></xml>",
		"<xml><a><![CDATA[x]]]]><![CDATA[>y]]></a></xml>", "<xml><d><e a='1'>t</e></d></xml>",
		"<xml/>", "<xml>&#xD;</xml>", "<?xml version='1.0'?><xml></xml>", "\xef\xbb\xbf<xml/>", "<xml><a>&foo;</a></xml>",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		fields, err := codec.DecodeXML(data)
		if err != nil {
			require.True(t, errors.Is(err, codec.ErrNotXML) || errors.Is(err, codec.ErrUnsafeXML), "%v", err)
			require.Nil(t, fields)
			return
		}
		require.NotNil(t, fields)
		// Whatever was accepted and can be written again reads back the same.
		b, err := codec.EncodeXML(fields)
		if err != nil {
			require.ErrorIs(t, err, codec.ErrInvalidName, "decoded values are always valid XML text")
			return
		}
		again, err := codec.DecodeXML(b)
		require.NoError(t, err, "document %q", b)
		require.Equal(t, fields, again)
	})
}
