package signer_test

import (
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/wxpay-go/wxpay/signer"
)

const officialV2Key = "192006250b4c09247ec02edce69f6a2d"

func officialV2Fields() []signer.Field {
	// Deliberately not in sorted order.
	return []signer.Field{
		{Name: "nonce_str", Value: "ibuaiVcKdpRxkhJA"},
		{Name: "mch_id", Value: "10000100"},
		{Name: "device_info", Value: "1000"},
		{Name: "body", Value: "test"},
		{Name: "appid", Value: "wxd930ea5d5a258f4f"},
	}
}

func TestSignV2OfficialVectors(t *testing.T) {
	fields := officialV2Fields()
	orig := append([]signer.Field(nil), fields...)

	got, err := signer.SignV2(signer.SignTypeMD5, officialV2Key, fields)
	require.NoError(t, err)
	require.Equal(t, "9A0A8659F005D6984697E2CA0A9CF3B7", got)

	got, err = signer.SignV2(signer.SignTypeHMACSHA256, officialV2Key, fields)
	require.NoError(t, err)
	require.Equal(t, "6A9AE1657590FD6257D693A078E1C3E4BB6BA4DC30B23E0EE2496E54170DACD6", got)

	require.Equal(t, orig, fields, "input must not be modified")

	// "sign" and empty values do not change the result.
	more := append([]signer.Field{{Name: "sign", Value: "WHATEVER"}, {Name: "attach", Value: ""}}, fields...)
	more = append(more, signer.Field{Name: "zzz_empty", Value: ""})
	got, err = signer.SignV2(signer.SignTypeMD5, officialV2Key, more)
	require.NoError(t, err)
	require.Equal(t, "9A0A8659F005D6984697E2CA0A9CF3B7", got)
}

func TestSignV2EmptyFieldSet(t *testing.T) {
	const key = "exposed_your_key_here_have_risks"
	sum := md5.Sum([]byte(key))
	require.Equal(t, "4ad14ac334ab13540eb6c5479512a8e8", hex.EncodeToString(sum[:]))

	// No fields: stringA is empty, so the signed string is "&key=" + key.
	for _, fields := range [][]signer.Field{nil, {}, {{Name: "sign", Value: "X"}}, {{Name: "a", Value: ""}}} {
		got, err := signer.SignV2(signer.SignTypeMD5, key, fields)
		require.NoError(t, err)
		require.Equal(t, "B3D43C8390F26E2030D4D17BD580FBC8", got)
		got, err = signer.SignV2(signer.SignTypeHMACSHA256, key, fields)
		require.NoError(t, err)
		require.Equal(t, "D8CDA9E27E110EF6AD1E78CBABD1D9011B7802DE81849D0C338A816894330D4D", got)
	}
}

func TestSignV2ByteOrder(t *testing.T) {
	// Expected values: openssl over "REMARK=4&RE_OPENID=3&re_openid=1&remark=2&key=…" (VECTORS.md).
	// Byte order: upper case before lower case, and "_" (0x5F) before "m" (0x6D).
	fields := []signer.Field{
		{Name: "remark", Value: "2"},
		{Name: "re_openid", Value: "1"},
		{Name: "RE_OPENID", Value: "3"},
		{Name: "REMARK", Value: "4"},
	}
	got, err := signer.SignV2(signer.SignTypeMD5, officialV2Key, fields)
	require.NoError(t, err)
	require.Equal(t, "233CE87AB5DE5C549C21D07A1ADCE063", got)
	got, err = signer.SignV2(signer.SignTypeHMACSHA256, officialV2Key, fields)
	require.NoError(t, err)
	require.Equal(t, "E0F34F994666D679B793651C9033226AF0D6D901C1C4B8339340750BB6710923", got)

	// "b=1&rfc1=2&rfc2086=3&rfc822=4" (natural order would put rfc822 before rfc2086)
	got, err = signer.SignV2(signer.SignTypeMD5, officialV2Key, []signer.Field{
		{Name: "rfc822", Value: "4"}, {Name: "rfc2086", Value: "3"}, {Name: "b", Value: "1"}, {Name: "rfc1", Value: "2"},
	})
	require.NoError(t, err)
	require.Equal(t, "6C3EC6361D319BA45BA66592D5B0CF16", got)

	// Empty values and "sign" are skipped: {bob:1, alice:"", tom:"", sign:mock} signs "bob=1&key=…".
	got, err = signer.SignV2(signer.SignTypeMD5, officialV2Key, []signer.Field{{Name: "tom", Value: ""}, {Name: "sign", Value: "mock"}, {Name: "alice", Value: ""}, {Name: "bob", Value: "1"}})
	require.NoError(t, err)
	require.Equal(t, "BAA28C73977C39832ED5160615424E01", got) // "bob=1&key=…"
}

