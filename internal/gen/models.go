package main

import (
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode"

	"github.com/wxpay-go/wxpay/catalog/schema"
)

// The rules of the request and answer types (also in the package docs and README.md).
//
// Fields: a property is a field named in PascalCase with Go initialisms (notify_url →
// NotifyURL, prepay_id → PrepayID; words such as appid and mchid stay one word: Appid), the
// wire name in its tags. A field is never sent when the user leaves it unset:
//
//   - strings (enums included): omitted when empty;
//   - numbers and booleans: a value (int64, uint64, float64, bool) where the catalog marks
//     the field required, always sent, zero included; else a pointer, sent when not nil;
//   - nested objects: a pointer, omitted when nil; lists: a slice, omitted when empty;
//   - query parameters: fields of the request tagged url:"name", sent as query parameters
//     under the same rules, never in the body.
//
// Integers are int64 (the catalog's int32 marks amounts in fen in places, and int64 in
// others: one type for all), uint64 where the catalog says so; numbers without an integer
// format are int64 too (every WeChat Pay number is an amount, a count or a scaled rate), but
// float/double ones are float64. Strings keep their formats as text (rfc3339, date, base64).
// A field holding JSON in a string (x-json, multipart meta, APIv2 detail/scene_info) is a
// typed struct or list whose methods encode it as that string. A property with no usable
// shape (no type, oneOf, an object without properties) is json.RawMessage (APIv3) or its
// text (APIv2). APIv2 fields are text on the wire; an APIv2 object or list that is not
// JSON-in-a-string is its text. APIv2 fields numbered $n (coupon_id_$n) are a list
// (CouponIDList, sent as coupon_id_0, coupon_id_1, …), and $n_$m a list of lists (…Lists).
// The APIv2 sign is the SDK's and is not a request field; nonce_str is optional.
// A name taken in its struct gets the suffix 2, 3, ….

type goType struct {
	Name   string
	Kind   string // "struct", "enum", "list" (a named slice: an x-json list), "alias"
	Doc    string
	Fields []*goField
	XJSON  bool   // encoded as a string holding its JSON
	Elem   string // list: element type; alias: the aliased type
	Consts []goConst
	key    string
}

type goField struct {
	Name, Type, Tag string
	Doc             []string
}

type goConst struct{ Name, Value string }

// keyID caches keys: the same schema is a different Go type in JSON and in APIv2 text.
type keyID struct {
	s  *schema.Schema
	v2 bool
}

// model builds the types of one package.
type model struct {
	v2       bool // APIv2 text rules (false inside JSON held in a string)
	pkgV2    bool
	names    map[string]bool
	byKey    map[string]*goType
	types    []*goType
	keys     map[keyID]string
	usesJSON bool
	lookup   lookupFunc
}

func newModel(v2 bool, taken map[string]bool) *model {
	m := &model{v2: v2, pkgV2: v2, names: map[string]bool{}, byKey: map[string]*goType{}, keys: map[keyID]string{}}
	for n := range taken {
		m.names[n] = true
	}
	return m
}

func isObj(s *schema.Schema) bool {
	return s != nil && (s.Type == "object" || (s.Type == "" && len(s.Props) > 0)) && len(s.Props) > 0
}

// initialisms are the words written in capitals in type and field names.
var initialisms = map[string]bool{"ACL": true, "API": true, "ASCII": true, "CPU": true, "CSS": true, "DNS": true,
	"EOF": true, "GUID": true, "HTML": true, "HTTP": true, "HTTPS": true, "ID": true, "IP": true, "JSON": true,
	"QPS": true, "RAM": true, "RPC": true, "SLA": true, "SMTP": true, "SQL": true, "SSH": true, "TCP": true,
	"TLS": true, "TTL": true, "UDP": true, "UI": true, "UID": true, "UUID": true, "URI": true, "URL": true,
	"UTF8": true, "VM": true, "XML": true, "XSRF": true, "XSS": true}

