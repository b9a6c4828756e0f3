package codec

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// EncodeXML writes fields as an APIv2 document:
//
//	<xml><name>value</name>…</xml>
//
// exactly: no XML declaration, no whitespace or indentation, one element per
// field in the given order (repeated names give repeated elements). Empty
// Fields give "<xml></xml>" and an empty value gives "<name></name>".
//
// Values are written so that [DecodeXML] returns them byte for byte:
//
//   - A value without any of < > & " ' and without '\r' is written as is.
//   - A value containing any of < > & " ' is written as a CDATA section; a
//     "]]>" inside it is split as "]]]]><![CDATA[>".
//   - A value containing '\r' is written as escaped text instead (& < > " '
//     as entity references and '\r' as "&#xD;"), because XML parsers
//     normalise a literal "\r" or "\r\n" to "\n", in CDATA too.
//
// A name must be a valid XML name in this restricted ASCII form: an ASCII
// letter or '_' first, then ASCII letters, digits, '_', '-' or '.'; otherwise
// the error wraps [ErrInvalidName]. A value with invalid UTF-8 or a
// character outside the XML 1.0 Char production (#x9 | #xA | #xD |
// [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF]) gives an error
// wrapping [ErrInvalidChar] that names the field. Nothing is written on
// error.
//
// EncodeXML allocates exactly once: the result, sized exactly.
func EncodeXML(fields Fields) ([]byte, error) {
	return AppendXML(nil, fields)
}

// AppendXML is like [EncodeXML] but appends the document to dst and returns
// the extended buffer; dst is returned unchanged on error. It grows dst at
// most once, so with enough spare capacity it does not allocate at all.
func AppendXML(dst []byte, fields Fields) ([]byte, error) {
	// Pass 1: validate and size. Keep the per-field writing mode on the
	// stack for typical documents.
	var small [32]uint8
	var modes []uint8
	if len(fields) <= len(small) {
		modes = small[:len(fields)]
	} else {
		modes = make([]uint8, len(fields))
	}
	size := len("<xml></xml>")
	for i := range fields {
		f := &fields[i]
		if !validName(f.Name) {
			return dst, fmt.Errorf("%w: %q", ErrInvalidName, f.Name)
		}
		mode, n, err := scanValue(f.Value)
		if err != nil {
			return dst, fmt.Errorf("%w: field %q: %s", ErrInvalidChar, f.Name, err.msg)
		}
		modes[i] = mode
		size += 2*len(f.Name) + len("<></>") + n
	}
	if cap(dst)-len(dst) < size {
		grown := make([]byte, len(dst), len(dst)+size)
		copy(grown, dst)
		dst = grown
	}
	// Pass 2: write.
	dst = append(dst, "<xml>"...)
	for i := range fields {
		f := &fields[i]
		dst = append(dst, '<')
		dst = append(dst, f.Name...)
		dst = append(dst, '>')
		switch modes[i] {
		case modePlain:
			dst = append(dst, f.Value...)
		case modeCDATA:
			dst = appendCDATA(dst, f.Value)
		default:
			dst = appendEscaped(dst, f.Value)
		}
		dst = append(dst, "</"...)
		dst = append(dst, f.Name...)
		dst = append(dst, '>')
	}
	return append(dst, "</xml>"...), nil
}

const (
	modePlain uint8 = iota
	modeCDATA
	modeEscaped
)

// Byte classes.
const (
	clsOK      = iota
	clsSpecial // < > & " '
	clsCR      // '\r'
	clsBad     // control characters other than \t \n \r
	clsMulti   // first byte of a multi-byte (or invalid) UTF-8 sequence
)

var byteClass = func() (t [256]uint8) {
	for c := range 0x20 {
		t[c] = clsBad
	}
	t['\t'], t['\n'], t['\r'] = clsOK, clsOK, clsCR
	for _, c := range `<>&"'` {
		t[c] = clsSpecial
	}
	for c := utf8.RuneSelf; c < 256; c++ {
		t[c] = clsMulti
	}
	return t
}()

