package schema

import (
	"encoding/json"
	"math/big"
	"net/url"
	"regexp"
	"strconv"
	"strings"
)

// Example builds a deterministic value shaped like s from the catalog's example values, for
// JSON encoding. The result always passes s.Validate (also after a JSON round trip):
//
//   - object: map[string]any holding every property (required and optional), plus a
//     synthesized string for each required name the source does not declare as a property;
//   - array: []any with one item (the item's own example, else the array example's first
//     element when it fits, else a synthesized item);
//   - x-json string: json.Marshal of JSON's example; x-urlencode string: the source example,
//     else the URL encoding of the nested example;
//   - enum: the example when it is in the enum, else the first enum value;
//   - integer: int64 (json.Number when beyond int64); number: json.Number; boolean: bool;
//   - an example of the wrong type is coerced when exact ("888" for an integer gives 888,
//     "TRUE" for a boolean gives true, a number for a string gives its text), else
//     synthesized; an empty string example counts as none;
//   - no example: synthesized from type and format: rfc3339 "2026-11-24T10:00:00+08:00",
//     date "2026-11-24", base64 "ZXhhbXBsZQ==", url/MediaUrl "https://example.com/<name>",
//     integer 1, number 1, boolean true, other strings "<name>_example" (or "example");
//   - type file: nil (a multipart file part is not a JSON value; the property key is still
//     present in its object, and Validate accepts any value for it);
//   - oneOf without a type: the first alternative; no type at all: the example, else a string.
func (s *Schema) Example() any { return s.example("") }

func (s *Schema) example(name string) any {
	if s == nil {
		return synthString("", name)
	}
	if s.Type == "" && !s.isObject() && len(s.OneOf) > 0 {
		return s.OneOf[0].example(name)
	}
	if s.isObject() {
		m := make(map[string]any, len(s.Props)+len(s.Required))
		for _, p := range s.Props {
			m[p.Name] = p.Schema.example(p.Name)
		}
		for _, r := range s.Required {
			if _, ok := m[r]; !ok {
				m[r] = synthString("", r)
			}
		}
		return m
	}
	switch s.Type {
	case "file":
		return nil
	case "array":
		return []any{s.arrayItem(name)}
	case "string":
		return s.stringExample(name)
	case "integer":
		if len(s.Enum) > 0 {
			return toInteger(s.enumPick())
		}
		if v, ok := exactInteger(s.SourceExample); ok {
			return v
		}
		return int64(1)
	case "number":
		if len(s.Enum) > 0 {
			return toNumber(s.enumPick())
		}
		if v, ok := exactNumber(s.SourceExample); ok {
			return v
		}
		return json.Number("1")
	case "boolean":
		switch v := s.SourceExample.(type) {
		case bool:
			return v
		case string:
			if b, err := strconv.ParseBool(v); err == nil {
				return b
			}
		}
		return true
	}
	// No (or an unknown) type: anything goes.
	if s.SourceExample != nil {
		return clone(s.SourceExample)
	}
	return synthString(s.Format, name)
}

func (s *Schema) arrayItem(name string) any {
	var cand any
	switch ex := s.SourceExample.(type) {
	case []any:
		if len(ex) > 0 {
			cand = ex[0]
		}
	case string:
		var a []any
		if d := json.NewDecoder(strings.NewReader(ex)); d != nil {
			d.UseNumber()
			if d.Decode(&a) == nil && len(a) > 0 {
				cand = a[0]
			} else {
				cand = ex
			}
		}
	}
	if s.Items == nil {
		if cand != nil {
			return clone(cand)
		}
		return synthString("", name)
	}
	it := s.Items
	scalar := !it.isObject() && it.Type != "array" && it.Type != "file" && it.JSON == nil
	if scalar && it.SourceExample == nil && len(it.Enum) == 0 && cand != nil && it.Validate(cand) == nil {
		switch it.Type {
		case "integer":
			return toInteger(cand)
		case "number":
			return toNumber(cand)
		}
		return clone(cand)
	}
	return it.example(name)
}

func (s *Schema) stringExample(name string) any {
	if s.JSON != nil {
		b, err := json.Marshal(s.JSON.example(name))
		if err != nil {
			return "{}"
		}
		return string(b)
	}
	if len(s.Enum) > 0 {
		return Text(s.enumPick())
	}
	if s.URLEncoded != nil {
		if ex, ok := s.SourceExample.(string); ok && ex != "" {
			return ex
		}
		if m, ok := s.URLEncoded.example(name).(map[string]any); ok {
			vals := url.Values{}
			for k, v := range m {
				vals.Set(k, Text(v))
			}
			return vals.Encode()
		}
	}
	switch ex := s.SourceExample.(type) {
	case string:
		if ex != "" {
			return ex
		}
	case json.Number, bool:
		return Text(ex)
	}
	return synthString(s.Format, name)
}

