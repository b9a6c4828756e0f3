package catalog_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wxpay-go/wxpay/catalog"
)

func TestCatalog(t *testing.T) {
	require.Equal(t, 1156, catalog.Len(), "the source's 1155 endpoints and one from rules.tsv")
	counts := map[string]int{}
	for _, e := range catalog.All() {
		if e.Has(catalog.Extra) {
			counts["extra"]++
			continue
		}
		counts[e.Path[:2]]++
		if e.Has(catalog.CertRequired) {
			counts["cert"]++
		}
		counts["zone:"+e.Zone]++
	}
	assert.Equal(t, map[string]int{"v2": 136, "v3": 1019, "cert": 57, "zone:": 1129, "zone:hk": 21, "zone:global": 5, "extra": 1}, counts)

	assert.Equal(t, "v3/transactions/out-trade-no/{}/reverse", catalog.Shape("v3/transactions/out-trade-no/{out_trade_no}/reverse"))
	e, ok := catalog.Lookup("POST", "v3/transactions/out-trade-no/{}/reverse")
	require.True(t, ok)
	assert.Equal(t, "hk", e.Zone)
	e, ok = catalog.Lookup("GET", "v3/certificates")
	require.True(t, ok)
	assert.Equal(t, "", e.Zone, "a path in two zones defaults to the mainland one")
	_, ok = catalog.Lookup("GET", "v3/no/such/thing")
	assert.False(t, ok)
}

func TestResolveBase(t *testing.T) {
	hk, _ := catalog.Lookup("POST", "v3/transactions/out-trade-no/{}/reverse")
	global, _ := catalog.Lookup("POST", "v3/customs/orders")
	mainland, _ := catalog.Lookup("POST", "v3/pay/transactions/native")
	for _, c := range []struct {
		e            catalog.Endpoint
		client, want string
	}{
		{hk, catalog.DefaultBaseURL, "https://api.mch.weixin.qq.com/hk/"},
		{hk, "https://127.0.0.1:8443/", "https://127.0.0.1:8443/hk/"},
		{hk, "https://127.0.0.1:8443/hk/", "https://127.0.0.1:8443/hk/"},
		{global, catalog.DefaultBaseURL, "https://apihk.mch.weixin.qq.com/global/"},
		{global, "https://127.0.0.1:8443/", "https://127.0.0.1:8443/global/"},
		{mainland, "https://127.0.0.1:8443/", "https://127.0.0.1:8443/"},
	} {
		assert.Equal(t, c.want, c.e.ResolveBase(c.client), c.e.Path)
	}
}

// Lookup and All hand out copies: what a caller does with them cannot reroute the
// process's calls.
func TestLookupReturnsACopy(t *testing.T) {
	e, ok := catalog.Lookup("POST", "v3/pay/transactions/native")
	require.True(t, ok)
	e.BaseURL, e.Flags, e.Path = "https://attacker.example/", catalog.CertRequired, "v3/elsewhere"
	all := catalog.All()
	for i := range all {
		all[i].BaseURL = "https://attacker.example/"
	}
	again, ok := catalog.Lookup("POST", "v3/pay/transactions/native")
	require.True(t, ok)
	assert.Equal(t, "", again.BaseURL)
	assert.Equal(t, "v3/pay/transactions/native", again.Path)
	assert.False(t, again.Has(catalog.CertRequired))
	m, ok := catalog.Match("POST", "v3/pay/transactions/native")
	require.True(t, ok)
	assert.Equal(t, "", m.BaseURL)
}

func TestFlagsFromRules(t *testing.T) {
	for _, c := range []struct {
		method, path string
		flag         catalog.Flag
		want         bool
	}{
		{"POST", "v2/pay/downloadbill", catalog.FileAnswer, true},
		{"POST", "v2/pay/downloadbill", catalog.UnsignedAnswer, true},
		{"POST", "v2/pay/orderquery", catalog.UnsignedAnswer, false},
		{"POST", "v2/papay/querycontract", catalog.NoNonceStr, true},
		{"GET", "v2/appauth/getaccesstoken", catalog.JSONAnswer, true},
		{"GET", "v3/billdownload/file", catalog.UnsignedAnswer, true},
		{"GET", "v3/global/statements", catalog.StatementDigest, true},
		{"GET", "v3/global/statements", catalog.UnsignedAnswer, false},
		{"GET", "v3/bill/tradebill", catalog.UnsignedAnswer, false},
		{"GET", "v3/new-tax-control-fapiao/download", catalog.Extra, true},
		{"GET", "v3/new-tax-control-fapiao/download", catalog.UnsignedAnswer, true},
	} {
		e, ok := catalog.Lookup(c.method, catalog.Shape(c.path))
		require.True(t, ok, c.path)
		assert.Equal(t, c.want, e.Has(c.flag), "%s %s %b", c.method, c.path, c.flag)
	}
}

func TestMatchConcretePaths(t *testing.T) {
	for path, want := range map[string]string{
		"v3/merchant-service/images/ChsyMjAxOTA1MjcxNzI5MDA%2BcXB3": "v3/merchant-service/images/{media_id}",
		"v3/pay/transactions/out-trade-no/T1":                       "v3/pay/transactions/out-trade-no/{out_trade_no}",
		"v3/ecommerce/refunds/id/R1":                                "v3/ecommerce/refunds/id/{refund_id}",
		"v3/ecommerce/refunds/R1/return-advance":                    "v3/ecommerce/refunds/{refund_id}/return-advance",
		"v2/pay/orderquery":                                         "v2/pay/orderquery",
	} {
		method := "GET"
		if strings.HasPrefix(path, "v2/") {
			method = "POST"
		}
		e, ok := catalog.Match(method, path)
		if assert.True(t, ok, path) {
			assert.Equal(t, want, e.Path, path)
		}
	}
	e, ok := catalog.Match("GET", "v3/certificates")
	require.True(t, ok)
	assert.Equal(t, "", e.Zone, "the mainland entry wins")
	for _, path := range []string{"v3/merchant-service/images/", "v3/pay/transactions/out-trade-no/T1/x", "v3/nope"} {
		_, ok := catalog.Match("GET", path)
		assert.False(t, ok, path)
	}
}
