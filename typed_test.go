package wxpay_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/big"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wxpay-go/wxpay/catalog/schema"
	"github.com/wxpay-go/wxpay/codec"
)

// TestTypedModelsRoundTrip: for every catalog endpoint, the catalog's example request
// decodes into the endpoint's typed request with unknown fields disallowed (APIv3 JSON:
// json.Decoder.DisallowUnknownFields; APIv2: every field lands in a struct field) and
// encodes back to the same JSON or the same fields; every query parameter is a field of
// the request, and its example value parses into it; the example success answer, as the
// emulator builds it, decodes into the typed answer the same way and encodes back the same.
func TestTypedModelsRoundTrip(t *testing.T) {
	var requests, queries, answers, bodiless, noAnswer int
	for _, fc := range fluentCalls {
		name := fc.method + " " + fc.path
		if fc.zone != "" {
			name += " (" + fc.zone + ")"
		}
		sc, ok := schema.Lookup(fc.method, fc.zone, fc.path)
		require.True(t, ok, name)
		v2 := strings.HasPrefix(fc.path, "v2/")

		if fc.newRequest == nil {
			bodiless++
		} else {
			req := fc.newRequest()
			// One leaf serves a path in two zones with the first zone's types: GET
			// v3/certificates (hk) takes no algorithm_type, the mainland's optional parameter.
			sameZone := fc.zone == "" || fc.path != "v3/certificates"
			if err := queryFields(req, sc.Query, v2, sameZone); err != nil {
				t.Errorf("%s: request query: %v", name, err)
			}
			queries += len(sc.Query)
			if sc.Request != nil {
				var err error
				if v2 {
					err = fieldsRoundTrip(requestFieldsV2(sc.Request.Example()), req)
				} else {
					err = jsonRoundTrip(sc.Request.Example(), req)
				}
				if err != nil {
					t.Errorf("%s: request: %v", name, err)
				}
			}
			requests++
		}

		_, out := sc.Success()
		if fc.newAnswer == nil {
			noAnswer++
			continue
		}
		ans := fc.newAnswer()
		var err error
		if v2 && !strings.Contains(fc.path, "getaccesstoken") {
			err = fieldsRoundTrip(answerFieldsV2(out), ans)
		} else {
			err = jsonRoundTrip(out.Example(), ans)
		}
		if err != nil {
			t.Errorf("%s: answer: %v", name, err)
		}
		answers++
	}
	t.Logf("%d endpoints: %d typed requests (%d query parameters), %d without a request value; %d typed answers, %d without",
		len(fluentCalls), requests, queries, bodiless, answers, noAnswer)
	assert.Equal(t, 1155, len(fluentCalls))
	assert.Equal(t, len(fluentCalls), requests+bodiless)
	assert.Equal(t, len(fluentCalls), answers+noAnswer)
}

// jsonRoundTrip decodes example's JSON into v, unknown fields disallowed, and requires v's
// JSON to be the same.
func jsonRoundTrip(example any, v any) error {
	in, err := json.Marshal(example)
	if err != nil {
		return err
	}
	d := json.NewDecoder(bytes.NewReader(in))
	d.DisallowUnknownFields()
	if err := d.Decode(v); err != nil {
		return fmt.Errorf("decode %s: %w", in, err)
	}
	back, err := json.Marshal(v)
	if err != nil {
		return err
	}
	if p := sameJSON(decodeJSON(in), decodeJSON(back), ""); p != "" {
		return fmt.Errorf("not the same JSON at %s:\n in  %s\n out %s", p, in, back)
	}
	return nil
}

func decodeJSON(b []byte) any {
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var v any
	if d.Decode(&v) != nil {
		return nil
	}
	return v
}

// sameJSON compares decoded JSON: numbers by value, strings holding JSON by their JSON
// (a typed x-json value writes its keys in field order); it returns the first difference.
func sameJSON(a, b any, path string) string {
	switch x := a.(type) {
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok || len(x) != len(y) {
			return path + fmt.Sprintf(" (%v vs %v)", mapKeys(x), b)
		}
		for k, v := range x {
			if p := sameJSON(v, y[k], path+"."+k); p != "" {
				return p
			}
		}
		return ""
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return path
		}
		for i := range x {
			if p := sameJSON(x[i], y[i], fmt.Sprintf("%s[%d]", path, i)); p != "" {
				return p
			}
		}
		return ""
	case json.Number:
		y, ok := b.(json.Number)
		if !ok {
			return path
		}
		r1, ok1 := new(big.Rat).SetString(string(x))
		r2, ok2 := new(big.Rat).SetString(string(y))
		if !ok1 || !ok2 || r1.Cmp(r2) != 0 {
			return path
		}
		return ""
	case string:
		y, ok := b.(string)
		if !ok {
			return path
		}
		if x == y {
			return ""
		}
		if jx, jy := decodeJSON([]byte(x)), decodeJSON([]byte(y)); jx != nil && jy != nil {
			return sameJSON(jx, jy, path+"<json>")
		}
		return path + fmt.Sprintf(" (%q vs %q)", x, y)
	}
	if !reflect.DeepEqual(a, b) {
		return path
	}
	return ""
}

