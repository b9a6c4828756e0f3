package wxpay_test

import (
	"crypto"
	"crypto/hmac"
	"crypto/md5"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"log"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/wxpay-go/wxpay"
	"github.com/wxpay-go/wxpay/wxpaytest"
)

const (
	payAppID    = "wxd678efh567hg6787"
	payPrepayID = "wx201410272009395522657a690389285100"
	payTS       = int64(1414561699)
	payNonce    = "5K8264ILTKCH16CQ2502SI8ZNMTM67VS"
)

func payClient(t *testing.T) (*wxpay.Client, *wxpaytest.Server) {
	t.Helper()
	srv := wxpaytest.NewServer(t)
	wx, err := wxpay.New(srv.ClientOptions()...)
	require.NoError(t, err)
	return wx, srv
}

// verifyRSA checks a base64 paySign against the merchant public key over the exact message.
func verifyRSA(t *testing.T, pub *rsa.PublicKey, msg, sig string) {
	t.Helper()
	raw, err := base64.StdEncoding.DecodeString(sig)
	require.NoError(t, err)
	digest := sha256.Sum256([]byte(msg))
	require.NoError(t, rsa.VerifyPKCS1v15(pub, crypto.SHA256, digest[:], raw), "signature over %q", msg)
}

func keysOf(p wxpay.PayParams) []string {
	keys := make([]string, 0, len(p))
	for k := range p {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// md5Upper and hmacUpper compute APIv2 signatures independently of the SDK.
func md5Upper(s string) string {
	sum := md5.Sum([]byte(s))
	return strings.ToUpper(hex.EncodeToString(sum[:]))
}

func hmacUpper(key, s string) string {
	m := hmac.New(sha256.New, []byte(key))
	m.Write([]byte(s))
	return strings.ToUpper(hex.EncodeToString(m.Sum(nil)))
}

func TestJSAPIPayParams_V3(t *testing.T) {
	wx, srv := payClient(t)
	before := time.Now().Unix()
	p, err := wx.JSAPIPayParams(payAppID, payPrepayID)
	require.NoError(t, err)
	after := time.Now().Unix()

	require.Equal(t, []string{"appId", "nonceStr", "package", "paySign", "signType", "timeStamp"}, keysOf(p))
	require.Equal(t, payAppID, p["appId"])
	require.Equal(t, "prepay_id="+payPrepayID, p["package"])
	require.Equal(t, "RSA", p["signType"])
	require.Len(t, p["nonceStr"], 32)
	ts, err := strconv.ParseInt(p["timeStamp"], 10, 64)
	require.NoError(t, err)
	require.Equal(t, strconv.FormatInt(ts, 10), p["timeStamp"], "plain decimal")
	require.True(t, before <= ts && ts <= after, "timestamp %d not in [%d,%d]", ts, before, after)

	msg := payAppID + "\n" + p["timeStamp"] + "\n" + p["nonceStr"] + "\n" + "prepay_id=" + payPrepayID + "\n"
	verifyRSA(t, &srv.MerchantKey.PublicKey, msg, p["paySign"])

	q, err := wx.JSAPIPayParams(payAppID, payPrepayID)
	require.NoError(t, err)
	require.NotEqual(t, p["nonceStr"], q["nonceStr"], "fresh nonce per call")
}

func TestJSAPIPayParamsAt_V3Exact(t *testing.T) {
	wx, srv := payClient(t)
	p, err := wx.JSAPIPayParamsAt(payAppID, payPrepayID, payTS, payNonce)
	require.NoError(t, err)
	require.Equal(t, wxpay.PayParams{
		"appId": payAppID, "timeStamp": "1414561699", "nonceStr": payNonce,
		"package": "prepay_id=" + payPrepayID, "signType": "RSA", "paySign": p["paySign"],
	}, p)
	const msg = "wxd678efh567hg6787\n1414561699\n5K8264ILTKCH16CQ2502SI8ZNMTM67VS\nprepay_id=wx201410272009395522657a690389285100\n"
	verifyRSA(t, &srv.MerchantKey.PublicKey, msg, p["paySign"])

	// The same signature computed with the private key directly (PKCS#1 v1.5 is deterministic).
	digest := sha256.Sum256([]byte(msg))
	want, err := rsa.SignPKCS1v15(nil, srv.MerchantKey, crypto.SHA256, digest[:])
	require.NoError(t, err)
	require.Equal(t, base64.StdEncoding.EncodeToString(want), p["paySign"])

	again, err := wx.JSAPIPayParamsAt(payAppID, payPrepayID, payTS, payNonce)
	require.NoError(t, err)
	require.Equal(t, p, again)
}

func TestAppPayParams_V3(t *testing.T) {
	wx, srv := payClient(t)
	p, err := wx.AppPayParams(payAppID, payPrepayID)
	require.NoError(t, err)
	require.Equal(t, []string{"appid", "noncestr", "package", "partnerid", "prepayid", "sign", "timestamp"}, keysOf(p))
	require.Equal(t, srv.MchID, p["partnerid"])
	require.Equal(t, "Sign=WXPay", p["package"])
	require.Equal(t, payPrepayID, p["prepayid"])
	require.Len(t, p["noncestr"], 32)
	msg := payAppID + "\n" + p["timestamp"] + "\n" + p["noncestr"] + "\n" + payPrepayID + "\n"
	verifyRSA(t, &srv.MerchantKey.PublicKey, msg, p["sign"])

	e, err := wx.AppPayParamsAt(payAppID, payPrepayID, payTS, payNonce)
	require.NoError(t, err)
	require.Equal(t, wxpay.PayParams{
		"appid": payAppID, "partnerid": srv.MchID, "prepayid": payPrepayID, "package": "Sign=WXPay",
		"noncestr": payNonce, "timestamp": "1414561699", "sign": e["sign"],
	}, e)
	verifyRSA(t, &srv.MerchantKey.PublicKey,
		"wxd678efh567hg6787\n1414561699\n5K8264ILTKCH16CQ2502SI8ZNMTM67VS\nwx201410272009395522657a690389285100\n", e["sign"])
}

func TestJSAPIPayParamsV2_KnownAnswer(t *testing.T) {
	wx, srv := payClient(t)
	key := srv.APIv2Key
	base := "appId=" + payAppID + "&nonceStr=" + payNonce + "&package=prepay_id=" + payPrepayID

	p, err := wx.JSAPIPayParamsV2At(payAppID, payPrepayID, "MD5", payTS, payNonce)
	require.NoError(t, err)
	wantMD5 := md5Upper(base + "&signType=MD5&timeStamp=1414561699&key=" + key)
	require.Equal(t, wxpay.PayParams{
		"appId": payAppID, "timeStamp": "1414561699", "nonceStr": payNonce,
		"package": "prepay_id=" + payPrepayID, "signType": "MD5", "paySign": wantMD5,
	}, p)

	// "" means MD5.
	d, err := wx.JSAPIPayParamsV2At(payAppID, payPrepayID, "", payTS, payNonce)
	require.NoError(t, err)
	require.Equal(t, p, d)

	h, err := wx.JSAPIPayParamsV2At(payAppID, payPrepayID, "HMAC-SHA256", payTS, payNonce)
	require.NoError(t, err)
	require.Equal(t, "HMAC-SHA256", h["signType"])
	require.Equal(t, hmacUpper(key, base+"&signType=HMAC-SHA256&timeStamp=1414561699&key="+key), h["paySign"])
	require.Len(t, h["paySign"], 64)

	r, err := wx.JSAPIPayParamsV2(payAppID, payPrepayID, "MD5")
	require.NoError(t, err)
	require.Equal(t, []string{"appId", "nonceStr", "package", "paySign", "signType", "timeStamp"}, keysOf(r))
	require.Equal(t, md5Upper("appId="+payAppID+"&nonceStr="+r["nonceStr"]+"&package=prepay_id="+payPrepayID+
		"&signType=MD5&timeStamp="+r["timeStamp"]+"&key="+key), r["paySign"])
}

func TestAppPayParamsV2_KnownAnswer(t *testing.T) {
	wx, srv := payClient(t)
	key := srv.APIv2Key
	const partner = "10000100"
	str := "appid=" + payAppID + "&noncestr=" + payNonce + "&package=Sign=WXPay&partnerid=" + partner +
		"&prepayid=" + payPrepayID + "&timestamp=1414561699&key=" + key

	p, err := wx.AppPayParamsV2At(payAppID, partner, payPrepayID, "", payTS, payNonce)
	require.NoError(t, err)
	require.Equal(t, wxpay.PayParams{
		"appid": payAppID, "partnerid": partner, "prepayid": payPrepayID, "package": "Sign=WXPay",
		"noncestr": payNonce, "timestamp": "1414561699", "sign": md5Upper(str),
	}, p)

	h, err := wx.AppPayParamsV2At(payAppID, partner, payPrepayID, "HMAC-SHA256", payTS, payNonce)
	require.NoError(t, err)
	require.Equal(t, hmacUpper(key, str), h["sign"])

	// An empty partnerID is the merchant id of WithMerchant.
	m, err := wx.AppPayParamsV2(payAppID, "", payPrepayID, "MD5")
	require.NoError(t, err)
	require.Equal(t, srv.MchID, m["partnerid"])
	require.Equal(t, md5Upper("appid="+payAppID+"&noncestr="+m["noncestr"]+"&package=Sign=WXPay&partnerid="+srv.MchID+
		"&prepayid="+payPrepayID+"&timestamp="+m["timestamp"]+"&key="+key), m["sign"])
}

func TestPayParams_Errors(t *testing.T) {
	wx, srv := payClient(t)

	// No merchant key: the APIv3 helpers need it; the APIv2 ones need only the APIv2 key.
	v2only, err := wxpay.New(wxpay.WithAPIv2Key(srv.APIv2Key))
	require.NoError(t, err)
	_, err = v2only.JSAPIPayParams(payAppID, payPrepayID)
	require.ErrorIs(t, err, wxpay.ErrConfig)
	_, err = v2only.AppPayParams(payAppID, payPrepayID)
	require.ErrorIs(t, err, wxpay.ErrConfig)
	_, err = v2only.JSAPIPayParamsV2(payAppID, payPrepayID, "MD5")
	require.NoError(t, err)
	_, err = v2only.AppPayParamsV2(payAppID, "", payPrepayID, "MD5")
	require.ErrorContains(t, err, "partnerID")
	require.NotErrorIs(t, err, wxpay.ErrConfig)

	// No APIv2 key.
	v3only, err := wxpay.New(wxpay.WithMerchant(srv.MchID, srv.MerchantSerial, srv.MerchantKey))
	require.NoError(t, err)
	_, err = v3only.JSAPIPayParamsV2(payAppID, payPrepayID, "MD5")
	require.ErrorIs(t, err, wxpay.ErrConfig)
	_, err = v3only.AppPayParamsV2(payAppID, "1900000109", payPrepayID, "MD5")
	require.ErrorIs(t, err, wxpay.ErrConfig)
	_, err = v3only.JSAPIPayParams(payAppID, payPrepayID)
	require.NoError(t, err)

	calls := map[string]func(appID, prepayID, signType string, ts int64, nonce string) (wxpay.PayParams, error){
		"JSAPIPayParamsAt": func(a, p, _ string, ts int64, n string) (wxpay.PayParams, error) {
			return wx.JSAPIPayParamsAt(a, p, ts, n)
		},
		"AppPayParamsAt": func(a, p, _ string, ts int64, n string) (wxpay.PayParams, error) {
			return wx.AppPayParamsAt(a, p, ts, n)
		},
		"JSAPIPayParamsV2At": func(a, p, s string, ts int64, n string) (wxpay.PayParams, error) {
			return wx.JSAPIPayParamsV2At(a, p, s, ts, n)
		},
		"AppPayParamsV2At": func(a, p, s string, ts int64, n string) (wxpay.PayParams, error) {
			return wx.AppPayParamsV2At(a, "1900000109", p, s, ts, n)
		},
	}
	bad := []struct {
		name, appID, prepayID string
		ts                    int64
		nonce, want           string
	}{
		{"empty appID", "", payPrepayID, payTS, payNonce, "appID is empty"},
		{"empty prepayID", payAppID, "", payTS, payNonce, "prepayID is empty"},
		{"newline in prepayID", payAppID, payPrepayID + "\nx", payTS, payNonce, "prepayID"},
		{"ampersand in appID", payAppID + "&x", payPrepayID, payTS, payNonce, "appID"},
		{"space in appID", "wx 1", payPrepayID, payTS, payNonce, "appID"},
		{"negative timestamp", payAppID, payPrepayID, -1, payNonce, "negative timestamp"},
		{"empty nonce", payAppID, payPrepayID, payTS, "", "nonce is empty"},
		{"long nonce", payAppID, payPrepayID, payTS, strings.Repeat("a", 33), "at most 32"},
		{"newline in nonce", payAppID, payPrepayID, payTS, "abc\n", "nonce"},
	}
	for name, call := range calls {
		for _, c := range bad {
			p, err := call(c.appID, c.prepayID, "MD5", c.ts, c.nonce)
			require.ErrorContains(t, err, c.want, "%s: %s", name, c.name)
			require.NotErrorIs(t, err, wxpay.ErrConfig, "%s: %s", name, c.name)
			require.Nil(t, p, "%s: %s", name, c.name)
		}
	}

	for _, st := range []string{"md5", "RSA", "HMAC-SHA1", "hmac-sha256", " MD5"} {
		_, err := wx.JSAPIPayParamsV2(payAppID, payPrepayID, st)
		require.ErrorContains(t, err, "sign type", st)
		_, err = wx.AppPayParamsV2(payAppID, "1900000109", payPrepayID, st)
		require.ErrorContains(t, err, "sign type", st)
	}
	_, err = wx.AppPayParamsV2(payAppID, "1900&000109", payPrepayID, "MD5")
	require.ErrorContains(t, err, "partnerID")
}

// The parameters for wx.requestPayment in a mini program (or WeixinJSBridge in JSAPI),
// for a prepay_id from v3/pay/transactions/jsapi. Marshal the map as JSON for the page.
func ExampleClient_JSAPIPayParams() {
	srv, err := wxpaytest.Start()
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	wx, err := wxpay.New(srv.ClientOptions()...)
	if err != nil {
		log.Fatal(err)
	}

	p, err := wx.JSAPIPayParams("wxd678efh567hg6787", "wx201410272009395522657a690389285100")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(keysOf(p))
	fmt.Println(p["package"], p["signType"])
	// Output:
	// [appId nonceStr package paySign signType timeStamp]
	// prepay_id=wx201410272009395522657a690389285100 RSA
}

// The parameters for the APP SDK's PayReq, for a prepay_id from v3/pay/transactions/app.
func ExampleClient_AppPayParams() {
	srv, err := wxpaytest.Start()
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	wx, err := wxpay.New(srv.ClientOptions()...)
	if err != nil {
		log.Fatal(err)
	}

	p, err := wx.AppPayParams("wxd678efh567hg6787", "wx201410272009395522657a690389285100")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(keysOf(p))
	fmt.Println(p["package"], p["partnerid"] == srv.MchID)
	// Output:
	// [appid noncestr package partnerid prepayid sign timestamp]
	// Sign=WXPay true
}
