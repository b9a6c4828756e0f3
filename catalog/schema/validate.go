package schema

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// Reasons used in FieldError (stable; tests compare them).
const (
	ReasonMissing = "required field missing"
	ReasonNull    = "required field is null"
	ReasonEmpty   = "required field is empty"
)

// Validate checks a decoded JSON value against s. Numbers may be json.Number (a
// json.Decoder with UseNumber), float64 or Go integers. It checks:
//
//   - the declared type: string, integer (an integral number), number, boolean,
//     object (map[string]any), array ([]any); type file, an empty or an unknown type accepts
//     anything (an untyped schema with properties is checked as an object when the value is one);
//   - required properties: present and not null (a property of type file need only be present);
//   - enum membership (numbers compared by value);
//   - properties and items, recursively; extra properties are allowed, and a null optional
//     property counts as absent;
//   - x-json strings: parsed as JSON and validated against JSON (x-urlencode strings are plain strings);
//   - oneOf: at least one alternative matches.
//
// It returns nil or the first problem as a *FieldError.
func (s *Schema) Validate(v any) error {
	if fe := s.validate(v, ""); fe != nil {
		return fe
	}
	return nil
}

func sub(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

func typeName(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "string"
	case bool:
		return "boolean"
	case map[string]any:
		return "object"
	case []any:
		return "array"
	}
	if _, ok := rat(v); ok {
		return "number"
	}
	return fmt.Sprintf("%T", v)
}

func wrongType(path, want string, v any) *FieldError {
	return &FieldError{Field: path, Reason: "want " + want + ", got " + typeName(v)}
}

func (s *Schema) validate(v any, path string) *FieldError {
	if s == nil {
		return nil
	}
	if len(s.OneOf) > 0 {
		var first *FieldError
		for _, o := range s.OneOf {
			fe := o.validate(v, path)
			if fe == nil {
				first = nil
				break
			}
			if first == nil {
				first = fe
			}
		}
		if first != nil {
			return first
		}
	}
	if s.isObject() {
		m, ok := v.(map[string]any)
		if !ok {
			if s.Type == "" {
				return nil
			}
			return wrongType(path, "object", v)
		}
		return s.validateObject(m, path)
	}
	switch s.Type {
	case "string":
		str, ok := v.(string)
		if !ok {
			return wrongType(path, "string", v)
		}
		if fe := s.checkEnum(str, path); fe != nil {
			return fe
		}
		if s.JSON != nil {
			return s.JSON.validateJSONText(str, path)
		}
	case "integer":
		if isBool(v) {
			return wrongType(path, "integer", v)
		}
		r, ok := rat(v)
		if _, isStr := v.(string); isStr || !ok || !r.IsInt() {
			return wrongType(path, "integer", v)
		}
		return s.checkEnum(v, path)
	case "number":
		if _, isStr := v.(string); isStr || isBool(v) {
			return wrongType(path, "number", v)
		}
		if _, ok := rat(v); !ok {
			return wrongType(path, "number", v)
		}
		return s.checkEnum(v, path)
	case "boolean":
		if !isBool(v) {
			return wrongType(path, "boolean", v)
		}
		return s.checkEnum(v, path)
	case "array":
		a, ok := v.([]any)
		if !ok {
			return wrongType(path, "array", v)
		}
		for i, x := range a {
			if fe := s.Items.validate(x, fmt.Sprintf("%s[%d]", path, i)); fe != nil {
				return fe
			}
		}
	}
	return nil
}

func (s *Schema) validateObject(m map[string]any, path string) *FieldError {
	for _, r := range s.Required {
		x, ok := m[r]
		if !ok {
			return &FieldError{Field: sub(path, r), Reason: ReasonMissing}
		}
		if x == nil {
			if ps := s.Prop(r); ps == nil || ps.Type != "file" {
				return &FieldError{Field: sub(path, r), Reason: ReasonNull}
			}
		}
	}
	for _, p := range s.Props {
		x, ok := m[p.Name]
		if !ok || x == nil {
			continue
		}
		if fe := p.Schema.validate(x, sub(path, p.Name)); fe != nil {
			return fe
		}
	}
	return nil
}

func (s *Schema) validateJSONText(text, path string) *FieldError {
	d := json.NewDecoder(strings.NewReader(text))
	d.UseNumber()
	var x any
	if err := d.Decode(&x); err != nil {
		return &FieldError{Field: path, Reason: "invalid JSON: " + err.Error()}
	}
	if d.More() {
		return &FieldError{Field: path, Reason: "invalid JSON: trailing data"}
	}
	return s.validate(x, path)
}