// goName is a wire name in PascalCase with initialisms: notify_url → NotifyURL. Words are
// split at '_', '-', '.', spaces and lower-to-upper case changes (subMchId → SubMchID).
func goName(s string) string {
	var words []string
	var cur []rune
	flush := func() {
		if len(cur) > 0 {
			words = append(words, string(cur))
			cur = nil
		}
	}
	prevLower := false
	for _, r := range s {
		switch {
		case r == '_' || r == '-' || r == '.' || r == ' ' || r == '/':
			flush()
			prevLower = false
			continue
		case r > unicode.MaxASCII || !(unicode.IsLetter(r) || unicode.IsDigit(r)):
			flush()
			prevLower = false
			continue
		case unicode.IsUpper(r) && prevLower:
			flush()
		}
		cur = append(cur, r)
		prevLower = unicode.IsLower(r) || unicode.IsDigit(r)
	}
	flush()
	var b strings.Builder
	for _, w := range words {
		if up := strings.ToUpper(w); initialisms[up] {
			b.WriteString(up)
			continue
		}
		if w == strings.ToUpper(w) { // SUCCESS → Success
			w = strings.ToLower(w)
		}
		b.WriteString(strings.ToUpper(w[:1]) + w[1:])
	}
	return b.String()
}

// ident makes n a valid exported identifier.
func ident(n string) string {
	if n == "" {
		return "Field"
	}
	if r := rune(n[0]); !unicode.IsLetter(r) {
		return "X" + n
	}
	return n
}

// claim returns a free package-level name: the first free of cands, else the last with
// a number.
func (m *model) claim(cands ...string) string {
	if len(cands) == 2 { // hint, owner+hint: the owner without its Request/Answer
		hint := cands[0]
		owner := strings.TrimSuffix(cands[1], hint)
		owner = strings.TrimSuffix(strings.TrimSuffix(owner, "Request"), "Answer")
		cands[1] = owner + hint
	}
	for _, c := range cands {
		if !m.names[c] {
			m.names[c] = true
			return c
		}
	}
	last := cands[len(cands)-1]
	for i := 2; ; i++ {
		c := last + strconv.Itoa(i)
		if !m.names[c] {
			m.names[c] = true
			return c
		}
	}
}

// key is the canonical form of a schema as a Go type of this package.
func (m *model) key(s *schema.Schema) string {
	if s == nil {
		return "raw"
	}
	if k, ok := m.keys[keyID{s, m.v2}]; ok {
		return k
	}
	var k string
	switch {
	case isObj(s):
		k = m.structKey(s, nil)
	case m.v2 && s.Type != "string" && s.Type != "integer" && s.Type != "number" && s.Type != "boolean":
		k = "text"
	case s.Type == "array":
		k = "[" + m.elemKey(s.Items) + "]"
	case s.Type == "string":
		switch {
		case s.JSON != nil && xjsonShape(s.JSON):
			k = "x(" + m.jsonKey(s.JSON) + ")"
		case len(s.Enum) > 0:
			k = "e" + enumKey(s.Enum) // the field name is added by structKey
		default:
			k = "s:" + s.Format
		}
	case s.Type == "integer" || s.Type == "number":
		k = numType(s)
	case s.Type == "boolean":
		k = "bool"
	case s.Type == "file":
		k = "s:file"
	default:
		k = "raw"
	}
	m.keys[keyID{s, m.v2}] = k
	return k
}

// jsonKey is the key of the JSON inside a string: JSON rules, also in APIv2.
func (m *model) jsonKey(j *schema.Schema) string {
	save := m.v2
	m.v2 = false
	defer func() { m.v2 = save }()
	return m.key(j)
}

func (m *model) elemKey(s *schema.Schema) string {
	if s == nil {
		return "raw"
	}
	return m.key(s)
}

func xjsonShape(j *schema.Schema) bool {
	return isObj(j) || (j.Type == "array" && j.Items != nil)
}

func enumKey(e []any) string {
	parts := make([]string, len(e))
	for i, v := range e {
		parts[i] = strconv.Quote(schema.Text(v))
	}
	return "{" + strings.Join(parts, ",") + "}"
}

// structKey: the sorted fields, each name, required mark and key.
func (m *model) structKey(s *schema.Schema, query []schema.Param) string {
	var parts []string
	if m.v2 {
		parts = append(parts, "v2")
	}
	if s == nil {
		s = &schema.Schema{}
	}
	for _, p := range s.Props {
		parts = append(parts, fmt.Sprintf("%q%v:%s", p.Name, slices.Contains(s.Required, p.Name), m.key(p.Schema)))
	}
	for _, r := range s.Required {
		if s.Prop(r) == nil {
			parts = append(parts, fmt.Sprintf("%q!undeclared", r))
		}
	}
	for _, q := range query {
		parts = append(parts, fmt.Sprintf("?%q%v:%s", q.Name, q.Required, m.key(paramSchema(q))))
	}
	sort.Strings(parts)
	return "{" + strings.Join(parts, ",") + "}"
}

