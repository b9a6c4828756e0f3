package codec

import (
	"bytes"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// decodeFlat is the fast path of [DecodeXMLRoot]: a strict hand-written
// parser for the flat shape of nearly every APIv2 answer,
//
//	[<?xml …?>] ws* <ROOT attrs> ( ws* <name attrs>CHARDATA</name> | ws* <name attrs/> )* ws* </ROOT> ws*
//
// with ws one of ' ', '\t', '\n' and CHARDATA any mix of text and CDATA
// sections, the references in text (&lt; &gt; &amp; &quot; &apos;, &#N; and
// &#xH;) decoded exactly as encoding/xml decodes them. body is what
// DecodeXMLRoot parses once classify and scanUnsafe accepted it.
//
// Contract: decodeFlat either declines (ok false: "not handled", and the etree
// path [decodeETree] runs as if it did not exist) or returns exactly the
// Fields that path returns for body: same names, values, order and repeats.
// It never accepts a body that path rejects. So it declines whatever it does
// not handle exactly: a '\r' anywhere (XML normalises line ends), comments,
// nested elements, text or CDATA directly in the root, a '<' that starts none
// of the constructs above, a name that is not [A-Za-z_][A-Za-z0-9_.-]* (so
// any a:b), an attribute not after whitespace, with space around '=', with
// '<' or '&' in its value, repeated or fifth on a tag, an XML declaration with
// anything but version="1.0", encoding and standalone with name-byte values,
// "]]>" in text, any other '&', invalid UTF-8, a character outside the XML
// Char production, a mismatched end tag, another root, trailing content.
//
// It allocates string(body), whose substrings are the names and the values
// made of one piece without references, and the Fields; any other value
// allocates once.
func decodeFlat(body []byte, root string) (Fields, bool) {
	if bytes.IndexByte(body, '\r') >= 0 {
		return nil, false
	}
	p := flat{s: string(body)}
	p.decl()
	p.ws()
	top, empty := p.startTag()
	var small [32]Field // the Fields, on the stack while they fit
	fields := small[:0]
	for !empty && !p.bad {
		if p.ws(); p.skip("</") {
			p.end(root)
			break
		}
		name, leaf := p.startTag()
		value := ""
		if !leaf {
			value = p.value()
			p.end(name)
		}
		fields = append(fields, Field{Name: name, Value: value})
	}
	if p.ws(); p.bad || top != root || p.i != len(p.s) {
		return nil, false
	}
	return append(make(Fields, 0, len(fields)), fields...), true
}

// flat is the state of decodeFlat: the document, the read offset and whether
// it declined (the offset is then at the end, so that nothing more is read).
type flat struct {
	s   string
	i   int
	bad bool
}

func (p *flat) fail() string {
	p.i, p.bad = len(p.s), true
	return ""
}

// ws skips whitespace and reports whether there was any.
func (p *flat) ws() bool {
	i := p.i
	for p.i < len(p.s) && (p.s[p.i] == ' ' || p.s[p.i] == '\t' || p.s[p.i] == '\n') {
		p.i++
	}
	return p.i > i
}

func (p *flat) skip(prefix string) bool {
	if !strings.HasPrefix(p.s[p.i:], prefix) {
		return false
	}
	p.i += len(prefix)
	return true
}

// nameByte classes the bytes encoding/xml reads as part of a name: 1 for
// A-Z a-z _, 2 for 0-9 . - and 4 for ':' and non-ASCII, declined here.
var nameByte = func() (t [256]uint8) {
	for c := range t {
		switch {
		case 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || c == '_':
			t[c] = 1
		case '0' <= c && c <= '9' || c == '.' || c == '-':
			t[c] = 2
		case c == ':' || c >= utf8.RuneSelf:
			t[c] = 4
		}
	}
	return t
}()

// name reads a name, delimited as encoding/xml delimits it.
func (p *flat) name() (name string) {
	i, seen := p.i, uint8(0)
	for ; i < len(p.s) && nameByte[p.s[i]] != 0; i++ {
		seen |= nameByte[p.s[i]]
	}
	if i == p.i || nameByte[p.s[p.i]] != 1 || seen&4 != 0 {
		return p.fail()
	}
	name, p.i = p.s[p.i:i], i
	return name
}

// attr reads name="value" or name='value'.
func (p *flat) attr() (name, value string) {
	if name = p.name(); !p.skip("=") || p.i == len(p.s) || p.s[p.i] != '"' && p.s[p.i] != '\'' {
		return p.fail(), ""
	}
	end := strings.IndexByte(p.s[p.i+1:], p.s[p.i])
	if end < 0 {
		return p.fail(), ""
	}
	value, p.i = p.s[p.i+1:p.i+1+end], p.i+end+2
	return name, value
}

// decl skips an XML declaration. Its checks make the version encoding/xml
// finds the one checked here; the encoding is ignored (etree's CharsetReader
// passes bytes through).
func (p *flat) decl() {
	for ok := p.skip("<?xml"); ok && !p.bad; {
		if sep := p.ws(); p.skip("?>") {
			return
		} else if !sep {
			p.fail()
		}
		switch name, value := p.attr(); {
		case strings.ContainsFunc(value, func(r rune) bool { return r >= utf8.RuneSelf || !isNameByte(byte(r)) }),
			name == "version" && value != "1.0", name != "version" && name != "encoding" && name != "standalone":
			p.fail()
		}
	}
}

// startTag reads <name attrs> or <name attrs/> and says which.
func (p *flat) startTag() (name string, empty bool) {
	if !p.skip("<") {
		return p.fail(), false
	}
	name = p.name()
	var seen [4]string
	for n := 0; !p.bad; n++ {
		sep := p.ws()
		switch {
		case p.skip(">"):
			return name, false
		case p.skip("/>"):
			return name, true
		case !sep || n == len(seen):
			return p.fail(), false
		}
		attr, value := p.attr()
		if strings.ContainsAny(value, "<&") || !validChars(value) || slices.Contains(seen[:n], attr) {
			return p.fail(), false
		}
		seen[n] = attr
	}
	return "", false
}

// end reads the rest of an end tag after its "</".
func (p *flat) end(name string) {
	if !p.skip(name) || p.i < len(p.s) && nameByte[p.s[p.i]] != 0 {
		p.fail()
	}
	if p.ws(); !p.skip(">") {
		p.fail()
	}
}

// value reads the character data of an element and the "</" that ends it.
func (p *flat) value() string {
	start, val := p.i, "" // val: the value while it is one piece needing no decoding
	var buf []byte        // the value once built from pieces or references
	for n := 0; !p.bad; n++ {
		rest, piece, text, ok := p.s[p.i:], "", false, true
		switch end := strings.IndexByte(rest, '<'); {
		case end > 0 && !strings.Contains(rest[:end], "]]>"):
			piece, text, p.i = rest[:end], true, p.i+end
		case end != 0: // no end tag, or "]]>" in text
			return p.fail()
		case p.skip("</"):
			if buf != nil {
				return string(buf)
			}
			return val
		case p.skip("<![CDATA["):
			if end = strings.Index(rest[9:], "]]>"); end < 0 {
				return p.fail()
			}
			piece, p.i = rest[9:9+end], p.i+end+3
		default:
			return p.fail()
		}
		if !validChars(piece) {
			return p.fail()
		}
		refs := text && strings.IndexByte(piece, '&') >= 0
		if n == 0 && !refs {
			val = piece
			continue
		}
		if buf == nil { // the raw content bounds the decoded value
			buf = append(make([]byte, 0, max(strings.Index(p.s[start:], "</"), 0)), val...)
		}
		if !refs {
			buf = append(buf, piece...)
		} else if buf, ok = appendRefs(buf, piece); !ok {
			return p.fail()
		}
	}
	return ""
}

// validChars reports whether s is valid UTF-8 of XML Chars.
func validChars(s string) bool {
	_, _, err := scanValue(s)
	return err == nil
}

var predefined = map[string]byte{"lt": '<', "gt": '>', "amp": '&', "quot": '"', "apos": '\''}

// appendRefs appends text with its references decoded as encoding/xml
// decodes them, reporting false for any other use of '&'.
func appendRefs(dst []byte, s string) ([]byte, bool) {
	for {
		text, after, found := strings.Cut(s, "&")
		if dst = append(dst, text...); !found {
			return dst, true
		}
		ref, rest, found := strings.Cut(after, ";")
		if s = rest; !found {
			return dst, false
		}
		if c, ok := predefined[ref]; ok {
			dst = append(dst, c)
			continue
		}
		digits, ok := strings.CutPrefix(ref, "#")
		base := 10
		if hex, isHex := strings.CutPrefix(digits, "x"); isHex {
			digits, base = hex, 16
		}
		n, err := strconv.ParseUint(digits, base, 64)
		r := rune(n)
		if !utf8.ValidRune(r) {
			r = utf8.RuneError // as string(rune(n)) turns a surrogate
		}
		if !ok || err != nil || n > unicode.MaxRune || r < ' ' && r != '\t' && r != '\n' && r != '\r' || r == 0xFFFE || r == 0xFFFF {
			return dst, false
		}
		dst = utf8.AppendRune(dst, r)
	}
}
