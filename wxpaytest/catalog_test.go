package wxpaytest_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wxpay-go/wxpay"
	"github.com/wxpay-go/wxpay/catalog"
	"github.com/wxpay-go/wxpay/catalog/schema"
	"github.com/wxpay-go/wxpay/wxpaytest"
)

// notCallable are the catalog entries that are not APIs a merchant calls.
var notCallable = map[string]string{
	"POST v3/webhooks": "the shape of the notification WeChat Pay sends to the merchant",
}

// stateful endpoints answer from the emulator's order state, not from the catalog: their
// example request names an order that may not exist (or, run concurrently with the others,
// was just made or closed). For them the test accepts the platform's verified business
// error with one of these codes; TestPaymentFlow covers their success answers.
var stateful = map[string][]string{
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

// catalogCall is one request built from the catalog's example values: a valid request.
type catalogCall struct {
	ep     catalog.Endpoint
	sc     *schema.Endpoint
	path   string
	body   any
	opts   []wxpay.CallOption
	upload bool
}

func buildCall(t *testing.T, srv *wxpaytest.Server, e catalog.Endpoint) catalogCall {
	t.Helper()
	sc, ok := schema.Lookup(e.Method, e.Zone, e.Path)
	require.True(t, ok, "schema for %s %s %s", e.Method, e.Zone, e.Path)
	c := catalogCall{ep: e, sc: sc, path: e.Path}
	if e.Zone != "" {
		c.opts = append(c.opts, wxpay.BaseURL(srv.URL+e.Zone+"/"))
	}
	for _, p := range sc.PathParams {
		c.opts = append(c.opts, wxpay.PathParam(p.Name, p.ExampleString()))
	}
	v2 := strings.HasPrefix(e.Path, "v2/")
	for _, p := range sc.Query {
		switch {
		case v2 && (p.Name == "sign" || p.Name == "nonce_str"): // the client adds them
		case p.Name == "mchid" || p.Name == "mch_id": // the merchant calling
			c.opts = append(c.opts, wxpay.Query(p.Name, srv.MchID))
		default:
			c.opts = append(c.opts, wxpay.Query(p.Name, p.ExampleString()))
		}
	}
	if sc.Request == nil {
		return c
	}
	ex := sc.Request.Example()
	switch {
	case e.Consumes == "multipart":
		c.upload = true
		c.body = ex
	case v2:
		fields := map[string]string{}
		obj, _ := ex.(map[string]any)
		for k, v := range obj {
			switch k {
			case "sign", "nonce_str": // the client adds them
				continue
			case "mch_id":
				v = srv.MchID
			}
			fields[strings.NewReplacer("$n", "0", "$m", "0").Replace(k)] = schema.Text(v)
		}
		if st := fields["sign_type"]; st != "" && st != "MD5" && st != "HMAC-SHA256" {
			delete(fields, "sign_type")
		}
		c.body = fields
	default:
		if obj, ok := ex.(map[string]any); ok {
			if _, has := obj["mchid"]; has {
				obj["mchid"] = srv.MchID // the merchant calling
			}
		}
		c.body = ex
	}
	return c
}

func (c catalogCall) do(ctx context.Context, wx *wxpay.Client) (*wxpay.Response, error) {
	if c.upload {
		return c.doUpload(ctx, wx)
	}
	return wx.Chain(c.path).Do(ctx, c.ep.Method, c.body, c.opts...)
}

// doUpload sends a multipart upload: through Upload where the endpoint takes the usual
// meta {filename, sha256} and a "file" part, else through FormBody with the parts the
// catalog names, in its order.
func (c catalogCall) doUpload(ctx context.Context, wx *wxpay.Client) (*wxpay.Response, error) {
	file := []byte("\x89PNG sample")
	sum := sha256.Sum256(file)
	obj, _ := c.body.(map[string]any)
	if strings.HasPrefix(c.path, "v2/") { // v2/secapi/mch/uploadmedia
		return wx.UploadV2(ctx, c.path, "media", "sample.png", bytes.NewReader(file),
			map[string]string{"mch_id": schema.Text(obj["mch_id"])}, c.opts...)
	}
	meta := map[string]any{}
	if m, ok := obj["meta"].(string); ok {
		_ = json.Unmarshal([]byte(m), &meta)
	}
	if _, usual := meta["sha256"]; usual && c.sc.Request.Prop("file") != nil {
		delete(meta, "filename")
		delete(meta, "sha256")
		return wx.Upload(ctx, c.path, "sample.png", bytes.NewReader(file), meta, c.opts...)
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
		return nil, err
	}
	var parts []wxpay.FormPart
	for _, p := range c.sc.Request.Props {
		switch {
		case p.Name == "meta":
			parts = append(parts, wxpay.FormPart{Name: "meta", Data: metaJSON})
		case p.Schema.Type == "file":
			parts = append(parts, wxpay.FormPart{Name: p.Name, Filename: "sample.png", Data: file})
		default:
			parts = append(parts, wxpay.FormPart{Name: p.Name, Data: []byte(schema.Text(obj[p.Name]))})
		}
	}
	body, opts, err := wxpay.FormBody(parts...)
	if err != nil {
		return nil, err
	}
	return wx.Chain(c.path).Do(ctx, c.ep.Method, body, append(opts, c.opts...)...)
}

// TestEveryCatalogEndpoint sends one valid request, built from the catalog's example
// values, to every endpoint of the catalog through the Go client, and requires a verified
// answer with the catalog's status. Where the request has a required field, it sends the
// request again without that field and requires the platform's error naming it.
func TestEveryCatalogEndpoint(t *testing.T) {
	srv := wxpaytest.NewServer(t)
	wx, err := wxpay.New(srv.ClientOptions()...)
	require.NoError(t, err)
	ctx := context.Background()

	all := catalog.All()
	var (
		mu       sync.Mutex
		failures []string
		calls    int
	)
	report := func(format string, args ...any) {
		mu.Lock()
		defer mu.Unlock()
		failures = append(failures, fmt.Sprintf(format, args...))
	}
	work := make(chan catalog.Endpoint)
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for e := range work {
				name := e.Method + " " + e.Path
				if e.Zone != "" {
					name += " (" + e.Zone + ")"
				}
				c := buildCall(t, srv, e)
				resp, err := c.do(ctx, wx)
				mu.Lock()
				calls++
				mu.Unlock()
				var apiErr *wxpay.APIError
				if codes, ok := stateful[e.Method+" "+e.Path]; ok && errors.As(err, &apiErr) && slices.Contains(codes, apiErr.Code) {
					continue // a verified answer from the order state
				}
				if err != nil {
					report("%s: %v", name, err)
					continue
				}
				want, out := c.sc.Success()
				if resp.StatusCode != want {
					report("%s: status %d, catalog says %d", name, resp.StatusCode, want)
				}
				if e.Produces == "xml" && out != nil && !strings.Contains(e.Path, "download") {
					fields := map[string]string{}
					if err := resp.Decode(&fields); err != nil {
						report("%s: answer: %v", name, err)
					} else if err := fitsV2(out, fields); err != nil {
						report("%s: answer does not fit the catalog's schema: %v", name, err)
					}
				}
				if e.Produces != "json" || out == nil {
					continue
				}
				// The answer has the catalog's shape: it validates against the response schema.
				d := json.NewDecoder(bytes.NewReader(resp.Body))
				d.UseNumber()
				var v any
				if err := d.Decode(&v); err != nil {
					report("%s: answer is not JSON: %v: %.80q", name, err, resp.Body)
				} else if err := out.Validate(v); err != nil {
					report("%s: answer does not fit the catalog's schema: %v", name, err)
				}
			}
		}()
	}
	n, extras := 0, 0
	for _, e := range all {
		if _, skip := notCallable[e.Method+" "+e.Path]; skip {
			continue
		}
		if e.Has(catalog.Extra) { // no schema: TestExtraEndpointIsServed
			extras++
			continue
		}
		work <- e
		n++
	}
	close(work)
	wg.Wait()
	sort.Strings(failures)
	for _, f := range failures {
		t.Error(f)
	}
	assert.Equal(t, len(all)-len(notCallable)-extras, n)
	assert.Equal(t, n, calls)
	t.Logf("%d endpoints called, %d failed", calls, len(failures))
}

