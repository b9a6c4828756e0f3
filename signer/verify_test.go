package signer_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/wxpay-go/wxpay/signer"
)

func vectorHeader() http.Header {
	h := http.Header{}
	h.Set("Wechatpay-Timestamp", vectorRespTS)
	h.Set("Wechatpay-Nonce", vectorRespNonce)
	h.Set("Wechatpay-Serial", platformSerial)
	h.Set("Wechatpay-Signature", sigRespData)
	return h
}

var vectorBody = []byte(`{"data":[]}`)

func fixedVerifier(t *testing.T, now time.Time) *signer.Verifier {
	return &signer.Verifier{Keys: platformStore(t), Now: func() time.Time { return now }}
}

func TestVerifyValid(t *testing.T) {
	v := fixedVerifier(t, time.Unix(vectorRespTSInt, 0))
	require.NoError(t, v.Verify(vectorHeader(), vectorBody))

	// Non-canonical header keys (a hand-built map) are found case-insensitively.
	h := http.Header{
		"wechatpay-timestamp": {vectorRespTS},
		"WECHATPAY-NONCE":     {vectorRespNonce},
		"wechatpay-Serial":    {platformSerial},
		"Wechatpay-signature": {sigRespData},
	}
	require.NoError(t, v.Verify(h, vectorBody))

	// First value is used.
	h = vectorHeader()
	h.Add("Wechatpay-Signature", "AAAA")
	require.NoError(t, v.Verify(h, vectorBody))
	h = vectorHeader()
	h["Wechatpay-Signature"] = []string{"AAAA", sigRespData}
	requireSentinel(t, v.Verify(h, vectorBody), signer.ErrBadSignature)
}

func TestVerifySkewBoundaries(t *testing.T) {
	ts := time.Unix(vectorRespTSInt, 0)
	for _, tc := range []struct {
		offset time.Duration
		ok     bool
	}{
		{0, true},
		{300 * time.Second, true},
		{-300 * time.Second, true},
		{301 * time.Second, false},
		{-301 * time.Second, false},
		{300*time.Second + time.Millisecond, false},
		{-300*time.Second - time.Millisecond, false},
		{299*time.Second + 999*time.Millisecond, true},
		{-100 * 365 * 24 * time.Hour, false},
	} {
		err := fixedVerifier(t, ts.Add(tc.offset)).Verify(vectorHeader(), vectorBody)
		if tc.ok {
			require.NoError(t, err, "offset %s", tc.offset)
		} else {
			requireSentinel(t, err, signer.ErrTimestampSkew, vectorRespTS)
		}
	}
	require.Equal(t, 300*time.Second, signer.MaxSkew)

	// A nil Now uses the real clock: the 2019 vector is far outside the window.
	v := &signer.Verifier{Keys: platformStore(t)}
	requireSentinel(t, v.Verify(vectorHeader(), vectorBody), signer.ErrTimestampSkew)
}

func TestVerifyBadTimestamp(t *testing.T) {
	v := fixedVerifier(t, time.Unix(vectorRespTSInt, 0))
	for _, ts := range []string{
		"abc", "+1554209980", "-1554209980", " 1554209980", "1554209980 ", "1554 209980",
		"1554209980\n", "1554209980.0", "0x5CA3", "1e9", "1234567890123", "１５５４２０９９８０",
	} {
		requireSentinel(t, v.VerifyValues(ts, vectorRespNonce, platformSerial, sigRespData, vectorBody), signer.ErrBadTimestamp)
	}
	// 12 digits is still the right format (then far too skewed).
	requireSentinel(t, v.VerifyValues("155420998000", vectorRespNonce, platformSerial, sigRespData, vectorBody), signer.ErrTimestampSkew)
	// Leading zeros are digits; the string as received is what is signed.
	requireSentinel(t, v.VerifyValues("01554209980", vectorRespNonce, platformSerial, sigRespData, vectorBody), signer.ErrBadSignature)
}

func TestVerifyMissingHeaders(t *testing.T) {
	v := fixedVerifier(t, time.Unix(vectorRespTSInt, 0))
	for _, name := range []string{"Wechatpay-Timestamp", "Wechatpay-Nonce", "Wechatpay-Serial", "Wechatpay-Signature"} {
		h := vectorHeader()
		h.Del(name)
		requireSentinel(t, v.Verify(h, vectorBody), signer.ErrHeadersIncomplete, name)

		h = vectorHeader()
		h.Set(name, "")
		requireSentinel(t, v.Verify(h, vectorBody), signer.ErrHeadersIncomplete, name)

		h = vectorHeader()
		h[name] = []string{}
		requireSentinel(t, v.Verify(h, vectorBody), signer.ErrHeadersIncomplete, name)
	}
	err := v.Verify(http.Header{}, vectorBody)
	requireSentinel(t, err, signer.ErrHeadersIncomplete,
		"Wechatpay-Timestamp, Wechatpay-Nonce, Wechatpay-Serial, Wechatpay-Signature")
	requireSentinel(t, v.Verify(nil, nil), signer.ErrHeadersIncomplete)

	// Only the missing one is named.
	h := vectorHeader()
	h.Del("Wechatpay-Nonce")
	err = v.Verify(h, vectorBody)
	require.NotContains(t, err.Error(), "Wechatpay-Serial")

	// Header check comes before the probe check.
	requireSentinel(t, v.VerifyValues("", vectorRespNonce, platformSerial, "WECHATPAY/SIGNTEST/x", nil), signer.ErrHeadersIncomplete)
}

