package codec

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// EncodeJSON serializes an APIv3 request body.
//
//   - nil returns (nil, nil): no body.
//   - []byte and json.RawMessage are returned as is: the same bytes, neither
//     re-encoded nor copied nor validated, so a pre-serialized body is signed
//     and sent byte for byte. The caller must not modify them afterwards.
//   - string is returned as its bytes (converted, hence copied, but never
//     re-encoded).
//   - Anything else goes through json.Marshal, and its error is returned
//     unchanged.
func EncodeJSON(v any) ([]byte, error) {
	switch x := v.(type) {
	case nil:
		return nil, nil
	case []byte:
		return x, nil
	case json.RawMessage:
		return x, nil
	case string:
		return []byte(x), nil
	}
	return json.Marshal(v)
}

// EncodeJSONWith is EncodeJSON with c serializing what is not already bytes: nil, []byte,
// json.RawMessage and string are handled as EncodeJSON handles them (so pre-serialized
// bodies are still signed and sent byte for byte), anything else goes to c.Encode. A nil
// c is JSON.
func EncodeJSONWith(c Codec, v any) ([]byte, error) {
	switch v.(type) {
	case nil, []byte, json.RawMessage, string:
		return EncodeJSON(v)
	}
	if c == nil {
		return json.Marshal(v)
	}
	return c.Encode(v)
}

// DecodeJSONWith is DecodeJSON with c parsing the body: an empty body still gives
// ErrEmptyBody, whatever c does with it. A nil c is JSON.
func DecodeJSONWith(c Codec, data []byte, v any) error {
	if c == nil || c == JSON {
		return DecodeJSON(data, v)
	}
	if len(bytes.TrimLeft(data, " \t\r\n\ufeff")) == 0 {
		return fmt.Errorf("%w: cannot decode JSON into %T", ErrEmptyBody, v)
	}
	return c.Decode(data, v)
}

// DecodeJSON parses an APIv3 answer body into v with json.Unmarshal
// semantics.
//
// An empty or whitespace-only body returns an error wrapping [ErrEmptyBody]
// (json.Unmarshal would only say "unexpected end of JSON input"). Errors
// from json.Unmarshal are wrapped with %w (errors.As to *json.SyntaxError
// and friends keeps working); when the body does not look like JSON, the
// message also says what it looks like (HTML page, XML, gzip data, text) and
// quotes its first bytes.
func DecodeJSON(data []byte, v any) error {
	trimmed := bytes.TrimLeft(data, " \t\r\n\ufeff")
	if len(trimmed) == 0 {
		return fmt.Errorf("%w: cannot decode JSON into %T", ErrEmptyBody, v)
	}
	if err := json.Unmarshal(data, v); err != nil {
		if kind := describe(data); kind != kindJSON {
			return fmt.Errorf("codec: decode JSON into %T: %w (body is not JSON: %s: %s)", v, err, kind, snippet(trimmed))
		}
		return fmt.Errorf("codec: decode JSON into %T: %w", v, err)
	}
	return nil
}
