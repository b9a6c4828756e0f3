package codec_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wxpay-go/wxpay/codec"
)

type refundQuery struct {
	CouponFee          int64      `xml:"coupon_fee,omitempty"`
	CouponIDList       []string   `xml:"coupon_id_$n,omitempty"`
	CouponFeeList      []int64    `xml:"coupon_fee_$n,omitempty"`
	CouponRefundIDList [][]string `xml:"coupon_refund_id_$n_$m,omitempty"`
}

// Numbered APIv2 fields (coupon_id_$n) are lists: encoded as coupon_id_0, coupon_id_1, …,
// decoded back at their index; $n_$m is a list of lists.
func TestNumberedFields(t *testing.T) {
	v := refundQuery{CouponFee: 5, CouponIDList: []string{"a", "b"}, CouponFeeList: []int64{1, 0},
		CouponRefundIDList: [][]string{{"x"}, {"y", "z"}}}
	f, err := codec.FieldsOf(&v)
	require.NoError(t, err)
	assert.Equal(t, codec.Fields{{"coupon_fee", "5"}, {"coupon_id_0", "a"}, {"coupon_id_1", "b"},
		{"coupon_fee_0", "1"}, {"coupon_fee_1", "0"},
		{"coupon_refund_id_0_0", "x"}, {"coupon_refund_id_1_0", "y"}, {"coupon_refund_id_1_1", "z"}}, f)

	var back refundQuery
	require.NoError(t, codec.Fields{{"coupon_id_1", "b"}, {"coupon_fee", "5"}, {"coupon_id_0", "a"},
		{"coupon_fee_0", "1"}, {"coupon_fee_1", "0"}, {"coupon_refund_id_1_1", "z"},
		{"coupon_refund_id_0_0", "x"}, {"coupon_refund_id_1_0", "y"}, {"coupon_id_x", "ignored"}}.Decode(&back))
	assert.Equal(t, v, back)

	var bad refundQuery
	assert.Error(t, codec.Fields{{"coupon_fee_0", "one"}}.Decode(&bad), "a numbered integer is parsed")
}
