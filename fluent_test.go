package wxpay_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wxpay-go/wxpay"
	"github.com/wxpay-go/wxpay/catalog"
	"github.com/wxpay-go/wxpay/wxpaytest"
)

// fluentCall is one row of the generated table in zz_fluent_test.go: a catalog endpoint,
// the fluent expression that reaches it given its path values in order, its typed call,
// and its request and answer types (nil where it has none).
type fluentCall struct {
	method, path, zone string
	params             []string
	node               func(c *wxpay.Client, v []string) wxpay.Node
	// typed calls the typed verb with req, a value made by newRequest (or the prepared
	// body of a multipart upload, or nil where the verb takes no request).
	typed      func(ctx context.Context, c *wxpay.Client, v []string, req any, opts ...wxpay.CallOption) (any, *wxpay.Response, error)
	newRequest func() any
	newAnswer  func() any
}

func sampleBody(method, path string) any {
	switch {
	case method == http.MethodGet || method == http.MethodDelete:
		return nil
	case strings.HasPrefix(path, "v2/"):
		return map[string]string{"mch_id": "1900000109", "appid": "wxd678efh567hg6787", "nonce_str": "fixed"}
	default:
		return map[string]any{"mchid": "1900000109", "amount": map[string]int{"total": 1}}
	}
}

// TestFluentAndChainBuildTheSameRequest walks the whole catalog: for every endpoint, the
// generated fluent call and the string-path call give the same method, URL, headers,
// body and mutual-TLS choice, and the fluent node's Template() is the catalog path.
func TestFluentAndChainBuildTheSameRequest(t *testing.T) {
	srv := wxpaytest.NewServer(t)
	wx := newClient(t, srv)
	imported := 0 // the rows catalog/rules.tsv adds (flag Extra) have no fluent call
	for _, e := range catalog.All() {
		if !e.Has(catalog.Extra) {
			imported++
		}
	}
	require.Len(t, fluentCalls, imported, "one fluent call per imported catalog endpoint")

	zoned := map[string]int{}
	same := 0
	for _, fc := range fluentCalls {
		values := make([]string, len(fc.params))
		opts := []wxpay.CallOption{}
		for i, name := range fc.params {
			values[i] = fmt.Sprintf("v%d/?#%%é", i) // escaping must agree too
			opts = append(opts, wxpay.PathParam(name, values[i]))
		}
		var zoneOpt []wxpay.CallOption
		if strings.HasPrefix(fc.path, "v2/") && fc.method == http.MethodGet {
			zoneOpt = append(zoneOpt, wxpay.Query("nonce_str", "fixed")) // a GET is signed over its query
		}
		if fc.path == "v3/certificates" && fc.zone == "hk" {
			zoneOpt = append(zoneOpt, wxpay.BaseURL(srv.URL+"hk/")) // two zones: mainland by default
		}
		node := fc.node(wx, values)
		require.Equal(t, fc.path, node.Template(), "%s %s", fc.method, fc.path)

		body := sampleBody(fc.method, fc.path)
		fluent, err := node.Prepare(fc.method, body, zoneOpt...)
		require.NoError(t, err, "%s %s", fc.method, fc.path)
		byPath, err := wx.Chain(fc.path).Prepare(fc.method, body, append(opts, zoneOpt...)...)
		require.NoError(t, err, "%s %s", fc.method, fc.path)

		require.Equal(t, byPath.Method, fluent.Method)
		require.Equal(t, byPath.URL, fluent.URL, "%s %s", fc.method, fc.path)
		require.Equal(t, byPath.Header.Get("Content-Type"), fluent.Header.Get("Content-Type"))
		require.Equal(t, byPath.Secure, fluent.Secure, "%s %s", fc.method, fc.path)
		require.Equal(t, byPath.Body, fluent.Body)
		require.Equal(t, strings.HasPrefix(fc.path, "v2/"), fluent.APIv2)

		// The catalog's zone decides the base unless the call says otherwise.
		switch fc.zone {
		case "hk":
			require.True(t, strings.HasPrefix(fluent.URL, srv.URL+"hk/v3/"), fluent.URL)
			zoned["hk"]++
		case "global":
			require.True(t, strings.HasPrefix(fluent.URL, srv.URL+"global/v3/"), fluent.URL)
			zoned["global"]++
		}
		ep, ok := catalog.Lookup(fc.method, catalog.Shape(fc.path))
		require.True(t, ok)
		if ep.Has(catalog.CertRequired) {
			require.True(t, fluent.Secure, "%s %s needs mutual TLS", fc.method, fc.path)
		}
		same++
	}
	assert.Equal(t, 1155, same)
	assert.Equal(t, map[string]int{"hk": 21, "global": 5}, zoned)
}

