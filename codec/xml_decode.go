package codec

import (
	"bytes"
	"errors"
	"fmt"

	"github.com/beevik/etree"
)

// maxDepth bounds element nesting in a decoded answer.
const maxDepth = 64

// DecodeXML parses an APIv2 answer whose root element is <xml>. It is
// DecodeXMLRoot(data, "xml").
func DecodeXML(data []byte) (Fields, error) {
	return DecodeXMLRoot(data, "xml")
}

// DecodeXMLInto parses an APIv2 answer (root <xml>) with [DecodeXML] and
// stores its fields in v with [Fields.Decode].
func DecodeXMLInto(data []byte, v any) error {
	f, err := DecodeXML(data)
	if err != nil {
		return err
	}
	return f.Decode(v)
}

// DecodeXMLRoot parses a flat XML document whose root element is called root
// (for example "root" for the decrypted refund notification req_info) into
// Fields.
//
// The body is checked before it is parsed, in this order:
//
//   - A leading UTF-8 byte order mark and whitespace are skipped.
//   - An empty body, gzip data, a JSON body ('{' or '['), an HTML page
//     ("<!DOCTYPE html" or "<html", in any case, possibly after an XML
//     declaration and comments) and anything else not starting with '<'
//     ("text/CSV") give an error wrapping [ErrNotXML] that says so and quotes
//     the first bytes (at most 64) of the body. An empty body also wraps
//     [ErrEmptyBody].
//   - A byte scan then refuses, with an error wrapping [ErrUnsafeXML], any
//     <!…> directive other than CDATA sections and comments (DOCTYPE,
//     ENTITY, …), any processing instruction other than a leading <?xml …?>
//     declaration, and any entity reference other than &lt; &gt; &amp;
//     &quot; &apos; and numeric character references. Nothing is expanded,
//     so entity attacks cost nothing.
//
// The document is then parsed strictly: the common flat shape by a small
// hand-written parser that gives exactly etree's results, anything else with
// etree (without any entity map).
// Malformed XML, more than one root element, non-whitespace text outside the
// root element or directly inside it, nesting deeper than 64 elements, and a
// root element whose name (with its namespace prefix, as written) is not
// root give errors wrapping [ErrNotXML].
//
// Each child element of the root becomes one Field, in document order:
//
//   - Name is the tag as written, with its namespace prefix if any.
//   - Value is the element's character data exactly: text and CDATA sections
//     concatenated, entity and character references decoded, never trimmed.
//     Comments are skipped.
//   - A child that has element children itself gets as Value its inner XML
//     re-serialized compactly: elements with their attributes, character
//     data escaped (&amp; &lt; &gt; &quot; &apos;, '\r' as &#xD;), CDATA
//     written as escaped text, empty elements as <a></a>, comments and
//     whitespace-only text between elements dropped. So nothing of substance
//     is lost and the value can be parsed again.
//   - Repeated elements give repeated Fields; attributes of the root and of
//     its children are ignored; whitespace-only text between the children is
//     ignored.
//
// The returned Fields are never nil on success (an empty root gives empty
// Fields).
func DecodeXMLRoot(data []byte, root string) (Fields, error) {
	start, err := classify(data)
	if err != nil {
		return nil, err
	}
	body := data[start:]
	// The fast path first: its grammar (flat elements, CDATA, the predefined and numeric
	// references, one leading XML declaration) admits nothing scanUnsafe refuses, so a
	// document it accepts needs no scan (FuzzDecodeXMLFastPath checks this).
	if fields, ok := decodeFlat(body, root); ok {
		return fields, nil
	}
	if err := scanUnsafe(body, start); err != nil {
		return nil, err
	}
	return decodeETree(body, root)
}

