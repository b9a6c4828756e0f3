package wxpay_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"log"
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

// handleSensitive serves POST v3/test/sensitive as WeChat Pay would: it decrypts the body's
// fields with the platform key and answers them together with the Wechatpay-Serial it got.
func handleSensitive(srv *wxpaytest.Server) {
	srv.Handle(http.MethodPost, "v3/test/sensitive", func(r *wxpaytest.Request) *wxpaytest.Reply {
		var in map[string]string
		if err := json.Unmarshal(r.Body, &in); err != nil {
			return &wxpaytest.Reply{Status: 400, JSON: map[string]string{"code": "PARAM_ERROR", "message": err.Error()}}
		}
		out := map[string]string{"serial": r.Header.Get("Wechatpay-Serial")}
		for k, v := range in {
			ct, err := base64.StdEncoding.DecodeString(v)
			if err == nil {
				var pt []byte
				if pt, err = rsa.DecryptOAEP(sha1.New(), nil, srv.PlatformKey, ct, nil); err == nil {
					out[k] = string(pt)
					continue
				}
			}
			return &wxpaytest.Reply{Status: 400, JSON: map[string]string{"code": "PARAM_ERROR", "message": k + ": " + err.Error()}}
		}
		return &wxpaytest.Reply{JSON: out}
	})
}

func postSensitive(t *testing.T, wx *wxpay.Client, fields map[string]string) map[string]string {
	t.Helper()
	names := make([]string, 0, len(fields))
	plain := make([]string, 0, len(fields))
	for k, v := range fields {
		names, plain = append(names, k), append(plain, v)
	}
	cts, serial, err := wx.EncryptSensitive(plain...)
	require.NoError(t, err)
	require.Len(t, cts, len(plain))
	body := map[string]string{}
	for i, k := range names {
		assert.NotEqual(t, plain[i], cts[i])
		body[k] = cts[i]
	}
	resp, err := wx.Chain("v3/test/sensitive").Post(context.Background(), body, serial)
	require.NoError(t, err)
	var out map[string]string
	require.NoError(t, resp.Decode(&out))
	return out
}

func TestEncryptSensitiveCertificate(t *testing.T) {
	srv := wxpaytest.NewServer(t)
	handleSensitive(srv)
	// A second certificate for the platform key, valid a day longer than the configured one:
	// the client announces it, so fields are encrypted for it. (HandleCertificates makes the
	// emulator accept its serial in requests.)
	later, err := srv.NewPlatformCertificate(time.Now().Add(-time.Hour), srv.PlatformCert.NotAfter.Add(24*time.Hour))
	require.NoError(t, err)
	srv.HandleCertificates(srv.PlatformCert, later)
	laterSerial := signer.CertificateSerial(later)
	wx := newClient(t, srv, wxpay.WithPlatformCertificates(later))
	require.Equal(t, laterSerial, wx.KeyStore().Preferred())

	out := postSensitive(t, wx, map[string]string{"user_name": "张三", "id_card_number": "110101199003077777"})
	assert.Equal(t, map[string]string{"serial": laterSerial, "user_name": "张三", "id_card_number": "110101199003077777"}, out)

	// Each call encrypts afresh.
	a, _, err := wx.EncryptSensitive("x")
	require.NoError(t, err)
	b, _, err := wx.EncryptSensitive("x")
	require.NoError(t, err)
	assert.NotEqual(t, a, b)

	// The option pins the key the fields were encrypted for, even if the client would now
	// announce another one (a certificate downloaded in between, say).
	wx = newClient(t, srv)
	cts, serial, err := wx.EncryptSensitive("李四")
	require.NoError(t, err)
	_, err = wx.KeyStore().AddCertificate(later)
	require.NoError(t, err)
	require.Equal(t, laterSerial, wx.KeyStore().Preferred())
	resp, err := wx.Chain("v3/test/sensitive").Post(context.Background(), map[string]string{"user_name": cts[0]}, serial)
	require.NoError(t, err)
	var pinned map[string]string
	require.NoError(t, resp.Decode(&pinned))
	assert.Equal(t, map[string]string{"serial": srv.PlatformSerial, "user_name": "李四"}, pinned)

	// No field: nothing to encrypt, still the serial option.
	ct, opt, err := wx.EncryptSensitive()
	require.NoError(t, err)
	assert.Empty(t, ct)
	assert.NotNil(t, opt)
}

