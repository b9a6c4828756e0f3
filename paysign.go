package wxpay

import (
	"fmt"
	"strconv"
	"time"

	"github.com/wxpay-go/wxpay/codec"
	"github.com/wxpay-go/wxpay/signer"
)

// PayParams are the fields a front end passes to WeChat's payment call, keyed by the exact
// (case-sensitive) names that call expects: JSON-encode the map for wx.requestPayment /
// WeixinJSBridge.invoke("getBrandWCPayRequest", …) or hand it to the APP SDK's PayReq.
// Every value is a string, timestamps included, as WeChat requires.
type PayParams map[string]string

// JSAPIPayParams returns the APIv3 parameters for wx.requestPayment (mini program) or
// WeixinJSBridge getBrandWCPayRequest (JSAPI, in WeChat's browser) for a prepay id from
// v3/pay/transactions/jsapi. The keys are:
//
//	appId      appID
//	timeStamp  the current Unix time in seconds, as a decimal string
//	nonceStr   a fresh 32-character random string (signer.Nonce)
//	package    "prepay_id=" + prepayID
//	signType   "RSA"
//	paySign    base64 RSA-SHA256 (PKCS#1 v1.5) with the merchant private key over
//	           appId + "\n" + timeStamp + "\n" + nonceStr + "\n" + package + "\n"
//
// appID must be the AppID the order was placed with. A client without WithMerchant gives
// an error wrapping ErrConfig; an empty appID or prepayID, or one holding a space, control
// character, '&' or '=', is refused. Nothing is sent to WeChat Pay.
func (c *Client) JSAPIPayParams(appID, prepayID string) (PayParams, error) {
	return c.JSAPIPayParamsAt(appID, prepayID, time.Now().Unix(), signer.Nonce())
}

// JSAPIPayParamsAt is the deterministic form of JSAPIPayParams, with the timestamp (Unix
// seconds, not negative) and nonce (1-32 printable ASCII characters, no space) given.
// The RSA signature is deterministic, so equal inputs give equal output.
func (c *Client) JSAPIPayParamsAt(appID, prepayID string, timestamp int64, nonce string) (PayParams, error) {
	if err := c.checkV3Pay(appID, prepayID, timestamp, nonce); err != nil {
		return nil, fmt.Errorf("wxpay: JSAPIPayParams: %w", err)
	}
	ts := strconv.FormatInt(timestamp, 10)
	pkg := "prepay_id=" + prepayID
	sig, err := c.signer.Sign([]byte(appID + "\n" + ts + "\n" + nonce + "\n" + pkg + "\n"))
	if err != nil {
		return nil, fmt.Errorf("wxpay: JSAPIPayParams: %w", err)
	}
	return PayParams{
		"appId":     appID,
		"timeStamp": ts,
		"nonceStr":  nonce,
		"package":   pkg,
		"signType":  "RSA",
		"paySign":   sig,
	}, nil
}

// AppPayParams returns the APIv3 parameters for the APP SDK's PayReq for a prepay id from
// v3/pay/transactions/app. The keys are:
//
//	appid      appID
//	partnerid  the merchant id given to WithMerchant
//	prepayid   prepayID
//	package    "Sign=WXPay"
//	noncestr   a fresh 32-character random string (signer.Nonce)
//	timestamp  the current Unix time in seconds, as a decimal string
//	sign       base64 RSA-SHA256 (PKCS#1 v1.5) with the merchant private key over
//	           appid + "\n" + timestamp + "\n" + noncestr + "\n" + prepayid + "\n"
//
// Errors are as for JSAPIPayParams.
func (c *Client) AppPayParams(appID, prepayID string) (PayParams, error) {
	return c.AppPayParamsAt(appID, prepayID, time.Now().Unix(), signer.Nonce())
}

// AppPayParamsAt is the deterministic form of AppPayParams; timestamp and nonce are
// checked as by JSAPIPayParamsAt.
func (c *Client) AppPayParamsAt(appID, prepayID string, timestamp int64, nonce string) (PayParams, error) {
	if err := c.checkV3Pay(appID, prepayID, timestamp, nonce); err != nil {
		return nil, fmt.Errorf("wxpay: AppPayParams: %w", err)
	}
	ts := strconv.FormatInt(timestamp, 10)
	sig, err := c.signer.Sign([]byte(appID + "\n" + ts + "\n" + nonce + "\n" + prepayID + "\n"))
	if err != nil {
		return nil, fmt.Errorf("wxpay: AppPayParams: %w", err)
	}
	return PayParams{
		"appid":     appID,
		"partnerid": c.signer.MchID(),
		"prepayid":  prepayID,
		"package":   "Sign=WXPay",
		"noncestr":  nonce,
		"timestamp": ts,
		"sign":      sig,
	}, nil
}

// JSAPIPayParamsV2 returns the APIv2 parameters for WeixinJSBridge getBrandWCPayRequest /
// wx.requestPayment for a prepay id from v2/pay/unifiedorder (trade_type JSAPI). The keys
// are appId, timeStamp, nonceStr, package ("prepay_id=" + prepayID), signType and paySign,
// the APIv2 signature (signer.SignV2, keyed with the WithAPIv2Key key) over the other five.
//
// signType is "MD5" or "HMAC-SHA256"; "" means MD5. It must match the sign_type the order
// was placed with. A client without WithAPIv2Key gives an error wrapping ErrConfig; an
// unknown signType and an empty or malformed appID or prepayID are refused.
func (c *Client) JSAPIPayParamsV2(appID, prepayID, signType string) (PayParams, error) {
	return c.JSAPIPayParamsV2At(appID, prepayID, signType, time.Now().Unix(), signer.Nonce())
}

