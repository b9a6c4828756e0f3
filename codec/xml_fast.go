package codec

import (
	"bytes"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// decodeFlat is the fast path of [DecodeXMLRoot]: a strict hand-written
// parser for the flat shape nearly every APIv2 answer has,
//
//	[<?xml …?>] ws* <ROOT attrs> ( ws* <name attrs>CHARDATA</name> | ws* <name attrs/> )* ws* </ROOT> ws*
//
// where ws is ' ', '\t' or '\n' and CHARDATA mixes text and CDATA sections,
// text with &lt; &gt; &amp; &quot; &apos; and character references &#N;
// &#xH; decoded as encoding/xml decodes them (a surrogate becomes U+FFFD; a
// code point above U+10FFFF or outside the XML Char production is refused).
// body is what DecodeXMLRoot parses once classify and scanUnsafe accepted it.
//
// Contract: decodeFlat either reports ok == false ("not handled", and the
// etree path runs as if it did not exist) or returns exactly the Fields the
// etree path ([decodeETree]) returns for body: same names, values, order and
// repeats. It never accepts a body that path rejects. So it declines whatever
// it does not handle exactly: a '\r' anywhere (XML normalises line ends),
// comments, nested elements, CDATA or other text directly in the root, any '<'
// that does not start a recognised construct, names that are not ASCII
// [A-Za-z_][A-Za-z0-9_.-]* (so a prefix like a:b declines), attributes
// without whitespace before them, with space around '=', with '<' or '&' in
// their value, duplicated or more than 4 on a tag, an XML declaration other
// than version="1.0" / encoding / standalone with plain values, "]]>" in text,
// any other '&', invalid UTF-8 or a character outside the Char production,
// a mismatched end tag, another root name and trailing non-whitespace.
//
// It allocates one string(body), whose substrings are the names and the
// values made of one text run or one CDATA section, and the Fields slice;
// only values with references or of several pieces allocate themselves.
func decodeFlat(body []byte, root string) (Fields, bool) {
	if bytes.IndexByte(body, '\r') >= 0 {
		return nil, false
	}
	p := flat{s: string(body)}
	if !p.decl() {
		return nil, false
	}
	p.ws()
	name, empty, ok := p.startTag()
	if !ok || name != root {
		return nil, false
	}
	var small [32]Field // the Fields, on the stack while they fit
	fields := small[:0]
	for !empty {
		p.ws()
		if p.skip("</") {
			if !p.end(root) {
				return nil, false
			}
			break
		}
		name, leaf, ok := p.startTag()
		if !ok {
			return nil, false
		}
		value := ""
		if !leaf {
			if value, ok = p.value(); !ok || !p.end(name) {
				return nil, false
			}
		}
		fields = append(fields, Field{Name: name, Value: value})
	}
	if p.ws(); p.i != len(p.s) {
		return nil, false
	}
	return append(make(Fields, 0, len(fields)), fields...), true
}

// flat is the state of decodeFlat: the document and the read offset.
type flat struct {
	s string
	i int
}

func (p *flat) ws() {
	for p.i < len(p.s) && (p.s[p.i] == ' ' || p.s[p.i] == '\t' || p.s[p.i] == '\n') {
		p.i++
	}
}

func (p *flat) skip(prefix string) bool {
	if !strings.HasPrefix(p.s[p.i:], prefix) {
		return false
	}
	p.i += len(prefix)
	return true
}

// Name byte classes: nameFirst and nameRest make up the names accepted here;
// nameOther are the other bytes encoding/xml reads as part of a name.
const (
	nameFirst = 1 << iota // A-Z a-z _
	nameRest              // A-Z a-z _ 0-9 . -
	nameOther             // ':' and non-ASCII bytes
)

var nameClass = func() (t [256]uint8) {
	for c := range 256 {
		switch {
		case c >= utf8.RuneSelf || c == ':':
			t[c] = nameOther
		case isNameByte(byte(c)) && validName(string(rune(c))):
			t[c] = nameFirst | nameRest
		case isNameByte(byte(c)):
			t[c] = nameRest
		}
	}
	return t
}()

// name reads a name as encoding/xml delimits it and accepts it only if it
// is [A-Za-z_][A-Za-z0-9_.-]*.
func (p *flat) name() (string, bool) {
	i, seen := p.i, uint8(0)
	for ; i < len(p.s) && nameClass[p.s[i]] != 0; i++ {
		seen |= nameClass[p.s[i]]
	}
	name := p.s[p.i:i]
	p.i = i
	return name, name != "" && nameClass[name[0]]&nameFirst != 0 && seen&nameOther == 0
}

// attr reads name="value" or name='value'.
func (p *flat) attr() (name, value string, ok bool) {
	if name, ok = p.name(); !ok || !p.skip("=") || p.i >= len(p.s) || p.s[p.i] != '"' && p.s[p.i] != '\'' {
		return "", "", false
	}
	end := strings.IndexByte(p.s[p.i+1:], p.s[p.i])
	if end < 0 {
		return "", "", false
	}
	value = p.s[p.i+1 : p.i+1+end]
	p.i += end + 2
	return name, value, true
}

// decl skips a leading <?xml …?> whose pseudo-attributes are version="1.0",
// encoding and standalone with values of name bytes only, so that the
// version encoding/xml finds is the one checked here (the encoding is
// ignored: etree's CharsetReader passes the bytes through).
func (p *flat) decl() bool {
	if !p.skip("<?xml") {
		return true
	}
	for {
		before := p.i
		if p.ws(); p.skip("?>") {
			return true
		}
		if p.i == before {
			return false
		}
		name, value, ok := p.attr()
		if !ok || strings.ContainsFunc(value, func(r rune) bool { return r >= utf8.RuneSelf || !isNameByte(byte(r)) }) {
			return false
		}
		if name == "version" && value != "1.0" || name != "version" && name != "encoding" && name != "standalone" {
			return false
		}
	}
}

// startTag reads <name attrs> or <name attrs/> and reports which.
func (p *flat) startTag() (name string, empty, ok bool) {
	if !p.skip("<") {
		return "", false, false
	}
	if name, ok = p.name(); !ok {
		return "", false, false
	}
	var seen [4]string
	for n := 0; ; n++ {
		before := p.i
		p.ws()
		switch {
		case p.skip(">"):
			return name, false, true
		case p.skip("/>"):
			return name, true, true
		case p.i == before || n == len(seen):
			return "", false, false
		}
		attr, value, ok := p.attr()
		if !ok || strings.ContainsAny(value, "<&") || !validChars(value) {
			return "", false, false
		}
		for _, a := range seen[:n] {
			if a == attr {
				return "", false, false
			}
		}
		seen[n] = attr
	}
}

// end reads the rest of an end tag after its "</": name, ws, '>'.
func (p *flat) end(name string) bool {
	if !p.skip(name) || p.i < len(p.s) && nameClass[p.s[p.i]] != 0 {
		return false
	}
	p.ws()
	return p.skip(">")
}

// value reads a child's character data, text runs and CDATA sections
// concatenated, and the "</" that ends it.
func (p *flat) value() (string, bool) {
	start := p.i
	val := ""      // the value while it is one piece without references
	var buf []byte // the value once built from pieces or references
	for n := 0; ; n++ {
		rest, piece, text := p.s[p.i:], "", false
		switch {
		case rest != "" && rest[0] != '<':
			end := strings.IndexByte(rest, '<')
			if end < 0 || strings.Contains(rest[:end], "]]>") {
				return "", false
			}
			piece, text = rest[:end], true
			p.i += end
		case p.skip("</"):
			if buf != nil {
				return string(buf), true
			}
			return val, true
		case p.skip("<![CDATA["):
			end := strings.Index(rest[9:], "]]>")
			if end < 0 {
				return "", false
			}
			piece = rest[9 : 9+end]
			p.i += end + 3
		default:
			return "", false
		}
		if !validChars(piece) {
			return "", false
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
		} else if buf, text = appendRefs(buf, piece); !text {
			return "", false
		}
	}
}

// validChars reports whether s is valid UTF-8 of XML Chars other than '\r'.
func validChars(s string) bool {
	i := 0
	for ; i+8 <= len(s); i += 8 { // eight printable ASCII bytes at a time
		x := uint64(s[i]) | uint64(s[i+1])<<8 | uint64(s[i+2])<<16 | uint64(s[i+3])<<24 |
			uint64(s[i+4])<<32 | uint64(s[i+5])<<40 | uint64(s[i+6])<<48 | uint64(s[i+7])<<56
		if x&highs != 0 || (x-ones*0x20)&^x&highs != 0 {
			break
		}
	}
	for i < len(s) {
		if c := s[i]; c >= 0x20 && c < utf8.RuneSelf || c == '\t' || c == '\n' {
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:]) // size 1: control or invalid
		if size == 1 || r == 0xFFFE || r == 0xFFFF {
			return false
		}
		i += size
	}
	return true
}

