package keys

import (
	"crypto/hmac"
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"fmt"
	"strings"

	gopkcs12 "software.sslmate.com/src/go-pkcs12"
)

// The PKCS#12 file itself is decoded by software.sslmate.com/src/go-pkcs12
// (the maintained fork of golang.org/x/crypto/pkcs12, which cannot read
// OpenSSL 3's PBES2 files). What is here walks the unencrypted outer layers
// with encoding/asn1 only to price the key derivations before the library
// runs them, to let files without a MAC through (see addMAC), and to turn
// the library's errors into this package's.

var (
	oidData          = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 1}
	oidEncryptedData = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 6}

	oidPKCS8ShroudedKeyBag = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 12, 10, 1, 2}

	oidPBEWithSHAAnd3KeyTripleDESCBC = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 12, 1, 3}
	oidPBEWithSHAAnd128BitRC2CBC     = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 12, 1, 5}
	oidPBEWithSHAAnd40BitRC2CBC      = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 12, 1, 6}

	oidSHA1   = asn1.ObjectIdentifier{1, 3, 14, 3, 2, 26}
	oidSHA256 = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 1}
	oidSHA512 = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 3}
	oidPBMAC1 = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 5, 14}
)

// pfxPDU keeps the authSafe and the MAC as raw DER: addMAC writes the
// authSafe back byte for byte.
type pfxPDU struct {
	Version  int
	AuthSafe asn1.RawValue
	MacData  asn1.RawValue `asn1:"optional"`
}

type contentInfo struct {
	ContentType asn1.ObjectIdentifier
	Content     asn1.RawValue `asn1:"tag:0,explicit,optional"`
}

type macData struct {
	Mac        digestInfo
	MacSalt    []byte
	Iterations int `asn1:"optional,default:1"`
}

type digestInfo struct {
	Algorithm pkix.AlgorithmIdentifier
	Digest    []byte
}

type pbmac1Params struct {
	KDF       pkix.AlgorithmIdentifier
	MACScheme pkix.AlgorithmIdentifier
}

type encryptedData struct {
	Version              int
	EncryptedContentInfo encryptedContentInfo
}

type encryptedContentInfo struct {
	ContentType                asn1.ObjectIdentifier
	ContentEncryptionAlgorithm pkix.AlgorithmIdentifier
	EncryptedContent           asn1.RawValue `asn1:"tag:0,optional"`
}

type safeBag struct {
	ID         asn1.ObjectIdentifier
	Value      asn1.RawValue `asn1:"tag:0,explicit"`
	Attributes asn1.RawValue `asn1:"optional"`
}

type pkcs12PBEParams struct {
	Salt       []byte
	Iterations int
}

// LoadPKCS12 reads a PKCS#12 (.p12 / .pfx) file holding the merchant's API
// certificate and private key, as WeChat Pay's certificate tool issues them
// (apiclient_cert.p12; the password is usually the merchant id, mchid).
//
// The file is decoded by software.sslmate.com/src/go-pkcs12: the integrity
// MAC (HMAC-SHA1/SHA-256/SHA-512 with the PKCS#12 key derivation, or PBMAC1)
// is verified, and bags protected with PBES2 (OpenSSL 3's default:
// AES-256-CBC with PBKDF2-HMAC-SHA256) or with the legacy PKCS#12 schemes
// pbeWithSHAAnd3-KeyTripleDES-CBC, pbeWithSHAAnd128BitRC2-CBC and
// pbeWithSHAAnd40BitRC2-CBC (openssl pkcs12 -legacy and older WeChat Pay
// files) are decrypted. A file without a MAC ("openssl pkcs12 -nomac") is
// read too; a wrong password is then detected by the decryption. Inputs
// over [MaxInputSize] and files whose key derivations would cost more than
// the package's work budget are refused before any derivation runs.
//
// The file must hold exactly one RSA private key (at least [MinRSABits]
// bits) and a certificate whose public key matches it. LoadPKCS12 returns
// the key, that leaf certificate, and a tls.Certificate for mutual TLS whose
// chain is the leaf followed by the file's other certificates, with Leaf
// set.
//
// All errors wrap [ErrKey]; a wrong password gives "wrong password (MAC
// check failed)" (or "(decryption failed)" for files without a MAC).
func LoadPKCS12(data []byte, password string) (*rsa.PrivateKey, *x509.Certificate, tls.Certificate, error) {
	key, leaf, chain, err := decodePKCS12(data, password)
	if err != nil {
		return nil, nil, tls.Certificate{}, err
	}
	tc := tls.Certificate{
		Certificate: [][]byte{leaf.Raw},
		PrivateKey:  key,
		Leaf:        leaf,
	}
	for _, c := range chain {
		if c != leaf {
			tc.Certificate = append(tc.Certificate, c.Raw)
		}
	}
	return key, leaf, tc, nil
}

