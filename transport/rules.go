package transport

import (
	"strings"
	"sync"

	"github.com/wxpay-go/wxpay/catalog"
)

// This file turns the endpoint catalog's flags into what the pipeline consults, once per
// call in build: whether WeChat Pay signs the answer (APIv3 downloads and some APIv2
// answers it does not sign; cross-border statements signed through a digest), whether an
// APIv2 request takes nonce_str, whether an APIv2 answer is a file or JSON, and whether an
// APIv2 endpoint needs the merchant's client certificate (mutual TLS). The data, with the
// reason for each exception, is in package catalog (catalog/rules.tsv, merged into the
// table by `go generate`); the emulator reads the same flags with its own code.

// ruleFlags are the catalog flags the pipeline acts on.
const ruleFlags = catalog.UnsignedAnswer | catalog.NoNonceStr | catalog.FileAnswer | catalog.StatementDigest |
	catalog.JSONAnswer | catalog.CertRequired

// rules is the catalog's ruleFlags by path ("v3/…", "v2/…"), whatever the method: exact
// paths in a map, templates with {name} segments in a short list matched segment by
// segment.
type rules struct {
	exact     map[string]catalog.Flag
	templated []pathFlags
}

type pathFlags struct {
	pattern string
	flags   catalog.Flag
}

var endpointRules = sync.OnceValue(func() *rules {
	r := &rules{exact: map[string]catalog.Flag{}}
	at := map[string]int{}
	for _, e := range catalog.All() {
		f := e.Flags & ruleFlags
		if f == 0 {
			continue
		}
		if !strings.Contains(e.Path, "{") {
			r.exact[e.Path] |= f
			continue
		}
		if i, ok := at[e.Path]; ok {
			r.templated[i].flags |= f
			continue
		}
		at[e.Path] = len(r.templated)
		r.templated = append(r.templated, pathFlags{e.Path, f})
	}
	return r
})

// flagsFor returns the rule flags of a concrete request path ("v3/…", or "v2/…" with its
// prefix): those of the catalog endpoints at that path, found exactly or through a
// template whose {name} segments match any one non-empty segment.
func flagsFor(path string) catalog.Flag {
	r := endpointRules()
	f := r.exact[path]
	for _, t := range r.templated {
		if matchPath(t.pattern, path) {
			f |= t.flags
		}
	}
	return f
}

// needsClientCert reports whether an APIv2 call is sent over mutual TLS: every secapi/
// path, and the catalog's cert_required endpoints (flags from flagsFor).
func needsClientCert(path string, flags catalog.Flag) bool {
	return strings.HasPrefix(path, "secapi/") || flags&catalog.CertRequired != 0
}

// matchPath matches a path against a pattern segment by segment; a {name} segment of the
// pattern matches any one non-empty segment. Literal segments compare exactly.
func matchPath(pattern, path string) bool {
	for {
		pi, si := strings.IndexByte(pattern, '/'), strings.IndexByte(path, '/')
		if (pi < 0) != (si < 0) {
			return false
		}
		pseg, seg := pattern, path
		if pi >= 0 {
			pseg, seg = pattern[:pi], path[:si]
		}
		if len(pseg) > 1 && pseg[0] == '{' && pseg[len(pseg)-1] == '}' {
			if seg == "" {
				return false
			}
		} else if pseg != seg {
			return false
		}
		if pi < 0 {
			return true
		}
		pattern, path = pattern[pi+1:], path[si+1:]
	}
}