// fitsV2 checks an APIv2 answer against the catalog: every field the schema declares has
// its type and enum, and the required fields of a successful answer are there. (The
// catalog's APIv2 answers list error fields and the sign as required in every stage; they
// are left out of a success, and signless endpoints have no sign.)
func fitsV2(out *schema.Schema, fields map[string]string) error {
	for _, p := range out.Props {
		name := strings.NewReplacer("$n", "0", "$m", "0").Replace(p.Name)
		v, ok := fields[name]
		if !ok {
			switch {
			case p.Name == "sign", strings.HasPrefix(p.Name, "err_"), !slices.Contains(out.Required, p.Name):
				continue
			}
			return fmt.Errorf("%s: required field missing", name)
		}
		if p.Name == "return_code" || p.Name == "result_code" {
			continue // the protocol's, checked by the client (one catalog enum lists only FAIL)
		}
		if err := p.ValidateText(v); err != nil {
			return err
		}
	}
	return nil
}

// TestCatalogMissingRequiredField: a request without a required field gets the platform's
// error naming the field, APIv3 and APIv2, and nothing is answered from the catalog.
func TestCatalogMissingRequiredField(t *testing.T) {
	srv := wxpaytest.NewServer(t)
	wx, err := wxpay.New(srv.ClientOptions()...)
	require.NoError(t, err)
	ctx := context.Background()

	// APIv3: POST v3/profitsharing/orders requires transaction_id (and more).
	_, err = wx.Chain("v3/profitsharing/orders").Post(ctx, map[string]any{
		"appid": "wx8888888888888888", "out_order_no": "P20150806125346", "unfreeze_unsplit": true,
		"receivers": []map[string]any{{"type": "MERCHANT_ID", "account": "86693852", "amount": 888, "description": "分给商户A"}},
	})
	var apiErr *wxpay.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, http.StatusBadRequest, apiErr.StatusCode)
	assert.Equal(t, "PARAM_ERROR", apiErr.Code)
	var detail struct{ Field, Location string }
	require.NoError(t, json.Unmarshal(apiErr.Detail, &detail))
	assert.Equal(t, "transaction_id", detail.Field)
	assert.Equal(t, "body", detail.Location)

	// A nested field of the wrong type names its path.
	_, err = wx.Chain("v3/profitsharing/orders").Post(ctx, map[string]any{
		"appid": "wx8888888888888888", "transaction_id": "4208450740201411110007820472", "out_order_no": "P1", "unfreeze_unsplit": true,
		"receivers": []map[string]any{{"type": "MERCHANT_ID", "account": "86693852", "amount": "888", "description": "d"}},
	})
	require.ErrorAs(t, err, &apiErr)
	require.NoError(t, json.Unmarshal(apiErr.Detail, &detail))
	assert.Equal(t, "receivers[0].amount", detail.Field)

	// A required query parameter.
	_, err = wx.Chain("v3/bill/tradebill").Get(ctx)
	require.ErrorAs(t, err, &apiErr)
	require.NoError(t, json.Unmarshal(apiErr.Detail, &detail))
	assert.Equal(t, "bill_date", detail.Field)
	assert.Equal(t, "query", detail.Location)
	// An enum.
	_, err = wx.Chain("v3/bill/tradebill").Get(ctx, wxpay.Query("bill_date", "2019-06-11"), wxpay.Query("bill_type", "EVERYTHING"))
	require.ErrorAs(t, err, &apiErr)
	require.NoError(t, json.Unmarshal(apiErr.Detail, &detail))
	assert.Equal(t, "bill_type", detail.Field)

	// APIv2: pay/micropay without auth_code is return_code FAIL naming it.
	_, err = wx.Chain("v2/pay/micropay").Post(ctx, map[string]string{"appid": "wx2421b1c4370ec43b", "mch_id": srv.MchID,
		"body": "image形象店-深圳腾大- QQ公仔", "out_trade_no": "1415757673", "total_fee": "1", "spbill_create_ip": "14.17.22.52"})
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, "FAIL", apiErr.Code)
	assert.Contains(t, apiErr.Message, "auth_code")

	// The one APIv2 endpoint that answers JSON: retcode and retmsg.
	_, err = wx.Chain("v2/appauth/getaccesstoken").Get(ctx, wxpay.Query("mch_id", srv.MchID),
		wxpay.Query("appid", "wxcbda96de0b165486"), wxpay.Query("openid", "o1"), wxpay.Query("grant_type", "authorization_code"),
		wxpay.Query("scope", "pay_identity"), wxpay.Query("sign_type", "HMAC-SHA256"))
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, "-1", apiErr.Code)
	assert.Equal(t, "缺少参数code", apiErr.Message)
	resp, err := wx.Chain("v2/appauth/getaccesstoken").Get(ctx, wxpay.Query("mch_id", srv.MchID),
		wxpay.Query("appid", "wxcbda96de0b165486"), wxpay.Query("openid", "o1"), wxpay.Query("code", "c1"),
		wxpay.Query("grant_type", "authorization_code"), wxpay.Query("scope", "pay_identity"), wxpay.Query("sign_type", "HMAC-SHA256"))
	require.NoError(t, err)
	var token struct {
		Retcode     int    `json:"retcode"`
		AccessToken string `json:"access_token"`
	}
	require.NoError(t, resp.Decode(&token))
	assert.Equal(t, 0, token.Retcode)
	assert.NotEmpty(t, token.AccessToken)

	// The answer from the catalog echoes the request's identifiers.
	resp, err = wx.Chain("v3/profitsharing/orders").Post(ctx, map[string]any{
		"appid": "wx8888888888888888", "transaction_id": "4208450740201411110007820472", "out_order_no": "ECHO-1", "unfreeze_unsplit": true,
		"receivers": []map[string]any{{"type": "MERCHANT_ID", "account": "86693852", "amount": 888, "description": "d"}},
	})
	require.NoError(t, err)
	var order struct {
		TransactionID string `json:"transaction_id"`
		OutOrderNo    string `json:"out_order_no"`
		OrderID       string `json:"order_id"`
	}
	require.NoError(t, resp.Decode(&order))
	assert.Equal(t, "4208450740201411110007820472", order.TransactionID)
	assert.Equal(t, "ECHO-1", order.OutOrderNo)
	assert.NotEmpty(t, order.OrderID)
}

// The endpoint catalog/rules.tsv adds (the e-invoice download URL) is served as the
// platform serves it: a file, unsigned, which the client takes without verification.
func TestExtraEndpointIsServed(t *testing.T) {
	srv := wxpaytest.NewServer(t)
	wx, err := wxpay.New(srv.ClientOptions()...)
	require.NoError(t, err)
	e, ok := catalog.Lookup("GET", "v3/new-tax-control-fapiao/download")
	require.True(t, ok)
	require.True(t, e.Has(catalog.Extra))
	resp, err := wx.Chain("v3/new-tax-control-fapiao/download").Get(context.Background(), wxpay.Query("fapiao_id", "F1"))
	require.NoError(t, err)
	assert.Equal(t, 200, resp.StatusCode)
	assert.True(t, bytes.HasPrefix(resp.Body, []byte("%PDF-")), "%.20q", resp.Body)
	assert.Empty(t, resp.Header.Get("Wechatpay-Signature"))
}
