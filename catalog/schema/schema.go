package schema

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"github.com/wxpay-go/wxpay/internal/schemafile"
	"sort"
	"sync"
)

//go:embed schemas.jsonl
var data []byte

// Schema is one node of a request or response body schema.
type Schema struct {
	// Type is the declared JSON type: "string", "integer", "number", "boolean", "object",
	// "array", "file" (a multipart file part) or "" (none declared: anything is accepted).
	// A number/integer schema whose enum holds only strings is loaded as "string".
	Type   string
	Format string // as in the source: rfc3339, date, base64, int32, jsonObjectLike, …
	// Enum is the allowed values as in the source: strings, or json.Number for
	// integer/number fields. Empty: no restriction.
	Enum          []any
	SourceExample any      // the source example (the method Example builds a valid one): string, bool, json.Number, []any, map[string]any or nil
	Required      []string // required property names; some are not in Props (the source omits them)
	Props         []Prop   // properties, in source order
	Items         *Schema  // array items; nil: anything
	// JSON is the x-json structure: the value is a string holding JSON shaped like JSON
	// (also multipart "meta" fields).
	JSON *Schema
	// URLEncoded is the x-urlencode structure: the value is a URL-encoded string. It is
	// informational only: Validate and Example treat such a value as a plain string.
	URLEncoded *Schema
	// OneOf lists alternatives (source oneOf); a value must match one of them.
	OneOf []*Schema
	// Groups are the x-allof-required groups, in order. For APIv2 staged answers the first
	// group (return_code, return_msg) is what a FAIL answer must carry; the later groups
	// apply only when return_code/result_code is SUCCESS.
	Groups [][]string
}

// Prop is a named property of an object schema.
type Prop struct {
	Name   string
	Schema *Schema // never nil
}

// Param is a path or query parameter.
type Param struct {
	Name, Type, Format string // Type: string, integer, number, boolean or array
	Required           bool   // always true for path parameters
	Enum               []any  // strings, or json.Number for integer/number parameters
	Example            any    // as in the source; nil when there is none
	Items              *Schema
	JSON               *Schema // x-json: the value is JSON shaped like this
}

// Response is one declared answer of an endpoint.
type Response struct {
	Status int
	Schema *Schema // nil: empty body
}

// Endpoint is the schema side of one catalog endpoint.
type Endpoint struct {
	Method string // GET, POST, PUT, PATCH, DELETE
	// Path is as in the catalog: "v3/…/{name}" or "v2/…" (no leading slash, zone prefix stripped).
	Path       string
	Zone       string  // "", "hk" or "global"
	PathParams []Param // in URL order
	Query      []Param
	Request    *Schema    // nil: no body
	Responses  []Response // sorted by status
}

// FieldError reports the first problem Validate, ValidateFields or Param.Validate found.
type FieldError struct {
	// Field is the dotted path of the offending value: "amount.total",
	// "goods_detail[0].unit_price", a parameter name, or "" for the value itself.
	// Fields inside an x-json string continue the path of the string ("meta.filename").
	Field  string
	Reason string
}

// Error returns Field + ": " + Reason, or just Reason when Field is empty.
func (e *FieldError) Error() string {
	if e.Field == "" {
		return e.Reason
	}
	return e.Field + ": " + e.Reason
}

type catalog struct {
	all   []*Endpoint
	index map[string]*Endpoint
}

var load = sync.OnceValue(func() *catalog {
	c, err := parse(data)
	if err != nil {
		panic("schema: embedded schemas.jsonl: " + err.Error())
	}
	return c
})

// All returns every endpoint in catalog order (path, method, zone). The slice is shared.
func All() []*Endpoint { return load().all }

// Lookup finds the endpoint by method ("POST"), zone ("", "hk", "global") and path exactly
// as in the catalog ("v3/refund/domestic/refunds", placeholders with their catalog names).
func Lookup(method, zone, path string) (*Endpoint, bool) {
	e, ok := load().index[key(method, zone, path)]
	return e, ok
}

func key(method, zone, path string) string { return method + " " + zone + " " + path }

type converter struct {
	defs map[int]*Schema
	err  error
}