// enumPick returns the example when it is in the enum, else the first enum value.
func (s *Schema) enumPick() any {
	if s.SourceExample != nil && inEnum(s.Enum, s.SourceExample, s.Type) {
		return s.SourceExample
	}
	return s.Enum[0]
}

func synthString(format, name string) string {
	switch format {
	case "rfc3339":
		return "2026-11-24T10:00:00+08:00"
	case "date":
		return "2026-11-24"
	case "base64":
		return "ZXhhbXBsZQ=="
	case "url", "MediaUrl":
		if name == "" {
			return "https://example.com/example"
		}
		return "https://example.com/" + name
	case "jsonObjectLike":
		return "{}"
	case "jsonArrayLike":
		return "[]"
	case "rfc2397":
		return "data:text/plain;base64,ZXhhbXBsZQ=="
	case "yyyyMMddHHmmss":
		return "20261124100000"
	case "mm/yy":
		return "11/26"
	case "numeric", "integer", "int32", "int64", "uint", "uint32", "unit32", "uint64", "float":
		return "1"
	}
	if name == "" {
		return "example"
	}
	return name + "_example"
}

// Text is a value's text as an APIv2 field, a form field or a query value carries it:
// scalars as their text (numbers exactly), nil as "", anything else as JSON.
func Text(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case json.Number:
		return v.String()
	case bool:
		return strconv.FormatBool(v)
	case int64:
		return strconv.FormatInt(v, 10)
	case int:
		return strconv.Itoa(v)
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	case nil:
		return ""
	}
	b, _ := json.Marshal(v)
	return string(b)
}

var jsonNumber = regexp.MustCompile(`^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?$`)

// rat parses a numeric value (json.Number, number text, float64, Go integers).
func rat(v any) (*big.Rat, bool) {
	var t string
	switch v := v.(type) {
	case json.Number:
		t = string(v)
	case string:
		t = strings.TrimSpace(v)
		if t != v {
			return nil, false
		}
	case float64:
		r := new(big.Rat)
		if r.SetFloat64(v) == nil {
			return nil, false
		}
		return r, true
	case float32:
		return rat(float64(v))
	case int:
		return new(big.Rat).SetInt64(int64(v)), true
	case int64:
		return new(big.Rat).SetInt64(v), true
	case int32:
		return new(big.Rat).SetInt64(int64(v)), true
	case uint64:
		return new(big.Rat).SetUint64(v), true
	case uint:
		return new(big.Rat).SetUint64(uint64(v)), true
	case uint32:
		return new(big.Rat).SetUint64(uint64(v)), true
	default:
		return nil, false
	}
	if !jsonNumber.MatchString(t) {
		return nil, false
	}
	r, ok := new(big.Rat).SetString(t)
	return r, ok
}

// exactInteger converts v to an integer when that is exact.
func exactInteger(v any) (any, bool) {
	if v == nil || isBool(v) {
		return nil, false
	}
	r, ok := rat(v)
	if !ok || !r.IsInt() {
		return nil, false
	}
	if r.Num().IsInt64() {
		return r.Num().Int64(), true
	}
	return json.Number(r.Num().String()), true
}

func exactNumber(v any) (any, bool) {
	if v == nil || isBool(v) {
		return nil, false
	}
	if _, ok := rat(v); !ok {
		return nil, false
	}
	return json.Number(Text(v)), true
}

func isBool(v any) bool { _, ok := v.(bool); return ok }

func toInteger(v any) any {
	if i, ok := exactInteger(v); ok {
		return i
	}
	return int64(1)
}

func toNumber(v any) any {
	if n, ok := exactNumber(v); ok {
		return n
	}
	return json.Number("1")
}

// clone deep-copies decoded JSON so callers may modify Example results.
func clone(v any) any {
	switch v := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(v))
		for k, x := range v {
			m[k] = clone(x)
		}
		return m
	case []any:
		a := make([]any, len(v))
		for i, x := range v {
			a[i] = clone(x)
		}
		return a
	}
	return v
}

// ExampleString returns a valid value for the parameter (it passes p.Validate): the source
// example when valid, else the first enum value, else a value synthesized like
// Schema.Example. Array parameters give one item; x-json parameters give compact JSON.
// The result is never empty, ".", or "..".
func (p Param) ExampleString() string {
	s := p.schema()
	var v string
	if p.Type == "array" {
		v = Text(s.arrayItem(p.Name))
	} else {
		v = Text(s.example(p.Name))
	}
	if v == "" || v == "." || v == ".." {
		v = synthString("", p.Name)
	}
	return v
}

func (p Param) schema() *Schema {
	return &Schema{Type: p.Type, Format: p.Format, Enum: p.Enum, SourceExample: p.Example, Items: p.Items, JSON: p.JSON}
}