func mapKeys(m map[string]any) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

// requestFieldsV2 is an APIv2 example request as fields: every property as its text,
// numbered ones ($n) as the first of a list; without the sign, which the SDK computes.
func requestFieldsV2(example any) map[string]string {
	f := map[string]string{}
	obj, _ := example.(map[string]any)
	for k, v := range obj {
		if k == "sign" {
			continue
		}
		f[strings.NewReplacer("$n", "0", "$m", "0").Replace(k)] = schema.Text(v)
	}
	return f
}

// answerFieldsV2 is an APIv2 success answer as the emulator builds it from the catalog.
func answerFieldsV2(out *schema.Schema) map[string]string {
	f := map[string]string{"return_code": "SUCCESS", "return_msg": "OK"}
	ex, _ := out.Example().(map[string]any)
	for k, v := range ex {
		switch k {
		case "sign", "return_code", "return_msg", "err_code", "err_code_des", "err_msg":
			continue
		case "result_code":
			v = "SUCCESS"
		}
		if s := schema.Text(v); s != "" {
			f[strings.NewReplacer("$n", "0", "$m", "0").Replace(k)] = s
		}
	}
	return f
}

// fieldsRoundTrip decodes APIv2 fields into v and requires v's fields to be the same:
// a field that no struct field takes is lost, and fails the comparison.
func fieldsRoundTrip(in map[string]string, v any) error {
	var fields codec.Fields
	for k, x := range in {
		fields = append(fields, codec.Field{Name: k, Value: x})
	}
	sort.Slice(fields, func(i, j int) bool { return fields[i].Name < fields[j].Name })
	if err := fields.Decode(v); err != nil {
		return err
	}
	back, err := codec.FieldsOf(v)
	if err != nil {
		return err
	}
	out := back.Map()
	for k, x := range in {
		y, ok := out[k]
		if !ok {
			return fmt.Errorf("field %s=%q is lost (no struct field takes it)", k, x)
		}
		if x != y {
			if jx, jy := decodeJSON([]byte(x)), decodeJSON([]byte(y)); jx == nil || jy == nil || sameJSON(jx, jy, "") != "" {
				return fmt.Errorf("field %s: %q comes back as %q", k, x, y)
			}
		}
	}
	for k, y := range out {
		if _, ok := in[k]; !ok {
			return fmt.Errorf("field %s=%q appears", k, y)
		}
	}
	return nil
}

// queryFields requires one url-tagged field per query parameter (the APIv2 sign aside),
// and that the parameter's example value parses into it.
func queryFields(req any, params []schema.Param, v2, exact bool) error {
	rv := reflect.ValueOf(req).Elem()
	tagged := map[string]reflect.Value{}
	for i := 0; i < rv.NumField(); i++ {
		if name, ok := rv.Type().Field(i).Tag.Lookup("url"); ok {
			tagged[name] = rv.Field(i)
		}
	}
	n := 0
	for _, p := range params {
		if v2 && p.Name == "sign" {
			continue
		}
		n++
		f, ok := tagged[p.Name]
		if !ok {
			return fmt.Errorf("no field for query parameter %s", p.Name)
		}
		if err := setText(f, p.ExampleString()); err != nil {
			return fmt.Errorf("query parameter %s: %w", p.Name, err)
		}
	}
	if exact && n != len(tagged) {
		return fmt.Errorf("%d query fields for %d parameters", len(tagged), n)
	}
	return nil
}

func setText(f reflect.Value, s string) error {
	if f.Kind() == reflect.Pointer {
		f.Set(reflect.New(f.Type().Elem()))
		f = f.Elem()
	}
	switch f.Kind() {
	case reflect.String:
		f.SetString(s)
	case reflect.Int64:
		n, err := strconv.ParseInt(s, 10, 64)
		f.SetInt(n)
		return err
	case reflect.Uint64:
		n, err := strconv.ParseUint(s, 10, 64)
		f.SetUint(n)
		return err
	case reflect.Float64:
		n, err := strconv.ParseFloat(s, 64)
		f.SetFloat(n)
		return err
	case reflect.Bool:
		b, err := strconv.ParseBool(s)
		f.SetBool(b)
		return err
	case reflect.Slice:
		parts := strings.Split(s, ",")
		f.Set(reflect.MakeSlice(f.Type(), len(parts), len(parts)))
		for i, p := range parts {
			if err := setText(f.Index(i), p); err != nil {
				return err
			}
		}
	default:
		return fmt.Errorf("cannot set a %s", f.Type())
	}
	return nil
}
