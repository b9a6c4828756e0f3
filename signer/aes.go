package signer

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/md5"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
)

// ErrDecrypt is wrapped by every failure to decrypt data received from
// WeChat Pay: malformed base64, ciphertext of the wrong length, an AES-GCM
// authentication failure, bad PKCS#7 padding, or an RSA-OAEP failure.
// Errors wrapping it never contain key material.
var ErrDecrypt = errors.New("wxpay: decryption failed")

// apiV3KeyLength is the length in bytes of an APIv3 key (32 ASCII
// characters, used as-is as an AES-256 key).
const apiV3KeyLength = 32

// gcmTagSize is the AES-GCM tag length WeChat Pay appends to ciphertexts.
const gcmTagSize = 16

// errGCMAuth is returned when AES-GCM authentication fails. In practice
// this almost always means the APIv3 key is wrong.
var errGCMAuth = fmt.Errorf("%w: AES-GCM authentication failed: the APIv3 key is wrong "+
	"(it is the 32-character key set under API security, not the APIv2 key) "+
	"or the ciphertext, nonce or associated_data was altered", ErrDecrypt)

// errBadPadding is returned for every PKCS#7 padding failure, whatever the
// cause, so that the message does not reveal which check failed.
var errBadPadding = fmt.Errorf("%w: invalid PKCS#7 padding: the APIv2 key is wrong or req_info was altered", ErrDecrypt)

// DecryptAESGCM decrypts an AEAD_AES_256_GCM resource as WeChat Pay sends it
// in APIv3 callbacks (resource.ciphertext, resource.nonce,
// resource.associated_data) and in the /v3/certificates download
// (encrypt_certificate):
//
//   - apiv3Key is the APIv3 key; its 32 ASCII bytes are the AES-256 key.
//   - nonce is used as its bytes. Its length is not restricted (WeChat Pay
//     sends 12 characters), but it must not be empty.
//   - associatedData is the additional authenticated data; it may be empty.
//   - ciphertextB64 is standard base64 (padded, RFC 4648 §4) of the
//     ciphertext followed by the 16-byte GCM tag.
//
// A key that is not exactly 32 bytes gives an error wrapping [ErrKey] (the
// message names the length, never the key). An empty nonce, invalid base64,
// input shorter than the tag, and an authentication failure give errors
// wrapping [ErrDecrypt]; the authentication-failure message says that the
// APIv3 key is wrong or the data was altered, which is what it almost
// always means. On error the returned plaintext is nil.
func DecryptAESGCM(apiv3Key, nonce, associatedData, ciphertextB64 string) ([]byte, error) {
	if err := checkAPIv3Key(apiv3Key); err != nil {
		return nil, err
	}
	if nonce == "" {
		return nil, fmt.Errorf("%w: AES-GCM nonce is empty", ErrDecrypt)
	}
	ct, err := base64.StdEncoding.DecodeString(ciphertextB64)
	if err != nil {
		return nil, fmt.Errorf("%w: AES-GCM ciphertext is not valid standard base64: %v", ErrDecrypt, err)
	}
	if len(ct) < gcmTagSize {
		return nil, fmt.Errorf("%w: AES-GCM ciphertext is %d bytes, shorter than the %d-byte tag", ErrDecrypt, len(ct), gcmTagSize)
	}
	aead, err := newWxGCM(apiv3Key, len(nonce))
	if err != nil {
		return nil, err
	}
	pt, err := aead.Open(nil, []byte(nonce), ct, []byte(associatedData))
	if err != nil {
		return nil, errGCMAuth
	}
	if pt == nil {
		pt = []byte{}
	}
	return pt, nil
}

// EncryptAESGCM is the inverse of [DecryptAESGCM]: it returns standard
// base64 of AES-256-GCM(plaintext) followed by the 16-byte tag, keyed with
// the 32-byte apiv3Key, using nonce's bytes as the nonce and associatedData
// (which may be empty) as additional authenticated data. It exists for tests
// and simulators; WeChat Pay never expects merchants to send such data.
//
// Never reuse a nonce with the same key for different plaintexts. A key
// that is not exactly 32 bytes gives an error wrapping [ErrKey]; an empty
// nonce is an error.
func EncryptAESGCM(apiv3Key, nonce, associatedData string, plaintext []byte) (string, error) {
	if err := checkAPIv3Key(apiv3Key); err != nil {
		return "", err
	}
	if nonce == "" {
		return "", errors.New("wxpay: AES-GCM nonce is empty")
	}
	aead, err := newWxGCM(apiv3Key, len(nonce))
	if err != nil {
		return "", err
	}
	ct := aead.Seal(nil, []byte(nonce), plaintext, []byte(associatedData))
	return base64.StdEncoding.EncodeToString(ct), nil
}

func checkAPIv3Key(key string) error {
	if len(key) != apiV3KeyLength {
		return keyErrorf("APIv3 key is %d bytes, want exactly %d", len(key), apiV3KeyLength)
	}
	return nil
}

// newWxGCM returns AES-256-GCM with a 16-byte tag and the given nonce size.
// key has been checked to be 32 bytes and nonceSize to be positive.
func newWxGCM(key string, nonceSize int) (cipher.AEAD, error) {
	block, err := aes.NewCipher([]byte(key))
	if err != nil {
		return nil, keyErrorf("AES key: %v", err)
	}
	aead, err := cipher.NewGCMWithNonceSize(block, nonceSize)
	if err != nil {
		return nil, fmt.Errorf("wxpay: AES-GCM with a %d-byte nonce: %w", nonceSize, err)
	}
	return aead, nil
}

