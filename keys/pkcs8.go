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

// maxKDFWork is the key-derivation work one input may ask for, summed over
// every password-based derivation it names. The unit is one iteration of the
// PKCS#12 KDF with SHA-1 or SHA-256 (one hash of one block); an iteration of
// the PKCS#12 KDF with SHA-512 costs 3 units, one of PBKDF2 2 (HMAC-SHA1),
// 3 (HMAC-SHA256) or 6 (HMAC-SHA512) per output block (see kdfWork). So
// weighted, every kind measured about 0.1 µs a unit, and the budget is about
// 0.6 s of one core (more on a busy machine). OpenSSL writes 2,048 iterations
// per derivation (a .p12 file names three), Java 10,000; the budget admits a
// single PBKDF2-HMAC-SHA256 derivation of 2,000,000 iterations, or a .p12
// file with about 850,000 in each of its three.
const maxKDFWork = 6_000_000

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
		return nil, keyErrorf("PBKDF2 with %d iterations is more key-derivation work (%d) than the limit (%d)", p.iter, w, maxKDFWork)
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
	weight   int
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
	if p.prf, p.prfSize, p.weight, err = pbkdf2PRF(kdf.PRF.Algorithm); err != nil {
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

// pbkdf2PRF maps a PBKDF2 PRF OID (absent means HMAC-SHA1) to its hash,
// output size and cost per iteration and block in maxKDFWork units.
func pbkdf2PRF(oid asn1.ObjectIdentifier) (h func() hash.Hash, size, weight int, err error) {
	switch {
	case len(oid) == 0, oid.Equal(oidHMACWithSHA1):
		return sha1.New, sha1.Size, 2, nil
	case oid.Equal(oidHMACWithSHA256):
		return sha256.New, sha256.Size, 3, nil
	case oid.Equal(oidHMACWithSHA512):
		return sha512.New, sha512.Size, 6, nil
	}
	return nil, 0, 0, keyErrorf("unsupported PBKDF2 PRF %s (supported: hmacWithSHA1, hmacWithSHA256, hmacWithSHA512)", oid)
}

// work is the derivation's cost in maxKDFWork units.
func (p *pbes2) work() int64 { return kdfWork(p.iter, p.keyLen, p.prfSize, p.weight) }

// kdfWork is iter × ⌈keyLen/blockSize⌉ × weight: the iterated hashes (or
// HMACs) a PBKDF2 or PKCS#12 KDF derivation runs, times the cost of one.
// Negative counts are 0. Anything over the budget is maxKDFWork+1, so that
// sums of a few terms cannot overflow (an iteration count may be 2⁶³−1).
func kdfWork(iter, keyLen, blockSize, weight int) int64 {
	if iter <= 0 || keyLen <= 0 {
		return 0
	}
	w := int64((keyLen+blockSize-1)/blockSize) * int64(weight) // small: key lengths are fixed by the scheme
	if int64(iter) > maxKDFWork/w {
		return maxKDFWork + 1
	}
	return int64(iter) * w
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
