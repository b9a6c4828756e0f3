package signer

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/des"
	"crypto/hmac"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/binary"
	"encoding/pem"
	"errors"
	"hash"
	"os"
	"strings"
)

var (
	oidPBES2          = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 5, 13}
	oidPBKDF2         = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 5, 12}
	oidHMACWithSHA1   = asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 7}
	oidHMACWithSHA256 = asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 9}
	oidAES128CBC      = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 1, 2}
	oidAES192CBC      = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 1, 22}
	oidAES256CBC      = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 1, 42}
	oidDESEDE3CBC     = asn1.ObjectIdentifier{1, 2, 840, 113549, 3, 7}
)

// maxPBEIterations bounds the work an attacker-supplied file can demand.
const maxPBEIterations = 10_000_000

// errWrongPassphrase is returned (wrapped) by the decryption helpers when the
// padding or the decrypted ASN.1 is invalid, which is what a wrong passphrase
// produces; callers turn it into their own message.
var errWrongPassphrase = errors.New("decryption failed")

// encryptedPrivateKeyInfo is PKCS#8 EncryptedPrivateKeyInfo (RFC 5958).
type encryptedPrivateKeyInfo struct {
	Algo          pkix.AlgorithmIdentifier
	EncryptedData []byte
}

type pbes2Params struct {
	KDF    pkix.AlgorithmIdentifier
	Scheme pkix.AlgorithmIdentifier
}

type pbkdf2Params struct {
	Salt       []byte
	Iterations int
	KeyLength  int                      `asn1:"optional"`
	PRF        pkix.AlgorithmIdentifier `asn1:"optional"`
}

// LoadEncryptedPrivateKey decrypts a PEM "ENCRYPTED PRIVATE KEY" block
// (PKCS#8 EncryptedPrivateKeyInfo, as written by "openssl pkcs8 -topk8" or
// "openssl genpkey -aes256") with passphrase and returns the RSA key. The
// input may also be base64 or raw DER of EncryptedPrivateKeyInfo; other PEM
// blocks before the key are skipped.
//
// Supported: PBES2 with PBKDF2 (HMAC-SHA1 or HMAC-SHA256) and
// AES-128/192/256-CBC or DES-EDE3-CBC (openssl's defaults and -v2 choices).
// The same checks as [LoadPrivateKey] apply to the decrypted key (RSA, at
// least [MinRSABits] bits).
//
// All errors wrap [ErrKey]. A wrong passphrase gives an error saying so
// (detected from the padding or the decrypted structure; which of the two
// failed is not revealed); unsupported schemes name the OID.
func LoadEncryptedPrivateKey(pemBytes []byte, passphrase string) (*rsa.PrivateKey, error) {
	_, der, err := decodeKeyInput(pemBytes, "encrypted private key", func(b *pem.Block) (bool, error) {
		switch b.Type {
		case "ENCRYPTED PRIVATE KEY":
			return true, nil
		case "RSA PRIVATE KEY":
			if strings.Contains(b.Headers["Proc-Type"], "ENCRYPTED") {
				return false, keyErrorf("legacy PEM encryption (Proc-Type: 4,ENCRYPTED) is not supported; convert it with openssl pkcs8 -topk8 -in key.pem -out key8.pem")
			}
			return false, keyErrorf("PEM block %q is not encrypted; use LoadPrivateKey", b.Type)
		case "PRIVATE KEY":
			return false, keyErrorf("PEM block %q is not encrypted; use LoadPrivateKey", b.Type)
		}
		return false, nil
	})
	if err != nil {
		return nil, err
	}
	var info encryptedPrivateKeyInfo
	if rest, err := asn1.Unmarshal(der, &info); err != nil || len(rest) != 0 {
		return nil, keyErrorf("malformed PKCS#8 EncryptedPrivateKeyInfo")
	}
	plain, err := decryptPBES2(info.Algo, []byte(passphrase), info.EncryptedData)
	if err != nil {
		if errors.Is(err, errWrongPassphrase) {
			return nil, keyErrorf("cannot decrypt the PKCS#8 private key: wrong passphrase")
		}
		return nil, err
	}
	key, err := x509.ParsePKCS8PrivateKey(plain)
	if err != nil {
		return nil, keyErrorf("cannot decrypt the PKCS#8 private key: wrong passphrase")
	}
	return checkRSAPrivateKey(key)
}

func checkRSAPrivateKey(key any) (*rsa.PrivateKey, error) {
	rk, ok := key.(*rsa.PrivateKey)
	if !ok {
		return nil, keyErrorf("private key is %s, not RSA", keyKind(key))
	}
	if bits := rk.N.BitLen(); bits < MinRSABits {
		return nil, keyErrorf("RSA private key is %d bits, need at least %d", bits, MinRSABits)
	}
	return rk, nil
}

