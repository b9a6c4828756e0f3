package wxpaytest

import (
	"net/url"
	"strings"
	"sync"

	"github.com/wxpay-go/wxpay/catalog"
)

// The catalog router finds the catalog endpoint a request is for, for every endpoint in
// the catalog, at the path the endpoint has on the wire below the emulator's root:
// "v3/…", "hk/v3/…" and "global/v3/…" for the zones, and the APIv2 path without "v2/"
// ("secapi/pay/reverse"). The hosts of their own (apihk, fraud, payapp) keep their paths,
// so one emulator serves them all.
//
// Templates that overlap are resolved segment by segment, a literal segment before a
// placeholder: "v3/ecommerce/refunds/id/{refund_id}" wins over
// "v3/ecommerce/refunds/{refund_id}/return-advance" for ".../id/x", and the latter still
// serves ".../x/return-advance". Templates that differ only in a placeholder's name
// (POST v3/apply4subject/applyment/{applyment_id}/cancel and …/{business_code}/cancel) are one
// route; the value is bound to every name.

// routeNode is one segment of the route tree.
type routeNode struct {
	lit   map[string]*routeNode
	param *routeNode
	eps   map[string][]*catalog.Endpoint // by method, at the end of a template
}

// wirePattern is an endpoint's path below the emulator's root.
func wirePattern(e *catalog.Endpoint) string {
	if strings.HasPrefix(e.Path, "v2/") {
		return e.Path[len("v2/"):]
	}
	if e.Zone != "" {
		return e.Zone + "/" + e.Path
	}
	return e.Path
}

var catalogRoutes = sync.OnceValue(func() *routeNode {
	root := &routeNode{}
	all := catalog.All()
	for i := range all {
		e := &all[i]
		n := root
		for _, seg := range strings.Split(wirePattern(e), "/") {
			if _, ok := placeholder(seg); ok {
				if n.param == nil {
					n.param = &routeNode{}
				}
				n = n.param
				continue
			}
			if n.lit == nil {
				n.lit = map[string]*routeNode{}
			}
			c := n.lit[seg]
			if c == nil {
				c = &routeNode{}
				n.lit[seg] = c
			}
			n = c
		}
		if n.eps == nil {
			n.eps = map[string][]*catalog.Endpoint{}
		}
		n.eps[e.Method] = append(n.eps[e.Method], e)
	}
	return root
})

func placeholder(seg string) (string, bool) {
	if len(seg) > 2 && seg[0] == '{' && seg[len(seg)-1] == '}' {
		return seg[1 : len(seg)-1], true
	}
	return "", false
}

// routeMatch is a request matched to the catalog.
type routeMatch struct {
	Endpoints []*catalog.Endpoint // more than one when templates differ only in names
	Params    map[string]string   // unescaped placeholder values, by every name
	values    []string            // the placeholder values in path order
}

// matchCatalog finds the catalog endpoint for method and escaped path (below the root).
// pathKnown reports whether the path exists for some method (to tell 405 from 404).
func matchCatalog(method, path string) (m *routeMatch, pathKnown bool) {
	segs := strings.Split(path, "/")
	var vals []string
	var walk func(n *routeNode, i int) *routeNode
	var ends []*routeNode
	walk = func(n *routeNode, i int) *routeNode {
		if i == len(segs) {
			if n.eps == nil {
				return nil
			}
			ends = append(ends, n)
			if n.eps[method] != nil {
				return n
			}
			return nil
		}
		if c := n.lit[segs[i]]; c != nil {
			if r := walk(c, i+1); r != nil {
				return r
			}
		}
		if n.param != nil {
			v, err := url.PathUnescape(segs[i])
			if err == nil && v != "" && v != "." && v != ".." {
				vals = append(vals, v)
				if r := walk(n.param, i+1); r != nil {
					return r
				}
				vals = vals[:len(vals)-1]
			}
		}
		return nil
	}
	end := walk(catalogRoutes(), 0)
	if end == nil {
		return nil, len(ends) > 0
	}
	m = &routeMatch{Endpoints: end.eps[method], Params: map[string]string{}, values: vals}
	// Bind the values to the names of every template that ends here, in path order.
	for _, e := range m.Endpoints {
		k := 0
		for _, seg := range strings.Split(wirePattern(e), "/") {
			if name, ok := placeholder(seg); ok && k < len(vals) {
				if _, set := m.Params[name]; !set {
					m.Params[name] = vals[k]
				}
				k++
			}
		}
	}
	return m, true
}
