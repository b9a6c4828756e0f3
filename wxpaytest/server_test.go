package wxpaytest_test

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wxpay-go/wxpay"
	"github.com/wxpay-go/wxpay/signer"
	"github.com/wxpay-go/wxpay/wxpaytest"
)

// The emulator must refuse what the platform refuses, or the SDK's tests prove nothing.

func rawClient(srv *wxpaytest.Server, withCert bool) *http.Client {
	conf := &tls.Config{RootCAs: srv.RootCAs, MinVersion: tls.VersionTLS12}
	if withCert {
		conf.Certificates = []tls.Certificate{srv.ClientCert}
	}
	return &http.Client{Transport: &http.Transport{TLSClientConfig: conf}}
}

func send(t *testing.T, hc *http.Client, method, url, auth, body string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	require.NoError(t, err)
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	resp, err := hc.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestRejectsBadAPIv3Signatures(t *testing.T) {
	srv := wxpaytest.NewServer(t)
	hc := rawClient(srv, false)
	url := srv.URL + "v3/pay/transactions/native"
	body := `{"appid":"wx","mchid":"1900000109"}`

	good, err := signer.NewV3Signer(srv.MchID, srv.MerchantSerial, srv.MerchantKey)
	require.NoError(t, err)
	other, _ := rsa.GenerateKey(rand.Reader, 2048)
	impostor, err := signer.NewV3Signer(srv.MchID, srv.MerchantSerial, other)
	require.NoError(t, err)
	auth := func(s *signer.V3Signer, method, target, body string, ts int64) string {
		a, err := s.AuthorizationAt(method, target, []byte(body), ts, signer.Nonce())
		require.NoError(t, err)
		return a
	}
	now := time.Now().Unix()
	for name, a := range map[string]string{
		"no header":      "",
		"wrong key":      auth(impostor, "POST", "/v3/pay/transactions/native", body, now),
		"other body":     auth(good, "POST", "/v3/pay/transactions/native", body+" ", now),
		"other target":   auth(good, "POST", "/v3/pay/transactions/native?x=1", body, now),
		"other method":   auth(good, "PUT", "/v3/pay/transactions/native", body, now),
		"stale":          auth(good, "POST", "/v3/pay/transactions/native", body, now-400),
		"field repeated": auth(good, "POST", "/v3/pay/transactions/native", body, now) + `,mchid="1900000109"`,
		"field missing":  strings.Replace(auth(good, "POST", "/v3/pay/transactions/native", body, now), `mchid="1900000109",`, "", 1),
		"unknown field":  auth(good, "POST", "/v3/pay/transactions/native", body, now) + `,extra="1"`,
		"other scheme":   strings.Replace(auth(good, "POST", "/v3/pay/transactions/native", body, now), "WECHATPAY2-SHA256-RSA2048", "WECHATPAY2-SHA256-RSA", 1),
	} {
		status, answer := send(t, hc, "POST", url, a, body)
		assert.Equal(t, http.StatusUnauthorized, status, name)
		assert.Contains(t, answer, "SIGN_ERROR", name)
	}
	assert.Empty(t, srv.Requests(), "no refused request reaches a handler")

	status, _ := send(t, hc, "POST", url, auth(good, "POST", "/v3/pay/transactions/native", body, now), body)
	assert.Equal(t, http.StatusBadRequest, status, "a good signature passes; the handler then checks the body")
}

func TestRejectsBadAPIv2SignsAndMissingCertificate(t *testing.T) {
	srv := wxpaytest.NewServer(t)
	fields := [][2]string{{"appid", "wxd678efh567hg6787"}, {"mch_id", srv.MchID}, {"out_trade_no", "X"}, {"nonce_str", "abc"}}
	xml := func(sign string) string {
		var b strings.Builder
		b.WriteString("<xml>")
		for _, f := range fields {
			b.WriteString("<" + f[0] + ">" + f[1] + "</" + f[0] + ">")
		}
		b.WriteString("<sign>" + sign + "</sign></xml>")
		return b.String()
	}
	good := srv.SignV2(fields, "MD5")
	_, answer := send(t, rawClient(srv, false), "POST", srv.URL+"pay/orderquery", "", xml("0"+good[1:]))
	assert.Contains(t, answer, "<return_code><![CDATA[FAIL]]></return_code>")
	assert.Contains(t, answer, "sign does not verify")

	_, answer = send(t, rawClient(srv, false), "POST", srv.URL+"secapi/pay/reverse", "", xml(good))
	assert.Contains(t, answer, "mutual TLS", "secapi without a client certificate is refused")
	_, answer = send(t, rawClient(srv, true), "POST", srv.URL+"secapi/pay/reverse", "", xml(good))
	assert.Contains(t, answer, "ORDERNOTEXIST", "with the certificate and a good sign the handler runs")

	_, answer = send(t, rawClient(srv, false), "POST", srv.URL+"pay/orderquery", "", `<!DOCTYPE x [<!ENTITY a "b">]><xml><a>&a;</a></xml>`)
	assert.Contains(t, answer, "FAIL")
}

func TestCoreFlowWithState(t *testing.T) {
	srv := wxpaytest.NewServer(t)
	wx, err := wxpay.New(srv.ClientOptions()...)
	require.NoError(t, err)
	ctx := context.Background()
	_, err = wx.Chain("v3/pay/transactions/native").Post(ctx, map[string]any{"appid": "wx", "mchid": srv.MchID,
		"description": "d", "out_trade_no": "FLOW1", "notify_url": "https://e.com/n", "amount": map[string]int{"total": 5}})
	require.NoError(t, err)
	state := func() string {
		resp, err := wx.Chain("v3/pay/transactions/out-trade-no/{no}").Get(ctx, wxpay.PathParam("no", "FLOW1"), wxpay.Query("mchid", srv.MchID))
		require.NoError(t, err)
		var o struct {
			TradeState string `json:"trade_state"`
		}
		require.NoError(t, resp.Decode(&o))
		return o.TradeState
	}
	assert.Equal(t, "NOTPAY", state())
	require.True(t, srv.Pay("FLOW1"))
	assert.Equal(t, "SUCCESS", state())
}

func TestCACertPEMTrustsTheServer(t *testing.T) {
	srv := wxpaytest.NewServer(t)
	pool := x509.NewCertPool()
	require.True(t, pool.AppendCertsFromPEM(srv.CACertPEM))
	hc := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}}}
	resp, err := hc.Get(srv.URL + "v3/x")
	require.NoError(t, err, "a client trusting only CACertPEM reaches the server")
	resp.Body.Close()
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode, "unsigned, so refused")
}