func TestSignV2ValuesVerbatim(t *testing.T) {
	fields := []signer.Field{
		{Name: "sign_type", Value: "HMAC-SHA256"},
		{Name: "nonce_str", Value: "5K8264ILTKCH16CQ2502SI8ZNMTM67VS"},
		{Name: "device_info", Value: ""},
		{Name: "body", Value: "腾讯充值中心-QQ会员充值"},
		{Name: "attach", Value: "a=b&c d%/+"},
		{Name: "sign", Value: "OLD"},
		{Name: "mch_id", Value: "10000100"},
	}
	got, err := signer.SignV2(signer.SignTypeMD5, officialV2Key, fields)
	require.NoError(t, err)
	require.Equal(t, "36F30D877F85F032B27A29D451C6A6FA", got)
	got, err = signer.SignV2(signer.SignTypeHMACSHA256, officialV2Key, fields)
	require.NoError(t, err)
	require.Equal(t, "3316BBB385BD4D15568D8ACAE16D41EFB2C60B9D6FA663FBC8E0A0CD01767808", got)
}

func TestSignV2Errors(t *testing.T) {
	fields := officialV2Fields()
	for _, st := range []string{"", "md5", "RSA", "HMAC-SHA1", "hmac-sha256"} {
		_, err := signer.SignV2(st, officialV2Key, fields)
		require.Error(t, err, st)
	}
	dup := append(officialV2Fields(), signer.Field{Name: "body", Value: "other"})
	_, err := signer.SignV2(signer.SignTypeMD5, officialV2Key, dup)
	require.ErrorContains(t, err, "duplicate")
	require.ErrorContains(t, err, "body")
	// Duplicates count even when one copy would be skipped.
	_, err = signer.SignV2(signer.SignTypeMD5, officialV2Key, append(officialV2Fields(), signer.Field{Name: "body", Value: ""}))
	require.Error(t, err)
	_, err = signer.SignV2(signer.SignTypeMD5, officialV2Key, []signer.Field{{Name: "", Value: "x"}})
	require.Error(t, err)
	_, err = signer.SignV2(signer.SignTypeMD5, officialV2Key[:31], fields)
	require.ErrorIs(t, err, signer.ErrKey)

	// Many fields (beyond any small-buffer fast path) still sort correctly.
	var many []signer.Field
	for i := 40; i >= 0; i-- {
		many = append(many, signer.Field{Name: fmt.Sprintf("k%02d", i), Value: "v"})
	}
	got, err := signer.SignV2(signer.SignTypeMD5, officialV2Key, many)
	require.NoError(t, err)
	var sb strings.Builder
	for i := 0; i <= 40; i++ {
		fmt.Fprintf(&sb, "k%02d=v&", i)
	}
	sum := md5.Sum([]byte(sb.String() + "key=" + officialV2Key))
	require.Equal(t, strings.ToUpper(hex.EncodeToString(sum[:])), got)
}

