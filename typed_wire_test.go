package wxpay_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wxpay-go/wxpay"
	"github.com/wxpay-go/wxpay/apiv2"
	"github.com/wxpay-go/wxpay/apiv3"
	"github.com/wxpay-go/wxpay/catalog"
	"github.com/wxpay-go/wxpay/catalog/schema"
	"github.com/wxpay-go/wxpay/codec"
	"github.com/wxpay-go/wxpay/wxpaytest"
)

// typedNotCallable are the catalog entries the typed test does not call, and why.
var typedNotCallable = map[string]string{
	"POST v3/webhooks": "the shape of the notification WeChat Pay sends to the merchant",
}

// typedStateful answer from the emulator's order state: a request built from the catalog's
// example names an order that may not exist. The platform's verified business error with
// one of these codes is accepted; TestPaymentFlow (wxpaytest) covers their success answers.
var typedStateful = map[string][]string{
	"POST v3/pay/transactions/native":                            {"ORDER_NO_DUPLICATE"},
	"POST v3/pay/transactions/jsapi":                             {"ORDER_NO_DUPLICATE"},
	"POST v3/pay/transactions/app":                               {"ORDER_NO_DUPLICATE"},
	"POST v3/pay/transactions/h5":                                {"ORDER_NO_DUPLICATE"},
	"GET v3/pay/transactions/id/{transaction_id}":                {"ORDER_NOT_EXIST"},
	"GET v3/pay/transactions/out-trade-no/{out_trade_no}":        {"ORDER_NOT_EXIST"},
	"POST v3/pay/transactions/out-trade-no/{out_trade_no}/close": {"ORDER_NOT_EXIST", "ORDER_PAID"},
	"POST v3/refund/domestic/refunds":                            {"RESOURCE_NOT_EXISTS", "INVALID_REQUEST"},
	"GET v3/refund/domestic/refunds/{out_refund_no}":             {"RESOURCE_NOT_EXISTS"},
	"POST v2/pay/orderquery":                                     {"ORDERNOTEXIST"},
	"POST v2/pay/closeorder":                                     {"ORDERNOTEXIST", "ORDERPAID"},
	"POST v2/secapi/pay/reverse":                                 {"ORDERNOTEXIST"},
	"POST v2/secapi/pay/refund":                                  {"ORDERNOTEXIST"},
	"POST v2/pay/refundquery":                                    {"REFUNDNOTEXIST"},
}

// TestEveryEndpointTyped calls every catalog endpoint through its typed fluent leaf
// against the emulator, with a typed request filled from the catalog's example values,
// and requires a verified answer with the catalog's status and, where the endpoint has an
// answer schema, a typed answer equal to the answer body decoded strictly (unknown fields
// disallowed). The one APIv2 upload, whose body is signed inside, goes through UploadV2
// and its answer is decoded into the typed answer.
func TestEveryEndpointTyped(t *testing.T) {
	srv := wxpaytest.NewServer(t)
	wx := newClient(t, srv)
	ctx := context.Background()

	var (
		mu                        sync.Mutex
		failures                  []string
		calls, typedAnswers, none int
	)
	report := func(format string, args ...any) {
		mu.Lock()
		defer mu.Unlock()
		failures = append(failures, fmt.Sprintf(format, args...))
	}
	work := make(chan fluentCall)
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for fc := range work {
				name := fc.method + " " + fc.path
				if fc.zone != "" {
					name += " (" + fc.zone + ")"
				}
				out, resp, err := typedCall(ctx, t, srv, wx, fc)
				mu.Lock()
				calls++
				mu.Unlock()
				var apiErr *wxpay.APIError
				if codes, ok := typedStateful[fc.method+" "+fc.path]; ok && errors.As(err, &apiErr) && slices.Contains(codes, apiErr.Code) {
					continue
				}
				if err != nil {
					report("%s: %v", name, err)
					continue
				}
				sc, _ := schema.Lookup(fc.method, fc.zone, fc.path)
				if status, _ := sc.Success(); resp.StatusCode != status {
					report("%s: status %d, catalog says %d", name, resp.StatusCode, status)
				}
				if fc.newAnswer == nil {
					mu.Lock()
					none++
					mu.Unlock()
					continue
				}
				if rv := reflect.ValueOf(out); out == nil || rv.IsNil() {
					report("%s: no typed answer", name)
					continue
				}
				strict := fc.newAnswer()
				if err := decodeStrict(resp, strict); err != nil {
					report("%s: answer does not decode strictly: %v", name, err)
					continue
				}
				if !reflect.DeepEqual(out, strict) {
					report("%s: the typed answer %+v differs from the strict decoding %+v", name, out, strict)
					continue
				}
				mu.Lock()
				typedAnswers++
				mu.Unlock()
			}
		}()
	}
	n := 0
	for _, fc := range fluentCalls {
		if _, skip := typedNotCallable[fc.method+" "+fc.path]; skip {
			continue
		}
		work <- fc
		n++
	}
	close(work)
	wg.Wait()
	sort.Strings(failures)
	for _, f := range failures {
		t.Error(f)
	}
	named := 0 // the catalog's endpoints with a leaf: all but the project's extra URLs
	for _, e := range catalog.All() {
		if !e.Has(catalog.Extra) {
			named++
		}
	}
	assert.Equal(t, named-len(typedNotCallable), n)
	assert.Equal(t, n, calls)
	t.Logf("%d endpoints called through their typed leaves, %d failed; %d typed answers checked, %d endpoints without an answer body",
		calls, len(failures), typedAnswers, none)
}

