package wxpaytest_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"io"
	"net/http"
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
		"no header":        "",
		"wrong key":        auth(impostor, "POST", "/v3/pay/transactions/native", body, now),
		"other body":       auth(good, "POST", "/v3/pay/transactions/native", body+" ", now),
		"other target":     auth(good, "POST", "/v3/pay/transactions/native?x=1", body, now),
		"other method":     auth(good, "PUT", "/v3/pay/transactions/native", body, now),
		"stale":            auth(good, "POST", "/v3/pay/transactions/native", body, now-400),
		"fields reordered": strings.Replace(auth(good, "POST", "/v3/pay/transactions/native", body, now), `mchid="1900000109",`, "", 1) + `,mchid="1900000109"`,
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
