package wxpaytest_test

import (
	"context"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"net/http"
	"regexp"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wxpay-go/wxpay"
	"github.com/wxpay-go/wxpay/keys"
	"github.com/wxpay-go/wxpay/signer"
	"github.com/wxpay-go/wxpay/wxpaytest"
)

type certificatesBody struct {
	Data []struct {
		SerialNo           string `json:"serial_no"`
		EffectiveTime      string `json:"effective_time"`
		ExpireTime         string `json:"expire_time"`
		EncryptCertificate struct {
			Algorithm      string `json:"algorithm"`
			Nonce          string `json:"nonce"`
			AssociatedData string `json:"associated_data"`
			Ciphertext     string `json:"ciphertext"`
		} `json:"encrypt_certificate"`
	} `json:"data"`
}

func TestHandleCertificatesAnswer(t *testing.T) {
	srv := wxpaytest.NewServer(t)
	next, err := srv.NewPlatformCertificate(time.Now().Add(-time.Hour), time.Now().Add(24*time.Hour))
	require.NoError(t, err)
	assert.Regexp(t, `^[0-9A-F]{40}$`, signer.CertificateSerial(next))
	pub, ok := next.PublicKey.(*rsa.PublicKey)
	require.True(t, ok)
	assert.True(t, pub.Equal(&srv.PlatformKey.PublicKey))
	srv.HandleCertificates(srv.PlatformCert, next)
	wx, err := wxpay.New(srv.ClientOptions()...)
	require.NoError(t, err)

	for _, zone := range []string{"", "hk/"} {
		// An ordinary call: the answer is signed with the platform certificate as usual.
		resp, err := wx.Chain("v3/certificates").Get(context.Background(), wxpay.BaseURL(srv.URL+zone))
		require.NoError(t, err, zone)
		assert.Equal(t, srv.PlatformSerial, resp.Header.Get("Wechatpay-Serial"))
		var body certificatesBody
		require.NoError(t, json.Unmarshal(resp.Body, &body))
		require.Len(t, body.Data, 2)
		for i, want := range []*x509.Certificate{srv.PlatformCert, next} {
			d := body.Data[i]
			assert.Equal(t, signer.CertificateSerial(want), d.SerialNo)
			assert.Regexp(t, regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00$`), d.EffectiveTime)
			eff, err := time.Parse(time.RFC3339, d.EffectiveTime)
			require.NoError(t, err)
			assert.True(t, eff.Equal(want.NotBefore))
			exp, err := time.Parse(time.RFC3339, d.ExpireTime)
			require.NoError(t, err)
			assert.True(t, exp.Equal(want.NotAfter))
			ec := d.EncryptCertificate
			assert.Equal(t, "AEAD_AES_256_GCM", ec.Algorithm)
			assert.Equal(t, "certificate", ec.AssociatedData)
			assert.Len(t, ec.Nonce, 12)
			plain, err := signer.DecryptAESGCM(srv.APIv3Key, ec.Nonce, ec.AssociatedData, ec.Ciphertext)
			require.NoError(t, err)
			got, err := keys.LoadCertificate(plain)
			require.NoError(t, err)
			assert.True(t, got.Equal(want))
		}
	}

	// A fresh nonce every time.
	r1 := srv.CertificatesReply()
	r2 := srv.CertificatesReply()
	b1, _ := json.Marshal(r1.JSON)
	b2, _ := json.Marshal(r2.JSON)
	assert.NotEqual(t, string(b1), string(b2))
}

func TestHandleCertificatesNotFound(t *testing.T) {
	srv := wxpaytest.NewServer(t, wxpaytest.PublicKeyMode())
	srv.HandleCertificatesNotFound()
	wx, err := wxpay.New(srv.ClientOptions()...)
	require.NoError(t, err)
	for _, zone := range []string{"", "hk/"} {
		_, err = wx.Chain("v3/certificates").Get(context.Background(), wxpay.BaseURL(srv.URL+zone))
		var apiErr *wxpay.APIError
		require.ErrorAs(t, err, &apiErr, zone)
		assert.Equal(t, http.StatusNotFound, apiErr.StatusCode)
		assert.Equal(t, "RESOURCE_NOT_EXISTS", apiErr.Code)
	}
}
