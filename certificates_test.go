package wxpay_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"math/big"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wxpay-go/wxpay"
	"github.com/wxpay-go/wxpay/keys"
	"github.com/wxpay-go/wxpay/signer"
	"github.com/wxpay-go/wxpay/wxpaytest"
)

// rotatedCert is a second platform certificate for the server's key, expiring a day before
// the configured one, so that the client keeps announcing the configured serial (the
// emulator accepts only its own serial in requests).
func rotatedCert(t *testing.T, srv *wxpaytest.Server) *x509.Certificate {
	t.Helper()
	c, err := srv.NewPlatformCertificate(time.Now().Add(-time.Hour), srv.PlatformCert.NotAfter.Add(-24*time.Hour))
	require.NoError(t, err)
	require.NotEqual(t, srv.PlatformSerial, signer.CertificateSerial(c))
	return c
}

// serveCertificates answers GET v3/certificates with certs, announcing serial as the signer.
func serveCertificates(srv *wxpaytest.Server, serial string, tamper bool, certs ...*x509.Certificate) {
	srv.Handle(http.MethodGet, "v3/certificates", func(*wxpaytest.Request) *wxpaytest.Reply {
		rep := srv.CertificatesReply(certs...)
		rep.Serial, rep.Tamper = serial, tamper
		return rep
	})
}

func TestDownloadCertificatesKnownSigner(t *testing.T) {
	srv := wxpaytest.NewServer(t)
	srv.HandleCertificates()
	wx := newClient(t, srv)
	certs, err := wx.DownloadCertificates(context.Background())
	require.NoError(t, err)
	require.Len(t, certs, 1)
	pc := certs[0]
	assert.Equal(t, srv.PlatformSerial, pc.Serial)
	assert.True(t, pc.Certificate.Equal(srv.PlatformCert))
	assert.True(t, pc.EffectiveTime.Equal(srv.PlatformCert.NotBefore))
	assert.True(t, pc.ExpireTime.Equal(srv.PlatformCert.NotAfter))
	assert.Equal(t, []string{srv.PlatformSerial}, wx.KeyStore().Serials())
	req := srv.LastRequest()
	require.NotNil(t, req)
	assert.Equal(t, "GET", req.Method)
	assert.Equal(t, "/v3/certificates", req.RequestURI)
	assert.Equal(t, srv.PlatformSerial, req.Header.Get("Wechatpay-Serial"))

	// The Hong Kong zone, by call option.
	_, err = wx.DownloadCertificates(context.Background(), wxpay.BaseURL(srv.URL+"hk/"))
	require.NoError(t, err)
	assert.Equal(t, "/hk/v3/certificates", srv.LastRequest().RequestURI)
}

func TestDownloadCertificatesRotation(t *testing.T) {
	srv := wxpaytest.NewServer(t)
	next := rotatedCert(t, srv)
	nextSerial := signer.CertificateSerial(next)
	// The answer is signed with the new certificate, which the client does not know yet.
	serveCertificates(srv, nextSerial, false, srv.PlatformCert, next)
	wx := newClient(t, srv)

	_, err := wx.Chain("v3/certificates").Get(context.Background())
	require.ErrorIs(t, err, signer.ErrUnknownSerial, "a plain call cannot verify the answer")

	certs, err := wx.DownloadCertificates(context.Background())
	require.NoError(t, err)
	require.Len(t, certs, 2)
	assert.Equal(t, srv.PlatformSerial, certs[0].Serial)
	assert.Equal(t, nextSerial, certs[1].Serial)
	assert.True(t, certs[1].Certificate.Equal(next))
	assert.True(t, certs[1].ExpireTime.Equal(next.NotAfter.Truncate(time.Second)))
	assert.ElementsMatch(t, []string{srv.PlatformSerial, nextSerial}, wx.KeyStore().Serials())

	// Later answers signed with the new certificate verify.
	srv.Handle(http.MethodGet, "v3/signed-by-next", func(*wxpaytest.Request) *wxpaytest.Reply {
		return &wxpaytest.Reply{JSON: map[string]int{"a": 1}, Serial: nextSerial}
	})
	resp, err := wx.Chain("v3/signed-by-next").Get(context.Background())
	require.NoError(t, err)
	assert.Equal(t, nextSerial, resp.Header.Get("Wechatpay-Serial"))

	// Downloading again goes through the ordinary path (the signer is now known).
	certs, err = wx.DownloadCertificates(context.Background())
	require.NoError(t, err)
	assert.Len(t, certs, 2)
	assert.Len(t, wx.KeyStore().Serials(), 2)
}

