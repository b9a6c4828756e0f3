package signer

import (
	"crypto/des"
	"crypto/hmac"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"fmt"
	"hash"
	"os"
	"unicode/utf16"
)

var (
	oidData          = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 1}
	oidEncryptedData = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 6}

	oidKeyBag              = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 12, 10, 1, 1}
	oidPKCS8ShroudedKeyBag = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 12, 10, 1, 2}
	oidCertBag             = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 12, 10, 1, 3}
	oidX509Certificate     = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 22, 1}

	oidPBEWithSHAAnd3KeyTripleDESCBC = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 12, 1, 3}
	oidPBEWithSHAAnd2KeyTripleDESCBC = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 12, 1, 4}
	oidPBEWithSHAAnd128BitRC2CBC     = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 12, 1, 5}
	oidPBEWithSHAAnd40BitRC2CBC      = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 12, 1, 6}

	oidSHA1   = asn1.ObjectIdentifier{1, 3, 14, 3, 2, 26}
	oidSHA256 = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 1}
	oidSHA384 = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 2}
	oidSHA512 = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 3}
	oidPBMAC1 = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 5, 14}

	oidHMACWithSHA384 = asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 10}
	oidHMACWithSHA512 = asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 11}
)

type pfxPDU struct {
	Version  int
	AuthSafe contentInfo
	MacData  macData `asn1:"optional"`
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
	Value      asn1.RawValue     `asn1:"tag:0,explicit"`
	Attributes []pkcs12Attribute `asn1:"set,optional"`
}

type pkcs12Attribute struct {
	ID    asn1.ObjectIdentifier
	Value asn1.RawValue `asn1:"set"`
}

type certBag struct {
	ID   asn1.ObjectIdentifier
	Data []byte `asn1:"tag:0,explicit"`
}

type pkcs12PBEParams struct {
	Salt       []byte
	Iterations int
}

type pbmac1Params struct {
	KDF       pkix.AlgorithmIdentifier
	MACScheme pkix.AlgorithmIdentifier
}

// LoadPKCS12 reads a PKCS#12 (.p12 / .pfx) file holding the merchant's API
// certificate and private key, as WeChat Pay's certificate tool issues them
// (apiclient_cert.p12; the password is usually the merchant id, mchid).
//
// It verifies the integrity MAC (HMAC-SHA1/SHA-256/SHA-384/SHA-512 with the
// PKCS#12 key derivation, or PBMAC1 with PBKDF2) and decrypts bags protected
// with PBES2 (OpenSSL 3's default: AES-256-CBC with PBKDF2-HMAC-SHA256, or
// the other PBES2 schemes of [LoadEncryptedPrivateKey]) or with the legacy
// PKCS#12 schemes pbeWithSHAAnd3-KeyTripleDES-CBC,
// pbeWithSHAAnd2-KeyTripleDES-CBC, pbeWithSHAAnd128BitRC2-CBC and
// pbeWithSHAAnd40BitRC2-CBC (openssl pkcs12 -legacy and older WeChat Pay
// files).
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
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, tls.Certificate{}, fmt.Errorf("wxpay: read PKCS#12 file: %w", err)
	}
	k, c, tc, err := LoadPKCS12(data, password)
	if err != nil {
		return nil, nil, tls.Certificate{}, fmt.Errorf("%s: %w", path, err)
	}
	return k, c, tc, nil
}

var errPKCS12WrongPassword = keyErrorf("PKCS#12: wrong password (MAC check failed)")

