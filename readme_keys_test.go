package wxpay_test

// The README's key-loading blocks, run (see readme_mirror_test.go). The files are those a
// merchant keeps, written to a temporary working directory: the emulator's identity, and
// the keys package's openssl-made .p12 and encrypted PKCS#8 fixtures.

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"encoding/base64"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wxpay-go/wxpay"
	"github.com/wxpay-go/wxpay/keys"
	"github.com/wxpay-go/wxpay/signer"
	"github.com/wxpay-go/wxpay/wxpaytest"
)

// inMerchantDir makes a temporary directory holding the merchant's files the working
// directory for the rest of the test.
func inMerchantDir(t *testing.T, srv *wxpaytest.Server) {
	t.Helper()
	dir := t.TempDir()
	p12, err := os.ReadFile(filepath.Join("keys", "testdata", "p12_modern.p12"))
	require.NoError(t, err)
	for name, data := range map[string][]byte{
		"apiclient_key.pem":  srv.MerchantKeyPEM,
		"pub_key.pem":        srv.PublicKeyPEM,
		"wechatpay_cert.pem": srv.PlatformCertPEM,
		"apiclient_cert.p12": p12,
	} {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), data, 0o600))
	}
	wd, err := os.Getwd()
	require.NoError(t, err)
	require.NoError(t, os.Chdir(dir))
	t.Cleanup(func() { _ = os.Chdir(wd) })
}

// README.md, "A client".
func TestREADMEClient(t *testing.T) {
	srv := wxpaytest.NewServer(t)
	inMerchantDir(t, srv)
	apiv2Key, tlsCert := srv.APIv2Key, srv.ClientCert

	// ExampleNew runs this against the emulator.
	key, err := keys.LoadPrivateKeyFile("apiclient_key.pem") // PKCS#8 or PKCS#1 PEM
	require.NoError(t, err)
	pub, err := keys.LoadPublicKeyFile("pub_key.pem") // WeChat Pay public key
	require.NoError(t, err)
	wx, err := wxpay.New(
		wxpay.WithMerchant("1900000109", "3775B6A45ACD588826D15E583A95F5DD2C5C9DB8", key),
		wxpay.WithPlatformPublicKey("PUB_KEY_ID_0119000001092025112300000000000001", pub),
		wxpay.WithAPIv2Key(apiv2Key),         // only for APIv2 calls
		wxpay.WithClientCertificate(tlsCert), // only for APIv2 secapi/… and friends
		wxpay.WithBaseURL(srv.URL), wxpay.WithTLSConfig(tlsFor(srv)),
	)
	require.NoError(t, err)

	ctx := context.Background()
	_, err = wx.Chain("v3/pay/transactions/native").Post(ctx, nativeOrder(srv, "K1"))
	require.NoError(t, err, "signed with the key from the file, verified with the public key")
	assert.Equal(t, srv.PublicKeyID, srv.LastRequest().Header.Get("Wechatpay-Serial"))
	_, err = wx.Chain("v2/pay/unifiedorder").Post(ctx, map[string]string{"appid": "wxd678efh567hg6787", "mch_id": srv.MchID,
		"body": "b", "out_trade_no": "K2", "total_fee": "1", "spbill_create_ip": "127.0.0.1",
		"notify_url": "https://example.com/n", "trade_type": "NATIVE"})
	require.NoError(t, err)
	_, err = wx.Chain("v2/secapi/pay/reverse").Post(ctx, map[string]string{"appid": "wxd678efh567hg6787", "mch_id": srv.MchID, "out_trade_no": "K2"})
	require.NoError(t, err)
	assert.True(t, srv.LastRequest().ClientCert)
}