func paramSchema(p schema.Param) *schema.Schema {
	if p.Type == "array" {
		return &schema.Schema{Type: "array", Items: p.Items}
	}
	return &schema.Schema{Type: p.Type, Format: p.Format, Enum: p.Enum}
}

// numType is the Go type of an integer or number schema.
func numType(s *schema.Schema) string {
	switch s.Format {
	case "float", "double":
		return "float64"
	case "uint64":
		return "uint64"
	}
	return "int64"
}

func (m *model) raw() string {
	if m.v2 {
		return "string"
	}
	m.usesJSON = true
	return "json.RawMessage"
}

// expr is the Go type of a field holding s.
func (m *model) expr(s *schema.Schema, hint, owner string, required bool) string {
	switch {
	case s == nil:
		return m.raw()
	case isObj(s):
		if m.v2 {
			return "string"
		}
		return "*" + m.structType(s, nil, hint, owner, false)
	case m.v2 && s.Type != "string" && s.Type != "integer" && s.Type != "number" && s.Type != "boolean":
		return "string"
	case s.Type == "array":
		return "[]" + m.elem(s.Items, hint, owner)
	case s.Type == "string":
		switch {
		case s.JSON != nil && xjsonShape(s.JSON):
			return m.xjson(s.JSON, hint, owner)
		case len(s.Enum) > 0:
			return m.enum(s, hint, owner)
		}
		return "string"
	case s.Type == "integer" || s.Type == "number":
		if required {
			return numType(s)
		}
		return "*" + numType(s)
	case s.Type == "boolean":
		if required {
			return "bool"
		}
		return "*bool"
	case s.Type == "file":
		return "string"
	}
	return m.raw()
}

// elem is the Go type of a list item.
func (m *model) elem(s *schema.Schema, hint, owner string) string {
	switch {
	case s == nil:
		return m.raw()
	case isObj(s):
		return m.structType(s, nil, hint, owner, false)
	case s.Type == "integer" || s.Type == "number" || s.Type == "boolean":
		return strings.TrimPrefix(m.expr(s, hint, owner, true), "*")
	}
	return m.expr(s, hint, owner, true)
}

// xjson is the type of a string holding JSON shaped like j: a struct or a list with the
// methods that encode it so.
func (m *model) xjson(j *schema.Schema, hint, owner string) string {
	save := m.v2
	m.v2 = false
	defer func() { m.v2 = save }()
	key := "x(" + m.key(j) + ")"
	if t := m.byKey[key]; t != nil {
		return "*" + t.Name
	}
	if isObj(j) {
		return "*" + m.structType(j, nil, hint, owner, true)
	}
	name := m.claim(ident(hint), ident(owner+hint))
	t := &goType{Name: name, Kind: "list", XJSON: true, key: key,
		Doc: name + " is sent as a string holding its JSON."}
	m.byKey[key] = t
	m.types = append(m.types, t)
	t.Elem = m.elem(j.Items, hint+"Item", "")
	return "*" + name
}

// enum is the type of a string enum. Fields of one name with the same values share it.
func (m *model) enum(s *schema.Schema, hint, owner string) string {
	key := "e" + hint + enumKey(s.Enum)
	if t := m.byKey[key]; t != nil {
		return t.Name
	}
	name := m.claim(ident(hint), ident(owner+hint))
	t := &goType{Name: name, Kind: "enum", key: key}
	m.byKey[key] = t
	m.types = append(m.types, t)
	vals := make([]string, len(s.Enum))
	for i, v := range s.Enum {
		vals[i] = schema.Text(v)
	}
	t.Doc = fmt.Sprintf("%s is one of %s.", name, strings.Join(quoteAll(vals), ", "))
	for i, v := range vals {
		c := goName(v)
		cn := name + c
		if c == "" || m.names[cn] {
			cn = name + "Value" + strconv.Itoa(i+1)
		}
		cn = m.claim(cn)
		t.Consts = append(t.Consts, goConst{Name: cn, Value: strconv.Quote(v)})
	}
	return name
}

func quoteAll(ss []string) []string {
	q := make([]string, len(ss))
	for i, s := range ss {
		q[i] = strconv.Quote(s)
	}
	return q
}

