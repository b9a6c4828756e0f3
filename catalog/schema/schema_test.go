package schema

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func roundtrip(t *testing.T, v any) any {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var out any
	require.NoError(t, d.Decode(&out))
	return out
}

// flat turns an example object into APIv2 XML fields: scalars as text, objects and arrays
// JSON-encoded, nil (file parts) as "".
func flat(t *testing.T, v any) map[string]string {
	t.Helper()
	m, ok := v.(map[string]any)
	require.True(t, ok, "v2 example is %T", v)
	f := map[string]string{}
	for k, x := range m {
		switch x.(type) {
		case map[string]any, []any:
			b, err := json.Marshal(x)
			require.NoError(t, err)
			f[k] = string(b)
		default:
			f[k] = Text(x)
		}
	}
	return f
}

func fieldErr(t *testing.T, err error) *FieldError {
	t.Helper()
	require.Error(t, err)
	fe, ok := err.(*FieldError)
	require.True(t, ok, "error is %T", err)
	return fe
}

func TestLoad(t *testing.T) {
	start := time.Now()
	c, err := parse(data)
	require.NoError(t, err)
	t.Logf("parse: %v (%d bytes)", time.Since(start), len(data))
	require.Len(t, c.all, 1155)
	require.Len(t, All(), 1155)

	e, ok := Lookup("POST", "hk", "v3/transactions/out-trade-no/{out_trade_no}/reverse")
	require.True(t, ok)
	assert.Equal(t, "hk", e.Zone)
	require.Len(t, e.PathParams, 1)
	assert.Equal(t, "out_trade_no", e.PathParams[0].Name)
	require.Len(t, e.Responses, 1)
	assert.Equal(t, Response{Status: 204}, e.Responses[0])

	for _, zone := range []string{"", "hk"} {
		e, ok := Lookup("GET", zone, "v3/certificates")
		require.True(t, ok, "zone %q", zone)
		assert.Equal(t, zone, e.Zone)
	}
	_, ok = Lookup("GET", "global", "v3/certificates")
	assert.False(t, ok)
	_, ok = Lookup("POST", "", "v3/certificates")
	assert.False(t, ok)
}

func BenchmarkParse(b *testing.B) {
	for i := 0; i < b.N; i++ {
		if _, err := parse(data); err != nil {
			b.Fatal(err)
		}
	}
}

func TestInvariants(t *testing.T) {
	for _, e := range All() {
		name := e.Method + " " + e.Zone + " " + e.Path
		v2 := strings.HasPrefix(e.Path, "v2/")
		for _, p := range append(append([]Param{}, e.PathParams...), e.Query...) {
			ex := p.ExampleString()
			if ex == "" || ex == "." || ex == ".." || p.Validate(ex) != nil {
				t.Errorf("%s: param %s: example %q: %v", name, p.Name, ex, p.Validate(ex))
			}
		}
		for _, p := range e.PathParams {
			if !p.Required || strings.Contains(p.ExampleString(), "/") {
				t.Errorf("%s: path param %s: required %v, example %q", name, p.Name, p.Required, p.ExampleString())
			}
		}
		if e.Request != nil {
			ex := e.Request.Example()
			if err := e.Request.Validate(roundtrip(t, ex)); err != nil {
				t.Errorf("%s: request example: %v", name, err)
			}
			if err := e.Request.Validate(ex); err != nil {
				t.Errorf("%s: request example (no round trip): %v", name, err)
			}
			if v2 {
				if err := e.Request.ValidateFields(flat(t, ex)); err != nil {
					t.Errorf("%s: request example fields: %v", name, err)
				}
			}
			// Removing any required top-level field fails, naming it.
			if m, ok := ex.(map[string]any); ok {
				for _, r := range e.Request.Required {
					c := roundtrip(t, m).(map[string]any)
					delete(c, r)
					err := e.Request.Validate(c)
					if fe, ok := err.(*FieldError); !ok || fe.Field != r || fe.Reason != ReasonMissing {
						t.Errorf("%s: without %s: %v", name, r, err)
					}
					if v2 {
						f := flat(t, m)
						delete(f, r)
						err := e.Request.ValidateFields(f)
						if fe, ok := err.(*FieldError); !ok || fe.Field != r {
							t.Errorf("%s: fields without %s: %v", name, r, err)
						}
					}
				}
			}
		}
		for i, r := range e.Responses {
			if i > 0 && e.Responses[i-1].Status >= r.Status {
				t.Errorf("%s: responses not sorted", name)
			}
			if r.Schema == nil {
				continue
			}
			ex := r.Schema.Example()
			if err := r.Schema.Validate(roundtrip(t, ex)); err != nil {
				t.Errorf("%s: %d example: %v", name, r.Status, err)
			}
			if e.Method != "GET" && v2 && r.Schema.isObject() {
				if err := r.Schema.ValidateFields(flat(t, ex)); err != nil {
					t.Errorf("%s: %d example fields: %v", name, r.Status, err)
				}
			}
		}
	}
}

