package transport

import (
	"slices"
	"strings"
	"sync"

	"github.com/wxpay-go/wxpay/catalog"
)

// This file turns the endpoint catalog's flags into the lists the pipeline consults: APIv3
// downloads that WeChat Pay does not sign, APIv2 answers without a sign, APIv2 requests
// without nonce_str, APIv2 answers that are files or JSON, and APIv2 endpoints that need
// the merchant's client certificate (mutual TLS). The data, with the reason for each
// exception, is in package catalog (catalog/rules.tsv, merged into the table by `go
// generate`); the emulator reads the same flags with its own code. Patterns are relative
// paths ("v3/…", or the APIv2 path with "v2/" already stripped); a segment written {name}
// matches any one segment.

// unsignedV3 are the GET endpoints whose answers carry no Wechatpay-Signature
// (catalog.UnsignedAnswer): the catalog's binary and CSV downloads (files and images) but
// the statements, and the e-invoice download URL WeChat Pay hands out. Everything else
// WeChat Pay answers with 2xx is verified before it is returned.
var unsignedV3 = sync.OnceValue(func() []string {
	var list []string
	for _, e := range catalog.All() {
		if strings.HasPrefix(e.Path, "v3/") && e.Method == "GET" && e.Has(catalog.UnsignedAnswer) {
			list = append(list, e.Path)
		}
	}
	return list
})

// statementsV3 are the cross-border statement downloads (catalog.StatementDigest). They
// are verified through a digest: WeChat Pay signs {"sha1":"<Wechatpay-Statement-Sha1>"}
// and the client checks the SHA-1 of the file against that header.
var statementsV3 = flagged("v3/", catalog.StatementDigest)

// signlessV2 answer without a sign field (catalog.UnsignedAnswer); their
// return_code/result_code are still checked.
var signlessV2 = flagged("v2/", catalog.UnsignedAnswer)

// noncelessV2 take no nonce_str (catalog.NoNonceStr); the SDK adds one to every other
// APIv2 request.
var noncelessV2 = flagged("v2/", catalog.NoNonceStr)

// jsonV2 answer with JSON instead of XML, unsigned (catalog.JSONAnswer: the catalog's
// APIv2 endpoints that produce JSON, appauth/getaccesstoken).
var jsonV2 = sync.OnceValue(func() []string { return flagged("v2/", catalog.JSONAnswer) })

// rawV2 answer with a file (CSV, or gzip with tar_type=GZIP); only their errors are XML
// (catalog.FileAnswer: pay/downloadbill, pay/downloadfundflow).
var rawV2 = flagged("v2/", catalog.FileAnswer)

// flagged lists the paths of the catalog endpoints with flag f among those starting with
// prefix; APIv2 paths lose their "v2/".
func flagged(prefix string, f catalog.Flag) []string {
	var list []string
	for _, e := range catalog.All() {
		if p := strings.TrimPrefix(e.Path, "v2/"); strings.HasPrefix(e.Path, prefix) && e.Has(f) && !slices.Contains(list, p) {
			list = append(list, p)
		}
	}
	return list
}

// certRequiredV2 are the catalog endpoints marked cert_required (x-api-cert-required), as
// APIv2 paths without "v2/". Every secapi/ path needs the certificate too, listed or not.
var certRequiredV2 = sync.OnceValue(func() map[string]bool {
	m := map[string]bool{}
	for _, e := range catalog.All() {
		if e.Has(catalog.CertRequired) {
			m[strings.TrimPrefix(e.Path, "v2/")] = true
		}
	}
	return m
})

// needsClientCert reports whether an APIv2 path (without "v2/") is sent over mutual TLS.
func needsClientCert(path string) bool {
	return strings.HasPrefix(path, "secapi/") || certRequiredV2()[path]
}

// listed reports whether path matches one of the patterns.
func listed(patterns []string, path string) bool {
	for _, p := range patterns {
		if matchPath(p, path) {
			return true
		}
	}
	return false
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
