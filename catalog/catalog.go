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

//go:generate go run ../internal/gen -catalog endpoints.tsv -rules rules.tsv -catalog-out zz_catalog.go -apiv3-out ../apiv3 -apiv2-out ../apiv2 -test-out ../zz_fluent_test.go

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

// Flag marks endpoint properties. CertRequired, DeleteWithBody and Deprecated come from the
// source catalog (endpoints.tsv); the others say where an endpoint differs from the
// protocol's rule, and come from the project's rules (rules.tsv, with the reason for each
// entry) or are derived from the content types when the table is generated. The client
// (package transport) and the emulator (package wxpaytest) both read these flags, each
// with its own code.
type Flag uint16

const (
	CertRequired    Flag = 1 << iota // APIv2: the merchant's client certificate (mutual TLS)
	DeleteWithBody                   // a DELETE that takes a JSON body
	Deprecated                       // deprecated by WeChat Pay
	UnsignedAnswer                   // answered without a signature: APIv2 without sign, APIv3 without Wechatpay-Signature
	NoNonceStr                       // APIv2: the request takes no nonce_str
	FileAnswer                       // answers with a file (a bill, an image); only errors are JSON/XML
	StatementDigest                  // APIv3: a download signed through its Wechatpay-Statement-Sha1 digest
	JSONAnswer                       // APIv2: answers with JSON instead of XML
	Extra                            // not in the source catalog: added by the project's rules.tsv
)

// Has reports whether e has flag f.
func (e Endpoint) Has(f Flag) bool { return e.Flags&f != 0 }

// All returns a copy of every endpoint, sorted by path, method and zone. Changing it
// changes nothing else.
func All() []Endpoint { return append([]Endpoint(nil), endpoints[:]...) }

// Len is the number of endpoints.
func Len() int { return len(endpoints) }

var index = sync.OnceValue(func() map[epKey]int {
	m := make(map[epKey]int, len(endpoints))
	for i := len(endpoints) - 1; i >= 0; i-- { // the mainland entry wins where a path has two zones
		e := &endpoints[i]
		if _, dup := m[key(e.Method, Shape(e.Path))]; !dup || e.Zone == "" {
			m[key(e.Method, Shape(e.Path))] = i
		}
	}
	return m
})

// epKey is the index key: a struct, so that a lookup builds no string.
type epKey struct{ method, shape string }

func key(method, shape string) epKey { return epKey{method, shape} }

// Lookup finds the endpoint for a method and a template shape (see Shape). Where a path
// exists in two zones, the mainland one is returned. The endpoint is a copy: changing it
// does not change the catalog.
func Lookup(method, shape string) (Endpoint, bool) {
	i, ok := index()[key(method, shape)]
	if !ok {
		return Endpoint{}, false
	}
	return endpoints[i], true
}

// Match finds the endpoint a concrete request path is for ("v3/merchant-service/images/
// Chsy…", "v2/pay/orderquery"): a template's {name} segment matches any one non-empty
// segment, other segments compare exactly, and where templates overlap the one with a
// literal segment earliest wins. Where a path exists in two zones, the mainland one is
// returned. The path has no query, and APIv2 paths keep their "v2/" prefix. The endpoint
// is a copy. Match walks the whole table: use Lookup where the template is known.
func Match(method, path string) (Endpoint, bool) {
	best, bestScore := -1, ""
	for i := range endpoints {
		e := &endpoints[i]
		if e.Method != method {
			continue
		}
		score, ok := matchScore(e.Path, path)
		if !ok {
			continue
		}
		if best < 0 || score > bestScore || (score == bestScore && e.Zone == "" && endpoints[best].Zone != "") {
			best, bestScore = i, score
		}
	}
	if best < 0 {
		return Endpoint{}, false
	}
	return endpoints[best], true
}

// matchScore matches path against a template segment by segment. The score has one byte
// a segment, 'L' for a literal and 'P' for a placeholder, so that comparing scores
// prefers the template whose first literal comes earliest.
func matchScore(template, path string) (string, bool) {
	ts, ps := strings.Split(template, "/"), strings.Split(path, "/")
	if len(ts) != len(ps) {
		return "", false
	}
	score := make([]byte, len(ts))
	for i, t := range ts {
		switch {
		case len(t) > 2 && t[0] == '{' && t[len(t)-1] == '}':
			if ps[i] == "" {
				return "", false
			}
			score[i] = 'P'
		case t == ps[i]:
			score[i] = 'L'
		default:
			return "", false
		}
	}
	return string(score), true
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
func (e Endpoint) ResolveBase(clientBase string) string {
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