type scanError struct{ msg string }

const (
	ones  = 0x0101010101010101
	highs = 0x8080808080808080
)

// hasByte reports whether any byte of x equals b (b < 0x80).
func hasByte(x, b uint64) bool {
	y := x ^ (ones * b)
	return (y-ones)&^y&highs != 0
}

// skipPlain returns the index of the first byte at or after i that is not
// plain printable ASCII (clsOK) or len(s). It tests eight bytes at a time.
func skipPlain(s string, i int) int {
	for ; i+8 <= len(s); i += 8 {
		x := uint64(s[i]) | uint64(s[i+1])<<8 | uint64(s[i+2])<<16 | uint64(s[i+3])<<24 |
			uint64(s[i+4])<<32 | uint64(s[i+5])<<40 | uint64(s[i+6])<<48 | uint64(s[i+7])<<56
		// Any byte >= 0x80, any byte < 0x20 (including \t and \n, which
		// then take the byte-wise path), or any of < > & " '.
		if x&highs != 0 || (x-ones*0x20)&^x&highs != 0 ||
			hasByte(x, '<') || hasByte(x, '>') || hasByte(x, '&') || hasByte(x, '"') || hasByte(x, '\'') {
			break
		}
	}
	for i < len(s) && byteClass[s[i]] == clsOK {
		i++
	}
	return i
}

// scanValue validates s and returns the writing mode and the number of bytes
// the value takes in that mode.
func scanValue(s string) (mode uint8, n int, err *scanError) {
	special, cr := false, false
	for i := 0; ; {
		i = skipPlain(s, i)
		if i >= len(s) {
			break
		}
		switch byteClass[s[i]] {
		case clsSpecial:
			special = true
			i++
		case clsCR:
			cr = true
			i++
		case clsBad:
			return 0, 0, &scanError{fmt.Sprintf("character %U at byte %d", rune(s[i]), i)}
		default:
			r, size := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && size == 1 {
				return 0, 0, &scanError{fmt.Sprintf("invalid UTF-8 at byte %d", i)}
			}
			if r == 0xFFFE || r == 0xFFFF {
				return 0, 0, &scanError{fmt.Sprintf("character %U at byte %d", r, i)}
			}
			i += size
		}
	}
	switch {
	case cr:
		n = len(s)
		for i := 0; i < len(s); i++ {
			switch s[i] {
			case '<', '>':
				n += len("&lt;") - 1
			case '&', '\r':
				n += len("&amp;") - 1
			case '"', '\'':
				n += len("&quot;") - 1
			}
		}
		return modeEscaped, n, nil
	case special:
		return modeCDATA, len(s) + len("<![CDATA[]]>") + strings.Count(s, "]]>")*len("]]><![CDATA["), nil
	}
	return modePlain, len(s), nil
}

func appendCDATA(dst []byte, s string) []byte {
	dst = append(dst, "<![CDATA["...)
	for {
		i := strings.Index(s, "]]>")
		if i < 0 {
			break
		}
		dst = append(dst, s[:i+2]...)
		dst = append(dst, "]]><![CDATA["...)
		s = s[i+2:]
	}
	dst = append(dst, s...)
	return append(dst, "]]>"...)
}

// appendEscaped writes s as character data with & < > " ' and '\r' escaped.
func appendEscaped(dst []byte, s string) []byte {
	last := 0
	for i := 0; i < len(s); i++ {
		var esc string
		switch s[i] {
		case '&':
			esc = "&amp;"
		case '<':
			esc = "&lt;"
		case '>':
			esc = "&gt;"
		case '"':
			esc = "&quot;"
		case '\'':
			esc = "&apos;"
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

// validName reports whether s is an ASCII letter or '_' followed by ASCII
// letters, digits, '_', '-' or '.'.
func validName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', c == '_':
		case i > 0 && ('0' <= c && c <= '9' || c == '-' || c == '.'):
		default:
			return false
		}
	}
	return true
}