func parse(b []byte) (*catalog, error) {
	// Skip the comment header; the rest is a stream of JSON values.
	for bytes.HasPrefix(b, []byte("#")) {
		i := bytes.IndexByte(b, '\n')
		if i < 0 {
			b = nil
			break
		}
		b = b[i+1:]
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	c := &catalog{index: map[string]*Endpoint{}}
	cv := &converter{defs: map[int]*Schema{}}
	for dec.More() {
		var w schemafile.Endpoint
		if err := dec.Decode(&w); err != nil {
			return nil, err
		}
		e := &Endpoint{Method: w.M, Path: w.P, Zone: w.Z,
			PathParams: cv.params(w.PP), Query: cv.params(w.Q), Request: cv.schema(w.B)}
		for _, r := range w.R {
			e.Responses = append(e.Responses, Response{Status: r.C, Schema: cv.schema(r.S)})
		}
		sort.SliceStable(e.Responses, func(i, j int) bool { return e.Responses[i].Status < e.Responses[j].Status })
		if cv.err != nil {
			return nil, fmt.Errorf("%s %s %s: %v", w.M, w.Z, w.P, cv.err)
		}
		k := key(e.Method, e.Zone, e.Path)
		if _, dup := c.index[k]; dup {
			return nil, fmt.Errorf("duplicate endpoint %s", k)
		}
		c.index[k] = e
		c.all = append(c.all, e)
	}
	return c, nil
}

func (cv *converter) params(ws []schemafile.Param) []Param {
	var ps []Param
	for _, w := range ws {
		ps = append(ps, Param{Name: w.N, Type: w.T, Format: w.F, Required: w.Req, Enum: w.E,
			Example: w.X, Items: cv.schema(w.I), JSON: cv.schema(w.J)})
	}
	return ps
}

// schema converts w, children in encoding order, so that every "$" definition is seen
// before the "@" references to it.
func (cv *converter) schema(w *schemafile.Schema) *Schema {
	if w == nil {
		return nil
	}
	if w.Ref != 0 {
		s, ok := cv.defs[w.Ref]
		if !ok && cv.err == nil {
			cv.err = fmt.Errorf("reference @%d before its definition", w.Ref)
		}
		return s
	}
	s := &Schema{Type: w.T, Format: w.F, Enum: w.E, SourceExample: w.X, Required: w.R, Groups: w.G}
	if (s.Type == "integer" || s.Type == "number") && len(s.Enum) > 0 && allStrings(s.Enum) {
		s.Type = "string" // a catalog quirk: string codes declared as a number
	}
	for _, p := range w.P {
		ps := cv.schema(p)
		if ps == nil {
			ps = &Schema{}
		}
		s.Props = append(s.Props, Prop{Name: p.N, Schema: ps})
	}
	s.Items = cv.schema(w.I)
	s.JSON = cv.schema(w.J)
	s.URLEncoded = cv.schema(w.U)
	for _, o := range w.O {
		s.OneOf = append(s.OneOf, cv.schema(o))
	}
	if w.Def != 0 {
		cv.defs[w.Def] = s
	}
	return s
}

func allStrings(a []any) bool {
	for _, v := range a {
		if _, ok := v.(string); !ok {
			return false
		}
	}
	return true
}

// Success returns the endpoint's success answer: the first 2xx status and its schema
// (nil: no body), or 200 and nil when the catalog lists none.
func (e *Endpoint) Success() (int, *Schema) {
	for _, r := range e.Responses {
		if r.Status >= 200 && r.Status < 300 {
			return r.Status, r.Schema
		}
	}
	return 200, nil
}

// Prop returns the schema of the named property, or nil.
func (s *Schema) Prop(name string) *Schema {
	if s == nil {
		return nil
	}
	for _, p := range s.Props {
		if p.Name == name {
			return p.Schema
		}
	}
	return nil
}

// isObject reports whether s describes an object: declared so, or untyped with properties.
func (s *Schema) isObject() bool {
	return s.Type == "object" || (s.Type == "" && (len(s.Props) > 0 || len(s.Required) > 0))
}
