package codec_test

import (
	"math/rand"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/wxpay-go/wxpay/codec"
)

// faithfulDoc is the document of TestDecodeXMLFaithful.
const faithfulDoc = "\xef\xbb\xbf \r\n<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!-- answer -->\n" +
	`<xml a="ignored"><sp> sp </sp><cdata_sp><![CDATA[  both  ]]></cdata_sp>` +
	`<mixed>a<![CDATA[<b>]]>&amp;&#x4E2D;&#25991;<!-- c --> z</mixed><coupon_id_0>c0</coupon_id_0>` +
	`<h>1</h><h>2</h><empty/><empty2></empty2><ws>   </ws>` +
	"<detail>\n  <goods id=\"1&amp;2\">\n    <name>apple &lt;red&gt;</name>\n    <n/>\n  </goods>\n</detail>" +
	`<ns:x xmlns:ns="urn:x">nsval</ns:x><xmlfoo>xml prefix</xmlfoo></xml>` + "\n<!-- trailing comment -->\n"

// fastHandled are documents the fast path must handle (with etree's result).
var fastHandled = []string{
	unifiedOrderAnswer,
	"<xml/>", "<xml></xml>", "<xml >\n</xml >\n", "\xef\xbb\xbf \n<xml/>",
	`<root><out_refund_no><![CDATA[131811191610442717309]]></out_refund_no><refund_fee><![CDATA[3960]]></refund_fee></root>`,
	`<xml><mch_id>1900000109</mch_id><sign>mock</sign></xml>`,
	`<xml><a></a><b/><c /><d>  </d><e>` + "\t\n" + `</e></xml>`,
	`<xml><a><![CDATA[2>1<0]]></a><b><![CDATA[a]]]]><![CDATA[>b]]></b><c><![CDATA[]]></c></xml>`,
	"<xml><a>x&#xD;\ny</a><b>&lt;&#xD;&amp;&apos;&quot;&gt;</b></xml>",
	`<xml><b>&lt;&gt;&amp;&quot;&apos;&#65;&#x42;&#x4e2d;&#0025991;</b></xml>`,
	`<xml><a>&#xD800;&#xDFFF;&#x10FFFF;&#9;&#xFFFD;&#xE000;</a></xml>`,
	`<xml><a>x<![CDATA[<y>]]>&amp;z<![CDATA[]]></a><a>]]<![CDATA[>]]></a><a>]&gt;]]&gt;</a></xml>`,
	`<xml><body>腾讯充值中心-QQ会员充值</body><x>` + "\U0001F600\uFFFD\uE000\u0085" + `</x></xml>`,
	`<xml><_x>1</_x><xmlfoo>2</xmlfoo><XML>3</XML><a-b.c_9>4</a-b.c_9><A1.-_>5</A1.-_></xml>`,
	`<?xml version="1.0" encoding="UTF-8"?>` + "\n<xml><a>1</a></xml>",
	`<?xml version='1.0' encoding='GBK' standalone='yes' ?><xml/>`, `<?xml?><xml/>`, "<?xml \t?><xml/>",
	`<xml a="1" b='2' c="x>y]]>'" d="` + "\t\n" + `"><e f="" g="1"/><h i="1">v</h></xml>`,
	"<xml><a x='\"' y=\"'\">1</a></xml>",
}

// fastDeclined are documents the etree path accepts that the fast path
// leaves to it.
var fastDeclined = []string{
	faithfulDoc,
	"<xml>\n\t<a>x&#xD;&#13;\r\ny\r</a>\n</xml>",
	"<xml>\r\n<a>1</a></xml>",
	`<xml><!-- c --><a>1</a></xml>`, `<xml><a>1<!-- c --></a></xml>`, `<!-- c --><xml/>`, `<xml/><!-- c -->`,
	`<xml><d><e>1</e></d></xml>`, `<xml><p:a xmlns:p="u">1</p:a></xml>`, `<xml><a p:b="1"/></xml>`,
	`<xml><名>1</名></xml>`,
	`<xml a="1"b="2"/>`, `<xml a = "1"/>`, `<xml a="&amp;"/>`, `<xml a="1" a="2"/>`, `<xml a="" b="" c="" d="" e=""/>`,
	`<?xml version = "1.0"?><xml/>`, `<?xml encoding="a b"?><xml/>`, `<?xml foo="1"?><xml/>`,
	`<xml><![CDATA[ ]]><a>1</a></xml>`,
}

