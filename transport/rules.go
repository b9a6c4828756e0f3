package transport

import "strings"

// This file is the one place that lists the endpoints whose protocol differs from the
// rule: APIv3 downloads that WeChat Pay does not sign, APIv2 answers without a sign,
// APIv2 requests without nonce_str, and APIv2 endpoints that need the merchant's client
// certificate (mutual TLS). Patterns are relative paths ("v3/…", or the APIv2 path with
// "v2/" already stripped); a segment written {name} matches any one segment.

// unsignedV3 are the GET endpoints whose answers carry no Wechatpay-Signature: files and
// images. Everything else WeChat Pay answers with 2xx is verified before it is returned.
var unsignedV3 = []string{
	"v3/billdownload/file",
	"v3/transferdownload/elecvoucherfile",
	"v3/transferdownload/signfile",
	"v3/merchant-service/images/{media_id}",
	"v3/global/merchant-service/images/{media_id}",
	"v3/new-tax-control-fapiao/download",
}

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

// rawV2 answer with a file (CSV, or gzip with tar_type=GZIP); only their errors are XML.
var rawV2 = []string{"pay/downloadbill", "pay/downloadfundflow"}

// certRequiredV2 are the 57 catalog endpoints marked cert_required (x-api-cert-required).
// Every secapi/ path needs the certificate too, listed or not.
var certRequiredV2 = []string{
	"applyment/micro/getstate", "applyment/micro/getupgradestate", "applyment/micro/modifyarchives",
	"applyment/micro/modifycontactinfo", "applyment/micro/signcontract", "applyment/micro/submit",
	"applyment/micro/submitupgrade", "billcommentsp/batchquerycomment",
	"deposit/consume", "deposit/refund", "deposit/reverse",
	"fund/queryautowithdrawbydate", "fund/reautowithdrawbydate",
	"mchrisk/querymchrisk", "mchrisk/syncmchriskresult",
	"mmpaymkttransfers/gethbinfo", "mmpaymkttransfers/gettransferinfo",
	"mmpaymkttransfers/promotion/paywwsptrans2pocket", "mmpaymkttransfers/promotion/querywwsptrans2pocket",
	"mmpaymkttransfers/promotion/transfers", "mmpaymkttransfers/queryworkwxredpack",
	"mmpaymkttransfers/send_coupon", "mmpaymkttransfers/sendgroupredpack",
	"mmpaymkttransfers/sendminiprogramhb", "mmpaymkttransfers/sendredpack",
	"mmpaymkttransfers/sendworkwxredpack", "mmpaysptrans/pay_bank", "mmpaysptrans/query_bank",
	"pay/downloadfundflow", "risk/getpublickey", "risk/getviolation",
	"secapi/mch/addInstitutionsub", "secapi/mch/addsubdevconfig", "secapi/mch/channelsetting",
	"secapi/mch/modifyInstitutionsub", "secapi/mch/modifymchinfo", "secapi/mch/queryInstitutionsub",
	"secapi/mch/querysubdevconfig", "secapi/mch/submchmanage", "secapi/mch/uploadmedia",
	"secapi/mkt/addrecommendconf", "secapi/pay/facepayreverse", "secapi/pay/multiprofitsharing",
	"secapi/pay/profitsharing", "secapi/pay/profitsharingfinish", "secapi/pay/profitsharingreturn",
	"secapi/pay/refund", "secapi/pay/refundv2", "secapi/pay/reverse",
	"wxv/cancelbill", "wxv/changerentmoney", "wxv/createhotelbill", "wxv/createrentbill",
	"wxv/finishhotelbill", "wxv/finishrentbill", "wxv/queryhotelbill", "wxv/queryrentbill",
}

// NeedsClientCert reports whether an APIv2 path (without "v2/") is sent over mutual TLS.
func NeedsClientCert(path string) bool {
	return strings.HasPrefix(path, "secapi/") || listed(certRequiredV2, path)
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