// decryptPBES2 decrypts data encrypted with PBES2 (RFC 8018 section 6.2).
// The password is used as given (UTF-8 bytes), as OpenSSL does for both
// PKCS#8 and PKCS#12. Padding failures wrap errWrongPassphrase; everything
// else is an ErrKey naming the problem.
func decryptPBES2(algo pkix.AlgorithmIdentifier, password, data []byte) ([]byte, error) {
	if !algo.Algorithm.Equal(oidPBES2) {
		return nil, keyErrorf("unsupported encryption scheme %s (only PBES2 is supported)", algo.Algorithm)
	}
	var params pbes2Params
	if rest, err := asn1.Unmarshal(algo.Parameters.FullBytes, &params); err != nil || len(rest) != 0 {
		return nil, keyErrorf("malformed PBES2 parameters")
	}
	if !params.KDF.Algorithm.Equal(oidPBKDF2) {
		return nil, keyErrorf("unsupported PBES2 key derivation function %s (only PBKDF2 is supported)", params.KDF.Algorithm)
	}
	var kdf pbkdf2Params
	if rest, err := asn1.Unmarshal(params.KDF.Parameters.FullBytes, &kdf); err != nil || len(rest) != 0 {
		return nil, keyErrorf("malformed PBKDF2 parameters")
	}
	if kdf.Iterations < 1 || kdf.Iterations > maxPBEIterations {
		return nil, keyErrorf("PBKDF2 iteration count %d out of range", kdf.Iterations)
	}
	var prf func() hash.Hash
	switch {
	case len(kdf.PRF.Algorithm) == 0, kdf.PRF.Algorithm.Equal(oidHMACWithSHA1):
		prf = sha1.New
	case kdf.PRF.Algorithm.Equal(oidHMACWithSHA256):
		prf = sha256.New
	default:
		return nil, keyErrorf("unsupported PBKDF2 PRF %s (supported: hmacWithSHA1, hmacWithSHA256)", kdf.PRF.Algorithm)
	}
	var keyLen int
	var newBlock func([]byte) (cipher.Block, error)
	switch s := params.Scheme.Algorithm; {
	case s.Equal(oidAES128CBC):
		keyLen, newBlock = 16, aes.NewCipher
	case s.Equal(oidAES192CBC):
		keyLen, newBlock = 24, aes.NewCipher
	case s.Equal(oidAES256CBC):
		keyLen, newBlock = 32, aes.NewCipher
	case s.Equal(oidDESEDE3CBC):
		keyLen, newBlock = 24, des.NewTripleDESCipher
	default:
		return nil, keyErrorf("unsupported PBES2 encryption scheme %s (supported: AES-128/192/256-CBC, DES-EDE3-CBC)", s)
	}
	if kdf.KeyLength != 0 && kdf.KeyLength != keyLen {
		return nil, keyErrorf("PBKDF2 key length %d does not match the cipher's %d", kdf.KeyLength, keyLen)
	}
	var iv []byte
	if rest, err := asn1.Unmarshal(params.Scheme.Parameters.FullBytes, &iv); err != nil || len(rest) != 0 {
		return nil, keyErrorf("malformed PBES2 cipher IV")
	}
	key := pbkdf2Key(prf, password, kdf.Salt, kdf.Iterations, keyLen)
	block, err := newBlock(key)
	if err != nil {
		return nil, keyErrorf("PBES2 cipher: %v", err)
	}
	return cbcDecrypt(block, iv, data)
}

// cbcDecrypt decrypts CBC data and strips PKCS#7 padding. Bad length or
// padding wraps errWrongPassphrase (a wrong key yields random padding).
func cbcDecrypt(block cipher.Block, iv, data []byte) ([]byte, error) {
	bs := block.BlockSize()
	if len(iv) != bs {
		return nil, keyErrorf("cipher IV is %d bytes, want %d", len(iv), bs)
	}
	if len(data) == 0 || len(data)%bs != 0 {
		return nil, keyErrorf("encrypted data is %d bytes, not a positive multiple of the %d-byte block", len(data), bs)
	}
	out := make([]byte, len(data))
	cipher.NewCBCDecrypter(block, iv).CryptBlocks(out, data)
	n := int(out[len(out)-1])
	if n == 0 || n > bs || !bytes.Equal(out[len(out)-n:], bytes.Repeat([]byte{byte(n)}, n)) {
		return nil, errWrongPassphrase
	}
	return out[:len(out)-n], nil
}

// pbkdf2Key is PBKDF2 (RFC 8018 section 5.2) with HMAC over h.
func pbkdf2Key(h func() hash.Hash, password, salt []byte, iter, keyLen int) []byte {
	prf := hmac.New(h, password)
	hLen := prf.Size()
	out := make([]byte, 0, (keyLen+hLen-1)/hLen*hLen)
	var ctr [4]byte
	u := make([]byte, hLen)
	t := make([]byte, hLen)
	for block := uint32(1); len(out) < keyLen; block++ {
		binary.BigEndian.PutUint32(ctr[:], block)
		prf.Reset()
		prf.Write(salt)
		prf.Write(ctr[:])
		u = prf.Sum(u[:0])
		copy(t, u)
		for i := 1; i < iter; i++ {
			prf.Reset()
			prf.Write(u)
			u = prf.Sum(u[:0])
			for j := range t {
				t[j] ^= u[j]
			}
		}
		out = append(out, t...)
	}
	return out[:keyLen]
}

// LoadEncryptedPrivateKeyFile is LoadEncryptedPrivateKey on the contents of a file.
func LoadEncryptedPrivateKeyFile(path, passphrase string) (*rsa.PrivateKey, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return LoadEncryptedPrivateKey(b, passphrase)
}
