package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"github.com/wxpay-go/wxpay/internal/schemafile"
	"io"
	"log"
	"os"
	"sort"
	"strconv"
	"strings"
)

// schemasHeader names the source and the tool; package schema skips lines starting with '#'.
const schemasHeader = "# wxpay endpoint schemas: one endpoint a line, compact JSON (format: catalog/schema/doc.go).\n" +
	"# Derived from TheNorthMemory/wechatpay-openapi @ 4d6325b (MIT, see ../LICENSE.wechatpay-openapi)\n" +
	"# by internal/catalogimport (-schemas-out); do not edit by hand.\n"

// object is a JSON object that remembers the order of its keys.
type object struct {
	keys []string
	vals map[string]any
}

func (o *object) get(k string) any {
	if o == nil {
		return nil
	}
	return o.vals[k]
}

func (o *object) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, k := range o.keys {
		if i > 0 {
			b.WriteByte(',')
		}
		kb, err := marshal(k)
		if err != nil {
			return nil, err
		}
		b.Write(kb)
		b.WriteByte(':')
		vb, err := marshal(o.vals[k])
		if err != nil {
			return nil, err
		}
		b.Write(vb)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// marshal is json.Marshal without HTML escaping and without the trailing newline.
func marshal(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}

// decodeOrdered reads one JSON value: objects as *object, arrays as []any, numbers as
// json.Number (exact source text), strings, bools and nil.
func decodeOrdered(dec *json.Decoder) (any, error) {
	t, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch t := t.(type) {
	case json.Delim:
		switch t {
		case '{':
			o := &object{vals: map[string]any{}}
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return nil, err
				}
				k, ok := kt.(string)
				if !ok {
					return nil, fmt.Errorf("object key %v", kt)
				}
				v, err := decodeOrdered(dec)
				if err != nil {
					return nil, err
				}
				if _, dup := o.vals[k]; !dup {
					o.keys = append(o.keys, k)
				}
				o.vals[k] = v
			}
			if _, err := dec.Token(); err != nil {
				return nil, err
			}
			return o, nil
		case '[':
			a := []any{}
			for dec.More() {
				v, err := decodeOrdered(dec)
				if err != nil {
					return nil, err
				}
				a = append(a, v)
			}
			if _, err := dec.Token(); err != nil {
				return nil, err
			}
			return a, nil
		}
		return nil, fmt.Errorf("unexpected delimiter %v", t)
	default:
		return t, nil
	}
}

func str(v any) string { s, _ := v.(string); return s }

