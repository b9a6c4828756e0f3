package wxpaytest

import (
	"bytes"
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"errors"
	"maps"
	"net/http"
	"slices"
	"strings"

	"github.com/wxpay-go/wxpay/catalog"
	"github.com/wxpay-go/wxpay/catalog/schema"
)

// Every catalog endpoint that no handler serves is answered from the catalog: the request
// is checked against the endpoint's schema (path values, required query parameters and
// body fields, types, enums), then answered with a body shaped like the catalog's success
// answer and built from its example values. Identifiers in the answer are the request's
// where the names match (out_trade_no, sub_mchid, …), so a client sees its own values
// come back. The status is the catalog's (204 and 202 with no body where it says so).
//
// A check that fails is answered as the platform answers it: APIv3 400 PARAM_ERROR with
// the field in detail.field (detail.location is path, query or body); APIv2 return_code FAIL
// with the field in return_msg.

// lookupCatalog finds the catalog endpoint for a request and its schema; m is nil when
// no catalog endpoint has the path, sc is nil when the endpoint has no schema (which
// would be a build error: the catalog and its schemas are made together).
func lookupCatalog(method, pattern string) (m *routeMatch, e *catalog.Endpoint, sc *schema.Endpoint) {
	if m, _ = matchCatalog(method, pattern); m == nil {
		return nil, nil, nil
	}
	e = m.Endpoints[0]
	sc, _ = schema.Lookup(e.Method, e.Zone, e.Path)
	return m, e, sc
}

// serveCatalog answers a verified request from the catalog. ok is false when no catalog
// endpoint has the path.
func (s *Server) serveCatalog(r *Request, pattern string) (rep *Reply, ok bool) {
	m, e, sc := lookupCatalog(r.Method, pattern)
	if m == nil {
		return nil, false
	}
	if sc == nil && e.Has(catalog.Extra) && e.Has(catalog.FileAnswer) && !r.V2 {
		// A download the project's rules add (the e-invoice file): the file, unsigned.
		return &Reply{Body: binaryFile(e.Path), Unsigned: true, Header: http.Header{"Content-Type": {binaryType(e.Path)}}}, true
	}
	if sc == nil {
		return apiError(http.StatusInternalServerError, "SYSTEM_ERROR", "wxpaytest: no schema for "+e.Method+" "+e.Path), true
	}
	r.Params = m.Params
	echo := map[string]any{}
	if rep := validate(r, e, sc, echo); rep != nil {
		return rep, true
	}
	if r.V2 {
		return s.catalogV2(r, e, sc, echo), true
	}
	return s.catalogV3(e, sc, echo), true
}

// checkCatalog validates a request for a built-in handler against the catalog, so that
// the stateful endpoints refuse bad input exactly as the others do. It returns nil when the
// request is good or the path is not in the catalog.
func checkCatalog(r *Request, pattern string) *Reply {
	m, e, sc := lookupCatalog(r.Method, pattern)
	if sc == nil {
		return nil
	}
	params := r.Params
	r.Params = m.Params
	defer func() { r.Params = params }()
	return validate(r, e, sc, map[string]any{})
}