// structType returns the struct for an object schema (plus query parameters, for a
// request), making it on first use.
func (m *model) structType(s *schema.Schema, query []schema.Param, hint, owner string, xjson bool) string {
	key := m.structKey(s, query)
	if xjson {
		key = "x(" + key + ")"
	}
	if t := m.byKey[key]; t != nil {
		return t.Name
	}
	name := m.claim(ident(hint), ident(owner+hint))
	t := &goType{Name: name, Kind: "struct", XJSON: xjson, key: key}
	if xjson {
		t.Doc = name + " is sent as a string holding its JSON."
	}
	m.byKey[key] = t
	m.types = append(m.types, t)
	m.fill(t, s, query)
	return name
}

// fill makes the fields of t.
func (m *model) fill(t *goType, s *schema.Schema, query []schema.Param) {
	used := map[string]bool{}
	field := func(wire string) string {
		base := wire
		suffix := ""
		switch {
		case strings.HasSuffix(base, "_$n_$m"):
			base, suffix = strings.TrimSuffix(base, "_$n_$m"), "Lists"
		case strings.HasSuffix(base, "_$n"):
			base, suffix = strings.TrimSuffix(base, "_$n"), "List"
		}
		n := ident(goName(base) + suffix)
		for i := 2; used[n]; i++ {
			n = ident(goName(base)+suffix) + strconv.Itoa(i)
		}
		used[n] = true
		return n
	}
	var props []schema.Prop
	if s != nil {
		props = s.Props
	}
	for _, p := range props {
		req := slices.Contains(s.Required, p.Name)
		name := field(p.Name)
		typ := m.expr(p.Schema, name, t.Name, req)
		switch {
		case strings.HasSuffix(p.Name, "_$n_$m"):
			typ = "[][]" + strings.TrimPrefix(m.elem(p.Schema, name, t.Name), "*")
		case strings.HasSuffix(p.Name, "_$n"):
			typ = "[]" + strings.TrimPrefix(m.elem(p.Schema, name, t.Name), "*")
		}
		t.Fields = append(t.Fields, &goField{Name: name, Type: typ, Tag: m.tag(p.Name, typ), Doc: fieldDoc(p.Schema, req)})
	}
	if s != nil {
		seen := map[string]bool{}
		for _, r := range s.Required {
			if s.Prop(r) == nil && !seen[r] {
				seen[r] = true
				name := field(r)
				t.Fields = append(t.Fields, &goField{Name: name, Type: "string", Tag: m.tag(r, "string"),
					Doc: []string{"Required by the catalog, which does not describe it."}})
			}
		}
	}
	for _, q := range query {
		name := field(q.Name)
		req := q.Required
		typ := m.expr(paramSchema(q), name, t.Name, req)
		if q.Type == "array" {
			typ = "[]" + strings.TrimPrefix(m.elem(q.Items, name, t.Name), "*")
		}
		tag := `json:"-" url:"` + q.Name + `"`
		if m.v2 {
			tag = `json:"-" xml:"-" url:"` + q.Name + `"`
		}
		doc := append([]string{"A query parameter."}, fieldDoc(paramSchema(q), req)...)
		t.Fields = append(t.Fields, &goField{Name: name, Type: typ, Tag: tag, Doc: doc})
	}
}

// tag is a field's struct tag: omitempty unless it is a value that is always sent.
func (m *model) tag(wire, typ string) string {
	opt := ",omitempty"
	switch typ {
	case "int64", "uint64", "float64", "bool":
		opt = ""
	}
	if m.v2 {
		return `json:"` + wire + opt + `" xml:"` + wire + opt + `"`
	}
	return `json:"` + wire + opt + `"`
}

func fieldDoc(s *schema.Schema, required bool) []string {
	var d []string
	if required {
		d = append(d, "Required by the catalog.")
	}
	if s != nil && s.Format != "" && s.Type == "string" && s.JSON == nil {
		d = append(d, "Format: "+s.Format+".")
	}
	return d
}

// root makes the request or answer type of an endpoint, named name; an earlier endpoint's
// identical type gives an alias.
func (m *model) root(s *schema.Schema, query []schema.Param, name, doc string) string {
	key := m.structKey(s, query)
	if t := m.byKey[key]; t != nil {
		n := m.claim(name)
		m.types = append(m.types, &goType{Name: n, Kind: "alias", Elem: t.Name,
			Doc: n + " is " + doc + ", which has the shape of " + t.Name + "."})
		return n
	}
	n := m.structType(s, query, name, "", false)
	if t := m.byKey[key]; t != nil && t.Doc == "" {
		t.Doc = n + " is " + doc + "."
	}
	return n
}
