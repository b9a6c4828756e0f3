package wxpaytest

import "testing"

// The catalog router: every zone and host at its wire path, a literal segment before a
// placeholder where templates overlap, and one route for templates that differ only in a
// placeholder's name, with the value bound to both names.
func TestMatchCatalog(t *testing.T) {
	for _, c := range []struct {
		method, path, want, zone string
		params                   map[string]string
	}{
		{"GET", "v3/ecommerce/refunds/id/5000", "v3/ecommerce/refunds/id/{refund_id}", "", map[string]string{"refund_id": "5000"}},
		{"GET", "v3/ecommerce/refunds/5000/return-advance", "v3/ecommerce/refunds/{refund_id}/return-advance", "", map[string]string{"refund_id": "5000"}},
		{"GET", "v3/ecommerce/refunds/id/return-advance", "v3/ecommerce/refunds/id/{refund_id}", "", map[string]string{"refund_id": "return-advance"}},
		{"GET", "v3/ecommerce/refunds/out-refund-no/R1", "v3/ecommerce/refunds/out-refund-no/{out_refund_no}", "", map[string]string{"out_refund_no": "R1"}},
		{"POST", "v3/apply4subject/applyment/A%2F1/cancel", "v3/apply4subject/applyment/{applyment_id}/cancel", "",
			map[string]string{"applyment_id": "A/1", "business_code": "A/1"}},
		{"POST", "hk/v3/transactions/out-trade-no/X/reverse", "v3/transactions/out-trade-no/{out_trade_no}/reverse", "hk", map[string]string{"out_trade_no": "X"}},
		{"GET", "hk/v3/certificates", "v3/certificates", "hk", map[string]string{}},
		{"GET", "v3/certificates", "v3/certificates", "", map[string]string{}},
		{"POST", "global/v3/customs/orders", "v3/customs/orders", "global", map[string]string{}},
		{"POST", "secapi/mch/queryInstitutionsub", "v2/secapi/mch/queryInstitutionsub", "", map[string]string{}},
		{"POST", "v3/applyment4sub/applyment/", "v3/applyment4sub/applyment/", "", map[string]string{}},
	} {
		m, _ := matchCatalog(c.method, c.path)
		if m == nil {
			t.Errorf("%s %s: no route", c.method, c.path)
			continue
		}
		if e := m.Endpoints[0]; e.Path != c.want || e.Zone != c.zone {
			t.Errorf("%s %s: %s (%s), want %s (%s)", c.method, c.path, e.Path, e.Zone, c.want, c.zone)
		}
		if len(m.Params) != len(c.params) {
			t.Errorf("%s %s: params %v, want %v", c.method, c.path, m.Params, c.params)
		}
		for k, v := range c.params {
			if m.Params[k] != v {
				t.Errorf("%s %s: %s=%q, want %q", c.method, c.path, k, m.Params[k], v)
			}
		}
	}
	for _, c := range []struct{ method, path string }{
		{"GET", "v3/ecommerce/refunds/id"}, {"DELETE", "v3/pay/transactions/native"}, {"GET", "v3/nothing"},
		{"GET", "v3/pay/transactions/id/.."}, {"GET", "v3/pay/transactions/id/"}, {"POST", "secapi/mch/queryinstitutionsub"},
	} {
		if m, _ := matchCatalog(c.method, c.path); m != nil {
			t.Errorf("%s %s: matched %s", c.method, c.path, m.Endpoints[0].Path)
		}
	}
}
