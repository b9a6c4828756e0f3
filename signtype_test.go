package wxpay_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wxpay-go/wxpay"
	"github.com/wxpay-go/wxpay/codec"
	"github.com/wxpay-go/wxpay/signer"
	"github.com/wxpay-go/wxpay/wxpaytest"
)

// An APIv2 answer is verified with the sign type of its request: an answer
// MD5-signed (correctly, with the merchant's key) for an HMAC-SHA256 request
// is refused, over a real socket. Before, the sign's length chose the
// algorithm, so the downgraded answer passed.
func TestAPIv2AnswerVerifiedWithTheRequestsSignType(t *testing.T) {
	srv := wxpaytest.NewServer(t)
	wx := newClient(t, srv)
	ctx := context.Background()
	answered := [][2]string{{"return_code", "SUCCESS"}, {"result_code", "SUCCESS"}, {"trade_state", "SUCCESS"}, {"out_trade_no", "X"}}
	answerSignedWith := func(signType string) {
		srv.Handle("POST", "pay/orderquery", func(r *wxpaytest.Request) *wxpaytest.Reply {
			fields := make(codec.Fields, 0, len(answered)+1)
			for _, f := range answered {
				fields = append(fields, codec.Field{Name: f[0], Value: f[1]})
			}
			fields = append(fields, codec.Field{Name: "sign", Value: srv.SignV2(answered, signType)})
			body, err := codec.EncodeXML(fields)
			require.NoError(t, err)
			return &wxpaytest.Reply{Body: body}
		})
	}
	query := map[string]string{"mch_id": srv.MchID, "out_trade_no": "X"}

	answerSignedWith(signer.SignTypeMD5)
	resp, err := wx.Chain("v2/pay/orderquery").Post(ctx, query) // an MD5 request: fine
	require.NoError(t, err)
	var m map[string]string
	require.NoError(t, resp.Decode(&m))
	assert.Equal(t, "SUCCESS", m["trade_state"])
	resp, err = wx.Chain("v2/pay/orderquery").Post(ctx, query, wxpay.SignType(signer.SignTypeHMACSHA256))
	require.ErrorIs(t, err, signer.ErrBadSignature)
	assert.Nil(t, resp)

	answerSignedWith(signer.SignTypeHMACSHA256)
	_, err = wx.Chain("v2/pay/orderquery").Post(ctx, query, wxpay.SignType(signer.SignTypeHMACSHA256))
	require.NoError(t, err)
	_, err = wx.Chain("v2/pay/orderquery").Post(ctx, query) // an HMAC answer to an MD5 request is refused too
	require.ErrorIs(t, err, signer.ErrBadSignature)
}
