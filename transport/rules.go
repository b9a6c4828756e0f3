package transport

import (
	"strings"
	"sync"

	"github.com/wxpay-go/wxpay/catalog"
)

// This file is the one place that says which endpoints differ from the protocol's rule:
// APIv3 downloads that WeChat Pay does not sign, APIv2 answers without a sign, APIv2
// requests without nonce_str, and APIv2 endpoints that need the merchant's client
// certificate (mutual TLS). Where the endpoint catalog records the property (downloads,
// certificates), the list is taken from it. Patterns are relative paths ("v3/…", or the APIv2 path with
// "v2/" already stripped); a segment written {name} matches any one segment.

// unsignedV3 are the GET endpoints whose answers carry no Wechatpay-Signature: the
// catalog's binary and CSV downloads (files and images), and the e-invoice download URL
// WeChat Pay hands out, which the catalog does not list. Everything else WeChat Pay
// answers with 2xx is verified before it is returned.
var unsignedV3 = sync.OnceValue(func() []string {
	list := []string{"v3/new-tax-control-fapiao/download"}
	for _, e := range catalog.All() {
		if e.Method == "GET" && e.Unsigned() && !listed(statementsV3, e.Path) {
			list = append(list, e.Path)
		}
	}
	return list
})

// statementsV3 are the cross-border statement downloads. They are verified through a
// digest: WeChat Pay signs {"sha1":"<Wechatpay-Statement-Sha1>"} and the client checks
// the SHA-1 of the file against that header.
var statementsV3 = []string{
	"v3/statements",
	"v3/global/statements",
}

// signlessV2 answer without a sign field; their return_code/result_code are still checked.
var signlessV2 = []string{
	"mchrisk/querymchrisk", "mchrisk/setmchriskcallback", "mchrisk/syncmchriskresult",
	"mmpaymkttransfers/gethbinfo", "mmpaymkttransfers/gettransferinfo",
	"mmpaymkttransfers/promotion/paywwsptrans2pocket", "mmpaymkttransfers/promotion/querywwsptrans2pocket",
	"mmpaymkttransfers/promotion/transfers", "mmpaymkttransfers/sendgroupredpack",
	"mmpaymkttransfers/sendminiprogramhb", "mmpaymkttransfers/sendredpack",
	"mmpaysptrans/pay_bank", "mmpaysptrans/query_bank",
	"papay/entrustweb", "papay/h5entrustweb", "papay/partner/entrustweb", "papay/partner/h5entrustweb",
	"pay/downloadbill", "pay/downloadfundflow", "payitil/report",
	"risk/getpublickey", "risk/getviolation", "secapi/mch/submchmanage",
	"xdc/apiv2getsignkey/sign/getsignkey", "appauth/getaccesstoken",
}

// noncelessV2 take no nonce_str; the SDK adds one to every other APIv2 request.
var noncelessV2 = []string{
	"cgi-bin/mch/customs/customdeclareorder", "cgi-bin/mch/customs/customdeclarequery",
	"cgi-bin/mch/newcustoms/customdeclareredeclare",
	"papay/deletecontract", "papay/h5entrustweb", "papay/preentrustweb", "papay/querycontract",
	"papay/partner/deletecontract", "papay/partner/h5entrustweb", "papay/partner/preentrustweb",
	"papay/partner/querycontract", "pay/queryexchagerate",
	"secapi/mch/addInstitutionsub", "secapi/mch/modifyInstitutionsub", "secapi/mch/queryInstitutionsub",
	"secapi/mch/addsubdevconfig", "secapi/mch/channelsetting", "secapi/mch/modifymchinfo",
	"secapi/mch/querysubdevconfig",
}

// jsonV2 answer with JSON instead of XML, unsigned: the catalog's APIv2 endpoints that
// produce JSON (appauth/getaccesstoken).
var jsonV2 = sync.OnceValue(func() []string {
	var list []string
	for _, e := range catalog.All() {
		if strings.HasPrefix(e.Path, "v2/") && e.Produces == "json" {
			list = append(list, strings.TrimPrefix(e.Path, "v2/"))
		}
	}
	return list
})

// rawV2 answer with a file (CSV, or gzip with tar_type=GZIP); only their errors are XML.
var rawV2 = []string{"pay/downloadbill", "pay/downloadfundflow"}

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

// NeedsClientCert reports whether an APIv2 path (without "v2/") is sent over mutual TLS.
func NeedsClientCert(path string) bool {
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

// The rules, for an emulator that must answer as WeChat Pay does (package wxpaytest).

// UnsignedAnswerV2 reports whether WeChat Pay answers an APIv2 path (without "v2/")
// without a sign field.
func UnsignedAnswerV2(path string) bool { return listed(signlessV2, path) }

// RawAnswerV2 reports whether an APIv2 path answers with a file (a bill) instead of XML.
func RawAnswerV2(path string) bool { return listed(rawV2, path) }

// StatementV3 reports whether an APIv3 path is a statement download, signed through the
// digest in its Wechatpay-Statement-Sha1 header.
func StatementV3(path string) bool { return listed(statementsV3, path) }