func (s *Schema) checkEnum(v any, path string) *FieldError {
	if len(s.Enum) == 0 || inEnum(s.Enum, v, s.Type) {
		return nil
	}
	return &FieldError{Field: path, Reason: fmt.Sprintf("%s not in enum %s", quote(v), enumText(s.Enum))}
}

func quote(v any) string {
	if str, ok := v.(string); ok {
		return strconv.Quote(str)
	}
	return Text(v)
}

func enumText(e []any) string {
	parts := make([]string, len(e))
	for i, x := range e {
		parts[i] = Text(x)
	}
	return "[" + strings.Join(parts, " ") + "]"
}

// inEnum compares numbers by value for integer/number types, everything else by text.
func inEnum(enum []any, v any, typ string) bool {
	numeric := typ == "integer" || typ == "number"
	if numeric {
		if r, ok := rat(v); ok {
			for _, e := range enum {
				if er, ok := rat(e); ok && er.Cmp(r) == 0 {
					return true
				}
			}
			return false
		}
	}
	t := Text(v)
	for _, e := range enum {
		if Text(e) == t {
			return true
		}
	}
	return false
}

// ValidateFields checks the fields of an APIv2 XML body (every value a string) against the
// object schema s: required fields present and non-empty (a file field need only be
// present), integer fields parse as integers and number fields as numbers, enum
// membership (numbers by value, else by text), and x-json fields parse as JSON and
// validate against their JSON schema. Fields not in s, and object/array/boolean fields,
// are not checked further. It returns nil or the first problem as a *FieldError.
func (s *Schema) ValidateFields(f map[string]string) error {
	if s == nil {
		return nil
	}
	for _, r := range s.Required {
		x, ok := f[r]
		ps := s.Prop(r)
		if !ok {
			return &FieldError{Field: r, Reason: ReasonMissing}
		}
		if x == "" && (ps == nil || ps.Type != "file") {
			return &FieldError{Field: r, Reason: ReasonEmpty}
		}
	}
	for _, p := range s.Props {
		x, ok := f[p.Name]
		if !ok || x == "" {
			continue
		}
		if fe := p.Schema.validateText(x, p.Name); fe != nil {
			return fe
		}
	}
	return nil
}

// ValidateText checks one APIv2 field's text against the field's schema, as
// ValidateFields checks each present field: type, enum, x-json.
func (p Prop) ValidateText(x string) error {
	if fe := p.Schema.validateText(x, p.Name); fe != nil {
		return fe
	}
	return nil
}

// validateText checks one text value (an XML field or a parameter) against a scalar schema.
func (s *Schema) validateText(x, path string) *FieldError {
	switch s.Type {
	case "integer":
		if r, ok := rat(x); !ok || !r.IsInt() {
			return &FieldError{Field: path, Reason: "want integer, got " + strconv.Quote(x)}
		}
	case "number":
		if _, ok := rat(x); !ok {
			return &FieldError{Field: path, Reason: "want number, got " + strconv.Quote(x)}
		}
	case "boolean":
		if _, err := strconv.ParseBool(x); err != nil {
			return &FieldError{Field: path, Reason: "want boolean, got " + strconv.Quote(x)}
		}
	}
	if s.Type == "string" || s.Type == "integer" || s.Type == "number" || s.Type == "boolean" {
		if fe := s.checkEnum(x, path); fe != nil {
			return fe
		}
	}
	if s.JSON != nil {
		return s.JSON.validateJSONText(x, path)
	}
	return nil
}

// Validate checks one parameter value: an empty value is an error only for a required
// parameter; otherwise the value must parse as the parameter's type (integer, number,
// boolean "true"/"false"), be in its enum, and for x-json parameters be JSON matching
// p.JSON. Array parameters are comma-separated lists whose items are checked against
// p.Items. It returns nil or a *FieldError whose Field is the parameter name.
func (p Param) Validate(value string) error {
	if value == "" {
		if p.Required {
			return &FieldError{Field: p.Name, Reason: ReasonEmpty}
		}
		return nil
	}
	if p.Type == "array" {
		if p.Items == nil {
			return nil
		}
		for i, x := range strings.Split(value, ",") {
			if fe := p.Items.validateText(x, fmt.Sprintf("%s[%d]", p.Name, i)); fe != nil {
				return fe
			}
		}
		return nil
	}
	if fe := p.schema().validateText(value, p.Name); fe != nil {
		return fe
	}
	return nil
}