func TestCheckV2Key(t *testing.T) {
	require.NoError(t, signer.CheckV2Key(officialV2Key))
	require.NoError(t, signer.CheckV2Key("exposed_your_key_here_have_risks"))
	for _, k := range []string{"", "short", officialV2Key + "x", officialV2Key[:31], strings.Repeat("键", 11)} {
		err := signer.CheckV2Key(k)
		require.ErrorIs(t, err, signer.ErrKey, "%q", k)
		require.Contains(t, err.Error(), fmt.Sprintf("%d bytes", len(k)))
		if k != "" {
			require.NotContains(t, err.Error(), k)
		}
	}
}

func signed(t *testing.T, signType string, fields []signer.Field) []signer.Field {
	t.Helper()
	sign, err := signer.SignV2(signType, officialV2Key, fields)
	require.NoError(t, err)
	return append(append([]signer.Field(nil), fields...), signer.Field{Name: "sign", Value: sign})
}

func TestVerifyV2(t *testing.T) {
	for _, st := range []string{signer.SignTypeMD5, signer.SignTypeHMACSHA256} {
		answer := signed(t, st, []signer.Field{
			{Name: "return_code", Value: "SUCCESS"},
			{Name: "result_code", Value: "SUCCESS"},
			{Name: "appid", Value: "wxd930ea5d5a258f4f"},
			{Name: "err_code_des", Value: ""},
			{Name: "prepay_id", Value: "wx201410272009395522657a690389285100"},
		})
		require.NoError(t, signer.VerifyV2(st, officialV2Key, answer), st)

		// lower-case hex is accepted
		lower := append([]signer.Field(nil), answer...)
		lower[len(lower)-1].Value = strings.ToLower(lower[len(lower)-1].Value)
		require.NoError(t, signer.VerifyV2(st, officialV2Key, lower), st)

		// tampered value
		tampered := append([]signer.Field(nil), answer...)
		tampered[2].Value = "wxd930ea5d5a258f4e"
		requireSentinel(t, signer.VerifyV2(st, officialV2Key, tampered), signer.ErrBadSignature)

		// added field
		added := append(append([]signer.Field(nil), answer...), signer.Field{Name: "total_fee", Value: "1"})
		requireSentinel(t, signer.VerifyV2(st, officialV2Key, added), signer.ErrBadSignature)

		// wrong key
		requireSentinel(t, signer.VerifyV2(st, "exposed_your_key_here_have_risks", answer), signer.ErrBadSignature)

		// tampered sign, one hex digit
		bad := append([]signer.Field(nil), answer...)
		s := []byte(bad[len(bad)-1].Value)
		if s[0] == '0' {
			s[0] = '1'
		} else {
			s[0] = '0'
		}
		bad[len(bad)-1].Value = string(s)
		requireSentinel(t, signer.VerifyV2(st, officialV2Key, bad), signer.ErrBadSignature)

		// sign of the other algorithm's length but the wrong content
		other := append([]signer.Field(nil), answer...)
		if st == signer.SignTypeMD5 {
			other[len(other)-1].Value = strings.Repeat("A", 64)
		} else {
			other[len(other)-1].Value = strings.Repeat("A", 32)
		}
		requireSentinel(t, signer.VerifyV2(st, officialV2Key, other), signer.ErrBadSignature)

		// duplicate sign
		requireSentinel(t, signer.VerifyV2(st, officialV2Key, append(append([]signer.Field(nil), answer...), answer[len(answer)-1])), signer.ErrBadSignature)
		// duplicate other field
		requireSentinel(t, signer.VerifyV2(st, officialV2Key, append([]signer.Field{answer[2]}, answer...)), signer.ErrBadSignature, "duplicate")
	}

	// The official vector as an answer.
	official := append(officialV2Fields(), signer.Field{Name: "sign", Value: "9A0A8659F005D6984697E2CA0A9CF3B7"})
	require.NoError(t, signer.VerifyV2(signer.SignTypeMD5, officialV2Key, official))
	official[len(official)-1].Value = "6A9AE1657590FD6257D693A078E1C3E4BB6BA4DC30B23E0EE2496E54170DACD6"
	require.NoError(t, signer.VerifyV2(signer.SignTypeHMACSHA256, officialV2Key, official))
	// A sign of another length than the sign type's is refused before any hashing.
	official[len(official)-1].Value = "9A0A8659F005D6984697E2CA0A9CF3B"
	requireSentinel(t, signer.VerifyV2(signer.SignTypeMD5, officialV2Key, official), signer.ErrBadSignature, "31 characters")

	// Missing or empty sign.
	requireSentinel(t, signer.VerifyV2(signer.SignTypeMD5, officialV2Key, officialV2Fields()), signer.ErrBadSignature, "missing sign")
	requireSentinel(t, signer.VerifyV2(signer.SignTypeMD5, officialV2Key, append(officialV2Fields(), signer.Field{Name: "sign"})), signer.ErrBadSignature, "missing sign")
	requireSentinel(t, signer.VerifyV2(signer.SignTypeMD5, officialV2Key, nil), signer.ErrBadSignature)

	// Non-hex characters of the right length do not match.
	nonHex := append(officialV2Fields(), signer.Field{Name: "sign", Value: "9A0A8659F005D6984697E2CA0A9CF3BG"})
	requireSentinel(t, signer.VerifyV2(signer.SignTypeMD5, officialV2Key, nonHex), signer.ErrBadSignature)

	// A bad key is a configuration error, not a verification failure.
	err := signer.VerifyV2(signer.SignTypeMD5, "short", official)
	require.ErrorIs(t, err, signer.ErrKey)
	require.NotErrorIs(t, err, signer.ErrVerification)
}