// decodeETree is the general parser of DecodeXMLRoot, used for body
// whenever the fast path [decodeFlat] declines it.
func decodeETree(body []byte, root string) (Fields, error) {
	doc := etree.NewDocument()
	doc.ReadSettings = etree.ReadSettings{MaxDepth: maxDepth}
	if err := doc.ReadFromBytes(body); err != nil {
		return nil, malformed(err)
	}
	var rootEl *etree.Element
	for _, tok := range doc.Child {
		switch t := tok.(type) {
		case *etree.Element:
			if rootEl != nil {
				return nil, fmt.Errorf("%w: malformed XML: more than one root element (<%s> after <%s>)", ErrNotXML, t.FullTag(), rootEl.FullTag())
			}
			rootEl = t
		case *etree.CharData:
			if !t.IsWhitespace() {
				where := "before the root element"
				if rootEl != nil {
					where = "after the root element"
				}
				return nil, fmt.Errorf("%w: malformed XML: text %s: %s", ErrNotXML, where, snippet([]byte(t.Data)))
			}
		case *etree.ProcInst:
			if t.Target != "xml" || rootEl != nil { // unreachable after scanUnsafe
				return nil, fmt.Errorf("%w: processing instruction <?%s", ErrUnsafeXML, t.Target)
			}
		case *etree.Directive: // unreachable after scanUnsafe
			return nil, fmt.Errorf("%w: directive <!%s", ErrUnsafeXML, snippet([]byte(t.Data)))
		}
	}
	if rootEl == nil {
		return nil, fmt.Errorf("%w: malformed XML: no root element: %s", ErrNotXML, snippet(body))
	}
	if tag := rootEl.FullTag(); tag != root {
		return nil, fmt.Errorf("%w: unexpected root <%s>, want <%s>", ErrNotXML, tag, root)
	}
	n := 0
	for _, tok := range rootEl.Child {
		if _, ok := tok.(*etree.Element); ok {
			n++
		}
	}
	fields := make(Fields, 0, n)
	for _, tok := range rootEl.Child {
		switch t := tok.(type) {
		case *etree.Element:
			fields = append(fields, Field{Name: t.FullTag(), Value: elementValue(t)})
		case *etree.CharData:
			if !t.IsWhitespace() {
				return nil, fmt.Errorf("%w: text directly inside <%s>: %s", ErrNotXML, root, snippet([]byte(t.Data)))
			}
		}
	}
	return fields, nil
}

func malformed(err error) error {
	switch {
	case errors.Is(err, etree.ErrXML):
		return fmt.Errorf("%w: malformed XML: mismatched or unclosed element (%w)", ErrNotXML, err)
	case errors.Is(err, etree.ErrMaxDepth):
		return fmt.Errorf("%w: malformed XML: elements nested deeper than %d (%w)", ErrNotXML, maxDepth, err)
	}
	return fmt.Errorf("%w: malformed XML: %w", ErrNotXML, err)
}

// elementValue returns the character data of a leaf element, or the compact
// inner XML of an element with element children.
func elementValue(el *etree.Element) string {
	nested := false
	chars := 0
	var only *etree.CharData
	for _, tok := range el.Child {
		switch t := tok.(type) {
		case *etree.Element:
			nested = true
		case *etree.CharData:
			chars++
			only = t
		}
	}
	if nested {
		return string(appendInner(nil, el))
	}
	switch chars {
	case 0:
		return ""
	case 1:
		return only.Data
	}
	var b []byte
	for _, tok := range el.Child {
		if t, ok := tok.(*etree.CharData); ok {
			b = append(b, t.Data...)
		}
	}
	return string(b)
}

func appendInner(dst []byte, el *etree.Element) []byte {
	nested := false
	for _, tok := range el.Child {
		if _, ok := tok.(*etree.Element); ok {
			nested = true
			break
		}
	}
	for _, tok := range el.Child {
		switch t := tok.(type) {
		case *etree.Element:
			dst = append(dst, '<')
			dst = append(dst, t.FullTag()...)
			for _, a := range t.Attr {
				dst = append(dst, ' ')
				dst = append(dst, a.FullKey()...)
				dst = append(dst, `="`...)
				dst = appendAttr(dst, a.Value)
				dst = append(dst, '"')
			}
			dst = append(dst, '>')
			dst = appendInner(dst, t)
			dst = append(dst, "</"...)
			dst = append(dst, t.FullTag()...)
			dst = append(dst, '>')
		case *etree.CharData:
			if nested && t.IsWhitespace() {
				continue
			}
			dst = appendEscaped(dst, t.Data)
		}
	}
	return dst
}

// appendAttr escapes an attribute value so that attribute-value
// normalisation leaves it unchanged.
func appendAttr(dst []byte, s string) []byte {
	last := 0
	for i := 0; i < len(s); i++ {
		var esc string
		switch s[i] {
		case '&':
			esc = "&amp;"
		case '<':
			esc = "&lt;"
		case '"':
			esc = "&quot;"
		case '\t':
			esc = "&#x9;"
		case '\n':
			esc = "&#xA;"
		case '\r':
			esc = "&#xD;"
		default:
			continue
		}
		dst = append(dst, s[last:i]...)
		dst = append(dst, esc...)
		last = i + 1
	}
	return append(dst, s[last:]...)
}

// Body kinds, as reported in ErrNotXML messages.
const (
	kindEmpty = "empty body"
	kindGzip  = "gzip data"
	kindJSON  = "JSON body"
	kindHTML  = "HTML page"
	kindText  = "text/CSV"
	kindXML   = "XML"
)