// decodeStrict decodes a verified answer into v with unknown fields disallowed: JSON by
// json.Decoder.DisallowUnknownFields, APIv2 fields by requiring every field to be taken.
func decodeStrict(resp *wxpay.Response, v any) error {
	if !resp.APIv2() || bytes.HasPrefix(bytes.TrimSpace(resp.Body), []byte("{")) {
		d := json.NewDecoder(bytes.NewReader(resp.Body))
		d.DisallowUnknownFields()
		return d.Decode(v)
	}
	var f codec.Fields
	if err := resp.Decode(&f); err != nil {
		return err
	}
	in := map[string]string{}
	for _, x := range f {
		in[x.Name] = x.Value
	}
	return fieldsRoundTrip(in, v)
}

// typedCall builds the endpoint's typed request from the catalog's example values (the
// merchant's own mchid) and calls the typed leaf.
func typedCall(ctx context.Context, t *testing.T, srv *wxpaytest.Server, wx *wxpay.Client, fc fluentCall) (any, *wxpay.Response, error) {
	sc, ok := schema.Lookup(fc.method, fc.zone, fc.path)
	require.True(t, ok)
	ep, _ := catalog.Lookup(fc.method, catalog.Shape(fc.path))
	v2 := strings.HasPrefix(fc.path, "v2/")
	var opts []wxpay.CallOption
	if fc.zone != "" {
		opts = append(opts, wxpay.BaseURL(srv.URL+fc.zone+"/"))
	}
	values := make([]string, len(fc.params))
	for i, name := range fc.params {
		for _, p := range sc.PathParams {
			if p.Name == name {
				values[i] = p.ExampleString()
			}
		}
	}
	var ex map[string]any
	if sc.Request != nil {
		ex, _ = sc.Request.Example().(map[string]any)
	}
	var req any
	switch {
	case fc.newRequest != nil:
		req = fc.newRequest()
		if err := fillQuery(req, sc.Query, srv.MchID); err != nil {
			return nil, nil, err
		}
		if ex == nil {
			break
		}
		if v2 {
			fields := requestFieldsV2(ex)
			delete(fields, "nonce_str") // the client adds it
			if _, ok := fields["mch_id"]; ok {
				fields["mch_id"] = srv.MchID
			}
			if st := fields["sign_type"]; st != "" && st != "MD5" && st != "HMAC-SHA256" {
				delete(fields, "sign_type")
			}
			var f codec.Fields
			for k, v := range fields {
				f = append(f, codec.Field{Name: k, Value: v})
			}
			if err := f.Decode(req); err != nil {
				return nil, nil, err
			}
			break
		}
		if _, ok := ex["mchid"]; ok {
			ex["mchid"] = srv.MchID
		}
		b, _ := json.Marshal(ex)
		if err := json.Unmarshal(b, req); err != nil {
			return nil, nil, err
		}
	case ep.Consumes == "multipart" && v2:
		resp, err := wx.UploadV2(ctx, fc.path, "media", "sample.png", bytes.NewReader([]byte("\x89PNG sample")),
			map[string]string{"mch_id": srv.MchID}, opts...)
		if err != nil || fc.newAnswer == nil {
			return nil, resp, err
		}
		out := fc.newAnswer()
		return out, resp, resp.Decode(out)
	case ep.Consumes == "multipart":
		body, uopts, err := uploadForm(sc, ex)
		if err != nil {
			return nil, nil, err
		}
		req = body
		opts = append(uopts, opts...)
	}
	return fc.typed(ctx, wx, values, req, opts...)
}

// fillQuery sets the request's query fields from the catalog's example values.
func fillQuery(req any, params []schema.Param, mchid string) error {
	rv := reflect.ValueOf(req).Elem()
	for i := 0; i < rv.NumField(); i++ {
		name, ok := rv.Type().Field(i).Tag.Lookup("url")
		if !ok {
			continue
		}
		for _, p := range params {
			if p.Name != name {
				continue
			}
			v := p.ExampleString()
			switch name {
			case "nonce_str":
				continue // the client adds it
			case "mchid", "mch_id":
				v = mchid
			}
			if err := setText(rv.Field(i), v); err != nil {
				return err
			}
		}
	}
	return nil
}

