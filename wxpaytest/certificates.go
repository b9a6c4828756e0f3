package wxpaytest

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/pem"
	"fmt"
	"math/big"
	"net/http"
	"time"
)

// Platform certificate download (GET v3/certificates).
//
// The emulator does not serve the endpoint unless asked: HandleCertificates serves the
// platform's answer, HandleCertificatesNotFound the 404 that merchants in public-key mode
// get, and CertificatesReply builds the answer for handlers of a test's own (one signed
// under another serial during a rotation, say).

// HandleCertificates serves GET v3/certificates (and hk/v3/certificates) with the given
// certificates, by default s.PlatformCert. Each answer is built afresh: every certificate
// is PEM-encoded and encrypted with s.APIv3Key (AEAD_AES_256_GCM, a random 12-character
// nonce, associated_data "certificate"), and the answer is signed as usual.
func (s *Server) HandleCertificates(certs ...*x509.Certificate) {
	if len(certs) == 0 {
		certs = []*x509.Certificate{s.PlatformCert}
	}
	certs = append([]*x509.Certificate(nil), certs...)
	s.mu.Lock()
	for _, c := range certs { // a client that downloaded them may name them in Wechatpay-Serial
		s.served[fmt.Sprintf("%X", c.SerialNumber)] = true
	}
	s.mu.Unlock()
	h := func(*Request) *Reply { return s.CertificatesReply(certs...) }
	s.Handle(http.MethodGet, "v3/certificates", h)
	s.Handle(http.MethodGet, "hk/v3/certificates", h)
}

// HandleCertificatesNotFound makes GET v3/certificates (and hk/v3/certificates) answer as
// it does for a merchant in public-key mode: 404 {"code":"RESOURCE_NOT_EXISTS",…}.
func (s *Server) HandleCertificatesNotFound() {
	h := func(*Request) *Reply {
		return &Reply{Status: http.StatusNotFound, JSON: map[string]string{
			"code": "RESOURCE_NOT_EXISTS", "message": "无可用的平台证书，请在商户平台-API安全申请使用微信支付公钥。"}}
	}
	s.Handle(http.MethodGet, "v3/certificates", h)
	s.Handle(http.MethodGet, "hk/v3/certificates", h)
}

// CertificatesReply builds the answer of GET v3/certificates for certs (default
// s.PlatformCert):
//
//	{"data":[{"serial_no":"…","effective_time":"…","expire_time":"…",
//	  "encrypt_certificate":{"algorithm":"AEAD_AES_256_GCM","nonce":"…",
//	  "associated_data":"certificate","ciphertext":"…"}}]}
//
// Times are RFC 3339 in UTC+8, from the certificate's validity. Set the reply's Serial to
// announce another certificate as the signer (the server always signs with PlatformKey).
func (s *Server) CertificatesReply(certs ...*x509.Certificate) *Reply {
	if len(certs) == 0 {
		certs = []*x509.Certificate{s.PlatformCert}
	}
	type encrypted struct {
		Algorithm      string `json:"algorithm"`
		Nonce          string `json:"nonce"`
		AssociatedData string `json:"associated_data"`
		Ciphertext     string `json:"ciphertext"`
	}
	type item struct {
		SerialNo           string    `json:"serial_no"`
		EffectiveTime      string    `json:"effective_time"`
		ExpireTime         string    `json:"expire_time"`
		EncryptCertificate encrypted `json:"encrypt_certificate"`
	}
	data := make([]item, 0, len(certs))
	for _, c := range certs {
		plain := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})
		n := randomString(12)
		ct, err := sealGCM(s.APIv3Key, n, "certificate", plain)
		if err != nil {
			return &Reply{Status: http.StatusInternalServerError, JSON: map[string]string{
				"code": "SYSTEM_ERROR", "message": "wxpaytest: " + err.Error()}}
		}
		data = append(data, item{
			SerialNo:      fmt.Sprintf("%X", c.SerialNumber),
			EffectiveTime: c.NotBefore.In(chinaTime).Format(time.RFC3339),
			ExpireTime:    c.NotAfter.In(chinaTime).Format(time.RFC3339),
			EncryptCertificate: encrypted{
				Algorithm: "AEAD_AES_256_GCM", Nonce: n, AssociatedData: "certificate", Ciphertext: ct},
		})
	}
	return &Reply{JSON: map[string]any{"data": data}}
}

// NewPlatformCertificate makes another platform certificate for s.PlatformKey, with a
// random serial, valid from notBefore to notAfter: the certificate WeChat Pay would hand
// out during a rotation. Answers the server signs verify with it when announced under its
// serial (Reply.Serial).
func (s *Server) NewPlatformCertificate(notBefore, notAfter time.Time) (*x509.Certificate, error) {
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 159))
	if err != nil {
		return nil, err
	}
	serial.SetBit(serial, 158, 1) // 40 hex digits, like the platform's serials
	tmpl := &x509.Certificate{
		SerialNumber: serial,
		Subject: pkix.Name{CommonName: "Tenpay.com Root CA test platform certificate",
			Organization: []string{"wxpaytest"}},
		NotBefore: notBefore,
		NotAfter:  notAfter,
		KeyUsage:  x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &s.PlatformKey.PublicKey, s.PlatformKey)
	if err != nil {
		return nil, fmt.Errorf("wxpaytest: new platform certificate: %w", err)
	}
	return x509.ParseCertificate(der)
}

// sealGCM is AEAD_AES_256_GCM as WeChat Pay applies it: the APIv3 key's bytes as the key,
// the nonce's bytes as the nonce; the result is base64 of ciphertext and tag.
func sealGCM(apiv3Key, nonce, associatedData string, plain []byte) (string, error) {
	block, err := aes.NewCipher([]byte(apiv3Key))
	if err != nil {
		return "", fmt.Errorf("APIv3 key: %w", err)
	}
	aead, err := cipher.NewGCMWithNonceSize(block, len(nonce))
	if err != nil {
		return "", err
	}
	return base64.StdEncoding.EncodeToString(aead.Seal(nil, []byte(nonce), plain, []byte(associatedData))), nil
}
