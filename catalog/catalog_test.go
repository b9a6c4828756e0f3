package catalog_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wxpay-go/wxpay/catalog"
)

func TestCatalog(t *testing.T) {
	require.Equal(t, 1155, catalog.Len())
	counts := map[string]int{}
	for _, e := range catalog.All() {
		counts[e.Path[:2]]++
		if e.Has(catalog.CertRequired) {
			counts["cert"]++
		}
		counts["zone:"+e.Zone]++
	}
	assert.Equal(t, map[string]int{"v2": 136, "v3": 1019, "cert": 57, "zone:": 1129, "zone:hk": 21, "zone:global": 5}, counts)

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
		e            *catalog.Endpoint
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