// validate checks r against the endpoint's schema and gathers the request's values into
// echo. A non-nil Reply is the platform's answer to a bad request.
func validate(r *Request, e *catalog.Endpoint, sc *schema.Endpoint, echo map[string]any) *Reply {
	if r.V2 {
		for k, v := range r.Fields {
			echo[k] = v
		}
		if sc.Request == nil {
			return validateQueryV2(r, e, sc)
		}
		fields := r.Fields
		if add := alternates(sc.Request.Required, func(k string) bool { return fields[k] != "" }); add != nil {
			fields = maps.Clone(fields)
			for _, k := range add {
				fields[k] = "(another identifier given)"
			}
		}
		if err := sc.Request.ValidateFields(fields); err != nil {
			return rejectV2(e, err)
		}
		return nil
	}
	for _, p := range sc.PathParams {
		v := r.Params[p.Name]
		if err := p.Validate(v); err != nil {
			return fieldError("path", err)
		}
		echo[p.Name] = v
	}
	var otherMerchants []string // fields of the other kind of merchant (merchant_modes.tsv)
	if sc.Request == nil {
		otherMerchants = notRequired(e.Method, e.Zone, e.Path, func(k string) bool { return r.Query.Get(k) != "" })
	}
	for _, p := range sc.Query {
		vs, present := r.Query[p.Name]
		if !present || len(vs) == 0 || vs[0] == "" {
			if p.Required && !slices.Contains(otherMerchants, p.Name) {
				return locatedError("query", p.Name, schema.ReasonMissing)
			}
			continue
		}
		if err := p.Validate(vs[0]); err != nil {
			return fieldError("query", err)
		}
		echo[p.Name] = vs[0]
	}
	if sc.Request != nil {
		body, rep := requestBody(r, e, sc.Request)
		if rep != nil {
			return rep
		}
		collect(body, echo)
		for _, k := range notRequired(e.Method, e.Zone, e.Path, func(k string) bool { return hasPath(body, k) }) {
			fillPath(body, k) // body is this call's own decoded copy
		}
		if obj, ok := body.(map[string]any); ok {
			if add := alternates(sc.Request.Required, func(k string) bool { _, ok := obj[k]; return ok }); add != nil {
				obj = maps.Clone(obj)
				for _, k := range add {
					obj[k] = "(another identifier given)"
				}
				body = obj
			}
		}
		if err := sc.Request.Validate(body); err != nil {
			return fieldError("body", err)
		}
	}
	return nil
}

// validateQueryV2 checks an APIv2 GET's query (its signed fields) against the catalog.
func validateQueryV2(r *Request, e *catalog.Endpoint, sc *schema.Endpoint) *Reply {
	for _, p := range sc.Query {
		v := r.Fields[p.Name]
		if v == "" {
			if p.Required {
				return rejectV2(e, &schema.FieldError{Field: p.Name, Reason: schema.ReasonMissing})
			}
		} else if err := p.Validate(v); err != nil {
			return rejectV2(e, err)
		}
	}
	return nil
}

// rejectV2 is the platform's answer to a bad APIv2 request: return_code FAIL, with
// "缺少参数<field>" for a missing field; the one endpoint that answers JSON says it with
// retcode -1 and retmsg.
func rejectV2(e *catalog.Endpoint, err error) *Reply {
	msg := "参数错误: " + err.Error()
	var fe *schema.FieldError
	if errors.As(err, &fe) && (fe.Reason == schema.ReasonMissing || fe.Reason == schema.ReasonEmpty) {
		msg = "缺少参数" + fe.Field
	}
	if e.Produces == "json" { // appauth/getaccesstoken
		body, _ := json.Marshal(map[string]any{"retcode": -1, "retmsg": msg})
		return &Reply{Body: body, Header: http.Header{"Content-Type": {"application/json"}}}
	}
	return &Reply{Fields: [][2]string{{"return_code", "FAIL"}, {"return_msg", msg}}, Unsigned: true}
}

// The catalog marks every identifier of an order required where the platform wants any
// one of them: pay/orderquery takes transaction_id or out_trade_no, and pay/refundquery
// any one of four. When a request has one identifier of a group, the emulator counts the
// others of that group as given (idGroups; all four form one group where all four are
// required).
var idGroups = [][]string{{"transaction_id", "out_trade_no"}, {"out_refund_no", "refund_id"}}

// alternates returns the identifiers to count as given for a request to an endpoint
// with the required list req, given which fields the request has.
func alternates(req []string, has func(string) bool) []string {
	groups := idGroups
	if all := slices.Concat(idGroups...); !slices.ContainsFunc(all, func(k string) bool { return !slices.Contains(req, k) }) {
		groups = [][]string{all}
	}
	var add []string
	for _, g := range groups {
		some := false
		for _, k := range g {
			some = some || has(k)
		}
		for _, k := range g {
			if some && !has(k) {
				add = append(add, k)
			}
		}
	}
	return add
}

