// Package chain turns a URL path written as a template — "v3/pay/transactions/id/{transaction_id}",
// "…/<transaction_id>" or "…/_transaction_id_" — into the escaped path of one call, and holds
// the nodes that carry a template and its bound values to the transport.
//
// Templates are parsed once, when a node is made; values are checked and escaped when a
// call is made, before anything is sent.
package chain

import (
	"errors"
	"fmt"
	"strings"

	"github.com/wxpay-go/wxpay/catalog"
	"github.com/wxpay-go/wxpay/internal/wire"
	"github.com/wxpay-go/wxpay/transport"
)

var (
	// ErrMissingPathParam: a placeholder of the template has no value. Nothing is sent.
	ErrMissingPathParam = errors.New("wxpay: missing path parameter")
	// ErrInvalidPathParam: a path value is empty, "." or "..". Nothing is sent.
	ErrInvalidPathParam = errors.New("wxpay: invalid path parameter")
	// ErrInvalidTemplate: the path template itself is malformed. Nothing is sent.
	ErrInvalidTemplate = errors.New("wxpay: invalid path template")
	// ErrZeroNode: a verb was called on the zero Node, which has no client. It wraps
	// transport.ErrInvalidRequest. Nothing is sent.
	ErrZeroNode = fmt.Errorf("%w: the zero Node has no client; get nodes from the client (wx.Chain, wx.V3, …)", transport.ErrInvalidRequest)
)

// Template is a parsed path template. It is immutable and safe to share.
type Template struct {
	text  string   // canonical form: placeholders as {name}
	shape string   // placeholders as {}: the catalog key
	parts []part   // literal text and placeholders, in order
	names []string // placeholder names, in order
}

type part struct {
	lit   string // literal text, kept exactly as written (already URL-safe)
	name  string // placeholder name; "" for a literal part
	whole bool   // the placeholder is a whole segment
}

// Parse parses a path template. Placeholders are {name}, <name>, or a whole segment _name_;
// names are letters, digits, '_' and '-'. Literal segments are kept exactly (capitals
// included); a template ending in "/" keeps it; a leading "/" is dropped. Empty segments
// in the middle, "." and "..", '?', '#', spaces and absolute URLs are refused: use the
// Query and BaseURL options instead.
func Parse(s string) (*Template, error) {
	src := s
	s = strings.TrimPrefix(s, "/")
	if s == "" {
		return nil, fmt.Errorf("%w: empty path", ErrInvalidTemplate)
	}
	if strings.Contains(s, "://") {
		return nil, fmt.Errorf("%w: %q is an absolute URL; pass the path and set BaseURL", ErrInvalidTemplate, src)
	}
	t := &Template{}
	var canon strings.Builder
	segs := strings.Split(s, "/")
	for i, seg := range segs {
		if i > 0 {
			canon.WriteByte('/')
			t.addLit("/")
		}
		switch {
		case seg == "" && i == len(segs)-1: // trailing "/" is kept
		case seg == "":
			return nil, fmt.Errorf("%w: %q has an empty segment", ErrInvalidTemplate, src)
		case seg == "." || seg == "..":
			return nil, fmt.Errorf("%w: %q has a %q segment", ErrInvalidTemplate, src, seg)
		case len(seg) > 2 && seg[0] == '_' && seg[len(seg)-1] == '_' && validName(seg[1:len(seg)-1]):
			t.addName(seg[1:len(seg)-1], true, &canon)
		default:
			if err := t.parseSegment(seg, src, &canon); err != nil {
				return nil, err
			}
		}
	}
	t.text = canon.String()
	t.shape = catalog.Shape(t.text)
	return t, nil
}

// MustParse is Parse for templates known to be valid; it panics otherwise.
func MustParse(s string) *Template {
	t, err := Parse(s)
	if err != nil {
		panic(err)
	}
	return t
}