func TestDecodeXMLFastPath(t *testing.T) {
	for _, doc := range fastHandled {
		body, err := codec.XMLBody([]byte(doc))
		require.NoError(t, err, "%q", doc)
		root := "xml"
		if strings.HasPrefix(doc, "<root>") {
			root = "root"
		}
		fast, ok := codec.DecodeFlat(body, root)
		require.True(t, ok, "fast path declined %q", doc)
		slow, err := codec.DecodeETree(body, root)
		require.NoError(t, err, "%q", doc)
		require.Equal(t, slow, fast, "%q", doc)
	}
	for _, doc := range fastDeclined {
		body, err := codec.XMLBody([]byte(doc))
		require.NoError(t, err, "%q", doc)
		_, ok := codec.DecodeFlat(body, "xml")
		require.False(t, ok, "fast path handled %q", doc)
		_, err = codec.DecodeETree(body, "xml")
		require.NoError(t, err, "%q", doc)
	}
}

func TestDecodeXMLFastPathAllocs(t *testing.T) {
	compact, err := codec.EncodeXML(requestFields())
	require.NoError(t, err)
	for _, doc := range [][]byte{compact, []byte(unifiedOrderAnswer)} {
		allocs := testing.AllocsPerRun(100, func() {
			if _, err := codec.DecodeXML(doc); err != nil {
				panic(err)
			}
		})
		require.LessOrEqual(t, allocs, 2.0, "string(body) and the Fields")
	}
	// A value with references allocates once more for its decoded copy.
	doc := []byte(`<xml><a>1</a><b>x &amp; y<![CDATA[ z ]]></b></xml>`)
	allocs := testing.AllocsPerRun(100, func() {
		if _, err := codec.DecodeXML(doc); err != nil {
			panic(err)
		}
	})
	require.LessOrEqual(t, allocs, 4.0)
}

