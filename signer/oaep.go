package signer

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"encoding/base64"
	"fmt"
)

// errOAEP is the one error [DecryptOAEP] returns for every failure that
// depends on the ciphertext. Returning a single value with a single message
// keeps the function from acting as a padding oracle.
var errOAEP = fmt.Errorf("%w: RSA-OAEP (SHA-1) decryption failed: wrong private key, or the ciphertext is corrupted or not RSAES-OAEP with SHA-1", ErrDecrypt)

// EncryptOAEP encrypts a sensitive field (a name, ID number, phone number,
// bank account, …) for WeChat Pay: RSAES-OAEP with SHA-1 and MGF1-SHA-1 and
// an empty label, random padding from crypto/rand, standard base64 output.
//
// pub is the key WeChat Pay will decrypt with: the platform certificate's
// key or the WeChat Pay public key. The request must then carry the header
// Wechatpay-Serial set to that certificate's serial or that "PUB_KEY_ID_…"
// id, or WeChat Pay cannot decrypt it. Each call gives a different
// ciphertext.
//
// pub must be a non-nil RSA key of at least [MinRSABits] bits, otherwise
// the error wraps [ErrKey]. A plaintext longer than k−42 bytes (214 bytes
// for a 2048-bit key) gives an error wrapping [rsa.ErrMessageTooLong].
// PKCS#1 v1.5 encryption is deliberately not offered.
func EncryptOAEP(pub *rsa.PublicKey, plaintext []byte) (string, error) {
	if pub == nil || pub.N == nil {
		return "", keyErrorf("RSA public key is nil")
	}
	if bits := pub.N.BitLen(); bits < MinRSABits {
		return "", keyErrorf("RSA public key is %d bits, need at least %d", bits, MinRSABits)
	}
	ct, err := rsa.EncryptOAEP(sha1.New(), rand.Reader, pub, plaintext, nil)
	if err != nil {
		if limit := pub.Size() - 2*sha1.Size - 2; len(plaintext) > limit {
			return "", fmt.Errorf("wxpay: RSA-OAEP encrypt: plaintext is %d bytes, at most %d fit: %w", len(plaintext), limit, err)
		}
		return "", fmt.Errorf("wxpay: RSA-OAEP encrypt: %w", err)
	}
	return base64.StdEncoding.EncodeToString(ct), nil
}

// DecryptOAEP decrypts a sensitive field that WeChat Pay encrypted with the
// merchant's public key: ciphertextB64 is standard base64 of an RSAES-OAEP
// ciphertext with SHA-1, MGF1-SHA-1 and an empty label. priv is any
// crypto.Decrypter whose public key is RSA of at least [MinRSABits] bits
// (an *rsa.PrivateKey, or a key held in an HSM or KMS); it is called as
// priv.Decrypt(crypto/rand.Reader, ciphertext, &rsa.OAEPOptions{Hash: crypto.SHA1}).
//
// A nil key (also a typed nil pointer) or a non-RSA or too-short key gives
// an error wrapping [ErrKey]. Every other failure — invalid base64, a
// ciphertext that is not exactly the modulus size, a wrong key, bad OAEP
// padding, a PKCS#1 v1.5 ciphertext, or an error from priv — returns the
// same error value, which wraps [ErrDecrypt] and has the same message, so
// that callers cannot turn this function into a padding oracle. PKCS#1
// v1.5 decryption is deliberately not offered.
func DecryptOAEP(priv crypto.Decrypter, ciphertextB64 string) ([]byte, error) {
	if isNil(priv) {
		return nil, keyErrorf("private key is nil")
	}
	pub, ok := priv.Public().(*rsa.PublicKey)
	if !ok || pub == nil || pub.N == nil {
		return nil, keyErrorf("private key must be RSA, got a %T public key", priv.Public())
	}
	if bits := pub.N.BitLen(); bits < MinRSABits {
		return nil, keyErrorf("RSA private key is %d bits, need at least %d", bits, MinRSABits)
	}
	ct, err := base64.StdEncoding.DecodeString(ciphertextB64)
	if err != nil || len(ct) != pub.Size() {
		return nil, errOAEP
	}
	pt, err := priv.Decrypt(rand.Reader, ct, &rsa.OAEPOptions{Hash: crypto.SHA1})
	if err != nil {
		return nil, errOAEP
	}
	if pt == nil {
		pt = []byte{}
	}
	return pt, nil
}