func TestFluentNamingRules(t *testing.T) {
	srv := wxpaytest.NewServer(t)
	wx := newClient(t, srv)
	for got, want := range map[string]string{
		wx.V3().Transactions().OutTradeNo("x").Reverse().Template():                    "v3/transactions/out-trade-no/{out_trade_no}/reverse",
		wx.V3().Apply4subject().Applyment().ApplymentId("1").Template():                "v3/apply4subject/applyment/{applyment_id}",
		wx.V3().Apply4subject().Applyment().BusinessCode("1").Template():               "v3/apply4subject/applyment/{business_code}",
		wx.V3().Profitsharing().Receivers().DeleteSegment().Template():                 "v3/profitsharing/receivers/delete",
		wx.V3().Papay().InsuranceSign().PolicyPeriods().Template():                     "v3/papay/insurance-sign/policy-periods",
		wx.V3().Papay().InsuranceSign().PolicyPeriodsSnake().Template():                "v3/papay/insurance-sign/policy_periods",
		wx.V3().Applyment4sub().Applyment().Slash().Template():                         "v3/applyment4sub/applyment/",
		wx.V2().Secapi().Mch().QueryInstitutionsub().Template():                        "v2/secapi/mch/queryInstitutionsub",
		wx.V3().MerchantStore().Stores().StoreId("1").Recipients().Bind().Template():   "v3/merchant-store/stores/{store_id}/recipients/bind",
		wx.V3().Pay().Transactions().Id().TransactionId("1").Chain("x/{y}").Template(): "v3/pay/transactions/id/{transaction_id}/x/{y}",
	} {
		assert.Equal(t, want, got)
	}
}

// A sample of each kind of endpoint goes over the wire through the fluent tree.
func TestFluentOverTheWire(t *testing.T) {
	srv := wxpaytest.NewServer(t)
	wx := newClient(t, srv)
	ctx := context.Background()

	// json
	resp, err := wx.V3().Pay().Transactions().Native().Node().Post(ctx, nativeOrder(srv, "FL1"))
	require.NoError(t, err)
	assert.Equal(t, 200, resp.StatusCode)
	// the design card's own example, on the hk zone the catalog gives it
	resp, err = wx.V3().Transactions().OutTradeNo("FL1").Reverse().Node().Post(ctx, map[string]string{"mchid": srv.MchID, "sp_mchid": srv.MchID, "sub_mchid": "1900000110"})
	require.NoError(t, err)
	assert.Equal(t, 204, resp.StatusCode)
	assert.Equal(t, "/hk/v3/transactions/out-trade-no/FL1/reverse", srv.LastRequest().RequestURI)
	// xml, over mutual TLS, async
	resp, err = wx.V2().Secapi().Pay().Reverse().Node().PostAsync(ctx, map[string]string{"appid": "wx", "mch_id": srv.MchID, "out_trade_no": "FL1"}).Wait()
	require.NoError(t, err)
	var rev struct {
		Recall string `xml:"recall"`
	}
	require.NoError(t, resp.Decode(&rev))
	assert.Equal(t, "N", rev.Recall)
	assert.True(t, srv.LastRequest().ClientCert)
	assert.Equal(t, "/secapi/pay/reverse", srv.LastRequest().RequestURI)

	// global zone
	srv.Handle("POST", "global/v3/customs/orders", func(r *wxpaytest.Request) *wxpaytest.Reply {
		return &wxpaytest.Reply{JSON: map[string]string{"state": "PROCESSING"}}
	})
	_, err = wx.V3().Customs().Orders().Node().Post(ctx, map[string]string{"order_no": "1"})
	require.NoError(t, err)
	assert.Equal(t, "/global/v3/customs/orders", srv.LastRequest().RequestURI)

	// download (unsigned)
	srv.Handle("GET", "v3/billdownload/file", func(r *wxpaytest.Request) *wxpaytest.Reply {
		return &wxpaytest.Reply{Body: []byte("交易时间,公众账号ID\n"), Unsigned: true}
	})
	resp, err = wx.V3().Billdownload().File().Node().Get(ctx, wxpay.Query("token", "abc"))
	require.NoError(t, err)
	assert.Equal(t, "交易时间,公众账号ID\n", string(resp.Body))

	// DELETE with a body (the catalog marks it delete_with_body)
	ep, ok := catalog.Lookup("DELETE", "v3/brand/partner/store/brandstores/{}")
	require.True(t, ok)
	require.True(t, ep.Has(catalog.DeleteWithBody))
	srv.Handle("DELETE", "v3/brand/partner/store/brandstores/{store_id}", func(r *wxpaytest.Request) *wxpaytest.Reply {
		return &wxpaytest.Reply{Status: 204}
	})
	_, err = wx.V3().Brand().Partner().Store().Brandstores().StoreId("S1").Node().Delete(ctx, wxpay.Body(map[string]string{"brand_id": "B1"}))
	require.NoError(t, err)
	assert.Equal(t, "/v3/brand/partner/store/brandstores/S1", srv.LastRequest().RequestURI)
	assert.JSONEq(t, `{"brand_id":"B1"}`, string(srv.LastRequest().Body))
}