// LoadPKCS12File reads path and calls [LoadPKCS12]. Parse errors name the
// path and wrap [ErrKey]; read errors wrap the *fs.PathError.
func LoadPKCS12File(path, password string) (*rsa.PrivateKey, *x509.Certificate, tls.Certificate, error) {
	data, err := readFile(path, "PKCS#12 file")
	if err != nil {
		return nil, nil, tls.Certificate{}, err
	}
	k, c, tc, err := LoadPKCS12(data, password)
	if err != nil {
		return nil, nil, tls.Certificate{}, fmt.Errorf("%s: %w", path, err)
	}
	return k, c, tc, nil
}

func decodePKCS12(data []byte, password string) (*rsa.PrivateKey, *x509.Certificate, []*x509.Certificate, error) {
	if len(data) > MaxInputSize {
		return nil, nil, nil, tooLarge("PKCS#12")
	}
	scan, err := scanPKCS12(data, password)
	if err != nil {
		return nil, nil, nil, err
	}
	if scan.work > maxKDFWork {
		return nil, nil, nil, keyErrorf("PKCS#12: the file asks for more key-derivation work (%d, all its iteration counts together) than the limit (%d)", scan.work, maxKDFWork)
	}
	input := data
	if !scan.hasMAC {
		if input, err = addMAC(scan, password); err != nil {
			return nil, nil, nil, err
		}
	}
	priv, first, others, err := gopkcs12.DecodeChain(input, password)
	if err != nil {
		return nil, nil, nil, pkcs12Error(err, scan.hasMAC)
	}
	key, err := checkRSAPrivateKey(priv)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("PKCS#12: %w", err)
	}
	certs := append([]*x509.Certificate{first}, others...)
	for _, c := range certs {
		if pub, ok := c.PublicKey.(*rsa.PublicKey); ok && key.PublicKey.Equal(pub) {
			return key, c, certs, nil
		}
	}
	return nil, nil, nil, keyErrorf("PKCS#12: no certificate in the file matches the private key (%d certificates)", len(certs))
}

// pkcs12Error turns an error of go-pkcs12 into an ErrKey error with this
// package's wording. Its messages name structures and OIDs, never secrets.
func pkcs12Error(err error, hasMAC bool) error {
	msg := strings.TrimPrefix(err.Error(), "pkcs12: ")
	var notImpl gopkcs12.NotImplementedError
	switch {
	case errors.Is(err, gopkcs12.ErrIncorrectPassword):
		return keyErrorf("PKCS#12: wrong password (MAC check failed)")
	case errors.As(err, &notImpl):
		return keyErrorf("PKCS#12: unsupported: %s", msg)
	case msg == "private key missing": // the bags decrypted: the password was right
		return keyErrorf("PKCS#12: the file contains no private key")
	case msg == "certificate missing":
		return keyErrorf("PKCS#12: the file contains no certificate")
	case msg == "expected exactly one key bag":
		return keyErrorf("PKCS#12: the file contains more than one private key, want exactly one")
	case !hasMAC:
		// Without a MAC, a wrong password surfaces as bad padding or as
		// garbage where the decrypted bags or key should be.
		return keyErrorf("PKCS#12: wrong password (decryption failed)")
	case strings.Contains(msg, gopkcs12.ErrDecryption.Error()):
		return keyErrorf("PKCS#12: cannot decrypt a bag although the MAC verified (corrupt file)")
	}
	return keyErrorf("PKCS#12: %s", msg)
}

// pkcs12Scan is what scanPKCS12 learns from the unencrypted layers.
type pkcs12Scan struct {
	hasMAC   bool
	work     int64  // key-derivation work the visible parameters ask for
	authSafe []byte // the content of the authSafe OCTET STRING (what the MAC covers)
	raw      pfxPDU
}

