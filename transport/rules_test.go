package transport

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/wxpay-go/wxpay/catalog"
)

func TestRules(t *testing.T) {
	certs := 0
	for _, e := range catalog.All() {
		if e.Has(catalog.CertRequired) {
			certs++
		}
	}
	assert.Equal(t, 57, certs, "the catalog lists 57 cert_required endpoints")
	for _, p := range []string{"secapi/pay/refund", "secapi/new/thing", "mmpaymkttransfers/sendredpack", "pay/downloadfundflow", "wxv/queryrentbill"} {
		assert.True(t, needsClientCert(p, flagsFor("v2/"+p)), p)
	}
	for _, p := range []string{"pay/unifiedorder", "pay/orderquery", "pay/downloadbill", "secapi", "xsecapi/pay/refund"} {
		assert.False(t, needsClientCert(p, flagsFor("v2/"+p)), p)
	}
	unsigned := func(p string) bool { o := outgoing{method: "GET", flags: flagsFor(p)}; return o.unsignedV3() }
	assert.True(t, unsigned("v3/merchant-service/images/ChsyMjAxOTA1MjcxNzI5MDA%2BcXB3"))
	assert.True(t, unsigned("v3/billdownload/file"))
	assert.False(t, unsigned("v3/billdownload/file/x"))
	assert.False(t, unsigned("v3/merchant-service/images/"))
	assert.False(t, unsigned("v3/bill/tradebill"))
	assert.False(t, unsigned("v3/statements"), "statements are verified through their digest")
	assert.NotZero(t, flagsFor("v2/secapi/mch/queryInstitutionsub")&catalog.NoNonceStr)
	assert.Zero(t, flagsFor("v2/secapi/mch/queryinstitutionsub")&catalog.NoNonceStr, "literal segments compare exactly")
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
	var got []string
	for _, e := range catalog.All() {
		if e.Has(catalog.JSONAnswer) {
			got = append(got, e.Path)
		}
	}
	assert.Equal(t, []string{"v2/appauth/getaccesstoken"}, got)
	assert.NotZero(t, flagsFor("v2/appauth/getaccesstoken")&catalog.JSONAnswer)
}