// The platform's signing guide gives the Authorization items no order: a client that
// writes them in another order than this SDK (other SDKs do) is served.
func TestAuthorizationFieldsInAnyOrder(t *testing.T) {
	srv := wxpaytest.NewServer(t)
	hc := rawClient(srv, false)
	body := `{"appid":"wxd678efh567hg6787","mchid":"1900000109","description":"d","out_trade_no":"ORDER1",` +
		`"notify_url":"https://127.0.0.1/n","amount":{"total":1}}`
	// Signed here with the standard library, as another SDK would.
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	nonceStr := "5K8264ILTKCH16CQ2502SI8ZNMTM67VS"
	sum := sha256.Sum256([]byte("POST\n/v3/pay/transactions/native\n" + ts + "\n" + nonceStr + "\n" + body + "\n"))
	sig, err := rsa.SignPKCS1v15(rand.Reader, srv.MerchantKey, crypto.SHA256, sum[:])
	require.NoError(t, err)
	item := map[string]string{"mchid": srv.MchID, "serial_no": srv.MerchantSerial, "timestamp": ts,
		"nonce_str": nonceStr, "signature": base64.StdEncoding.EncodeToString(sig)}
	for _, c := range []struct {
		order []string
		sep   string
	}{
		{[]string{"mchid", "serial_no", "timestamp", "nonce_str", "signature"}, ","},  // this SDK's
		{[]string{"mchid", "nonce_str", "signature", "timestamp", "serial_no"}, ","},  // another common order
		{[]string{"signature", "timestamp", "serial_no", "nonce_str", "mchid"}, ", "}, // reversed, spaces
		{[]string{"serial_no", "mchid", "nonce_str", "timestamp", "signature"}, ","},
	} {
		var parts []string
		for _, k := range c.order {
			parts = append(parts, k+`="`+item[k]+`"`)
		}
		status, answer := send(t, hc, "POST", srv.URL+"v3/pay/transactions/native",
			"WECHATPAY2-SHA256-RSA2048 "+strings.Join(parts, c.sep), body)
		assert.Equal(t, http.StatusOK, status, "%v: %s", c.order, answer)
		assert.Contains(t, answer, "code_url", c.order)
	}
}
