package chain_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wxpay-go/wxpay/chain"
	"github.com/wxpay-go/wxpay/internal/wire"
)

func TestParseForms(t *testing.T) {
	for in, want := range map[string]string{
		"v3/transactions/out-trade-no/{out_trade_no}/reverse":                        "v3/transactions/out-trade-no/{out_trade_no}/reverse",
		"v3/transactions/out-trade-no/<out_trade_no>/reverse":                        "v3/transactions/out-trade-no/{out_trade_no}/reverse",
		"v3/transactions/out-trade-no/_out_trade_no_/reverse":                        "v3/transactions/out-trade-no/{out_trade_no}/reverse",
		"/v3/pay/transactions/native":                                                "v3/pay/transactions/native",
		"v2/secapi/mch/queryInstitutionsub":                                          "v2/secapi/mch/queryInstitutionsub",
		"v3/applyment4sub/applyment/":                                                "v3/applyment4sub/applyment/",
		"v3/marketing/busifavor/users/{openid}/coupons/{coupon_code}/appids/{appid}": "v3/marketing/busifavor/users/{openid}/coupons/{coupon_code}/appids/{appid}",
		"v3/x/prefix-{id}.json":                                                      "v3/x/prefix-{id}.json",
		"v3/with_underline/_":                                                        "v3/with_underline/_",
		"v3/__/x_":                                                                   "v3/__/x_",
	} {
		tm, err := chain.Parse(in)
		require.NoError(t, err, in)
		assert.Equal(t, want, tm.String(), in)
	}
}

func TestParseRefuses(t *testing.T) {
	for _, in := range []string{"", "/", "v3//x", "v3/./x", "v3/../x", "v3/x?a=1", "v3/x#f", "v3/a b",
		"https://api.mch.weixin.qq.com/v3/x", "v3/{}", "v3/{a", "v3/<a", "v3/{a b}", "v3/%2F", "v3/é"} {
		_, err := chain.Parse(in)
		assert.ErrorIs(t, err, chain.ErrInvalidTemplate, "%q", in)
	}
}

func TestExpand(t *testing.T) {
	tm := chain.MustParse("v3/a/{x}/b/<y>/file-{z}.csv")
	assert.Equal(t, []string{"x", "y", "z"}, tm.Names())
	p := func(kv ...string) (ps []wire.Param) {
		for i := 0; i < len(kv); i += 2 {
			ps = append(ps, wire.Param{Name: kv[i], Value: kv[i+1]})
		}
		return
	}
	got, err := tm.Expand(p("x", "1", "y", "old"), p("y", "a/b?c#d%e f", "z", "..."))
	require.NoError(t, err)
	assert.Equal(t, "v3/a/1/b/a%2Fb%3Fc%23d%25e%20f/file-....csv", got)

	_, err = tm.Expand(p("x", "1"), p("y", "2"))
	assert.ErrorIs(t, err, chain.ErrMissingPathParam)
	assert.Contains(t, err.Error(), "{z}")
	for _, bad := range []string{"", ".", ".."} {
		_, err = tm.Expand(nil, p("x", bad, "y", "2", "z", "3"))
		assert.ErrorIs(t, err, chain.ErrInvalidPathParam, "%q", bad)
	}
	// The last PathParam for a name wins.
	got, err = chain.MustParse("v3/{a}").Expand(nil, p("a", "1", "a", "2"))
	require.NoError(t, err)
	assert.Equal(t, "v3/2", got)
}

func TestNodesAreImmutable(t *testing.T) {
	root := chain.New(nil, "v3/transactions")
	a := root.Chain("out-trade-no/{out_trade_no}")
	b := root.Chain("out-trade-no/{out_trade_no}")
	ra, rb := a.Chain("reverse"), b.Chain("close")
	assert.Equal(t, "v3/transactions", root.Template())
	assert.Equal(t, "v3/transactions/out-trade-no/{out_trade_no}/reverse", ra.Template())
	assert.Equal(t, "v3/transactions/out-trade-no/{out_trade_no}/close", rb.Template())
	bad := root.Chain("a//b")
	assert.ErrorIs(t, bad.Err(), chain.ErrInvalidTemplate)
	assert.ErrorIs(t, bad.Chain("c").Err(), chain.ErrInvalidTemplate)
}

func BenchmarkParseAndExpand(b *testing.B) {
	call := []wire.Param{{Name: "out_trade_no", Value: "1217752501201407033233368018"}}
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		tm, _ := chain.Parse("v3/transactions/out-trade-no/{out_trade_no}/reverse")
		if _, err := tm.Expand(nil, call); err != nil {
			b.Fatal(err)
		}
	}
}