func TestDownloadCertificatesWrongAPIv3Key(t *testing.T) {
	srv := wxpaytest.NewServer(t)
	next := rotatedCert(t, srv)
	for _, signedBy := range []string{srv.PlatformSerial, signer.CertificateSerial(next)} {
		t.Run(signedBy, func(t *testing.T) {
			serveCertificates(srv, signedBy, false, srv.PlatformCert, next)
			wx := newClient(t, srv, wxpay.WithAPIv3Key("not-the-apiv3-key-0123456789abcd"))
			certs, err := wx.DownloadCertificates(context.Background())
			require.Error(t, err)
			assert.Nil(t, certs)
			assert.ErrorIs(t, err, signer.ErrDecrypt)
			assert.Contains(t, err.Error(), "the APIv3 key is wrong")
			assert.Equal(t, []string{srv.PlatformSerial}, wx.KeyStore().Serials())
		})
	}
}

func TestDownloadCertificatesRejectsUnverifiedAnswers(t *testing.T) {
	srv := wxpaytest.NewServer(t)
	next := rotatedCert(t, srv)
	nextSerial := signer.CertificateSerial(next)

	// A certificate for a key that did not sign the answer, announced as the signer.
	otherKey, err := rsa.GenerateKey(rand.Reader, 2048)
	require.NoError(t, err)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(0x7E57), Subject: pkix.Name{CommonName: "impostor"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &otherKey.PublicKey, otherKey)
	require.NoError(t, err)
	impostor, err := x509.ParseCertificate(der)
	require.NoError(t, err)

	cases := []struct {
		name   string
		serial string
		tamper bool
		certs  []*x509.Certificate
		reason error
	}{
		{"tampered, known signer", srv.PlatformSerial, true, []*x509.Certificate{srv.PlatformCert, next}, signer.ErrBadSignature},
		{"tampered, new signer", nextSerial, true, []*x509.Certificate{srv.PlatformCert, next}, signer.ErrBadSignature},
		{"signer not in the answer", "0123456789ABCDEF", false, []*x509.Certificate{srv.PlatformCert, next}, signer.ErrUnknownSerial},
		{"signer's certificate does not match", "7E57", false, []*x509.Certificate{impostor}, signer.ErrBadSignature},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			serveCertificates(srv, tc.serial, tc.tamper, tc.certs...)
			wx := newClient(t, srv)
			certs, err := wx.DownloadCertificates(context.Background())
			assert.Nil(t, certs)
			require.ErrorIs(t, err, wxpay.ErrVerification)
			assert.ErrorIs(t, err, tc.reason)
			var ve *wxpay.VerificationError
			assert.ErrorAs(t, err, &ve)
			assert.Equal(t, []string{srv.PlatformSerial}, wx.KeyStore().Serials(), "nothing added")
		})
	}
}

