package wxpay

import (
	"crypto"
	"crypto/rsa"
	"fmt"

	"github.com/wxpay-go/wxpay/signer"
)

// EncryptSensitive encrypts a sensitive field (a name, an ID number, a bank account) with
// RSA-OAEP (SHA-1) for WeChat Pay, using the key the client announces
// (KeyStore().Preferred(): the public key id if configured, else the latest certificate),
// and returns the base64 ciphertext and the CallOption that sets Wechatpay-Serial to that
// key on the call carrying it. Every encrypted field of one call must use the same key:
// EncryptSensitive takes several plaintexts for that reason.
//
//	ct, serial, err := wx.EncryptSensitive("张三", "13800138000")
//	body := map[string]any{"user_name": ct[0], "mobile": ct[1], …}
//	resp, err := wx.Chain("v3/…").Post(ctx, body, serial)
//
// ciphertexts[i] is the encryption of plaintexts[i]; each call gives different
// ciphertexts. A client without any platform certificate or public key gets an error
// wrapping ErrConfig (download the certificates first, or configure the public key). A
// plaintext too long for the key (more than 214 bytes for RSA-2048) gives an error
// wrapping rsa.ErrMessageTooLong. On error nothing is returned.
func (c *Client) EncryptSensitive(plaintexts ...string) (ciphertexts []string, serial CallOption, err error) {
	id, pub, err := c.encryptionKey()
	if err != nil {
		return nil, nil, err
	}
	out := make([]string, len(plaintexts))
	for i, p := range plaintexts {
		ct, err := signer.EncryptOAEP(pub, []byte(p))
		if err != nil {
			return nil, nil, fmt.Errorf("wxpay: EncryptSensitive: field %d: %w", i, err)
		}
		out[i] = ct
	}
	return out, Header("Wechatpay-Serial", id), nil
}

// encryptionKey returns the key the client announces and its serial or id, both from the
// same state of the store (a concurrent download may change Preferred in between).
func (c *Client) encryptionKey() (string, *rsa.PublicKey, error) {
	for range 3 {
		id := c.keys.Preferred()
		if id == "" {
			return "", nil, fmt.Errorf("%w: EncryptSensitive needs a WeChat Pay platform certificate or public key (WithPlatformCertificates, WithPlatformPublicKey or DownloadCertificates)", ErrConfig)
		}
		if pub, ok := c.keys.PublicKey(id); ok {
			return id, pub, nil
		}
	}
	return "", nil, fmt.Errorf("%w: EncryptSensitive: the platform keys changed while choosing one; try again", ErrConfig)
}

// DecryptSensitive decrypts a field WeChat Pay encrypted with the merchant's public key
// (RSA-OAEP SHA-1, standard base64), such as the names and ID numbers in the answers of
// some APIs, with the merchant private key given to WithMerchant. key must be a
// crypto.Decrypter: *rsa.PrivateKey is, and so are many HSM and KMS keys.
//
// It is a function rather than a Client method because the client does not hand out the
// merchant key: pass the same key you gave WithMerchant.
//
// A nil, non-RSA or too short key gives an error wrapping signer.ErrKey. Every failure that
// depends on the ciphertext (bad base64, wrong key, bad padding) gives the same error,
// wrapping signer.ErrDecrypt, so that the function cannot serve as a padding oracle.
func DecryptSensitive(key crypto.Decrypter, ciphertext string) (string, error) {
	pt, err := signer.DecryptOAEP(key, ciphertext)
	if err != nil {
		return "", err
	}
	return string(pt), nil
}