// DecryptRefundInfo decrypts the req_info field of an APIv2 refund
// notification: standard base64 of AES-256-ECB with PKCS#7 padding, keyed
// with the lower-case hex MD5 of the APIv2 key, whose 32 ASCII characters
// are the AES key. The result is the XML document (root element <root>);
// parse it with the codec package.
//
// apiv2Key must pass [CheckV2Key]; otherwise the error wraps [ErrKey].
// Invalid base64, a ciphertext whose length is not a positive multiple of
// 16, and invalid padding give errors wrapping [ErrDecrypt]. Padding is
// checked strictly and in constant time: the last byte n must be 1..16 and
// the last n bytes must all equal n. Every padding failure gives the same
// error. A wrong APIv2 key almost always shows up as a padding failure.
//
// req_info is not authenticated: ECB has no integrity check, so verify the
// decrypted content (e.g. query the refund) before acting on it.
func DecryptRefundInfo(apiv2Key, reqInfoB64 string) ([]byte, error) {
	block, err := refundInfoCipher(apiv2Key)
	if err != nil {
		return nil, err
	}
	ct, err := base64.StdEncoding.DecodeString(reqInfoB64)
	if err != nil {
		return nil, fmt.Errorf("%w: req_info is not valid standard base64: %v", ErrDecrypt, err)
	}
	return ecbDecryptPKCS7(block, ct)
}

// EncryptRefundInfo is the inverse of [DecryptRefundInfo]: it returns
// standard base64 of AES-256-ECB(PKCS#7(plaintext)) keyed with the
// lower-case hex MD5 of apiv2Key. PKCS#7 always adds padding, so a
// plaintext whose length is a multiple of 16 (including an empty one) gets
// a full extra block of 16 bytes of 0x10. It exists for tests and
// simulators. apiv2Key must pass [CheckV2Key].
func EncryptRefundInfo(apiv2Key string, plaintext []byte) (string, error) {
	block, err := refundInfoCipher(apiv2Key)
	if err != nil {
		return "", err
	}
	return base64.StdEncoding.EncodeToString(ecbEncryptPKCS7(block, plaintext)), nil
}

// refundInfoCipher returns AES-256 keyed with hex(md5(apiv2Key)) as ASCII.
func refundInfoCipher(apiv2Key string) (cipher.Block, error) {
	if err := CheckV2Key(apiv2Key); err != nil {
		return nil, err
	}
	sum := md5.Sum([]byte(apiv2Key))
	var key [2 * md5.Size]byte
	hex.Encode(key[:], sum[:])
	block, err := aes.NewCipher(key[:])
	if err != nil {
		return nil, keyErrorf("AES key: %v", err)
	}
	return block, nil
}

// ecbEncryptPKCS7 pads plaintext with PKCS#7 (always 1..16 bytes) and
// encrypts each block independently. ECB is only used because req_info is
// defined that way; do not reuse this for anything else.
func ecbEncryptPKCS7(block cipher.Block, plaintext []byte) []byte {
	bs := block.BlockSize()
	pad := bs - len(plaintext)%bs
	out := make([]byte, len(plaintext)+pad)
	copy(out, plaintext)
	for i := len(plaintext); i < len(out); i++ {
		out[i] = byte(pad)
	}
	for i := 0; i < len(out); i += bs {
		block.Encrypt(out[i:i+bs], out[i:i+bs])
	}
	return out
}

// ecbDecryptPKCS7 decrypts ciphertext block by block and removes strict
// PKCS#7 padding. ciphertext is not modified.
func ecbDecryptPKCS7(block cipher.Block, ciphertext []byte) ([]byte, error) {
	bs := block.BlockSize()
	if len(ciphertext) == 0 || len(ciphertext)%bs != 0 {
		return nil, fmt.Errorf("%w: ciphertext is %d bytes, want a positive multiple of %d", ErrDecrypt, len(ciphertext), bs)
	}
	out := make([]byte, len(ciphertext))
	for i := 0; i < len(out); i += bs {
		block.Decrypt(out[i:i+bs], ciphertext[i:i+bs])
	}
	n, ok := pkcs7PadLen(out, bs)
	if !ok {
		return nil, errBadPadding
	}
	return out[:len(out)-n], nil
}

// pkcs7PadLen returns the PKCS#7 padding length of b, a non-empty multiple
// of bs (bs ≤ 255), and whether the padding is valid: the last byte n is in
// 1..bs and the last n bytes all equal n. The checks take the same time
// whatever the content of the last block.
func pkcs7PadLen(b []byte, bs int) (int, bool) {
	if len(b) == 0 || len(b)%bs != 0 {
		return 0, false
	}
	last := b[len(b)-bs:]
	n := int(last[bs-1])
	good := subtle.ConstantTimeLessOrEq(1, n) & subtle.ConstantTimeLessOrEq(n, bs)
	for i := 0; i < bs; i++ {
		// The i-th byte from the end must equal n when i < n.
		inPad := subtle.ConstantTimeLessOrEq(i+1, n)
		eq := subtle.ConstantTimeByteEq(last[bs-1-i], byte(n))
		good &= subtle.ConstantTimeSelect(inPad, eq, 1)
	}
	if good != 1 {
		return 0, false
	}
	return n, true
}
