package keys

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/des"
	"crypto/pbkdf2"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/pem"
	"errors"
	"fmt"
	"hash"
	"strings"
)

var (
	oidPBES2          = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 5, 13}
	oidPBKDF2         = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 5, 12}
	oidHMACWithSHA1   = asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 7}
	oidHMACWithSHA256 = asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 9}
	oidHMACWithSHA512 = asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 11}
	oidAES128CBC      = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 1, 2}
	oidAES192CBC      = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 1, 22}
	oidAES256CBC      = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 1, 42}
	oidDESEDE3CBC     = asn1.ObjectIdentifier{1, 2, 840, 113549, 3, 7}
)

// maxKDFWork is the key-derivation work one input may ask for, in PBKDF2
// (or PKCS#12 KDF) iterations times output blocks, summed over every
// derivation the input names. One unit is one HMAC (or hash) of one block:
// about 0.1–0.3 µs, so the budget is about a second at worst. OpenSSL's
// default is 2,048 per derivation (a .p12 file names three or four), Java's
// 10,000, and the heaviest setting in common advice (600,000 for
// PBKDF2-HMAC-SHA256) still fits.
const maxKDFWork = 4_000_000

// errWrongPassphrase is returned (wrapped) by the decryption helper when the
// padding is invalid, which is what a wrong passphrase produces; callers turn
// it into their own message.
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
// Supported: PBES2 with PBKDF2 (HMAC-SHA1, HMAC-SHA256 or HMAC-SHA512; the
// standard library's crypto/pbkdf2) and AES-128/192/256-CBC or DES-EDE3-CBC
// (openssl's defaults and -v2 choices). An iteration count whose work
// exceeds the package's budget (see the package documentation) is refused
// before any derivation runs. The same checks as [LoadPrivateKey] apply to
// the decrypted key (RSA, at least [MinRSABits] bits).
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
	p, err := parsePBES2(info.Algo)
	if err != nil {
		return nil, err
	}
	if w := p.work(); w > maxKDFWork {
		return nil, keyErrorf("PBKDF2 work %d (iterations × blocks) is over the limit of %d", w, maxKDFWork)
	}
	plain, err := p.decrypt([]byte(passphrase), info.EncryptedData)
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

// LoadEncryptedPrivateKeyFile reads path and calls [LoadEncryptedPrivateKey].
// Parse errors name the path and wrap [ErrKey]; read errors wrap the
// *fs.PathError.
func LoadEncryptedPrivateKeyFile(path, passphrase string) (*rsa.PrivateKey, error) {
	data, err := readFile(path, "encrypted private key")
	if err != nil {
		return nil, err
	}
	k, err := LoadEncryptedPrivateKey(data, passphrase)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return k, nil
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

// pbes2 is a parsed PBES2 scheme (RFC 8018 section 6.2) with PBKDF2.
type pbes2 struct {
	prf      func() hash.Hash
	prfSize  int
	salt     []byte
	iter     int
	keyLen   int
	newBlock func([]byte) (cipher.Block, error)
	iv       []byte
}

// parsePBES2 reads the PBES2 parameters of algo. Anything it does not
// support is an ErrKey error naming the OID; nothing is derived yet.
func parsePBES2(algo pkix.AlgorithmIdentifier) (*pbes2, error) {
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
	if kdf.Iterations < 1 {
		return nil, keyErrorf("PBKDF2 iteration count %d out of range", kdf.Iterations)
	}
	p := &pbes2{salt: kdf.Salt, iter: kdf.Iterations}
	var err error
	if p.prf, p.prfSize, err = pbkdf2PRF(kdf.PRF.Algorithm); err != nil {
		return nil, err
	}
	switch s := params.Scheme.Algorithm; {
	case s.Equal(oidAES128CBC):
		p.keyLen, p.newBlock = 16, aes.NewCipher
	case s.Equal(oidAES192CBC):
		p.keyLen, p.newBlock = 24, aes.NewCipher
	case s.Equal(oidAES256CBC):
		p.keyLen, p.newBlock = 32, aes.NewCipher
	case s.Equal(oidDESEDE3CBC):
		p.keyLen, p.newBlock = 24, des.NewTripleDESCipher
	default:
		return nil, keyErrorf("unsupported PBES2 encryption scheme %s (supported: AES-128/192/256-CBC, DES-EDE3-CBC)", s)
	}
	if kdf.KeyLength != 0 && kdf.KeyLength != p.keyLen {
		return nil, keyErrorf("PBKDF2 key length %d does not match the cipher's %d", kdf.KeyLength, p.keyLen)
	}
	if rest, err := asn1.Unmarshal(params.Scheme.Parameters.FullBytes, &p.iv); err != nil || len(rest) != 0 {
		return nil, keyErrorf("malformed PBES2 cipher IV")
	}
	return p, nil
}

// pbkdf2PRF maps a PBKDF2 PRF OID (absent means HMAC-SHA1) to its hash and
// output size.
func pbkdf2PRF(oid asn1.ObjectIdentifier) (func() hash.Hash, int, error) {
	switch {
	case len(oid) == 0, oid.Equal(oidHMACWithSHA1):
		return sha1.New, sha1.Size, nil
	case oid.Equal(oidHMACWithSHA256):
		return sha256.New, sha256.Size, nil
	case oid.Equal(oidHMACWithSHA512):
		return sha512.New, sha512.Size, nil
	}
	return nil, 0, keyErrorf("unsupported PBKDF2 PRF %s (supported: hmacWithSHA1, hmacWithSHA256, hmacWithSHA512)", oid)
}

// work is the derivation's cost: iterations times output blocks.
func (p *pbes2) work() int64 { return kdfWork(p.iter, p.keyLen, p.prfSize) }

// kdfWork is iter × ⌈keyLen/blockSize⌉, the number of iterated HMACs (or
// hashes) a PBKDF2 or PKCS#12 KDF derivation runs; negative counts are 0.
func kdfWork(iter, keyLen, blockSize int) int64 {
	if iter < 0 {
		iter = 0
	}
	return int64(iter) * int64((keyLen+blockSize-1)/blockSize)
}

// decrypt derives the key with the standard library's PBKDF2 and decrypts
// data (CBC, PKCS#7 padding). Bad padding wraps errWrongPassphrase.
func (p *pbes2) decrypt(password, data []byte) ([]byte, error) {
	key, err := pbkdf2.Key(p.prf, string(password), p.salt, p.iter, p.keyLen)
	if err != nil {
		return nil, keyErrorf("PBKDF2: %v", err)
	}
	block, err := p.newBlock(key)
	if err != nil {
		return nil, keyErrorf("PBES2 cipher: %v", err)
	}
	return cbcDecrypt(block, p.iv, data)
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