func TestEncryptSensitivePublicKey(t *testing.T) {
	srv := wxpaytest.NewServer(t, wxpaytest.PublicKeyMode())
	handleSensitive(srv)
	wx := newClient(t, srv, wxpay.WithPlatformPublicKey(srv.PublicKeyID, &srv.PlatformKey.PublicKey))
	require.Equal(t, srv.PublicKeyID, wx.KeyStore().Preferred())

	out := postSensitive(t, wx, map[string]string{"bank_account": "6222020200112345678", "mobile": "13800138000"})
	assert.Equal(t, map[string]string{"serial": srv.PublicKeyID, "bank_account": "6222020200112345678", "mobile": "13800138000"}, out)
	assert.True(t, strings.HasPrefix(srv.LastRequest().Header.Get("Wechatpay-Serial"), "PUB_KEY_ID_"))
}

func TestEncryptSensitiveErrors(t *testing.T) {
	srv := wxpaytest.NewServer(t)
	wx, err := wxpay.New(wxpay.WithBaseURL(srv.URL), wxpay.WithTLSConfig(tlsFor(srv)),
		wxpay.WithMerchant(srv.MchID, srv.MerchantSerial, srv.MerchantKey))
	require.NoError(t, err)
	cts, opt, err := wx.EncryptSensitive("张三")
	require.ErrorIs(t, err, wxpay.ErrConfig, "no platform key to encrypt for")
	assert.Nil(t, cts)
	assert.Nil(t, opt)

	wx = newClient(t, srv)
	cts, opt, err = wx.EncryptSensitive("short", strings.Repeat("x", 215))
	require.ErrorIs(t, err, rsa.ErrMessageTooLong)
	assert.Contains(t, err.Error(), "field 1")
	assert.Nil(t, cts)
	assert.Nil(t, opt)
}

func TestDecryptSensitive(t *testing.T) {
	srv := wxpaytest.NewServer(t)
	ct, err := signer.EncryptOAEP(&srv.MerchantKey.PublicKey, []byte("张三"))
	require.NoError(t, err)
	pt, err := wxpay.DecryptSensitive(srv.MerchantKey, ct)
	require.NoError(t, err)
	assert.Equal(t, "张三", pt)

	empty, err := signer.EncryptOAEP(&srv.MerchantKey.PublicKey, nil)
	require.NoError(t, err)
	pt, err = wxpay.DecryptSensitive(srv.MerchantKey, empty)
	require.NoError(t, err)
	assert.Equal(t, "", pt)

	// Wrong key, garbage: one error, wrapping signer.ErrDecrypt.
	_, err = wxpay.DecryptSensitive(srv.PlatformKey, ct)
	require.ErrorIs(t, err, signer.ErrDecrypt)
	_, err2 := wxpay.DecryptSensitive(srv.MerchantKey, "not base64!")
	require.ErrorIs(t, err2, signer.ErrDecrypt)
	assert.Equal(t, err.Error(), err2.Error())

	_, err = wxpay.DecryptSensitive(nil, ct)
	require.ErrorIs(t, err, signer.ErrKey)
}

func ExampleClient_EncryptSensitive() {
	srv, err := wxpaytest.Start()
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	// The endpoint stands for any call taking encrypted fields (profit sharing receivers,
	// applyment, …); it answers what it decrypted.
	srv.Handle(http.MethodPost, "v3/example/sensitive", func(r *wxpaytest.Request) *wxpaytest.Reply {
		var in struct {
			Name string `json:"name"`
		}
		_ = json.Unmarshal(r.Body, &in)
		ct, _ := base64.StdEncoding.DecodeString(in.Name)
		pt, err := rsa.DecryptOAEP(sha1.New(), rand.Reader, srv.PlatformKey, ct, nil)
		if err != nil {
			return &wxpaytest.Reply{Status: 400, JSON: map[string]string{"code": "PARAM_ERROR", "message": err.Error()}}
		}
		return &wxpaytest.Reply{JSON: map[string]string{"name": string(pt), "serial": r.Header.Get("Wechatpay-Serial")}}
	})
	wx, err := wxpay.New(srv.ClientOptions()...)
	if err != nil {
		log.Fatal(err)
	}

	cts, serial, err := wx.EncryptSensitive("张三")
	if err != nil {
		log.Fatal(err)
	}
	resp, err := wx.Chain("v3/example/sensitive").Post(context.Background(), map[string]string{"name": cts[0]}, serial)
	if err != nil {
		log.Fatal(err)
	}
	var out struct{ Name, Serial string }
	if err := resp.Decode(&out); err != nil {
		log.Fatal(err)
	}
	fmt.Println(out.Name, out.Serial == srv.PlatformSerial)

	// Fields WeChat Pay encrypts for the merchant are decrypted with the merchant key.
	mine, err := signer.EncryptOAEP(&srv.MerchantKey.PublicKey, []byte("13800138000"))
	if err != nil {
		log.Fatal(err)
	}
	phone, err := wxpay.DecryptSensitive(srv.MerchantKey, mine)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(phone)
	// Output:
	// 张三 true
	// 13800138000
}