func TestDownloadCertificatesSerialMismatch(t *testing.T) {
	srv := wxpaytest.NewServer(t)
	next := rotatedCert(t, srv)
	nextSerial := signer.CertificateSerial(next)
	srv.Handle(http.MethodGet, "v3/certificates", func(*wxpaytest.Request) *wxpaytest.Reply {
		rep := srv.CertificatesReply(next)
		body, err := json.Marshal(rep.JSON)
		if err != nil {
			panic(err)
		}
		// The certificate is listed under the serial of another one.
		return &wxpaytest.Reply{Body: bytes.Replace(body, []byte(nextSerial), []byte(srv.PlatformSerial), 1)}
	})
	wx := newClient(t, srv)
	_, err := wx.DownloadCertificates(context.Background())
	require.ErrorIs(t, err, wxpay.ErrBadAnswer)
	assert.Contains(t, err.Error(), nextSerial)
	assert.Equal(t, []string{srv.PlatformSerial}, wx.KeyStore().Serials())
}

func TestDownloadCertificatesPublicKeyMode(t *testing.T) {
	srv := wxpaytest.NewServer(t, wxpaytest.PublicKeyMode())
	srv.HandleCertificatesNotFound()
	wx, err := wxpay.New(wxpay.WithBaseURL(srv.URL), wxpay.WithTLSConfig(tlsFor(srv)),
		wxpay.WithMerchant(srv.MchID, srv.MerchantSerial, srv.MerchantKey),
		wxpay.WithPlatformPublicKey(srv.PublicKeyID, &srv.PlatformKey.PublicKey),
		wxpay.WithAPIv3Key(srv.APIv3Key))
	require.NoError(t, err)
	certs, err := wx.DownloadCertificates(context.Background())
	assert.Nil(t, certs)
	var apiErr *wxpay.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, http.StatusNotFound, apiErr.StatusCode)
	assert.Equal(t, "RESOURCE_NOT_EXISTS", apiErr.Code)
	assert.Equal(t, []string{srv.PublicKeyID}, wx.KeyStore().Serials())
}

func TestDownloadCertificatesConfigErrors(t *testing.T) {
	srv := wxpaytest.NewServer(t)
	srv.HandleCertificates()
	base := []wxpay.Option{wxpay.WithBaseURL(srv.URL), wxpay.WithTLSConfig(tlsFor(srv)),
		wxpay.WithMerchant(srv.MchID, srv.MerchantSerial, srv.MerchantKey)}

	// No APIv3 key: nothing to decrypt with.
	wx, err := wxpay.New(append(base, wxpay.WithPlatformCertificates(srv.PlatformCert))...)
	require.NoError(t, err)
	_, err = wx.DownloadCertificates(context.Background())
	require.ErrorIs(t, err, wxpay.ErrConfig)
	assert.Contains(t, err.Error(), "WithAPIv3Key")
	assert.Nil(t, srv.LastRequest(), "nothing was sent")
}