func TestVerifyUnknownSerial(t *testing.T) {
	v := fixedVerifier(t, time.Unix(vectorRespTSInt, 0))
	lower := strings.ToLower(platformSerial)
	err := v.VerifyValues(vectorRespTS, vectorRespNonce, lower, sigRespData, vectorBody)
	requireSentinel(t, err, signer.ErrUnknownSerial, lower, platformSerial, testPubKeyID)

	// The merchant's own serial is not a platform key.
	requireSentinel(t, v.VerifyValues(vectorRespTS, vectorRespNonce, merchantSerial, sigRespData, vectorBody), signer.ErrUnknownSerial)

	// Nil store: nothing is known, no panic.
	v = &signer.Verifier{Now: v.Now}
	requireSentinel(t, v.VerifyValues(vectorRespTS, vectorRespNonce, platformSerial, sigRespData, vectorBody), signer.ErrUnknownSerial)
}

func TestVerifyBadSignature(t *testing.T) {
	v := fixedVerifier(t, time.Unix(vectorRespTSInt, 0))
	for name, tc := range map[string]struct {
		sig  string
		body string
	}{
		"tampered body":      {sigRespData, `{"data":[{}]}`},
		"trailing newline":   {sigRespData, "{\"data\":[]}\n"},
		"bad base64":         {"!!!not base64!!!", `{"data":[]}`},
		"truncated base64":   {sigRespData[:len(sigRespData)-4], `{"data":[]}`},
		"signature of other": {sigRespEmpty, `{"data":[]}`},
		"url base64":         {strings.NewReplacer("+", "-", "/", "_").Replace(sigRespData), `{"data":[]}`},
	} {
		err := v.VerifyValues(vectorRespTS, vectorRespNonce, platformSerial, tc.sig, []byte(tc.body))
		require.Error(t, err, name)
		requireSentinel(t, err, signer.ErrBadSignature)
	}
	// Tampered nonce or timestamp (still within the window).
	requireSentinel(t, v.VerifyValues(vectorRespTS, strings.ToUpper(vectorRespNonce), platformSerial, sigRespData, vectorBody), signer.ErrBadSignature)
	requireSentinel(t, v.VerifyValues("1554209981", vectorRespNonce, platformSerial, sigRespData, vectorBody), signer.ErrBadSignature)
	// A merchant-key signature does not verify under the platform key.
	v = fixedVerifier(t, time.Unix(1554208460, 0))
	requireSentinel(t, v.VerifyValues("1554208460", "593BEC0C930BF1AFEB40B4A08C8FB242", platformSerial, sigGetCertificates, nil), signer.ErrBadSignature)
}

func TestVerifySignTestProbe(t *testing.T) {
	v := fixedVerifier(t, time.Unix(vectorRespTSInt, 0))
	h := vectorHeader()
	h.Set("Wechatpay-Signature", "WECHATPAY/SIGNTEST/"+sigRespData)
	requireSentinel(t, v.Verify(h, vectorBody), signer.ErrSignTestProbe)
	// The probe is reported before timestamp and serial problems.
	requireSentinel(t, v.VerifyValues("not-a-time", "n", "unknown", "WECHATPAY/SIGNTEST/abc", nil), signer.ErrSignTestProbe)
	// Only the exact prefix counts.
	requireSentinel(t, v.VerifyValues(vectorRespTS, vectorRespNonce, platformSerial, "wechatpay/signtest/abc", nil), signer.ErrBadSignature)
}

func TestVerifyOrder(t *testing.T) {
	v := fixedVerifier(t, time.Unix(vectorRespTSInt, 0))
	// bad timestamp before unknown serial and bad signature
	requireSentinel(t, v.VerifyValues("x", "n", "unknown", "!!", nil), signer.ErrBadTimestamp)
	// skew before unknown serial
	requireSentinel(t, v.VerifyValues("1", "n", "unknown", "!!", nil), signer.ErrTimestampSkew)
	// unknown serial before bad base64
	requireSentinel(t, v.VerifyValues(vectorRespTS, "n", "unknown", "!!", nil), signer.ErrUnknownSerial)
}