func TestExampleDeterministic(t *testing.T) {
	e, ok := Lookup("POST", "", "v3/refund/domestic/refunds")
	require.True(t, ok)
	a, _ := json.Marshal(e.Request.Example())
	b, _ := json.Marshal(e.Request.Example())
	assert.Equal(t, a, b)
	// Fresh values each call.
	m := e.Request.Example().(map[string]any)
	m["amount"] = nil
	assert.NotNil(t, e.Request.Example().(map[string]any)["amount"])
}

func TestRefund(t *testing.T) {
	e, ok := Lookup("POST", "", "v3/refund/domestic/refunds")
	require.True(t, ok)
	req := e.Request
	assert.Equal(t, []string{"out_refund_no", "amount"}, req.Required)
	amount := req.Prop("amount")
	require.NotNil(t, amount)
	assert.Equal(t, []string{"refund", "total", "currency"}, amount.Required)
	total := amount.Prop("total")
	require.NotNil(t, total)
	assert.Equal(t, "integer", total.Type)
	assert.Equal(t, json.Number("888"), total.SourceExample)

	ex := req.Example().(map[string]any)
	assert.Equal(t, int64(888), ex["amount"].(map[string]any)["total"])

	bad := map[string]any{"out_refund_no": "x", "amount": map[string]any{"refund": json.Number("1"), "total": "1", "currency": "CNY"}}
	fe := fieldErr(t, req.Validate(bad))
	assert.Equal(t, &FieldError{Field: "amount.total", Reason: "want integer, got string"}, fe)
	assert.Equal(t, "amount.total: want integer, got string", fe.Error())

	good := map[string]any{"out_refund_no": "x", "amount": map[string]any{"refund": 1.0, "total": json.Number("1"), "currency": "CNY"}}
	assert.NoError(t, req.Validate(good))

	missing := map[string]any{"out_refund_no": "x", "amount": map[string]any{"refund": 1, "currency": "CNY"}}
	assert.Equal(t, &FieldError{Field: "amount.total", Reason: ReasonMissing}, fieldErr(t, req.Validate(missing)))

	null := map[string]any{"out_refund_no": nil, "amount": map[string]any{"refund": 1, "total": 1, "currency": "CNY"}}
	assert.Equal(t, &FieldError{Field: "out_refund_no", Reason: ReasonNull}, fieldErr(t, req.Validate(null)))

	frac := map[string]any{"out_refund_no": "x", "amount": map[string]any{"refund": 1, "total": json.Number("1.5"), "currency": "CNY"}}
	assert.Equal(t, &FieldError{Field: "amount.total", Reason: "want integer, got number"}, fieldErr(t, req.Validate(frac)))

	// Items get an index in the path.
	gd := req.Prop("goods_detail")
	require.NotNil(t, gd)
	require.Equal(t, "array", gd.Type)
	ex = roundtrip(t, req.Example()).(map[string]any)
	ex["goods_detail"].([]any)[0].(map[string]any)["unit_price"] = "x"
	assert.Equal(t, &FieldError{Field: "goods_detail[0].unit_price", Reason: "want integer, got string"}, fieldErr(t, req.Validate(ex)))
}

func TestTradeBill(t *testing.T) {
	e, ok := Lookup("GET", "", "v3/bill/tradebill")
	require.True(t, ok)
	var bt *Param
	for i := range e.Query {
		if e.Query[i].Name == "bill_type" {
			bt = &e.Query[i]
		}
	}
	require.NotNil(t, bt)
	assert.Equal(t, []any{"ALL", "SUCCESS", "REFUND", "RECHARGE_REFUND", "ALL_SPECIAL", "SUC_SPECIAL", "REF_SPECIAL"}, bt.Enum)
	assert.False(t, bt.Required)
	assert.NoError(t, bt.Validate("ALL_SPECIAL"))
	assert.Equal(t, "ALL", bt.ExampleString())
	assert.Equal(t, &FieldError{Field: "bill_type", Reason: `"WEEKLY" not in enum [ALL SUCCESS REFUND RECHARGE_REFUND ALL_SPECIAL SUC_SPECIAL REF_SPECIAL]`},
		fieldErr(t, bt.Validate("WEEKLY")))
}

