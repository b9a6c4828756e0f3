package transport

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/wxpay-go/wxpay/catalog"
)

// The flags the pipeline consults come from the catalog; for every path of the hand lists
// this package held before the rules moved into catalog/rules.tsv, the flag is there, and
// no other path has it.
func TestRulesFromCatalogFlags(t *testing.T) {
	for _, c := range []struct {
		flag  catalog.Flag
		paths []string
	}{
		{catalog.UnsignedAnswer, []string{
			"v3/new-tax-control-fapiao/download",
			"v3/billdownload/file",
			"v3/global/merchant-service/images/{media_id}",
			"v3/merchant-service/images/{media_id}",
			"v3/transferdownload/elecvoucherfile",
			"v3/transferdownload/signfile",
		}},
		{catalog.StatementDigest, []string{"v3/statements", "v3/global/statements"}},
		{catalog.UnsignedAnswer, v2(
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
		)},
		{catalog.NoNonceStr, v2(
			"cgi-bin/mch/customs/customdeclareorder", "cgi-bin/mch/customs/customdeclarequery",
			"cgi-bin/mch/newcustoms/customdeclareredeclare",
			"papay/deletecontract", "papay/h5entrustweb", "papay/preentrustweb", "papay/querycontract",
			"papay/partner/deletecontract", "papay/partner/h5entrustweb", "papay/partner/preentrustweb",
			"papay/partner/querycontract", "pay/queryexchagerate",
			"secapi/mch/addInstitutionsub", "secapi/mch/modifyInstitutionsub", "secapi/mch/queryInstitutionsub",
			"secapi/mch/addsubdevconfig", "secapi/mch/channelsetting", "secapi/mch/modifymchinfo",
			"secapi/mch/querysubdevconfig",
		)},
		{catalog.JSONAnswer, v2("appauth/getaccesstoken")},
		{catalog.FileAnswer, v2("pay/downloadbill", "pay/downloadfundflow")},
	} {
		want := map[string]bool{}
		for _, p := range c.paths {
			want[p] = true
			assert.NotZero(t, flagsFor(p)&c.flag, "%s should have flag %d", p, c.flag)
		}
		// No other path of the same API version carries the flag.
		prefix := c.paths[0][:3]
		for _, e := range catalog.All() {
			if strings.HasPrefix(e.Path, prefix) && e.Has(c.flag) && !want[e.Path] && (c.flag != catalog.UnsignedAnswer || prefix == "v2/" || e.Method == "GET") {
				if c.flag == catalog.FileAnswer && prefix == "v3/" {
					continue
				}
				if c.flag == catalog.UnsignedAnswer && e.Has(catalog.StatementDigest) {
					continue
				}
				t.Errorf("%s %s has flag %d, not in the hand list", e.Method, e.Path, c.flag)
			}
		}
	}
}

func v2(paths ...string) []string {
	out := make([]string, len(paths))
	for i, p := range paths {
		out[i] = "v2/" + p
	}
	return out
}
