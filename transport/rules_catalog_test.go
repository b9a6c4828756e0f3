package transport

import (
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
)

// The lists the pipeline consults are computed from the catalog's flags; they must be the
// hand lists this file held before the rules moved into catalog/rules.tsv.
func TestRulesFromCatalogFlags(t *testing.T) {
	sorted := func(l []string) []string { return slices.Sorted(slices.Values(l)) }
	for name, c := range map[string]struct{ got, want []string }{
		"unsignedV3": {unsignedV3(), []string{
			"v3/new-tax-control-fapiao/download",
			"v3/billdownload/file",
			"v3/global/merchant-service/images/{media_id}",
			"v3/merchant-service/images/{media_id}",
			"v3/transferdownload/elecvoucherfile",
			"v3/transferdownload/signfile",
		}},
		"statementsV3": {statementsV3, []string{"v3/statements", "v3/global/statements"}},
		"signlessV2": {signlessV2, []string{
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
		}},
		"noncelessV2": {noncelessV2, []string{
			"cgi-bin/mch/customs/customdeclareorder", "cgi-bin/mch/customs/customdeclarequery",
			"cgi-bin/mch/newcustoms/customdeclareredeclare",
			"papay/deletecontract", "papay/h5entrustweb", "papay/preentrustweb", "papay/querycontract",
			"papay/partner/deletecontract", "papay/partner/h5entrustweb", "papay/partner/preentrustweb",
			"papay/partner/querycontract", "pay/queryexchagerate",
			"secapi/mch/addInstitutionsub", "secapi/mch/modifyInstitutionsub", "secapi/mch/queryInstitutionsub",
			"secapi/mch/addsubdevconfig", "secapi/mch/channelsetting", "secapi/mch/modifymchinfo",
			"secapi/mch/querysubdevconfig",
		}},
		"jsonV2": {jsonV2(), []string{"appauth/getaccesstoken"}},
		"rawV2":  {rawV2, []string{"pay/downloadbill", "pay/downloadfundflow"}},
	} {
		assert.Equal(t, sorted(c.want), sorted(c.got), name)
	}
	assert.True(t, listed(unsignedV3(), "v3/new-tax-control-fapiao/download"))
	assert.False(t, listed(unsignedV3(), "v3/statements"), "statements are verified through their digest")
}