// scanPKCS12 parses the PFX's unencrypted layers (the same DER go-pkcs12
// accepts) and adds up the key-derivation work they name: the MAC, each
// encrypted safe, each shrouded key bag in a plain safe. Algorithms the
// library cannot run are refused here with their OID. password only
// matters for its emptiness: go-pkcs12 tries an empty password's MAC twice.
func scanPKCS12(data []byte, password string) (*pkcs12Scan, error) {
	s := &pkcs12Scan{}
	if rest, err := asn1.Unmarshal(data, &s.raw); err != nil || len(rest) != 0 {
		return nil, keyErrorf("PKCS#12: malformed PFX structure")
	}
	if s.raw.Version != 3 {
		return nil, keyErrorf("PKCS#12: unsupported version %d", s.raw.Version)
	}
	var auth contentInfo
	if rest, err := asn1.Unmarshal(s.raw.AuthSafe.FullBytes, &auth); err != nil || len(rest) != 0 {
		return nil, keyErrorf("PKCS#12: malformed authSafe")
	}
	if !auth.ContentType.Equal(oidData) {
		return nil, keyErrorf("PKCS#12: unsupported authSafe content type %s (public-key integrity mode is not supported)", auth.ContentType)
	}
	if rest, err := asn1.Unmarshal(auth.Content.Bytes, &s.authSafe); err != nil || len(rest) != 0 {
		return nil, keyErrorf("PKCS#12: malformed authSafe content")
	}
	if len(s.raw.MacData.FullBytes) > 0 {
		s.hasMAC = true
		w, err := macWork(s.raw.MacData.FullBytes)
		if err != nil {
			return nil, err
		}
		if password == "" {
			w *= 2 // at most 2·(maxKDFWork+1): no overflow
		}
		s.work += w
	}
	var safes []contentInfo
	if rest, err := asn1.Unmarshal(s.authSafe, &safes); err != nil || len(rest) != 0 {
		return nil, keyErrorf("PKCS#12: malformed AuthenticatedSafe")
	}
	for _, ci := range safes {
		switch {
		case ci.ContentType.Equal(oidData):
			var bagsDER []byte
			if rest, err := asn1.Unmarshal(ci.Content.Bytes, &bagsDER); err != nil || len(rest) != 0 {
				return nil, keyErrorf("PKCS#12: malformed Data safe")
			}
			var bags []safeBag
			if rest, err := asn1.Unmarshal(bagsDER, &bags); err != nil || len(rest) != 0 {
				return nil, keyErrorf("PKCS#12: malformed SafeContents")
			}
			for _, bag := range bags {
				if !bag.ID.Equal(oidPKCS8ShroudedKeyBag) {
					continue
				}
				var info encryptedPrivateKeyInfo
				if rest, err := asn1.Unmarshal(bag.Value.Bytes, &info); err != nil || len(rest) != 0 {
					return nil, keyErrorf("PKCS#12: malformed shrouded key bag")
				}
				w, err := pbeWork(info.Algo)
				if err != nil {
					return nil, err
				}
				s.work += w
			}
		case ci.ContentType.Equal(oidEncryptedData):
			var ed encryptedData
			if rest, err := asn1.Unmarshal(ci.Content.Bytes, &ed); err != nil || len(rest) != 0 {
				return nil, keyErrorf("PKCS#12: malformed EncryptedData")
			}
			w, err := pbeWork(ed.EncryptedContentInfo.ContentEncryptionAlgorithm)
			if err != nil {
				return nil, err
			}
			s.work += w
		default:
			return nil, keyErrorf("PKCS#12: unsupported content type %s (public-key privacy mode is not supported)", ci.ContentType)
		}
		if s.work > maxKDFWork {
			return s, nil // enough to refuse (the caller says so), and no sum can overflow
		}
	}
	return s, nil
}

// macWork prices the MAC in maxKDFWork units: the PKCS#12 KDF runs
// Iterations hashes for one block (the key is one digest long); PBMAC1 runs
// PBKDF2.
func macWork(der []byte) (int64, error) {
	var md macData
	if rest, err := asn1.Unmarshal(der, &md); err != nil || len(rest) != 0 {
		return 0, keyErrorf("PKCS#12: malformed MacData")
	}
	switch alg := md.Mac.Algorithm.Algorithm; {
	case alg.Equal(oidSHA1), alg.Equal(oidSHA256), alg.Equal(oidSHA512):
		if md.Iterations < 1 {
			return 0, keyErrorf("PKCS#12: MAC iteration count %d out of range", md.Iterations)
		}
		weight := 1
		if alg.Equal(oidSHA512) {
			weight = 3
		}
		return kdfWork(md.Iterations, 1, 1, weight), nil
	case alg.Equal(oidPBMAC1):
		var p pbmac1Params
		if rest, err := asn1.Unmarshal(md.Mac.Algorithm.Parameters.FullBytes, &p); err != nil || len(rest) != 0 {
			return 0, keyErrorf("PKCS#12: malformed PBMAC1 parameters")
		}
		if !p.KDF.Algorithm.Equal(oidPBKDF2) {
			return 0, keyErrorf("PKCS#12: unsupported PBMAC1 key derivation function %s", p.KDF.Algorithm)
		}
		var kdf pbkdf2Params
		if rest, err := asn1.Unmarshal(p.KDF.Parameters.FullBytes, &kdf); err != nil || len(rest) != 0 {
			return 0, keyErrorf("PKCS#12: malformed PBMAC1 PBKDF2 parameters")
		}
		if kdf.Iterations < 1 {
			return 0, keyErrorf("PKCS#12: PBMAC1 iteration count %d out of range", kdf.Iterations)
		}
		_, size, weight, err := pbkdf2PRF(kdf.PRF.Algorithm)
		if err != nil {
			return 0, fmt.Errorf("PKCS#12: PBMAC1: %w", err)
		}
		if kdf.KeyLength < 1 || kdf.KeyLength > 64 { // go-pkcs12 refuses these before deriving
			return 0, keyErrorf("PKCS#12: PBMAC1 key length %d out of range", kdf.KeyLength)
		}
		return kdfWork(kdf.Iterations, kdf.KeyLength, size, weight), nil
	default:
		return 0, keyErrorf("PKCS#12: unsupported MAC algorithm %s", alg)
	}
}