// An answer is checked with the request's sign type, never one chosen by the
// answer: a correct MD5 sign does not pass for an HMAC-SHA256 request (a
// downgrade), nor the reverse. Before, VerifyV2 picked the algorithm from the
// sign's length and accepted both.
func TestVerifyV2UsesTheRequestsSignType(t *testing.T) {
	fields := []signer.Field{
		{Name: "return_code", Value: "SUCCESS"},
		{Name: "result_code", Value: "SUCCESS"},
		{Name: "prepay_id", Value: "wx201410272009395522657a690389285100"},
	}
	md5Answer := signed(t, signer.SignTypeMD5, fields)
	hmacAnswer := signed(t, signer.SignTypeHMACSHA256, fields)
	require.NoError(t, signer.VerifyV2(signer.SignTypeMD5, officialV2Key, md5Answer))
	require.NoError(t, signer.VerifyV2(signer.SignTypeHMACSHA256, officialV2Key, hmacAnswer))

	requireSentinel(t, signer.VerifyV2(signer.SignTypeHMACSHA256, officialV2Key, md5Answer), signer.ErrBadSignature, "want 64", "HMAC-SHA256")
	requireSentinel(t, signer.VerifyV2(signer.SignTypeMD5, officialV2Key, hmacAnswer), signer.ErrBadSignature, "want 32", "MD5")

	// An answer's own sign_type field does not change the algorithm either.
	claimsMD5 := signed(t, signer.SignTypeMD5, append(append([]signer.Field(nil), fields...), signer.Field{Name: "sign_type", Value: "MD5"}))
	requireSentinel(t, signer.VerifyV2(signer.SignTypeHMACSHA256, officialV2Key, claimsMD5), signer.ErrBadSignature)

	// The sign type is the caller's input: anything else is refused, and is
	// not a verification failure.
	for _, st := range []string{"", "md5", "HMAC-SHA512"} {
		err := signer.VerifyV2(st, officialV2Key, md5Answer)
		require.Error(t, err, st)
		require.NotErrorIs(t, err, signer.ErrVerification, st)
	}
}