func TestMediaUpload(t *testing.T) {
	e, ok := Lookup("POST", "", "v3/merchant/media/upload")
	require.True(t, ok)
	req := e.Request
	assert.Equal(t, []string{"file", "meta"}, req.Required)
	assert.Equal(t, "file", req.Prop("file").Type)
	meta := req.Prop("meta")
	require.NotNil(t, meta)
	assert.Equal(t, "jsonObjectLike", meta.Format)
	require.NotNil(t, meta.JSON)
	// The source declares filename and sha256 but no required list for meta.
	require.Len(t, meta.JSON.Props, 2)
	assert.Equal(t, "filename", meta.JSON.Props[0].Name)
	assert.Equal(t, "sha256", meta.JSON.Props[1].Name)
	assert.Empty(t, meta.JSON.Required)

	ex := req.Example().(map[string]any)
	assert.Contains(t, ex, "file")
	assert.Nil(t, ex["file"])
	assert.JSONEq(t, `{"filename":"filename_example","sha256":"sha256_example"}`, ex["meta"].(string))
	assert.NoError(t, req.Validate(map[string]any{"file": []byte("x"), "meta": `{"filename":"a.jpg","sha256":"00"}`}))
	assert.Equal(t, &FieldError{Field: "meta", Reason: "invalid JSON: unexpected EOF"},
		fieldErr(t, req.Validate(map[string]any{"file": nil, "meta": `{"filename":`})))
	assert.Equal(t, &FieldError{Field: "meta.filename", Reason: "want string, got number"},
		fieldErr(t, req.Validate(map[string]any{"file": nil, "meta": `{"filename":1}`})))
	assert.Equal(t, &FieldError{Field: "file", Reason: ReasonMissing},
		fieldErr(t, req.Validate(map[string]any{"meta": `{}`})))
}

func TestV2Reverse(t *testing.T) {
	e, ok := Lookup("POST", "", "v2/secapi/pay/reverse")
	require.True(t, ok)
	req := e.Request
	assert.Equal(t, []string{"appid", "mch_id", "out_trade_no", "nonce_str", "sign"}, req.Required)
	st := req.Prop("sign_type")
	require.NotNil(t, st)
	assert.Equal(t, []any{"MD5", "HMAC-SHA256"}, st.Enum)
	require.Len(t, e.Responses, 1)
	resp := e.Responses[0].Schema
	assert.Equal(t, 200, e.Responses[0].Status)
	assert.Equal(t, [][]string{{"return_code", "return_msg"}, {"appid", "mch_id", "nonce_str", "sign", "result_code", "recall"}}, resp.Groups)
	assert.Equal(t, []any{"Y", "N"}, resp.Prop("recall").Enum)

	f := flat(t, req.Example())
	assert.NoError(t, req.ValidateFields(f))
	f["sign_type"] = "SHA1"
	assert.Equal(t, &FieldError{Field: "sign_type", Reason: `"SHA1" not in enum [MD5 HMAC-SHA256]`}, fieldErr(t, req.ValidateFields(f)))
	f["sign_type"] = "MD5"
	f["nonce_str"] = ""
	assert.Equal(t, &FieldError{Field: "nonce_str", Reason: ReasonEmpty}, fieldErr(t, req.ValidateFields(f)))
	delete(f, "nonce_str")
	assert.Equal(t, &FieldError{Field: "nonce_str", Reason: ReasonMissing}, fieldErr(t, req.ValidateFields(f)))

	// JSON form too: wrong enum.
	m := roundtrip(t, req.Example()).(map[string]any)
	m["sign_type"] = "SHA1"
	assert.Equal(t, &FieldError{Field: "sign_type", Reason: `"SHA1" not in enum [MD5 HMAC-SHA256]`}, fieldErr(t, req.Validate(m)))
}