// JSAPIPayParamsV2At is the deterministic form of JSAPIPayParamsV2; timestamp and nonce
// are checked as by JSAPIPayParamsAt.
func (c *Client) JSAPIPayParamsV2At(appID, prepayID, signType string, timestamp int64, nonce string) (PayParams, error) {
	signType, err := c.checkV2Pay(appID, prepayID, signType, timestamp, nonce)
	if err != nil {
		return nil, fmt.Errorf("wxpay: JSAPIPayParamsV2: %w", err)
	}
	p := PayParams{
		"appId":     appID,
		"timeStamp": strconv.FormatInt(timestamp, 10),
		"nonceStr":  nonce,
		"package":   "prepay_id=" + prepayID,
		"signType":  signType,
	}
	sig, err := signer.SignV2(signType, c.apiv2Key, payFields(p, "appId", "timeStamp", "nonceStr", "package", "signType"))
	if err != nil {
		return nil, fmt.Errorf("wxpay: JSAPIPayParamsV2: %w", err)
	}
	p["paySign"] = sig
	return p, nil
}

// AppPayParamsV2 returns the APIv2 parameters for the APP SDK's PayReq for a prepay id
// from v2/pay/unifiedorder (trade_type APP). The keys are appid, partnerid, prepayid,
// package ("Sign=WXPay"), noncestr, timestamp and sign, the APIv2 signature over the
// other six (the sign type itself is not among them).
//
// partnerID is the mch_id the order was placed with; "" means the merchant id given to
// WithMerchant. signType is "MD5" (also for "") or "HMAC-SHA256". Errors are as for
// JSAPIPayParamsV2, plus an empty partnerID on a client without WithMerchant.
func (c *Client) AppPayParamsV2(appID, partnerID, prepayID, signType string) (PayParams, error) {
	return c.AppPayParamsV2At(appID, partnerID, prepayID, signType, time.Now().Unix(), signer.Nonce())
}

// AppPayParamsV2At is the deterministic form of AppPayParamsV2; timestamp and nonce are
// checked as by JSAPIPayParamsAt.
func (c *Client) AppPayParamsV2At(appID, partnerID, prepayID, signType string, timestamp int64, nonce string) (PayParams, error) {
	signType, err := c.checkV2Pay(appID, prepayID, signType, timestamp, nonce)
	if err != nil {
		return nil, fmt.Errorf("wxpay: AppPayParamsV2: %w", err)
	}
	if partnerID == "" && c.signer != nil {
		partnerID = c.signer.MchID()
	}
	if err := checkPayValue("partnerID", partnerID); err != nil {
		return nil, fmt.Errorf("wxpay: AppPayParamsV2: %w", err)
	}
	p := PayParams{
		"appid":     appID,
		"partnerid": partnerID,
		"prepayid":  prepayID,
		"package":   "Sign=WXPay",
		"noncestr":  nonce,
		"timestamp": strconv.FormatInt(timestamp, 10),
	}
	sig, err := signer.SignV2(signType, c.apiv2Key, payFields(p, "appid", "partnerid", "prepayid", "package", "noncestr", "timestamp"))
	if err != nil {
		return nil, fmt.Errorf("wxpay: AppPayParamsV2: %w", err)
	}
	p["sign"] = sig
	return p, nil
}

func payFields(p PayParams, names ...string) codec.Fields {
	f := make(codec.Fields, len(names))
	for i, n := range names {
		f[i] = codec.Field{Name: n, Value: p[n]}
	}
	return f
}

func (c *Client) checkV3Pay(appID, prepayID string, timestamp int64, nonce string) error {
	if c.signer == nil {
		return fmt.Errorf("%w: signing payment parameters needs the merchant key (WithMerchant)", ErrConfig)
	}
	return checkPayArgs(appID, prepayID, timestamp, nonce)
}

// checkV2Pay validates the arguments and returns the sign type with "" made MD5.
func (c *Client) checkV2Pay(appID, prepayID, signType string, timestamp int64, nonce string) (string, error) {
	if c.apiv2Key == "" {
		return "", fmt.Errorf("%w: signing APIv2 payment parameters needs the APIv2 key (WithAPIv2Key)", ErrConfig)
	}
	switch signType {
	case "":
		signType = signer.SignTypeMD5
	case signer.SignTypeMD5, signer.SignTypeHMACSHA256:
	default:
		return "", fmt.Errorf("unsupported sign type %q (want %q or %q)", payShort(signType), signer.SignTypeMD5, signer.SignTypeHMACSHA256)
	}
	return signType, checkPayArgs(appID, prepayID, timestamp, nonce)
}

func checkPayArgs(appID, prepayID string, timestamp int64, nonce string) error {
	if err := checkPayValue("appID", appID); err != nil {
		return err
	}
	if err := checkPayValue("prepayID", prepayID); err != nil {
		return err
	}
	if timestamp < 0 {
		return fmt.Errorf("negative timestamp %d", timestamp)
	}
	if len(nonce) > 32 {
		return fmt.Errorf("nonce is %d characters, at most 32 are allowed", len(nonce))
	}
	if err := checkPayValue("nonce", nonce); err != nil {
		return err
	}
	return nil
}

// checkPayValue refuses values that are empty or could change the meaning of a signed
// string: the APIv3 message is joined by "\n" and the APIv2 one by "&" and "=".
func checkPayValue(name, v string) error {
	if v == "" {
		return fmt.Errorf("%s is empty", name)
	}
	for i := 0; i < len(v); i++ {
		if c := v[i]; c <= ' ' || c >= 0x7f || c == '&' || c == '=' {
			return fmt.Errorf("%s %q holds %q; want printable ASCII without space, '&' or '='", name, payShort(v), c)
		}
	}
	return nil
}

func payShort(s string) string {
	if len(s) > 64 {
		return s[:64] + "…"
	}
	return s
}