func strList(v any) []string {
	a, _ := v.([]any)
	var out []string
	for _, x := range a {
		if s, ok := x.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

func convSchema(v any, where string) (*schemafile.Schema, error) {
	o, ok := v.(*object)
	if !ok {
		if v == nil {
			return nil, nil
		}
		return nil, fmt.Errorf("%s: schema is %T", where, v)
	}
	if o.get("x-ref-cycle") != nil {
		return nil, fmt.Errorf("%s: $ref cycle %v", where, o.get("x-ref-cycle"))
	}
	s := &schemafile.Schema{T: str(o.get("type")), F: str(o.get("format")), R: strList(o.get("required"))}
	if e, ok := o.get("enum").([]any); ok {
		s.E = e
	}
	s.X = o.get("example")
	var err error
	if p, ok := o.get("properties").(*object); ok {
		for _, k := range p.keys {
			ps, err := convSchema(p.vals[k], where+"."+k)
			if err != nil {
				return nil, err
			}
			if ps == nil {
				ps = &schemafile.Schema{}
			}
			ps.N = k
			s.P = append(s.P, ps)
		}
	}
	if s.I, err = convSchema(o.get("items"), where+"[]"); err != nil {
		return nil, err
	}
	if s.J, err = convSchema(o.get("x-json"), where+"<x-json>"); err != nil {
		return nil, err
	}
	if s.U, err = convSchema(o.get("x-urlencode"), where+"<x-urlencode>"); err != nil {
		return nil, err
	}
	if alts, ok := o.get("oneOf").([]any); ok {
		for i, a := range alts {
			as, err := convSchema(a, fmt.Sprintf("%s|%d", where, i))
			if err != nil {
				return nil, err
			}
			if as == nil {
				as = &schemafile.Schema{}
			}
			s.O = append(s.O, as)
		}
	}
	if g, ok := o.get("x-allof-required").([]any); ok {
		for _, grp := range g {
			s.G = append(s.G, strList(grp))
		}
	}
	return s, nil
}

func convParams(v any, where string) ([]schemafile.Param, error) {
	a, _ := v.([]any)
	var out []schemafile.Param
	for _, x := range a {
		o, ok := x.(*object)
		if !ok {
			return nil, fmt.Errorf("%s: param is %T", where, x)
		}
		p := schemafile.Param{N: str(o.get("name")), T: str(o.get("type")), F: str(o.get("format")), X: o.get("example")}
		p.Req, _ = o.get("required").(bool)
		if e, ok := o.get("enum").([]any); ok {
			p.E = e
		}
		var err error
		if p.I, err = convSchema(o.get("items"), where+"."+p.N+"[]"); err != nil {
			return nil, err
		}
		if p.J, err = convSchema(o.get("x-json"), where+"."+p.N+"<x-json>"); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}

func convEndpoint(line []byte) (*schemafile.Endpoint, error) {
	dec := json.NewDecoder(bytes.NewReader(line))
	dec.UseNumber()
	v, err := decodeOrdered(dec)
	if err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("trailing data after the record")
	}
	o, ok := v.(*object)
	if !ok {
		return nil, fmt.Errorf("record is %T", v)
	}
	e := &schemafile.Endpoint{M: str(o.get("method")), P: str(o.get("path")), Z: str(o.get("zone"))}
	where := e.M + " " + e.Z + " " + e.P
	if e.PP, err = convParams(o.get("path_params"), where); err != nil {
		return nil, err
	}
	if e.Q, err = convParams(o.get("query_params"), where); err != nil {
		return nil, err
	}
	if e.B, err = convSchema(o.get("request"), where+" request"); err != nil {
		return nil, err
	}
	if r, ok := o.get("responses").(*object); ok {
		for _, k := range r.keys {
			c, err := strconv.Atoi(k)
			if err != nil {
				return nil, fmt.Errorf("%s: response status %q", where, k)
			}
			s, err := convSchema(r.vals[k], where+" "+k)
			if err != nil {
				return nil, err
			}
			e.R = append(e.R, schemafile.Response{C: c, S: s})
		}
		sort.SliceStable(e.R, func(i, j int) bool { return e.R[i].C < e.R[j].C })
	}
	return e, nil
}

// runSchemas writes the compact schema file (see the package comment).
func runSchemas(in, out string) error {
	f, err := os.Open(in)
	if err != nil {
		return err
	}
	defer f.Close()
	var b bytes.Buffer
	b.WriteString(schemasHeader)
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	var eps []*schemafile.Endpoint
	for n := 1; sc.Scan(); n++ {
		e, err := convEndpoint(sc.Bytes())
		if err != nil {
			return fmt.Errorf("%s:%d: %v", in, n, err)
		}
		eps = append(eps, e)
	}
	if err := sc.Err(); err != nil {
		return err
	}
	d, err := newDeduper(eps)
	if err != nil {
		return err
	}
	n := 0
	for _, e := range eps {
		n++
		e = d.emitEndpoint(e)
		line, err := marshal(e)
		if err != nil {
			return fmt.Errorf("%s:%d: %v", in, n, err)
		}
		if bytes.ContainsAny(line, "\n\r") || strings.HasPrefix(string(line), "#") {
			return fmt.Errorf("%s:%d: bad output line", in, n)
		}
		b.Write(line)
		b.WriteByte('\n')
	}
	if err := os.WriteFile(out, b.Bytes(), 0o644); err != nil {
		return err
	}
	log.Printf("wrote %d endpoint schemas (%d bytes, %d shared schemas) to %s", n, b.Len(), d.next, out)
	return nil
}

// minShared is the smallest encoded size (bytes) of a schema worth sharing.
const minShared = 40

// deduper shares repeated schemas (the source inlines every $ref, so the same definition
// appears many times): the first occurrence in file order carries "$":id, later ones are
// {"@":id} (plus "n" in a property list). Request bodies and responses take part; the small
// parameter schemas are always written inline.
type deduper struct {
	keys   map[*schemafile.Schema]string
	shared map[string]bool
	ids    map[string]int
	next   int
}

func newDeduper(eps []*schemafile.Endpoint) (*deduper, error) {
	d := &deduper{keys: map[*schemafile.Schema]string{}, shared: map[string]bool{}, ids: map[string]int{}}
	roots := func(e *schemafile.Endpoint) []*schemafile.Schema {
		rs := []*schemafile.Schema{e.B}
		for _, r := range e.R {
			rs = append(rs, r.S)
		}
		return rs
	}
	count := map[string]int{}
	var all func(s *schemafile.Schema) error
	all = func(s *schemafile.Schema) error {
		if s == nil {
			return nil
		}
		k, err := d.key(s)
		if err != nil {
			return err
		}
		count[k]++
		return each(s, all)
	}
	for _, e := range eps {
		for _, r := range roots(e) {
			if err := all(r); err != nil {
				return nil, err
			}
		}
	}
	for k, c := range count {
		if c >= 2 && len(k) >= minShared {
			d.shared[k] = true
		}
	}
	// Drop candidates that, once their enclosing shared schemas are written only once,
	// occur only once themselves; repeat until stable.
	for {
		seen := map[string]int{}
		var walk func(s *schemafile.Schema) error
		walk = func(s *schemafile.Schema) error {
			if s == nil {
				return nil
			}
			k := d.keys[s]
			if d.shared[k] {
				seen[k]++
				if seen[k] > 1 {
					return nil
				}
			}
			return each(s, walk)
		}
		for _, e := range eps {
			for _, r := range roots(e) {
				_ = walk(r)
			}
		}
		changed := false
		for k := range d.shared {
			if seen[k] < 2 {
				delete(d.shared, k)
				changed = true
			}
		}
		if !changed {
			return d, nil
		}
	}
}

// key is the encoding of s without its property name.
func (d *deduper) key(s *schemafile.Schema) (string, error) {
	if k, ok := d.keys[s]; ok {
		return k, nil
	}
	c := *s
	c.N = ""
	b, err := marshal(&c)
	if err != nil {
		return "", err
	}
	d.keys[s] = string(b)
	return string(b), nil
}

// each calls f on the child schemas in encoding order (p, i, j, u, o).
func each(s *schemafile.Schema, f func(*schemafile.Schema) error) error {
	for _, p := range s.P {
		if err := f(p); err != nil {
			return err
		}
	}
	for _, c := range []*schemafile.Schema{s.I, s.J, s.U} {
		if err := f(c); err != nil {
			return err
		}
	}
	for _, o := range s.O {
		if err := f(o); err != nil {
			return err
		}
	}
	return nil
}

func (d *deduper) emitEndpoint(e *schemafile.Endpoint) *schemafile.Endpoint {
	c := *e
	c.B = d.emit(e.B)
	c.R = nil
	for _, r := range e.R {
		c.R = append(c.R, schemafile.Response{C: r.C, S: d.emit(r.S)})
	}
	return &c
}

// emit returns the schema to write for s, in the order the encoder writes it.
func (d *deduper) emit(s *schemafile.Schema) *schemafile.Schema {
	if s == nil {
		return nil
	}
	k := d.keys[s]
	if d.shared[k] {
		if id, ok := d.ids[k]; ok {
			return &schemafile.Schema{N: s.N, Ref: id}
		}
	}
	c := *s
	if d.shared[k] {
		d.next++
		d.ids[k] = d.next
		c.Def = d.next
	}
	c.P = nil
	for _, p := range s.P {
		c.P = append(c.P, d.emit(p))
	}
	c.I, c.J, c.U = d.emit(s.I), d.emit(s.J), d.emit(s.U)
	c.O = nil
	for _, o := range s.O {
		c.O = append(c.O, d.emit(o))
	}
	return &c
}