func TestQuirks(t *testing.T) {
	// Integer field whose example is prose ("1或者0"): synthesized.
	e, ok := Lookup("POST", "", "v2/mmpaymkttransfers/send_coupon")
	require.True(t, ok)
	sc := e.Responses[0].Schema.Prop("success_count")
	assert.Equal(t, "1或者0", sc.SourceExample)
	assert.Equal(t, int64(1), sc.Example())

	// Number with a numeric enum: compared by value.
	e, ok = Lookup("GET", "", "v2/appauth/getaccesstoken")
	require.True(t, ok)
	rc := e.Responses[0].Schema.Prop("retcode")
	assert.Equal(t, "number", rc.Type)
	assert.NoError(t, rc.Validate(json.Number("-1")))
	assert.NoError(t, rc.Validate(0.0))
	assert.Equal(t, &FieldError{Reason: "2 not in enum [0 -1]"}, fieldErr(t, rc.Validate(json.Number("2"))))
	assert.Equal(t, "2 not in enum [0 -1]", fieldErr(t, rc.Validate(json.Number("2"))).Error())

	// A number field with a string enum is treated as a string.
	e, ok = Lookup("POST", "", "v3/gov/subsidy/zhejiang/authcode/try")
	require.True(t, ok)
	dm := e.Responses[0].Schema.Prop("discount_mode")
	assert.Equal(t, "string", dm.Type)
	assert.Equal(t, "DIS_FLAG", dm.Example())

	// Example not in the enum: the first enum value.
	e, ok = Lookup("GET", "", "v3/profitsharing/orders/{out_order_no}")
	require.True(t, ok)
	state := e.Responses[0].Schema.Prop("state")
	assert.Equal(t, "FINISHED", state.SourceExample)
	assert.Equal(t, "PENDING", state.Example())

	// Boolean example given as a string.
	e, ok = Lookup("POST", "", "v2/wxv/finishhotelbill")
	require.True(t, ok)
	assert.Equal(t, true, e.Request.Prop("checked_in").Example())

	// Untyped request object (v2/pay/profitsharingmerchantratioquery): still checked as an object.
	e, ok = Lookup("POST", "", "v2/pay/profitsharingmerchantratioquery")
	require.True(t, ok)
	assert.Equal(t, "", e.Request.Type)
	assert.NotEmpty(t, e.Request.Required)
	assert.Error(t, e.Request.Validate(map[string]any{}))

	// oneOf inside x-json: the first alternative is the example; either validates.
	e, ok = Lookup("POST", "", "v2/vehicle/pay/payapply")
	require.True(t, ok)
	si := e.Request.Prop("scene_info")
	require.NotNil(t, si.JSON)
	inner := si.JSON.Prop("scene_info")
	require.NotNil(t, inner)
	require.Len(t, inner.OneOf, 5)
	assert.NoError(t, inner.Validate(roundtrip(t, inner.OneOf[1].Example())))
	assert.Equal(t, inner.OneOf[0].Example(), inner.Example())
	assert.Error(t, inner.Validate(map[string]any{}))

	// Array parameter.
	e, ok = Lookup("GET", "", "v3/new-tax-control-fapiao/fapiaomerchant/getspinviteurl")
	require.True(t, ok)
	for _, p := range e.Query {
		if p.Name == "fapiao_ability_type_list" {
			assert.Equal(t, "BASE_ABILITY", p.ExampleString())
			assert.NoError(t, p.Validate("BASE_ABILITY,REAL_ESTATE_ABILITY"))
			assert.Equal(t, &FieldError{Field: "fapiao_ability_type_list[1]", Reason: `"X" not in enum [BASE_ABILITY REAL_ESTATE_ABILITY PASSENGER_TRANSPORT_ABILITY REFINED_OIL_ABILITY]`},
				fieldErr(t, p.Validate("BASE_ABILITY,X")))
		}
	}

	// Integer parameter.
	p := Param{Name: "limit", Type: "integer", Example: json.Number("10")}
	assert.Equal(t, "10", p.ExampleString())
	assert.Equal(t, &FieldError{Field: "limit", Reason: `want integer, got "ten"`}, fieldErr(t, p.Validate("ten")))
	assert.Equal(t, &FieldError{Field: "limit", Reason: ReasonEmpty}, fieldErr(t, Param{Name: "limit", Type: "integer", Required: true}.Validate("")))

	// Wrong top-level type.
	e, _ = Lookup("POST", "", "v3/refund/domestic/refunds")
	assert.Equal(t, &FieldError{Reason: "want object, got array"}, fieldErr(t, e.Request.Validate([]any{})))
}

func TestSuccessAndValidateText(t *testing.T) {
	e, ok := Lookup("POST", "hk", "v3/transactions/out-trade-no/{out_trade_no}/reverse")
	if !ok {
		t.Fatal("no hk reverse")
	}
	if status, s := e.Success(); status != 204 || s != nil {
		t.Errorf("hk reverse: %d %v, want 204 and no body", status, s)
	}
	e, _ = Lookup("POST", "", "v3/refund/domestic/refunds")
	status, s := e.Success()
	if status != 200 || s == nil || s.Prop("refund_id") == nil {
		t.Fatalf("refunds: %d %v", status, s)
	}
	e, _ = Lookup("POST", "", "v2/secapi/pay/reverse")
	_, s = e.Success()
	for _, p := range s.Props {
		if p.Name != "recall" {
			continue
		}
		if err := p.ValidateText("Y"); err != nil {
			t.Error(err)
		}
		if err := p.ValidateText("MAYBE"); err == nil {
			t.Error("recall MAYBE accepted")
		} else if fe := err.(*FieldError); fe.Field != "recall" {
			t.Errorf("field %q", fe.Field)
		}
	}
}