func decodePKCS12(data []byte, password string) (*rsa.PrivateKey, *x509.Certificate, []*x509.Certificate, error) {
	var pfx pfxPDU
	if rest, err := asn1.Unmarshal(data, &pfx); err != nil || len(rest) != 0 {
		return nil, nil, nil, keyErrorf("PKCS#12: malformed PFX structure")
	}
	if pfx.Version != 3 {
		return nil, nil, nil, keyErrorf("PKCS#12: unsupported version %d", pfx.Version)
	}
	if !pfx.AuthSafe.ContentType.Equal(oidData) {
		return nil, nil, nil, keyErrorf("PKCS#12: unsupported authSafe content type %s (public-key integrity mode is not supported)", pfx.AuthSafe.ContentType)
	}
	authSafe, err := octetStringContent(pfx.AuthSafe.Content)
	if err != nil {
		return nil, nil, nil, err
	}
	bmpPassword := bmpString(password)
	hasMAC := len(pfx.MacData.Mac.Algorithm.Algorithm) != 0
	if hasMAC {
		ok, err := verifyPKCS12MAC(&pfx.MacData, authSafe, password, bmpPassword)
		if err != nil {
			return nil, nil, nil, err
		}
		if !ok && password == "" {
			// Some writers treat an empty password as absent (no BMP
			// terminator); OpenSSL tries both.
			ok, err = verifyPKCS12MAC(&pfx.MacData, authSafe, password, nil)
			if err != nil {
				return nil, nil, nil, err
			}
			if ok {
				bmpPassword = nil
			}
		}
		if !ok {
			return nil, nil, nil, errPKCS12WrongPassword
		}
	}

	var safes []contentInfo
	if rest, err := asn1.Unmarshal(authSafe, &safes); err != nil || len(rest) != 0 {
		return nil, nil, nil, keyErrorf("PKCS#12: malformed AuthenticatedSafe")
	}
	var keys []*rsa.PrivateKey
	var certs []*x509.Certificate
	wrong := func(err error) error {
		if errors.Is(err, errWrongPassphrase) {
			if hasMAC { // MAC was right, so the file itself is broken
				return keyErrorf("PKCS#12: cannot decrypt a bag although the MAC verified (corrupt file)")
			}
			return keyErrorf("PKCS#12: wrong password (decryption failed)")
		}
		return err
	}
	for _, ci := range safes {
		var bagsDER []byte
		switch {
		case ci.ContentType.Equal(oidData):
			if bagsDER, err = octetStringContent(ci.Content); err != nil {
				return nil, nil, nil, err
			}
		case ci.ContentType.Equal(oidEncryptedData):
			var ed encryptedData
			inner, err := explicitInner(ci.Content)
			if err != nil {
				return nil, nil, nil, err
			}
			if rest, err := asn1.Unmarshal(inner.FullBytes, &ed); err != nil || len(rest) != 0 {
				return nil, nil, nil, keyErrorf("PKCS#12: malformed EncryptedData")
			}
			enc, err := implicitOctetString(ed.EncryptedContentInfo.EncryptedContent)
			if err != nil {
				return nil, nil, nil, err
			}
			if bagsDER, err = decryptPKCS12(ed.EncryptedContentInfo.ContentEncryptionAlgorithm, password, bmpPassword, enc); err != nil {
				return nil, nil, nil, wrong(err)
			}
		default:
			return nil, nil, nil, keyErrorf("PKCS#12: unsupported content type %s (public-key privacy mode is not supported)", ci.ContentType)
		}
		var bags []safeBag
		if rest, err := asn1.Unmarshal(bagsDER, &bags); err != nil || len(rest) != 0 {
			if ci.ContentType.Equal(oidEncryptedData) && !hasMAC {
				return nil, nil, nil, keyErrorf("PKCS#12: wrong password (decryption failed)")
			}
			return nil, nil, nil, keyErrorf("PKCS#12: malformed SafeContents")
		}
		for _, bag := range bags {
			val, err := explicitInner(bag.Value)
			if err != nil {
				return nil, nil, nil, err
			}
			switch {
			case bag.ID.Equal(oidCertBag):
				var cb certBag
				if rest, err := asn1.Unmarshal(val.FullBytes, &cb); err != nil || len(rest) != 0 {
					return nil, nil, nil, keyErrorf("PKCS#12: malformed CertBag")
				}
				if !cb.ID.Equal(oidX509Certificate) {
					continue // SDSI or other certificate types: ignored
				}
				c, err := x509.ParseCertificate(cb.Data)
				if err != nil {
					return nil, nil, nil, keyErrorf("PKCS#12: parse certificate: %v", err)
				}
				certs = append(certs, c)
			case bag.ID.Equal(oidKeyBag), bag.ID.Equal(oidPKCS8ShroudedKeyBag):
				der := val.FullBytes
				if bag.ID.Equal(oidPKCS8ShroudedKeyBag) {
					var info encryptedPrivateKeyInfo
					if rest, err := asn1.Unmarshal(der, &info); err != nil || len(rest) != 0 {
						return nil, nil, nil, keyErrorf("PKCS#12: malformed shrouded key bag")
					}
					if der, err = decryptPKCS12(info.Algo, password, bmpPassword, info.EncryptedData); err != nil {
						return nil, nil, nil, wrong(err)
					}
				}
				k, err := x509.ParsePKCS8PrivateKey(der)
				if err != nil {
					if bag.ID.Equal(oidPKCS8ShroudedKeyBag) && !hasMAC {
						return nil, nil, nil, keyErrorf("PKCS#12: wrong password (decryption failed)")
					}
					return nil, nil, nil, keyErrorf("PKCS#12: parse PKCS#8 private key: %v", err)
				}
				rk, err := checkRSAPrivateKey(k)
				if err != nil {
					return nil, nil, nil, fmt.Errorf("PKCS#12: %w", err)
				}
				keys = append(keys, rk)
			}
			// CRL, secret and nested SafeContents bags are ignored.
		}
	}
	switch len(keys) {
	case 0:
		return nil, nil, nil, keyErrorf("PKCS#12: the file contains no private key")
	case 1:
	default:
		return nil, nil, nil, keyErrorf("PKCS#12: the file contains %d private keys, want exactly one", len(keys))
	}
	key := keys[0]
	for _, c := range certs {
		if pub, ok := c.PublicKey.(*rsa.PublicKey); ok && key.PublicKey.Equal(pub) {
			return key, c, certs, nil
		}
	}
	return nil, nil, nil, keyErrorf("PKCS#12: no certificate in the file matches the private key (%d certificates)", len(certs))
}

