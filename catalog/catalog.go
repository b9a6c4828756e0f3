// Package catalog is the WeChat Pay endpoint catalog the SDK is generated from and consults
// at run time: for each endpoint its method, path template, zone base URL, content types,
// mutual-TLS flag and tags. The data lives in endpoints.tsv (derived from
// TheNorthMemory/wechatpay-openapi, MIT); `go generate ./...` turns it into zz_catalog.go
// and the typed fluent trees in packages apiv3 and apiv2.
//
// Fluent calls and Chain calls consult the same table, keyed by method and template
// shape: the template with every placeholder written {} (placeholder names do not matter,
// so Chain("v3/x/{id}") finds the endpoint v3/x/{transaction_id}).
package catalog

//go:generate go run ../internal/gen -catalog endpoints.tsv -catalog-out zz_catalog.go -apiv3-out ../apiv3 -apiv2-out ../apiv2 -test-out ../zz_fluent_test.go

import (
	"net/url"
	"strings"
	"sync"
)

// DefaultBaseURL is WeChat Pay's mainland API base.
const DefaultBaseURL = "https://api.mch.weixin.qq.com/"

// Endpoint is one (method, path) of the catalog.
type Endpoint struct {
	Method   string // GET, POST, PUT, PATCH, DELETE
	Path     string // template, placeholders as {name}; "v2/…" or "v3/…"
	Zone     string // "", "hk" or "global"
	BaseURL  string // the endpoint's base when not DefaultBaseURL, else ""
	Consumes string // json, xml or multipart
	Produces string // json, xml, binary or csv
	Flags    Flag
	Tags     string // category names, joined by "|"
}

// Flag marks endpoint properties.
type Flag uint8

const (
	CertRequired   Flag = 1 << iota // APIv2: the merchant's client certificate (mutual TLS)
	DeleteWithBody                  // a DELETE that takes a JSON body
	Deprecated                      // deprecated by WeChat Pay
)

// Has reports whether e has flag f.
func (e *Endpoint) Has(f Flag) bool { return e.Flags&f != 0 }

// Unsigned reports whether WeChat Pay answers this endpoint without a signature: the
// binary and CSV downloads. (The statements among them are checked through a signed
// digest instead; see package transport.)
func (e *Endpoint) Unsigned() bool { return e.Produces == "binary" || e.Produces == "csv" }

// All returns every endpoint, sorted by path, method and zone.
func All() []Endpoint { return append([]Endpoint(nil), endpoints[:]...) }

// Len is the number of endpoints.
func Len() int { return len(endpoints) }

var index = sync.OnceValue(func() map[string]int {
	m := make(map[string]int, len(endpoints))
	for i := len(endpoints) - 1; i >= 0; i-- { // the mainland entry wins where a path has two zones
		e := &endpoints[i]
		if _, dup := m[key(e.Method, Shape(e.Path))]; !dup || e.Zone == "" {
			m[key(e.Method, Shape(e.Path))] = i
		}
	}
	return m
})

func key(method, shape string) string { return method + " " + shape }

// Lookup finds the endpoint for a method and a template shape (see Shape). Where a path
// exists in two zones, the mainland one is returned.
func Lookup(method, shape string) (*Endpoint, bool) {
	i, ok := index()[key(method, shape)]
	if !ok {
		return nil, false
	}
	return &endpoints[i], true
}

// Shape returns the template with every placeholder written {}.
func Shape(template string) string {
	if strings.IndexByte(template, '{') < 0 {
		return template
	}
	var b strings.Builder
	for {
		i := strings.IndexByte(template, '{')
		if i < 0 {
			break
		}
		j := strings.IndexByte(template[i:], '}')
		if j < 0 {
			break
		}
		b.WriteString(template[:i+1])
		b.WriteByte('}')
		template = template[i+j+1:]
	}
	b.WriteString(template)
	return b.String()
}

// ResolveBase returns the base URL a call to e should use, given the client's base.
// With the default client base, it is the endpoint's own base (the /hk/ path, the apihk,
// fraud or payapp hosts). With a custom client base at a host's root (a proxy, the
// emulator), the endpoint's base path is joined below it: "https://127.0.0.1:8443/"
// becomes "https://127.0.0.1:8443/hk/" for a Hong Kong endpoint. A client base with a
// path of its own ("…/hk/") is the caller's choice and is used as it is.
func (e *Endpoint) ResolveBase(clientBase string) string {
	if e.BaseURL == "" {
		return clientBase
	}
	if clientBase == DefaultBaseURL {
		return e.BaseURL
	}
	cu, err := url.Parse(clientBase)
	if err != nil || cu.Path != "/" {
		return clientBase
	}
	u, err := url.Parse(e.BaseURL)
	if err != nil || u.Path == "" || u.Path == "/" {
		return clientBase
	}
	return strings.TrimSuffix(clientBase, "/") + u.Path
}