// ---- APIv3 -------------------------------------------------------------------------

func (s *Server) catalogV3(e *catalog.Endpoint, sc *schema.Endpoint, echo map[string]any) *Reply {
	status, out := sc.Success()
	switch e.Produces {
	case "binary":
		file := s.issuedFile(echo["token"])
		if file == nil {
			file = binaryFile(e.Path)
		}
		return &Reply{Status: status, Body: file, Unsigned: true,
			Header: http.Header{"Content-Type": {binaryType(e.Path)}}}
	case "csv":
		csv := s.issuedFile(echo["token"]) // a bill handed out by an apply call (bills.go)
		if csv == nil {
			csv = s.sampleBill()
		}
		h := http.Header{"Content-Type": {"text/plain; charset=utf-8"}}
		if bytes.HasPrefix(csv, []byte{0x1f, 0x8b}) { // tar_type=GZIP
			h.Set("Content-Type", "application/x-gzip")
		}
		if e.Has(catalog.StatementDigest) { // signed through their digest
			sum := sha1.Sum(csv)
			h.Set("Wechatpay-Statement-Sha1", hex.EncodeToString(sum[:]))
			return &Reply{Status: status, Body: csv, Header: h}
		}
		return &Reply{Status: status, Body: csv, Header: h, Unsigned: true}
	}
	if out == nil {
		return &Reply{Status: status}
	}
	v := fill(out, out.Example(), echo)
	s.issueFiles(e.Path, v, echo) // download_url and hash_value of a file this server serves
	body, err := json.Marshal(v)
	if err != nil {
		return apiError(http.StatusInternalServerError, "SYSTEM_ERROR", "wxpaytest: "+err.Error())
	}
	return &Reply{Status: status, Body: body}
}

// requestBody decodes an APIv3 request body for validation: JSON (numbers kept exact), or
// for a multipart upload an object of its parts, meta as its JSON text.
func requestBody(r *Request, e *catalog.Endpoint, sc *schema.Schema) (any, *Reply) {
	if e.Consumes == "multipart" {
		parts, multi, err := multipartParts(r)
		if !multi || err != nil {
			return nil, locatedError("body", "body", "is not multipart/form-data")
		}
		obj := map[string]any{}
		for _, p := range parts {
			switch ps := sc.Prop(p.Name); {
			case p.Filename != "":
				obj[p.Name] = p.Filename
			case ps != nil && (ps.Type == "integer" || ps.Type == "number"):
				obj[p.Name] = json.Number(p.Body)
			default:
				obj[p.Name] = string(p.Body)
			}
		}
		return obj, nil
	}
	if len(bytes.TrimSpace(r.Body)) == 0 {
		return nil, nil
	}
	d := json.NewDecoder(bytes.NewReader(r.Body))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return nil, locatedError("body", "body", "is not JSON: "+err.Error())
	}
	if d.More() {
		return nil, locatedError("body", "body", "has data after the JSON value")
	}
	return v, nil
}

func fieldError(location string, err error) *Reply {
	var fe *schema.FieldError
	if errors.As(err, &fe) {
		return locatedError(location, fe.Field, fe.Reason)
	}
	return locatedError(location, location, err.Error())
}

// collect gathers the request's scalar values by field name (the first occurrence wins),
// walking objects and the first item of arrays.
func collect(v any, into map[string]any) {
	switch t := v.(type) {
	case map[string]any:
		for k, x := range t {
			switch x.(type) {
			case string, json.Number, bool:
				if _, seen := into[k]; !seen {
					into[k] = x
				}
			}
		}
		for _, x := range t {
			collect(x, into)
		}
	case []any:
		if len(t) > 0 {
			collect(t[0], into)
		}
	}
}