// octetStringContent returns the contents of an OCTET STRING (the [0]
// EXPLICIT content of a ContentInfo), joining the segments of a
// constructed (BER) one.
func octetStringContent(v asn1.RawValue) ([]byte, error) {
	v, err := explicitInner(v)
	if err != nil {
		return nil, err
	}
	if v.Class != asn1.ClassUniversal || v.Tag != asn1.TagOctetString {
		return nil, keyErrorf("PKCS#12: expected OCTET STRING content")
	}
	if !v.IsCompound {
		return v.Bytes, nil
	}
	return joinSegments(v.Bytes)
}

// explicitInner returns the element inside a [0] EXPLICIT wrapper (Go's
// encoding/asn1 hands a RawValue field the wrapper itself).
func explicitInner(v asn1.RawValue) (asn1.RawValue, error) {
	var inner asn1.RawValue
	if v.Class != asn1.ClassContextSpecific || v.Tag != 0 || !v.IsCompound {
		return inner, keyErrorf("PKCS#12: expected [0] EXPLICIT content")
	}
	if rest, err := asn1.Unmarshal(v.Bytes, &inner); err != nil || len(rest) != 0 {
		return inner, keyErrorf("PKCS#12: malformed [0] EXPLICIT content")
	}
	return inner, nil
}

// implicitOctetString returns the contents of an [0] IMPLICIT OCTET STRING,
// primitive or constructed.
func implicitOctetString(v asn1.RawValue) ([]byte, error) {
	if v.FullBytes == nil {
		return nil, keyErrorf("PKCS#12: EncryptedData has no content")
	}
	if !v.IsCompound {
		return v.Bytes, nil
	}
	return joinSegments(v.Bytes)
}

func joinSegments(b []byte) ([]byte, error) {
	var out []byte
	for len(b) > 0 {
		var seg asn1.RawValue
		rest, err := asn1.Unmarshal(b, &seg)
		if err != nil || seg.Class != asn1.ClassUniversal || seg.Tag != asn1.TagOctetString {
			return nil, keyErrorf("PKCS#12: malformed constructed OCTET STRING")
		}
		if seg.IsCompound {
			inner, err := joinSegments(seg.Bytes)
			if err != nil {
				return nil, err
			}
			out = append(out, inner...)
		} else {
			out = append(out, seg.Bytes...)
		}
		b = rest
	}
	return out, nil
}