// fastSeeds are every XML string of the other tests and examples, plus
// tricky cases for the fast path.
var fastSeeds = []string{
	// Contents, also tried inside <xml><a>…</a></xml> and <xml>…</xml>.
	"1", "x&amp;y&#x4E2D;&#65;", "<![CDATA[a]]]]><![CDATA[>b]]>", "a<![CDATA[<b>]]>&lt;c", "\t \n", "&#xD;", "]]&gt;",
	`<b c="1" d='2'>v</b><e/>`, "<b></b>\n<b/>", "&#x10FFFF;&#xD800;&#0;", "\xe4\xb8\xad\xff", "<!-- c -->",
	"", nginx404, billionLaughs, `{"code":"x"}`, "<xml><a>1</b></xml>",
	"<xml><a><![CDATA[x]]]]><![CDATA[>y]]></a></xml>", "<xml><d><e a='1'>t</e></d></xml>",
	"<xml>&#xD;</xml>", "<?xml version='1.0'?><xml></xml>", "\xef\xbb\xbf<xml/>", "<xml><a>&foo;</a></xml>",
	// TestDecodeXMLNotXML, TestDecodeXMLUnsafe, TestDecodeXMLErrorsAreClassified.
	"<!DOCTYPE html>\n<html><body>oops</body></html>", `<?xml version="1.0"?><!-- x --><!DOCTYPE html PUBLIC "x" "x"><html/>`,
	`<xml><a>1</a>`, `<xml><a>1</xml>`, `<xml><a 1</a></xml>`, `<xml><a>AT&T</a></xml>`, `<xml><a>&#x1;</a></xml>`,
	"<xml><a>\x01</a></xml>", "<xml><a>\xff</a></xml>",
	`<batchjob><payment><id>1</id><amount>100</amount></payment><payment><id>2</id><amount>99999</amount></payment></batchjob>`,
	`<xml><a>1</a></xml><xml><a>2</a></xml>`, `<xml><a>1</a></xml>garbage`, `<xml></xml><b/>`, "<xml></xml>\x00",
	`<xml>hello<a>1</a></xml>`, `<xml>hello</xml>`, `<p:xml xmlns:p="u"></p:xml>`, `<XML></XML>`, `<!-- nothing -->`,
	"<xml>" + strings.Repeat("<a>", 100) + strings.Repeat("</a>", 100) + "</xml>",
	`<!DOCTYPE xml [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><xml><a>&xxe;</a></xml>`, `<!ENTITY a "b"><xml></xml>`,
	`<xml><!ELEMENT a ANY><a>1</a></xml>`, `<xml></xml><!DOCTYPE x>`, `<xml><a b="&foo;">1</a></xml>`,
	`<xml><?foo?><a>1</a></xml>`, `<?foo bar?><xml></xml>`, `<?xml-stylesheet href="x"?><xml></xml>`,
	`<?xml version="1.0"?><xml><?xml version="1.0"?></xml>`, `<?XML version="1.0"?><xml></xml>`, "<xml></xml>\n<?php echo 1 ?>",
	`<xml><!-- <!DOCTYPE x> &foo; <?pi?> --><a><![CDATA[<!DOCTYPE x [<!ENTITY y "z">]> &foo; <?pi?>]]></a><b>&lt;&gt;&amp;&quot;&apos;&#65;&#x42;</b></xml>`,
	"<", "<x", "<xml", "<xml>", "<xml><", "<xml><a>", "<xml></a>", "<!", "<!-", "<![CDATA[", "&", "<xml>&",
	"<xml>&#;</xml>", "<xml>&#xZZ;</xml>", "<?xml", "<?xml?>", "<xml><a b=></a></xml>",
	// TestDecodeXMLInto and the examples.
	strings.Replace(unifiedOrderAnswer, "</xml>", "<tag>a</tag><tag> b </tag><detail><g><id>1</id></g></detail><memo>  keep me  </memo></xml>", 1),
	"<xml>\n  <return_code><![CDATA[SUCCESS]]></return_code>\n  <return_msg><![CDATA[ OK ]]></return_msg>\n  <coupon_id>a</coupon_id><coupon_id>b</coupon_id>\n</xml>",
	`<xml><return_code>SUCCESS</return_code><total_fee>888</total_fee><coupon_id>a</coupon_id><coupon_id>b</coupon_id></xml>`,
	// Tricky cases.
	`<xml><a>&#0;</a></xml>`, `<xml><a>&#xD800;</a></xml>`, `<xml><a>&#x10FFFF;</a></xml>`, `<xml><a>&#x110000;</a></xml>`,
	`<xml><a>&#xFFFE;</a></xml>`, `<xml><a>&#X41;</a></xml>`, `<xml><a>&#99999999999999999999999;</a></xml>`, `<xml><a>&#x;</a></xml>`,
	`<xml><a>&lt</a></xml>`, `<xml><a>&LT;</a></xml>`, `<xml><a>a]]>b</a></xml>`, `<xml><a>]]]]><![CDATA[>]]></a></xml>`,
	`<xml><a><![CDATA[x]]>y</a></xml>`, `<xml><a><![CDATA[x]]></a></xml>`, `<xml><a><![CDATA[x</a></xml>`,
	`<xml><a/><a></a><a>1</a></xml>`, `<xml></xmlx>`, `<xmlx></xml>`, `<xml><a>1</a>x</xml>`, `<xml><a>1</A></xml>`,
	"<xml><a>\xed\xa0\x80</a></xml>", "<xml><a>\xc3</a></xml>", "<xml><a>\xef\xbf\xbe</a></xml>", "<xml><a>\x7f\u0085</a></xml>",
	"<xml><a.b>1</a.b><c-d>2</c-d><e9>3</e9><_>4</_><1a>5</1a></xml>", "<xml><-a>1</-a></xml>", "<xml><a\xc3\xa9>1</a\xc3\xa9></xml>",
	`<xml a="1" b='2'><c d="&lt;"/></xml>`, `<xml a="<"/>`, `<xml a=1/>`, `<xml a="1'/>`, `<xml a/>`, `<xml/ >`,
	`<?xml version="1.1"?><xml/>`, `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><xml/>`, `<?xml fooversion="2.0" version="1.0"?><xml/>`,
	"\xef\xbb\xbf\n\t <?xml version=\"1.0\"?>\n\n<xml>\n\t<a>1</a>\n</xml>\n\t ", "<xml>\r\n<a>1\r</a>\r</xml>\r\n",
	"<xml> <a> 1 </a> <b>\t</b> </xml>", "<xml\t\n>\n<a\n>1</a\n></xml\n>", "<xml></xml >x", "<xml><a>1</a></xml><",
}