// pbeWork prices one bag or safe encryption. The legacy schemes derive the
// key and the IV with the PKCS#12 KDF (SHA-1, 20-byte blocks); PBES2 runs
// PBKDF2 once.
func pbeWork(algo pkix.AlgorithmIdentifier) (int64, error) {
	var keyLen int
	switch a := algo.Algorithm; {
	case a.Equal(oidPBES2):
		p, err := parsePBES2(algo)
		if err != nil {
			return 0, fmt.Errorf("PKCS#12: %w", err)
		}
		return p.work(), nil
	case a.Equal(oidPBEWithSHAAnd3KeyTripleDESCBC):
		keyLen = 24
	case a.Equal(oidPBEWithSHAAnd128BitRC2CBC):
		keyLen = 16
	case a.Equal(oidPBEWithSHAAnd40BitRC2CBC):
		keyLen = 5
	default:
		return 0, keyErrorf("PKCS#12: unsupported encryption scheme %s", a)
	}
	var p pkcs12PBEParams
	if rest, err := asn1.Unmarshal(algo.Parameters.FullBytes, &p); err != nil || len(rest) != 0 {
		return 0, keyErrorf("PKCS#12: malformed PBE parameters")
	}
	if p.Iterations < 1 {
		return 0, keyErrorf("PKCS#12: PBE iteration count %d out of range", p.Iterations)
	}
	const iv = 8
	return kdfWork(p.Iterations, keyLen, sha1Size, 1) + kdfWork(p.Iterations, iv, sha1Size, 1), nil
}

const sha1Size = 20

// addMAC returns the PFX with a PBMAC1 MAC (RFC 9579: PBKDF2-HMAC-SHA256,
// one iteration, HMAC-SHA256) computed here with password over the
// authSafe. go-pkcs12 reads a file without a MAC only with an empty
// password; such files ("openssl pkcs12 -nomac") have never had integrity
// protection, so giving them a MAC that always verifies changes nothing
// but lets the library decrypt them. A wrong password then shows as a
// decryption failure, as before.
func addMAC(s *pkcs12Scan, password string) ([]byte, error) {
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return nil, keyErrorf("PKCS#12: %v", err)
	}
	const keyLen = sha256.Size
	kdfParams, err := asn1.Marshal(pbkdf2Params{Salt: salt, Iterations: 1, KeyLength: keyLen,
		PRF: pkix.AlgorithmIdentifier{Algorithm: oidHMACWithSHA256, Parameters: asn1.NullRawValue}})
	if err != nil {
		return nil, keyErrorf("PKCS#12: %v", err)
	}
	params, err := asn1.Marshal(pbmac1Params{
		KDF:       pkix.AlgorithmIdentifier{Algorithm: oidPBKDF2, Parameters: asn1.RawValue{FullBytes: kdfParams}},
		MACScheme: pkix.AlgorithmIdentifier{Algorithm: oidHMACWithSHA256, Parameters: asn1.NullRawValue},
	})
	if err != nil {
		return nil, keyErrorf("PKCS#12: %v", err)
	}
	key, err := pbkdf2.Key(sha256.New, password, salt, 1, keyLen)
	if err != nil {
		return nil, keyErrorf("PKCS#12: %v", err)
	}
	mac := hmac.New(sha256.New, key)
	mac.Write(s.authSafe)
	md, err := asn1.Marshal(macData{
		Mac: digestInfo{
			Algorithm: pkix.AlgorithmIdentifier{Algorithm: oidPBMAC1, Parameters: asn1.RawValue{FullBytes: params}},
			Digest:    mac.Sum(nil),
		},
		MacSalt:    salt, // ignored by PBMAC1
		Iterations: 1,
	})
	if err != nil {
		return nil, keyErrorf("PKCS#12: %v", err)
	}
	out, err := asn1.Marshal(pfxPDU{Version: s.raw.Version, AuthSafe: s.raw.AuthSafe, MacData: asn1.RawValue{FullBytes: md}})
	if err != nil {
		return nil, keyErrorf("PKCS#12: %v", err)
	}
	return out, nil
}