// describe says what a body looks like: one of the kind constants.
func describe(data []byte) string {
	if len(data) >= 2 && data[0] == 0x1f && data[1] == 0x8b {
		return kindGzip
	}
	b := skipSpace(bytes.TrimPrefix(data, utf8BOM))
	if len(b) == 0 {
		return kindEmpty
	}
	switch b[0] {
	case '{', '[':
		return kindJSON
	case '<':
	default:
		return kindText
	}
	p := b
	if bytes.HasPrefix(p, []byte("<?xml")) {
		if i := bytes.Index(p, []byte("?>")); i >= 0 {
			p = skipSpace(p[i+2:])
		}
	}
	for bytes.HasPrefix(p, []byte("<!--")) {
		i := bytes.Index(p[4:], []byte("-->"))
		if i < 0 {
			break
		}
		p = skipSpace(p[4+i+3:])
	}
	if hasPrefixFold(p, "<!doctype html") || hasPrefixFold(p, "<html") {
		return kindHTML
	}
	return kindXML
}

var utf8BOM = []byte("\xef\xbb\xbf")

// classify returns the offset of the first significant byte of an XML body,
// or an ErrNotXML error saying what the body looks like instead.
func classify(data []byte) (int, error) {
	kind := describe(data)
	switch kind {
	case kindXML:
		b := bytes.TrimPrefix(data, utf8BOM)
		return len(data) - len(skipSpace(b)), nil
	case kindEmpty:
		return 0, &multiError{msg: ErrNotXML.Error() + ": " + kindEmpty, errs: []error{ErrNotXML, ErrEmptyBody}}
	}
	shown := data
	if kind != kindGzip {
		shown = skipSpace(bytes.TrimPrefix(data, utf8BOM))
	}
	return 0, fmt.Errorf("%w: %s: %s", ErrNotXML, kind, snippet(shown))
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

func skipSpace(b []byte) []byte {
	for len(b) > 0 && isSpace(b[0]) {
		b = b[1:]
	}
	return b
}

func hasPrefixFold(b []byte, prefix string) bool {
	return len(b) >= len(prefix) && bytes.EqualFold(b[:len(prefix)], []byte(prefix))
}

// scanUnsafe refuses directives, processing instructions (other than a
// leading XML declaration) and entity references other than the predefined
// and numeric ones, skipping CDATA sections and comments. base is the offset
// of b in the original body, for messages. Syntax errors it meets are left
// for the parser to report.
func scanUnsafe(b []byte, base int) error {
	i := 0
	if len(b) > 5 && string(b[:5]) == "<?xml" && (isSpace(b[5]) || b[5] == '?') {
		end := bytes.Index(b, []byte("?>"))
		if end < 0 {
			return nil
		}
		i = end + 2
	}
	for i < len(b) {
		c := b[i]
		if c != '<' && c != '&' {
			i++
			continue
		}
		rest := b[i:]
		if c == '&' {
			if err := checkEntity(rest); err != nil {
				return fmt.Errorf("%w: %s at byte %d", ErrUnsafeXML, err.msg, base+i)
			}
			i++
			continue
		}
		if len(rest) < 2 {
			return nil
		}
		switch rest[1] {
		case '!':
			switch {
			case bytes.HasPrefix(rest, []byte("<![CDATA[")):
				end := bytes.Index(rest[9:], []byte("]]>"))
				if end < 0 {
					return nil
				}
				i += 9 + end + 3
			case bytes.HasPrefix(rest, []byte("<!--")):
				end := bytes.Index(rest[4:], []byte("-->"))
				if end < 0 {
					return nil
				}
				i += 4 + end + 3
			default:
				return fmt.Errorf("%w: %s at byte %d", ErrUnsafeXML, directiveName(rest), base+i)
			}
		case '?':
			word := rest[2:min(len(rest), 2+32)]
			if j := bytes.IndexAny(word, " \t\r\n?>"); j >= 0 {
				word = word[:j]
			}
			return fmt.Errorf("%w: processing instruction <?%s at byte %d", ErrUnsafeXML, word, base+i)
		default:
			i++
		}
	}
	return nil
}

func directiveName(rest []byte) string {
	switch {
	case hasPrefixFold(rest, "<!DOCTYPE"):
		return "DOCTYPE declaration"
	case hasPrefixFold(rest, "<!ENTITY"):
		return "ENTITY declaration"
	}
	word := rest[:min(len(rest), 16)]
	return "directive " + fmt.Sprintf("%q", word)
}

// checkEntity checks the reference starting at rest[0] == '&'. A reference
// that is not terminated by ';' after a plain ASCII name is left to the
// parser, which rejects it.
func checkEntity(rest []byte) *scanError {
	if len(rest) > 1 && rest[1] == '#' {
		return nil
	}
	j := 1
	for j < len(rest) && j <= 64 && isNameByte(rest[j]) {
		j++
	}
	if j >= len(rest) || rest[j] != ';' || j == 1 {
		return nil
	}
	switch string(rest[1:j]) {
	case "lt", "gt", "amp", "quot", "apos":
		return nil
	}
	return &scanError{fmt.Sprintf("entity reference %q", rest[:j+1])}
}

func isNameByte(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
		c == '_' || c == '-' || c == '.' || c == ':'
}
