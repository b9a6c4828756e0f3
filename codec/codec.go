package codec

import (
	"errors"
	"strconv"
	"unicode/utf8"
)

// Codec is a pluggable body codec.
//
// Implementations must be safe for concurrent use. ContentType returns the
// media type to send in the Content-Type header; Encode serializes a request
// body; Decode parses an answer body into v.
type Codec interface {
	ContentType() string // "application/json" / "text/xml"
	Encode(v any) ([]byte, error)
	Decode(data []byte, v any) error
}

// JSON is the APIv3 codec: ContentType "application/json", Encode is
// [EncodeJSON] and Decode is [DecodeJSON].
var JSON Codec = jsonCodec{}

// XML is the APIv2 codec: ContentType "text/xml", Encode is [FieldsOf]
// followed by [EncodeXML], and Decode is [DecodeXMLInto].
var XML Codec = xmlCodec{}

type jsonCodec struct{}

func (jsonCodec) ContentType() string             { return "application/json" }
func (jsonCodec) Encode(v any) ([]byte, error)    { return EncodeJSON(v) }
func (jsonCodec) Decode(data []byte, v any) error { return DecodeJSON(data, v) }
func (xmlCodec) ContentType() string              { return "text/xml" }
func (xmlCodec) Decode(data []byte, v any) error  { return DecodeXMLInto(data, v) }

type xmlCodec struct{}

func (xmlCodec) Encode(v any) ([]byte, error) {
	f, err := FieldsOf(v)
	if err != nil {
		return nil, err
	}
	return EncodeXML(f)
}

// Sentinel errors, for errors.Is. They are wrapped with context (the field
// name, what the body looks like, the byte offset):
//
//   - every error of [DecodeXML] and [DecodeXMLRoot] (and of the parsing step
//     of [DecodeXMLInto]) wraps ErrNotXML or ErrUnsafeXML;
//   - every error of [EncodeXML] and [AppendXML] wraps ErrInvalidName or
//     ErrInvalidChar;
//   - [FieldsOf] and [Fields.Decode] wrap ErrNested for nested values; their
//     other errors (unsupported type, NaN, a number that does not parse,
//     which also wraps the *strconv.NumError) name the field;
//   - [DecodeJSON] wraps ErrEmptyBody or the encoding/json error.
var (
	// ErrNotXML reports a body that is not a valid XML answer: empty, gzip
	// data, JSON, an HTML page, plain text or CSV, malformed XML, several
	// root elements, trailing content or an unexpected root element. The
	// message says what the body looks like and quotes its first bytes.
	ErrNotXML = errors.New("codec: not XML")

	// ErrUnsafeXML reports XML that uses a feature this package refuses to
	// parse: a DOCTYPE, ENTITY or other <!…> directive (CDATA sections and
	// comments are fine), a processing instruction other than a leading
	// <?xml …?> declaration, or an entity reference other than &lt; &gt;
	// &amp; &quot; &apos; and numeric character references.
	ErrUnsafeXML = errors.New("codec: unsafe XML")

	// ErrInvalidName reports a field name that is not a valid element name
	// for [EncodeXML].
	ErrInvalidName = errors.New("codec: invalid XML name")

	// ErrInvalidChar reports a value with invalid UTF-8 or a character that
	// XML 1.0 cannot represent (for example U+0000–U+0008).
	ErrInvalidChar = errors.New("codec: invalid XML character")

	// ErrNested reports a struct, map or slice value where only a scalar is
	// allowed. APIv2 fields are flat: serialize nested data first (for
	// example to a JSON string) and send that string.
	ErrNested = errors.New("codec: nested value")

	// ErrEmptyBody reports an empty (or whitespace-only) body given to
	// [DecodeJSON]. An empty body given to the XML decoders is reported as
	// [ErrNotXML] and also wraps ErrEmptyBody.
	ErrEmptyBody = errors.New("codec: empty body")
)

// multiError is an error with a fixed message that wraps several sentinels.
type multiError struct {
	msg  string
	errs []error
}

func (e *multiError) Error() string   { return e.msg }
func (e *multiError) Unwrap() []error { return e.errs }

// snippet quotes at most the first 64 bytes of b with strconv.Quote (so
// control bytes and invalid UTF-8 are escaped), cutting on a rune boundary
// where possible and marking truncation with "…".
func snippet(b []byte) string {
	const max = 64
	if len(b) <= max {
		return strconv.Quote(string(b))
	}
	n := max
	for k := 0; k < utf8.UTFMax-1 && n > 0 && !utf8.RuneStart(b[n]); k++ {
		n--
	}
	return strconv.Quote(string(b[:n])) + "…"
}