// verifyPKCS12MAC reports whether the MAC over authSafe matches. Unsupported
// or malformed MAC parameters are errors.
func verifyPKCS12MAC(md *macData, authSafe []byte, password string, bmpPassword []byte) (bool, error) {
	alg := md.Mac.Algorithm.Algorithm
	if alg.Equal(oidPBMAC1) {
		return verifyPBMAC1(md, authSafe, password)
	}
	h, _, err := pkcs12Hash(alg)
	if err != nil {
		return false, err
	}
	if md.Iterations < 1 || md.Iterations > maxPBEIterations {
		return false, keyErrorf("PKCS#12: MAC iteration count %d out of range", md.Iterations)
	}
	size := h().Size()
	key := pkcs12KDF(h, 3, bmpPassword, md.MacSalt, md.Iterations, size)
	mac := hmac.New(h, key)
	mac.Write(authSafe)
	return hmac.Equal(mac.Sum(nil), md.Mac.Digest), nil
}

// verifyPBMAC1 checks a PBMAC1 (RFC 9579) MAC: HMAC keyed with PBKDF2 of the
// UTF-8 password.
func verifyPBMAC1(md *macData, authSafe []byte, password string) (bool, error) {
	var p pbmac1Params
	if rest, err := asn1.Unmarshal(md.Mac.Algorithm.Parameters.FullBytes, &p); err != nil || len(rest) != 0 {
		return false, keyErrorf("PKCS#12: malformed PBMAC1 parameters")
	}
	if !p.KDF.Algorithm.Equal(oidPBKDF2) {
		return false, keyErrorf("PKCS#12: unsupported PBMAC1 key derivation function %s", p.KDF.Algorithm)
	}
	var kdf pbkdf2Params
	if rest, err := asn1.Unmarshal(p.KDF.Parameters.FullBytes, &kdf); err != nil || len(rest) != 0 {
		return false, keyErrorf("PKCS#12: malformed PBMAC1 PBKDF2 parameters")
	}
	if kdf.Iterations < 1 || kdf.Iterations > maxPBEIterations {
		return false, keyErrorf("PKCS#12: PBMAC1 iteration count %d out of range", kdf.Iterations)
	}
	prf, err := hmacHash(kdf.PRF.Algorithm)
	if err != nil {
		return false, err
	}
	macHash, err := hmacHash(p.MACScheme.Algorithm)
	if err != nil || len(p.MACScheme.Algorithm) == 0 {
		return false, keyErrorf("PKCS#12: unsupported PBMAC1 MAC scheme %s", p.MACScheme.Algorithm)
	}
	if kdf.KeyLength < 1 || kdf.KeyLength > 1024 {
		return false, keyErrorf("PKCS#12: PBMAC1 key length %d out of range", kdf.KeyLength)
	}
	key := pbkdf2Key(prf, []byte(password), kdf.Salt, kdf.Iterations, kdf.KeyLength)
	mac := hmac.New(macHash, key)
	mac.Write(authSafe)
	return hmac.Equal(mac.Sum(nil), md.Mac.Digest), nil
}

func hmacHash(oid asn1.ObjectIdentifier) (func() hash.Hash, error) {
	switch {
	case len(oid) == 0, oid.Equal(oidHMACWithSHA1):
		return sha1.New, nil
	case oid.Equal(oidHMACWithSHA256):
		return sha256.New, nil
	case oid.Equal(oidHMACWithSHA384):
		return sha512.New384, nil
	case oid.Equal(oidHMACWithSHA512):
		return sha512.New, nil
	}
	return nil, keyErrorf("PKCS#12: unsupported HMAC algorithm %s", oid)
}

// pkcs12Hash maps a digest OID to the hash and its block size v.
func pkcs12Hash(oid asn1.ObjectIdentifier) (func() hash.Hash, int, error) {
	switch {
	case oid.Equal(oidSHA1):
		return sha1.New, 64, nil
	case oid.Equal(oidSHA256):
		return sha256.New, 64, nil
	case oid.Equal(oidSHA384):
		return sha512.New384, 128, nil
	case oid.Equal(oidSHA512):
		return sha512.New, 128, nil
	}
	return nil, 0, keyErrorf("PKCS#12: unsupported MAC digest algorithm %s", oid)
}