// appendRefs appends text with its references decoded as encoding/xml
// decodes them, reporting false for any other use of '&'.
func appendRefs(dst []byte, s string) ([]byte, bool) {
	for {
		amp := strings.IndexByte(s, '&')
		if amp < 0 {
			return append(dst, s...), true
		}
		dst = append(dst, s[:amp]...)
		s = s[amp+1:]
		semi := strings.IndexByte(s, ';')
		if semi < 0 {
			return dst, false
		}
		switch ref := s[:semi]; ref {
		case "lt":
			dst = append(dst, '<')
		case "gt":
			dst = append(dst, '>')
		case "amp":
			dst = append(dst, '&')
		case "quot":
			dst = append(dst, '"')
		case "apos":
			dst = append(dst, '\'')
		default:
			digits, ok := strings.CutPrefix(ref, "#")
			base := 10
			if hex, isHex := strings.CutPrefix(digits, "x"); isHex {
				digits, base = hex, 16
			}
			n, err := strconv.ParseUint(digits, base, 64)
			if !ok || err != nil || n > unicode.MaxRune {
				return dst, false
			}
			r := rune(n)
			if !utf8.ValidRune(r) {
				r = utf8.RuneError // string(rune(n)) of a surrogate
			}
			if !(r == '\t' || r == '\n' || r == '\r' || 0x20 <= r && r <= 0xD7FF || 0xE000 <= r && r <= 0xFFFD || r >= 0x10000) {
				return dst, false
			}
			dst = utf8.AppendRune(dst, r)
		}
		s = s[semi+1:]
	}
}