func (t *Template) parseSegment(seg, src string, canon *strings.Builder) error {
	for seg != "" {
		i := strings.IndexAny(seg, "{<")
		if i < 0 {
			return t.literal(seg, src, canon)
		}
		if err := t.literal(seg[:i], src, canon); err != nil {
			return err
		}
		closer := byte('}')
		if seg[i] == '<' {
			closer = '>'
		}
		j := strings.IndexByte(seg[i:], closer)
		if j < 0 || !validName(seg[i+1:i+j]) {
			return fmt.Errorf("%w: %q: bad placeholder in segment %q", ErrInvalidTemplate, src, seg)
		}
		t.addName(seg[i+1:i+j], i == 0 && i+j+1 == len(seg), canon)
		seg = seg[i+j+1:]
	}
	return nil
}

func (t *Template) literal(s, src string, canon *strings.Builder) error {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c <= ' ' || c >= 0x7f || strings.IndexByte(`?#%"<>\^`+"`{|}", c) >= 0 {
			return fmt.Errorf("%w: %q: character %q is not allowed in a literal segment", ErrInvalidTemplate, src, c)
		}
	}
	canon.WriteString(s)
	t.addLit(s)
	return nil
}

func (t *Template) addLit(s string) {
	if n := len(t.parts); n > 0 && t.parts[n-1].name == "" {
		t.parts[n-1].lit += s
		return
	}
	if s != "" {
		t.parts = append(t.parts, part{lit: s})
	}
}

func (t *Template) addName(name string, whole bool, canon *strings.Builder) {
	canon.WriteString("{" + name + "}")
	t.parts = append(t.parts, part{name: name, whole: whole})
	t.names = append(t.names, name)
}

func validName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// String returns the template with placeholders in {name} form.
func (t *Template) String() string { return t.text }

// Names returns the placeholder names in order.
func (t *Template) Names() []string { return append([]string(nil), t.names...) }

// Expand fills the placeholders: a value in call (the per-call PathParam options, later
// ones winning) overrides one bound on the node. Each value is escaped as one segment.
func (t *Template) Expand(bound, call []wire.Param) (string, error) {
	if len(t.names) == 0 {
		return t.text, nil
	}
	var b strings.Builder
	b.Grow(len(t.text) + 16)
	for _, p := range t.parts {
		if p.name == "" {
			b.WriteString(p.lit)
			continue
		}
		v, ok := lookup(call, p.name)
		if !ok {
			v, ok = lookup(bound, p.name)
		}
		if !ok {
			return "", fmt.Errorf("%w: {%s} in %s", ErrMissingPathParam, p.name, t.text)
		}
		if !v.Escaped {
			if v.Value == "" || v.Value == "." || v.Value == ".." {
				return "", fmt.Errorf("%w: {%s} = %q in %s", ErrInvalidPathParam, p.name, v.Value, t.text)
			}
			b.WriteString(wire.Escape(v.Value))
			continue
		}
		if err := checkEscapedSegment(v.Value); err != nil {
			return "", fmt.Errorf("%w: {%s} = %q in %s: %v", ErrInvalidPathParam, p.name, v.Value, t.text, err)
		}
		b.WriteString(v.Value)
	}
	return b.String(), nil
}

// lookup returns the last value given for name.
func lookup(ps []wire.Param, name string) (wire.Param, bool) {
	for i := len(ps) - 1; i >= 0; i-- {
		if ps[i].Name == name {
			return ps[i], true
		}
	}
	return wire.Param{}, false
}

// checkEscapedSegment accepts a pre-encoded single path segment: unreserved characters,
// sub-delims, ':' and '@', and %XX escapes; decoded, it must not be empty, "." or "..".
func checkEscapedSegment(s string) error {
	decoded := 0
	dots := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '%':
			if i+2 >= len(s) || !isHex(s[i+1]) || !isHex(s[i+2]) {
				return fmt.Errorf("bad %%-escape at byte %d", i)
			}
			if s[i+1] == '2' && (s[i+2] == 'E' || s[i+2] == 'e') {
				dots++
			}
			i += 2
		case c == '.':
			dots++
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9',
			strings.IndexByte("-_~!$&'()*+,;=:@", c) >= 0:
		default:
			return fmt.Errorf("character %q must be percent-encoded", c)
		}
		decoded++
	}
	if decoded == 0 || decoded == dots && dots <= 2 {
		return fmt.Errorf("empty, \".\" or \"..\"")
	}
	return nil
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}