// Fragments for flatDoc: mostly the flat shape, with the edge cases of the
// fast path mixed in.
var (
	genNames  = []string{"a", "a", "b.c", "d-1", "_e", "xml", "a:b", "1a", "é", "A"}
	genAttrs  = []string{"", "", ` x="1"`, ` x='"'`, ` x="1" y='2'`, ` x="1" x="2"`, ` x="a&amp;b"`, ` x="<"`, ` x = "1"`, "\tx=\"\t\n\"", `x="1"`, ` x=1`}
	genSpaces = []string{"", "", " ", "\n\t", "\r\n", "x", "<!--c-->", "<![CDATA[ ]]>"}
	genPieces = []string{"v", "中文", " ", "\t\n", "&amp;", "&lt;&gt;&quot;&apos;", "&#65;", "&#x4E2D;", "&#x10FFFF;", "&#xD800;",
		"&#0;", "&#x1F;", "&#xFFFE;", "&#X41;", "&#x;", "&foo;", "&", "&amp", "]]", ">", "]]>", "<![CDATA[x]]>", "<![CDATA[]]>",
		"<![CDATA[<&]]]]>", "<![CDATA[>]]>", "\xff", "\x01", "\x7f", "\u0085", "\uFFFD", "\r", "<!--c-->", "<b/>", "<b>1</b>", `"'`}
	genEnds = []string{">", ">", " >", "\n>", "x>", ""}
)

// flatDoc builds a document from choices, each byte picking the next
// fragment.
func flatDoc(choices []byte) string {
	pick := func(list []string) string {
		if len(choices) == 0 {
			return list[0]
		}
		c := choices[0]
		choices = choices[1:]
		return list[int(c)%len(list)]
	}
	var b strings.Builder
	b.WriteString(pick([]string{"", "", `<?xml version="1.0" encoding="UTF-8"?>`, "<?xml version='1.1'?>", "\xef\xbb\xbf", "\n"}))
	b.WriteString("<xml" + pick(genAttrs) + ">")
	for len(choices) > 0 {
		name := pick(genNames)
		b.WriteString(pick(genSpaces) + "<" + name + pick(genAttrs))
		n := len(pick([]string{"", "/", "//", "///", "////"}))
		if n == 0 {
			b.WriteString("/>")
			continue
		}
		b.WriteString(">")
		for range n - 1 {
			b.WriteString(pick(genPieces))
		}
		b.WriteString("</" + pick([]string{name, name, name, "a"}) + pick(genEnds))
	}
	b.WriteString(pick(genSpaces) + "</xml" + pick(genEnds) + pick([]string{"", "\n", " x", "<!--c-->", "<xml/>"}))
	return b.String()
}

// checkFastPath checks that whenever the fast path handles doc, the etree
// path accepts it with the same Fields. It reports whether the fast path
// handled it.
func checkFastPath(t *testing.T, doc []byte, root string) bool {
	// DecodeXMLRoot tries the fast path before the unsafe-construct scan: the fast path must
	// decline every document the scan refuses.
	if start, err := codec.Classify(doc); err == nil {
		if _, ok := codec.DecodeFlat(doc[start:], root); ok {
			require.NoError(t, codec.ScanUnsafe(doc[start:]), "fast path accepted what the scan refuses: %q", doc)
		}
	}
	body, err := codec.XMLBody(doc)
	if err != nil {
		return false // refused before either parser runs
	}
	fast, ok := codec.DecodeFlat(body, root)
	if !ok {
		return false // not handled: the etree path decides alone
	}
	require.NotNil(t, fast)
	slow, err := codec.DecodeETree(body, root)
	require.NoError(t, err, "fast path accepted what etree refuses: %q", doc)
	require.Equal(t, slow, fast, "document %q", doc)
	got, err := codec.DecodeXMLRoot(doc, root)
	require.NoError(t, err)
	require.Equal(t, fast, got)
	return true
}

func TestDecodeXMLFastPathGenerated(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	handled, declinedOK := 0, 0
	const n = 4000
	for range n {
		choices := make([]byte, rng.Intn(24))
		rng.Read(choices)
		doc := []byte(flatDoc(choices))
		if checkFastPath(t, doc, "xml") {
			handled++
		} else if _, err := codec.DecodeXML(doc); err == nil {
			declinedOK++
		}
	}
	t.Logf("%d documents: %d handled by the fast path, %d declined and accepted by etree", n, handled, declinedOK)
	require.Greater(t, handled, n/10, "the generator reaches the fast path")
}

func FuzzDecodeXMLFastPath(f *testing.F) {
	for _, s := range fastSeeds {
		f.Add([]byte(s))
	}
	for _, s := range append(fastHandled, fastDeclined...) {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		// The input as a document, as the content of an element and of the
		// root, and as the choices of flatDoc, so that mutations reach
		// values and attributes too.
		for _, doc := range [][]byte{
			data,
			append(append([]byte("<xml><a>"), data...), "</a></xml>"...),
			append(append([]byte("<xml>"), data...), "</xml>"...),
			[]byte(flatDoc(data)),
		} {
			checkFastPath(t, doc, "xml")
			checkFastPath(t, doc, "root")
		}
	})
}
