// Package codec holds the pluggable body codecs of the SDK: JSON for APIv3 and
// a small, hardened XML dialect for APIv2.
//
// # JSON
//
// [EncodeJSON] passes bodies the caller already serialized ([]byte,
// json.RawMessage, string) through unchanged, so the bytes that are signed are
// the bytes that are sent; anything else goes through json.Marshal.
// [DecodeJSON] is json.Unmarshal with a clear error for an empty body.
//
// # APIv2 XML
//
// An APIv2 message is a flat list of fields under one root element:
//
//	<xml><return_code><![CDATA[SUCCESS]]></return_code><total_fee>1</total_fee></xml>
//
// It is modelled as [Fields], an ordered list of name/value pairs in which a
// name may repeat (repeated elements). [FieldsOf] turns a struct or map into
// Fields, [EncodeXML] writes them, [DecodeXML] reads them back, and
// [Fields.Decode] fills a struct, map or Fields from them.
//
// Encoding is exact and allocation-lean: no XML declaration, no whitespace,
// fields in the given order; values with markup characters are written as
// CDATA (with "]]>" split correctly), values with a carriage return as escaped
// text, so that every value round-trips byte for byte. Names that are not
// valid XML names and values that are not valid XML characters are refused
// ([ErrInvalidName], [ErrInvalidChar]) rather than silently altered.
//
// Decoding treats the answer as hostile. The body is classified before it is
// parsed: an empty body, gzip data, JSON, an HTML error page and plain text or
// CSV are reported as [ErrNotXML] with a description and a safely quoted
// prefix of the body. Any DOCTYPE, ENTITY or other directive, any processing
// instruction other than a leading XML declaration and any entity reference
// other than the five predefined ones and numeric character references are
// refused as [ErrUnsafeXML] by a byte scan before any parsing, so entity
// expansion attacks (XXE, "billion laughs") cost nothing. Malformed XML, more
// than one root element, trailing content and an unexpected root element are
// reported as [ErrNotXML] too. Values are never trimmed.
//
// Errors wrap the exported sentinel errors (ErrNotXML, ErrUnsafeXML,
// ErrInvalidName, ErrInvalidChar, ErrNested, ErrEmptyBody) with context;
// test them with errors.Is.
package codec