// fill puts the request's values into the example answer v (shaped by s) where a field
// of the same name and kind was sent, and the value is one the answer's schema allows.
func fill(s *schema.Schema, v any, echo map[string]any) any {
	obj, ok := v.(map[string]any)
	if !ok || s == nil {
		return v
	}
	for _, p := range s.Props {
		cur, present := obj[p.Name]
		if !present {
			continue
		}
		switch c := cur.(type) {
		case map[string]any:
			obj[p.Name] = fill(p.Schema, c, echo)
		case []any:
			if len(c) > 0 && p.Schema.Items != nil {
				c[0] = fill(p.Schema.Items, c[0], echo)
			}
		default:
			if x, sent := echo[p.Name]; sent && p.Schema.JSON == nil && p.Schema.Validate(x) == nil && sameKind(cur, x) {
				obj[p.Name] = x
			}
		}
	}
	return obj
}

func sameKind(a, b any) bool {
	switch a.(type) {
	case string:
		_, ok := b.(string)
		return ok
	case bool:
		_, ok := b.(bool)
		return ok
	}
	_, ok := b.(json.Number)
	return ok
}

// binaryFile is a small file of the kind an endpoint downloads.
func binaryFile(path string) []byte {
	if strings.Contains(path, "images") {
		return []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89")
	}
	return []byte("%PDF-1.4\n% wxpaytest\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
}

func binaryType(path string) string {
	if strings.Contains(path, "images") {
		return "image/png"
	}
	return "application/pdf"
}

// ---- APIv2 -------------------------------------------------------------------------

// catalogV2 answers a good APIv2 request r; echo holds its fields.
func (s *Server) catalogV2(r *Request, e *catalog.Endpoint, sc *schema.Endpoint, echo map[string]any) *Reply {
	status, out := sc.Success()
	if e.Has(catalog.FileAnswer) { // bills: the file itself
		return &Reply{Status: status, Body: s.sampleBill()}
	}
	if e.Produces == "json" {
		v := any(map[string]any{})
		if out != nil {
			v = fill(out, out.Example(), echo)
		}
		body, _ := json.Marshal(v)
		return &Reply{Status: status, Body: body, Header: http.Header{"Content-Type": {"application/json"}}}
	}
	if out == nil {
		return &Reply{Status: status, Fields: s.v2OK(r)}
	}
	fields := [][2]string{{"return_code", "SUCCESS"}, {"return_msg", "OK"}}
	ex, _ := out.Example().(map[string]any)
	props := out.Props
	for _, name := range out.Required { // required by the catalog but not declared: made up
		if out.Prop(name) == nil {
			props = append(props[:len(props):len(props)], schema.Prop{Name: name, Schema: &schema.Schema{Type: "string"}})
		}
	}
	for _, p := range props {
		var v string
		switch p.Name {
		case "sign", "return_code", "return_msg":
			continue
		case "result_code":
			v = "SUCCESS" // whatever the catalog's enum says (one lists only FAIL)
		case "err_code", "err_code_des", "err_msg":
			continue
		case "nonce_str":
			v = nonce()
		default:
			if x, ok := echo[p.Name].(string); ok && x != "" && fitsField(p, x) {
				v = x
			} else {
				v = schema.Text(ex[p.Name])
			}
		}
		if v != "" { // coupon_id_$n is coupon_id_0 on the wire (the first of a list)
			fields = append(fields, [2]string{strings.NewReplacer("$n", "0", "$m", "0").Replace(p.Name), v})
		}
	}
	return &Reply{Status: status, Fields: fields, Unsigned: e.Has(catalog.UnsignedAnswer)}
}

// fitsField reports whether the request's value x may stand in an answer's field p: the
// field's type and enum allow it, and it is not JSON in a string (whose shape differs
// between request and answer).
func fitsField(p schema.Prop, x string) bool {
	if p.Schema.JSON != nil {
		return false
	}
	return p.ValidateText(x) == nil
}