// README.md, "Keys, platform certificates, sensitive fields, pay-sign".
func TestREADMEKeys(t *testing.T) {
	srv := wxpaytest.NewServer(t)
	srv.HandleCertificates()
	wx := newClient(t, srv)
	pemBytes, err := os.ReadFile(filepath.Join("keys", "testdata", "enc_default.pem"))
	require.NoError(t, err)
	passphrase, mchid := "wxpaytest", "1900000109"
	inMerchantDir(t, srv)
	ctx := context.Background()

	key, err := keys.LoadPrivateKeyFile("apiclient_key.pem") // PKCS#8 or PKCS#1 PEM, or bare base64
	require.NoError(t, err)
	assert.True(t, key.Equal(srv.MerchantKey))
	key, err = keys.LoadEncryptedPrivateKey(pemBytes, passphrase) // PBES2 (PBKDF2, AES-CBC or 3DES)
	require.NoError(t, err)
	assert.GreaterOrEqual(t, key.N.BitLen(), 2048)
	key, cert, tlsCert, err := keys.LoadPKCS12File("apiclient_cert.p12", mchid) // modern and legacy (RC2-40, 3DES) .p12
	require.NoError(t, err)
	assert.True(t, key.PublicKey.Equal(cert.PublicKey))
	assert.NotEmpty(t, tlsCert.Certificate)
	cert, err = keys.LoadCertificateFile("wechatpay_cert.pem") // signer.CertificateSerial(cert): upper-case hex
	require.NoError(t, err)
	assert.Equal(t, srv.PlatformSerial, signer.CertificateSerial(cert))
	pub, err := keys.LoadPublicKeyFile("pub_key.pem") // SPKI, PKCS#1 or a certificate
	require.NoError(t, err)
	assert.True(t, pub.Equal(&srv.PlatformKey.PublicKey))

	certs, err := wx.DownloadCertificates(ctx) // GET v3/certificates: decrypt with the APIv3 key, verify, add to wx.KeyStore()
	require.NoError(t, err)
	require.Len(t, certs, 1)
	var refreshErrs []error
	onError := func(err error) { refreshErrs = append(refreshErrs, err) }
	r, err := wx.StartCertificateRefresher(ctx, 12*time.Hour, onError) // first download now, then periodically; r.Close()
	require.NoError(t, err)
	require.NoError(t, r.Close())
	assert.Empty(t, refreshErrs)

	body := map[string]string{"name": "…"}
	enc, serial, err := wx.EncryptSensitive("张三", "11010519491231002X") // RSA-OAEP with the key the client announces
	require.NoError(t, err)
	require.Len(t, enc, 2)
	_, err = wx.Chain("v3/…").Post(ctx, body, serial) // serial pins Wechatpay-Serial to that key
	require.Error(t, err, "the emulator knows no v3/…")
	assert.Equal(t, srv.PlatformSerial, srv.LastRequest().Header.Get("Wechatpay-Serial"))
	sealed, err := rsa.EncryptOAEP(sha1.New(), rand.Reader, &key.PublicKey, []byte("张三"), nil)
	require.NoError(t, err)
	ciphertext := base64.StdEncoding.EncodeToString(sealed)
	name, err := wxpay.DecryptSensitive(key, ciphertext) // fields WeChat Pay encrypted for you
	require.NoError(t, err)
	assert.Equal(t, "张三", name)

	appID, prepayID := "wxd678efh567hg6787", "wx201410272009395522657a690389285100"
	params, err := wx.JSAPIPayParams(appID, prepayID) // appId, timeStamp, nonceStr, package, signType RSA, paySign
	require.NoError(t, err)
	assert.Equal(t, "prepay_id="+prepayID, params["package"])
	params, err = wx.AppPayParams(appID, prepayID) // and JSAPIPayParamsV2 / AppPayParamsV2 for APIv2 (MD5, HMAC-SHA256)
	require.NoError(t, err)
	assert.Equal(t, prepayID, params["prepayid"])
}

// README.zh-CN.md, 生产环境的客户端.
func TestREADMEZhClient(t *testing.T) {
	srv := wxpaytest.NewServer(t, wxpaytest.PublicKeyMode()) // callbacks signed under the public key id
	inMerchantDir(t, srv)
	apiv3Key, apiv2Key, tlsCert := srv.APIv3Key, srv.APIv2Key, srv.ClientCert

	key, err := keys.LoadPrivateKeyFile("apiclient_key.pem") // 商户API私钥（商户平台下载的证书工具生成）
	require.NoError(t, err)
	pub, err := keys.LoadPublicKeyFile("pub_key.pem") // 微信支付公钥
	require.NoError(t, err)
	wx, err := wxpay.New(
		wxpay.WithMerchant("1900000109", "3775B6A45ACD588826D15E583A95F5DD2C5C9DB8", key), // 商户号、商户API证书序列号、私钥
		wxpay.WithPlatformPublicKey("PUB_KEY_ID_0119000001092025112300000000000001", pub), // 公钥ID 和微信支付公钥
		wxpay.WithAPIv3Key(apiv3Key),         // APIv3密钥：解密回调通知和平台证书
		wxpay.WithAPIv2Key(apiv2Key),         // 只有调用 APIv2 接口才需要
		wxpay.WithClientCertificate(tlsCert), // 商户API证书，只在需要双向 TLS 的 APIv2 接口（退款、撤销、红包…）上出示
		wxpay.WithBaseURL(srv.URL), wxpay.WithTLSConfig(tlsFor(srv)),
	)
	require.NoError(t, err)

	ctx := context.Background()
	_, err = wx.Chain("v3/pay/transactions/native").Post(ctx, nativeOrder(srv, "Z1"))
	require.NoError(t, err)
	assert.Equal(t, srv.PublicKeyID, srv.LastRequest().Header.Get("Wechatpay-Serial"))
	h, body, err := srv.NotificationV3("TRANSACTION.SUCCESS", "transaction", map[string]string{"out_trade_no": "Z1"})
	require.NoError(t, err)
	n, err := wx.ParseNotification(h, body)
	require.NoError(t, err, "the APIv3 key decrypts callbacks")
	assert.Contains(t, string(n.Plaintext), "Z1")
	_, err = wx.Chain("v2/pay/unifiedorder").Post(ctx, map[string]string{"appid": "wxd678efh567hg6787", "mch_id": srv.MchID,
		"body": "b", "out_trade_no": "Z2", "total_fee": "1", "spbill_create_ip": "127.0.0.1",
		"notify_url": "https://example.com/n", "trade_type": "NATIVE"})
	require.NoError(t, err)
	_, err = wx.Chain("v2/secapi/pay/reverse").Post(ctx, map[string]string{"appid": "wxd678efh567hg6787", "mch_id": srv.MchID, "out_trade_no": "Z2"})
	require.NoError(t, err)
	assert.True(t, srv.LastRequest().ClientCert)
}