// With no platform key configured, the first download verifies the answer with the
// certificates it carries, once they decrypt with the APIv3 key; then the store has them.
func TestDownloadCertificatesBootstrap(t *testing.T) {
	srv := wxpaytest.NewServer(t)
	srv.HandleCertificates()
	base := []wxpay.Option{wxpay.WithBaseURL(srv.URL), wxpay.WithTLSConfig(tlsFor(srv)),
		wxpay.WithMerchant(srv.MchID, srv.MerchantSerial, srv.MerchantKey)}

	wx, err := wxpay.New(append(base, wxpay.WithAPIv3Key(srv.APIv3Key))...)
	require.NoError(t, err)
	_, err = wx.Chain("v3/pay/transactions/native").Post(context.Background(), nativeOrder(srv, "B0"))
	require.ErrorIs(t, err, wxpay.ErrConfig, "ordinary calls still need a key to verify with")
	certs, err := wx.DownloadCertificates(context.Background())
	require.NoError(t, err)
	require.Len(t, certs, 1)
	assert.Equal(t, srv.PlatformSerial, certs[0].Serial)
	assert.Equal(t, []string{srv.PlatformSerial}, wx.KeyStore().Serials())
	assert.Empty(t, srv.LastRequest().Header.Get("Wechatpay-Serial"), "no key to name yet")
	_, err = wx.Chain("v3/pay/transactions/native").Post(context.Background(), nativeOrder(srv, "B1"))
	require.NoError(t, err, "later answers verify with the downloaded certificate")

	// A wrong APIv3 key: reported as such, nothing added.
	wrong, err := wxpay.New(append(base, wxpay.WithAPIv3Key("0123456789abcdef0123456789abcdef"))...)
	require.NoError(t, err)
	_, err = wrong.DownloadCertificates(context.Background())
	require.ErrorIs(t, err, signer.ErrDecrypt)
	assert.Contains(t, err.Error(), "APIv3 key is wrong")
	assert.Zero(t, wrong.KeyStore().Len())

	// A tampered answer: the carried certificate decrypts, but the signature fails.
	srv.Handle("GET", "v3/certificates", func(r *wxpaytest.Request) *wxpaytest.Reply {
		rep := srv.CertificatesReply()
		rep.Tamper = true
		return rep
	})
	fresh, err := wxpay.New(append(base, wxpay.WithAPIv3Key(srv.APIv3Key))...)
	require.NoError(t, err)
	_, err = fresh.DownloadCertificates(context.Background())
	require.ErrorIs(t, err, wxpay.ErrVerification)
	assert.Zero(t, fresh.KeyStore().Len())
}

// Downloading the platform certificates, for example during a rotation. Merchants in
// public-key mode never need this.
func ExampleClient_DownloadCertificates() {
	srv, err := wxpaytest.Start()
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	srv.HandleCertificates()
	wx, err := wxpay.New(srv.ClientOptions()...) // an initial certificate and the APIv3 key
	if err != nil {
		log.Fatal(err)
	}

	certs, err := wx.DownloadCertificates(context.Background())
	var apiErr *wxpay.APIError
	switch {
	case errors.As(err, &apiErr) && apiErr.Code == "RESOURCE_NOT_EXISTS":
		log.Fatal("public-key mode: configure WithPlatformPublicKey instead")
	case err != nil:
		log.Fatal(err)
	}
	for _, c := range certs {
		fmt.Println(c.Serial, c.ExpireTime.UTC().Format(time.DateOnly))
	}
	fmt.Println(wx.KeyStore().Serials())
	// Output:
	// 5157F09EFDC096DE15EBE81A47057A7232F5B8E1 2126-10-30
	// [5157F09EFDC096DE15EBE81A47057A7232F5B8E1]
}

// The merchant certificate as WeChat Pay issues it, a .p12 (here the legacy RC2/3DES form,
// and the modern one), gives mutual TLS against the emulator.
func TestPKCS12ClientCertificateOverMutualTLS(t *testing.T) {
	srv := wxpaytest.NewServer(t)
	for _, file := range []string{"keys/testdata/p12_legacy.p12", "keys/testdata/p12_modern.p12"} {
		_, cert, tlsCert, err := keys.LoadPKCS12File(file, "1900000109")
		require.NoError(t, err, file)
		assert.Equal(t, srv.MerchantSerial, signer.CertificateSerial(cert))
		wx, err := wxpay.New(wxpay.WithBaseURL(srv.URL), wxpay.WithTLSConfig(tlsFor(srv)),
			wxpay.WithAPIv2Key(srv.APIv2Key), wxpay.WithClientCertificate(tlsCert))
		require.NoError(t, err)
		_, err = wx.Chain("v2/secapi/pay/reverse").Post(context.Background(), map[string]string{"appid": "wxd678efh567hg6787", "mch_id": srv.MchID, "out_trade_no": "P12"})
		var ae *wxpay.APIError
		require.ErrorAs(t, err, &ae, file)
		assert.Equal(t, "ORDERNOTEXIST", ae.Code, "the handler ran: the certificate was accepted")
		assert.True(t, srv.LastRequest().ClientCert)
	}
}