// decryptPKCS12 decrypts data protected with PBES2 (password as UTF-8) or
// one of the PKCS#12 PBE schemes (BMPString password, PKCS#12 KDF with
// SHA-1).
func decryptPKCS12(algo pkix.AlgorithmIdentifier, password string, bmpPassword, data []byte) ([]byte, error) {
	if algo.Algorithm.Equal(oidPBES2) {
		return decryptPBES2(algo, []byte(password), data)
	}
	var keyLen, rc2Bits int
	switch a := algo.Algorithm; {
	case a.Equal(oidPBEWithSHAAnd3KeyTripleDESCBC):
		keyLen = 24
	case a.Equal(oidPBEWithSHAAnd2KeyTripleDESCBC):
		keyLen = 16
	case a.Equal(oidPBEWithSHAAnd128BitRC2CBC):
		keyLen, rc2Bits = 16, 128
	case a.Equal(oidPBEWithSHAAnd40BitRC2CBC):
		keyLen, rc2Bits = 5, 40
	default:
		return nil, keyErrorf("PKCS#12: unsupported encryption scheme %s", a)
	}
	var p pkcs12PBEParams
	if rest, err := asn1.Unmarshal(algo.Parameters.FullBytes, &p); err != nil || len(rest) != 0 {
		return nil, keyErrorf("PKCS#12: malformed PBE parameters")
	}
	if p.Iterations < 1 || p.Iterations > maxPBEIterations {
		return nil, keyErrorf("PKCS#12: PBE iteration count %d out of range", p.Iterations)
	}
	key := pkcs12KDF(sha1.New, 1, bmpPassword, p.Salt, p.Iterations, keyLen)
	iv := pkcs12KDF(sha1.New, 2, bmpPassword, p.Salt, p.Iterations, 8)
	if rc2Bits != 0 {
		block, err := newRC2(key, rc2Bits)
		if err != nil {
			return nil, err
		}
		return cbcDecrypt(block, iv, data)
	}
	if keyLen == 16 { // two-key 3DES: K1 K2 K1
		key = append(key, key[:8]...)
	}
	block, err := des.NewTripleDESCipher(key)
	if err != nil {
		return nil, keyErrorf("PKCS#12: 3DES: %v", err)
	}
	return cbcDecrypt(block, iv, data)
}

// bmpString encodes s as a NUL-terminated big-endian UTF-16 string, the
// password form the PKCS#12 KDF uses (RFC 7292 appendix B.1).
func bmpString(s string) []byte {
	u := utf16.Encode([]rune(s))
	out := make([]byte, 0, 2*len(u)+2)
	for _, c := range u {
		out = append(out, byte(c>>8), byte(c))
	}
	return append(out, 0, 0)
}

// pkcs12KDF is the PKCS#12 key derivation function (RFC 7292 appendix
// B.2): id 1 for keys, 2 for IVs, 3 for MAC keys. The hash's block size v is
// taken from the hash.
func pkcs12KDF(newHash func() hash.Hash, id byte, password, salt []byte, iter, n int) []byte {
	h := newHash()
	u, v := h.Size(), h.BlockSize()
	d := make([]byte, v)
	for i := range d {
		d[i] = id
	}
	fill := func(src []byte) []byte {
		if len(src) == 0 {
			return nil
		}
		out := make([]byte, v*((len(src)+v-1)/v))
		for i := range out {
			out[i] = src[i%len(src)]
		}
		return out
	}
	I := append(fill(salt), fill(password)...)
	out := make([]byte, 0, n+u)
	b := make([]byte, v)
	for {
		h.Reset()
		h.Write(d)
		h.Write(I)
		a := h.Sum(nil)
		for r := 1; r < iter; r++ {
			h.Reset()
			h.Write(a)
			a = h.Sum(a[:0])
		}
		out = append(out, a...)
		if len(out) >= n {
			return out[:n]
		}
		for i := range b {
			b[i] = a[i%u]
		}
		// I_j = (I_j + B + 1) mod 2^(8v) for each v-byte block I_j of I.
		for j := 0; j < len(I); j += v {
			carry := uint16(1)
			for k := v - 1; k >= 0; k-- {
				s := uint16(I[j+k]) + uint16(b[k]) + carry
				I[j+k] = byte(s)
				carry = s >> 8
			}
		}
	}
}
