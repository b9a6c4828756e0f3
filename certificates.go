package wxpay

import (
	"context"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/wxpay-go/wxpay/keys"
	"github.com/wxpay-go/wxpay/signer"

	"github.com/wxpay-go/wxpay/internal/wire"
)

// PlatformCertificate is one downloaded, decrypted WeChat Pay platform certificate.
type PlatformCertificate struct {
	Serial                    string // upper-case hex, as in Wechatpay-Serial
	Certificate               *x509.Certificate
	EffectiveTime, ExpireTime time.Time // as the answer states them
}

// certificatesAnswer is the body of GET v3/certificates.
type certificatesAnswer struct {
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

// DownloadCertificates fetches the platform certificates (GET v3/certificates), decrypts
// them with the APIv3 key, checks that each certificate's serial is the serial_no it is
// listed under, verifies the answer's signature, and only then adds them to the client's
// KeyStore, so that later answers signed with any of them verify. It returns the
// certificates in the order of the answer.
//
// During a rotation WeChat Pay may sign the answer with a certificate the client does not
// know yet. Such an answer is verified with the certificates it carries (plus those
// already in the store); its authenticity then rests on the APIv3 key, which only WeChat
// Pay and the merchant hold: nobody else can produce certificates that decrypt. An answer
// that fails verification gives an error wrapping ErrVerification (a *VerificationError),
// and nothing is added.
//
// Decryption failures wrap signer.ErrDecrypt; an AES-GCM authentication failure almost
// always means that the APIv3 key (WithAPIv3Key) is wrong, and the error says so. A client
// without an APIv3 key, or without any platform certificate or public key yet, gets an
// error wrapping ErrConfig and nothing is sent: configure an initial certificate
// (WithPlatformCertificates) or the WeChat Pay public key.
//
// Merchants in public-key mode never need this call: answers are verified with the
// public key (WithPlatformPublicKey), and WeChat Pay answers 404 RESOURCE_NOT_EXISTS,
// returned as the *APIError.
//
// opts are the usual call options: BaseURL("https://api.mch.weixin.qq.com/hk/") for the
// Hong Kong zone, Query("algorithm_type", "ALL"), and so on.
func (c *Client) DownloadCertificates(ctx context.Context, opts ...CallOption) ([]PlatformCertificate, error) {
	if c.apiv3Key == "" {
		return nil, fmt.Errorf("%w: DownloadCertificates needs WithAPIv3Key to decrypt the certificates", ErrConfig)
	}
	if c.keys.Len() == 0 {
		// First download: the answer is verified with the certificates it carries, once
		// they decrypt with the APIv3 key (below).
		opts = append([]CallOption{bootstrap()}, opts...)
	}
	resp, err := c.Chain("v3/certificates").Get(ctx, opts...)
	if err == nil {
		// Verified by the pipeline with a key the client already trusts.
		certs, err := c.decryptCertificates(resp.Body)
		if err != nil {
			return nil, err
		}
		return certs, c.addCertificates(certs)
	}
	var ve *VerificationError
	if !errors.As(err, &ve) || !errors.Is(ve.Reason, signer.ErrUnknownSerial) {
		return nil, err // a refusal, a failure to send, or a signature that is plainly bad
	}
	// Signed with a certificate the client does not know yet: the answer must carry it.
	certs, derr := c.decryptCertificates(ve.UntrustedBody)
	if derr != nil {
		return nil, errors.Join(err, derr)
	}
	tmp := signer.NewKeyStore()
	for _, serial := range c.keys.Serials() {
		if pub, ok := c.keys.PublicKey(serial); ok {
			if err := tmp.AddPublicKey(serial, pub); err != nil {
				return nil, err
			}
		}
	}
	for _, pc := range certs {
		if _, err := tmp.AddCertificate(pc.Certificate); err != nil {
			return nil, fmt.Errorf("wxpay: DownloadCertificates: certificate %s: %w", pc.Serial, err)
		}
	}
	if verr := (&signer.Verifier{Keys: tmp}).Verify(ve.Header, ve.UntrustedBody); verr != nil {
		return nil, &VerificationError{Reason: verr, StatusCode: ve.StatusCode, Header: ve.Header, UntrustedBody: ve.UntrustedBody}
	}
	return certs, c.addCertificates(certs)
}

// decryptCertificates decodes and decrypts the answer; it adds nothing anywhere.
func (c *Client) decryptCertificates(body []byte) ([]PlatformCertificate, error) {
	var ans certificatesAnswer
	if err := json.Unmarshal(body, &ans); err != nil {
		return nil, fmt.Errorf("%w: v3/certificates: %v", ErrBadAnswer, err)
	}
	if len(ans.Data) == 0 {
		return nil, fmt.Errorf("%w: v3/certificates: the answer lists no certificate", ErrBadAnswer)
	}
	out := make([]PlatformCertificate, 0, len(ans.Data))
	scratch := signer.NewKeyStore() // checks each key as the client's store will, before anything is added
	for _, d := range ans.Data {
		ec := d.EncryptCertificate
		if ec.Algorithm != "AEAD_AES_256_GCM" {
			return nil, fmt.Errorf("%w: v3/certificates: certificate %s is encrypted with %q; only AEAD_AES_256_GCM is supported",
				ErrBadAnswer, d.SerialNo, ec.Algorithm)
		}
		plain, err := signer.DecryptAESGCM(c.apiv3Key, ec.Nonce, ec.AssociatedData, ec.Ciphertext)
		if err != nil {
			return nil, fmt.Errorf("wxpay: DownloadCertificates: decrypting certificate %s with the APIv3 key: %w", d.SerialNo, err)
		}
		cert, err := keys.LoadCertificate(plain)
		if err != nil {
			return nil, fmt.Errorf("%w: v3/certificates: certificate %s: %w", ErrBadAnswer, d.SerialNo, err)
		}
		serial := signer.CertificateSerial(cert)
		if serial != d.SerialNo {
			return nil, fmt.Errorf("%w: v3/certificates: the certificate listed as %q has serial %s",
				ErrBadAnswer, d.SerialNo, serial)
		}
		if _, err := scratch.AddCertificate(cert); err != nil {
			return nil, fmt.Errorf("wxpay: DownloadCertificates: certificate %s: %w", serial, err)
		}
		pc := PlatformCertificate{Serial: serial, Certificate: cert, EffectiveTime: cert.NotBefore, ExpireTime: cert.NotAfter}
		if pc.EffectiveTime, err = answerTime(d.EffectiveTime, cert.NotBefore); err != nil {
			return nil, fmt.Errorf("%w: v3/certificates: certificate %s: effective_time: %v", ErrBadAnswer, serial, err)
		}
		if pc.ExpireTime, err = answerTime(d.ExpireTime, cert.NotAfter); err != nil {
			return nil, fmt.Errorf("%w: v3/certificates: certificate %s: expire_time: %v", ErrBadAnswer, serial, err)
		}
		out = append(out, pc)
	}
	return out, nil
}

// answerTime parses an RFC 3339 time of the answer; an absent one is the certificate's.
func answerTime(s string, def time.Time) (time.Time, error) {
	if s == "" {
		return def, nil
	}
	return time.Parse(time.RFC3339, s)
}

// addCertificates adds verified certificates to the client's store. decryptCertificates
// has checked their keys, so it does not fail in practice.
func (c *Client) addCertificates(certs []PlatformCertificate) error {
	for _, pc := range certs {
		if _, err := c.keys.AddCertificate(pc.Certificate); err != nil {
			return fmt.Errorf("wxpay: DownloadCertificates: certificate %s: %w", pc.Serial, err)
		}
	}
	return nil
}

// bootstrap lets the certificate download go out while the client holds no key to verify
// the answer with: the answer carries the certificates it is signed with. It still goes
// through verification; without a key it fails, as a *VerificationError whose
// UntrustedBody the caller checks by other means.
func bootstrap() CallOption { return func(c *wire.Call) { c.Bootstrap = true } }