// uploadForm builds a multipart upload for an APIv3 upload endpoint from its catalog
// schema: the meta JSON (filename and digest of the sample file), the file parts, and the
// other fields from the example.
func uploadForm(sc *schema.Endpoint, ex map[string]any) ([]byte, []wxpay.CallOption, error) {
	file := []byte("\x89PNG sample")
	sum := sha256.Sum256(file)
	meta := map[string]any{}
	if m, ok := ex["meta"].(string); ok {
		_ = json.Unmarshal([]byte(m), &meta)
	}
	for k := range meta {
		switch k {
		case "file_name", "filename":
			meta[k] = "sample.png"
		case "file_digest", "sha256":
			meta[k] = hex.EncodeToString(sum[:])
		}
	}
	metaJSON, err := json.Marshal(meta)
	if err != nil {
		return nil, nil, err
	}
	var parts []wxpay.FormPart
	for _, p := range sc.Request.Props {
		switch {
		case p.Name == "meta":
			parts = append(parts, wxpay.FormPart{Name: "meta", Data: metaJSON})
		case p.Schema.Type == "file":
			parts = append(parts, wxpay.FormPart{Name: p.Name, Filename: "sample.png", Data: file})
		default:
			parts = append(parts, wxpay.FormPart{Name: p.Name, Data: []byte(schema.Text(ex[p.Name]))})
		}
	}
	return wxpay.FormBody(parts...)
}

// TestTypedCallDetails: query fields are sent as the query (a required value even when
// zero, a set pointer even to zero; an unset pointer or empty string not at all) and never
// in the body; a nil request sends nothing; an async typed call's Wait gives one answer
// however often it is called; an APIv2 endpoint that answers JSON decodes into its type.
func TestTypedCallDetails(t *testing.T) {
	srv := wxpaytest.NewServer(t)
	wx := newClient(t, srv)
	ctx := context.Background()

	out, resp, err := wx.V3().BankTransfer().Batches().BatchId("1030000071100999991182020050700019480001").Get(ctx,
		&apiv3.BankTransferBatchesBatchIDRequest{NeedQueryDetail: false, Offset: apiv3.Int64(0)})
	require.NoError(t, err)
	require.NotNil(t, out)
	assert.Equal(t, 200, resp.StatusCode)
	last := srv.LastRequest()
	assert.Equal(t, "/v3/bank-transfer/batches/batch-id/1030000071100999991182020050700019480001?need_query_detail=false&offset=0", last.RequestURI)
	assert.Empty(t, last.Body, "a GET's query fields are not a body")

	// A nil request: nothing to send, and the platform names the missing parameter.
	_, _, err = wx.V3().Bill().Tradebill().Get(ctx, nil)
	var apiErr *wxpay.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Contains(t, string(apiErr.Detail), `"field":"bill_date"`)
	assert.Equal(t, "/v3/bill/tradebill", srv.LastRequest().RequestURI)

	// Set query fields only, in field order.
	bill, _, err := wx.V3().Bill().Tradebill().Get(ctx, &apiv3.TradebillRequest{BillDate: "2019-06-11", BillType: apiv3.BillTypeAll})
	require.NoError(t, err)
	assert.NotEmpty(t, bill.DownloadURL)
	assert.Equal(t, "/v3/bill/tradebill?bill_date=2019-06-11&bill_type=ALL", srv.LastRequest().RequestURI)

	// Async: one decoded answer, however often Wait is called.
	f := wx.V3().Pay().Transactions().Native().PostAsync(ctx, &apiv3.PayTransactionsNativeRequest{
		Appid: "wxd678efh567hg6787", Mchid: srv.MchID, Description: "async", OutTradeNo: "TYPED-ASYNC-1",
		NotifyURL: "https://example.com/n", Amount: &apiv3.ChargeTransactionsAmount{Total: 1}})
	<-f.Done()
	a1, r1, err := f.Wait()
	require.NoError(t, err)
	a2, r2, err := f.Wait()
	require.NoError(t, err)
	assert.Same(t, a1, a2)
	assert.Same(t, r1, r2)
	assert.True(t, strings.HasPrefix(a1.CodeURL, "weixin://"), a1.CodeURL)
	var sent map[string]any
	require.NoError(t, json.Unmarshal(srv.LastRequest().Body, &sent))
	assert.Equal(t, map[string]any{"appid": "wxd678efh567hg6787", "mchid": srv.MchID, "description": "async",
		"out_trade_no": "TYPED-ASYNC-1", "notify_url": "https://example.com/n", "amount": map[string]any{"total": float64(1)}}, sent,
		"unset fields are not sent")

	// An APIv2 endpoint answering JSON.
	tok, _, err := wx.V2().Appauth().Getaccesstoken().Get(ctx, &apiv2.GetaccesstokenRequest{MchID: srv.MchID,
		Appid: "wxcbda96de0b165486", Openid: "o1", Code: "c1", GrantType: apiv2.GrantTypeAuthorizationCode,
		Scope: apiv2.GetaccesstokenScopePayIdentity, SignType: apiv2.SignTypeHmacSha256})
	require.NoError(t, err)
	assert.Equal(t, int64(0), tok.Retcode)
	assert.NotEmpty(t, tok.AccessToken)
}
