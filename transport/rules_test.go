package transport

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestRules(t *testing.T) {
	assert.Len(t, certRequiredV2(), 57, "the catalog lists 57 cert_required endpoints")
	for _, p := range []string{"secapi/pay/refund", "secapi/new/thing", "mmpaymkttransfers/sendredpack", "pay/downloadfundflow", "wxv/queryrentbill"} {
		assert.True(t, needsClientCert(p), p)
	}
	for _, p := range []string{"pay/unifiedorder", "pay/orderquery", "pay/downloadbill", "secapi", "xsecapi/pay/refund"} {
		assert.False(t, needsClientCert(p), p)
	}
	assert.True(t, listed(unsignedV3(), "v3/merchant-service/images/ChsyMjAxOTA1MjcxNzI5MDA%2BcXB3"))
	assert.True(t, listed(unsignedV3(), "v3/billdownload/file"))
	assert.False(t, listed(unsignedV3(), "v3/billdownload/file/x"))
	assert.False(t, listed(unsignedV3(), "v3/merchant-service/images/"))
	assert.False(t, listed(unsignedV3(), "v3/bill/tradebill"))
	assert.True(t, listed(noncelessV2, "secapi/mch/queryInstitutionsub"))
	assert.False(t, listed(noncelessV2, "secapi/mch/queryinstitutionsub"), "literal segments compare exactly")
}

func TestCheckBaseURL(t *testing.T) {
	for in, want := range map[string]string{
		"https://api.mch.weixin.qq.com":     "https://api.mch.weixin.qq.com/",
		"https://api.mch.weixin.qq.com/hk":  "https://api.mch.weixin.qq.com/hk/",
		"https://api.mch.weixin.qq.com/hk/": "https://api.mch.weixin.qq.com/hk/",
		"http://127.0.0.1:8080/":            "http://127.0.0.1:8080/",
	} {
		u, err := checkBaseURL(in)
		if assert.NoError(t, err, in) {
			assert.Equal(t, want, u.String())
		}
	}
	for _, in := range []string{"http://api.mch.weixin.qq.com/", "ftp://x/", "https://x/?a=1", "/relative", "https://u:p@x/"} {
		_, err := checkBaseURL(in)
		assert.ErrorIs(t, err, ErrConfig, in)
	}
}

func TestJSONV2FromCatalog(t *testing.T) {
	assert.Equal(t, []string{"appauth/getaccesstoken"}, jsonV2())
}
