package keys

import (
	"bytes"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"fmt"
	"io"
	"os"
	"strings"
)

// LoadPrivateKey parses an RSA private key of at least [MinRSABits] bits from
// one of:
//   - a PEM "PRIVATE KEY" block (PKCS#8, what WeChat Pay's tool writes to
//     apiclient_key.pem);
//   - a PEM "RSA PRIVATE KEY" block (PKCS#1);
//   - bare standard base64 (padded or not, whitespace ignored) of PKCS#8 or
//     PKCS#1 DER;
//   - raw PKCS#8 or PKCS#1 DER.
//
// In PEM input other blocks (e.g. a certificate before the key) are skipped.
// Encrypted keys ("ENCRYPTED PRIVATE KEY", or "Proc-Type: 4,ENCRYPTED"),
// non-RSA keys, keys shorter than 2048 bits and unparsable input give
// errors wrapping [ErrKey].
func LoadPrivateKey(pemBytes []byte) (*rsa.PrivateKey, error) {
	typ, der, err := decodeKeyInput(pemBytes, "private key", func(b *pem.Block) (bool, error) {
		switch b.Type {
		case "PRIVATE KEY":
			return true, nil
		case "RSA PRIVATE KEY":
			if strings.Contains(b.Headers["Proc-Type"], "ENCRYPTED") {
				return false, keyErrorf("the PKCS#1 private key is encrypted; decrypt it first (openssl rsa -in key.pem -out plain.pem)")
			}
			return true, nil
		case "ENCRYPTED PRIVATE KEY":
			return false, keyErrorf("the PKCS#8 private key is encrypted; decrypt it first (openssl pkey -in key.pem -out plain.pem)")
		case "EC PRIVATE KEY", "DSA PRIVATE KEY", "OPENSSH PRIVATE KEY":
			return false, keyErrorf("PEM block %q is not an RSA private key", b.Type)
		}
		return false, nil
	})
	if err != nil {
		return nil, err
	}
	var key any
	switch typ {
	case "PRIVATE KEY":
		key, err = x509.ParsePKCS8PrivateKey(der)
		if err != nil {
			return nil, keyErrorf("parse PKCS#8 private key: %v", err)
		}
	case "RSA PRIVATE KEY":
		key, err = x509.ParsePKCS1PrivateKey(der)
		if err != nil {
			return nil, keyErrorf("parse PKCS#1 private key: %v", err)
		}
	default: // bare DER
		var err8, err1 error
		if key, err8 = x509.ParsePKCS8PrivateKey(der); err8 != nil {
			if key, err1 = x509.ParsePKCS1PrivateKey(der); err1 != nil {
				return nil, keyErrorf("DER is neither a PKCS#8 nor a PKCS#1 private key (PKCS#8: %v; PKCS#1: %v)", err8, err1)
			}
		}
	}
	return checkRSAPrivateKey(key)
}

// LoadPrivateKeyFile reads path and calls [LoadPrivateKey]. Parse errors
// name the path and wrap [ErrKey]; read errors wrap the *fs.PathError.
func LoadPrivateKeyFile(path string) (*rsa.PrivateKey, error) {
	data, err := readFile(path, "private key")
	if err != nil {
		return nil, err
	}
	k, err := LoadPrivateKey(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return k, nil
}

// LoadCertificate parses an X.509 certificate from the first PEM
// "CERTIFICATE" block, from bare base64 DER, or from raw DER. Errors wrap
// [ErrKey]. The key type is not restricted here.
func LoadCertificate(pemBytes []byte) (*x509.Certificate, error) {
	_, der, err := decodeKeyInput(pemBytes, "certificate", func(b *pem.Block) (bool, error) {
		return b.Type == "CERTIFICATE", nil
	})
	if err != nil {
		return nil, err
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, keyErrorf("parse certificate: %v", err)
	}
	return c, nil
}

// LoadCertificateFile reads path and calls [LoadCertificate].
func LoadCertificateFile(path string) (*x509.Certificate, error) {
	data, err := readFile(path, "certificate")
	if err != nil {
		return nil, err
	}
	c, err := LoadCertificate(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return c, nil
}

// LoadPublicKey parses an RSA public key of at least [MinRSABits] bits from a
// PEM "PUBLIC KEY" (SPKI, the format of WeChat Pay's pub_key.pem), "RSA
// PUBLIC KEY" (PKCS#1) or "CERTIFICATE" block, or from bare base64 / raw DER
// of any of these. Errors wrap [ErrKey].
func LoadPublicKey(pemBytes []byte) (*rsa.PublicKey, error) {
	typ, der, err := decodeKeyInput(pemBytes, "public key", func(b *pem.Block) (bool, error) {
		switch b.Type {
		case "PUBLIC KEY", "RSA PUBLIC KEY", "CERTIFICATE":
			return true, nil
		}
		return false, nil
	})
	if err != nil {
		return nil, err
	}
	var key any
	switch typ {
	case "PUBLIC KEY":
		if key, err = x509.ParsePKIXPublicKey(der); err != nil {
			return nil, keyErrorf("parse SPKI public key: %v", err)
		}
	case "RSA PUBLIC KEY":
		if key, err = x509.ParsePKCS1PublicKey(der); err != nil {
			return nil, keyErrorf("parse PKCS#1 public key: %v", err)
		}
	case "CERTIFICATE":
		c, err := x509.ParseCertificate(der)
		if err != nil {
			return nil, keyErrorf("parse certificate: %v", err)
		}
		key = c.PublicKey
	default: // bare DER
		if k, err := x509.ParsePKIXPublicKey(der); err == nil {
			key = k
		} else if k, err := x509.ParsePKCS1PublicKey(der); err == nil {
			key = k
		} else if c, err := x509.ParseCertificate(der); err == nil {
			key = c.PublicKey
		} else {
			return nil, keyErrorf("DER is not an SPKI or PKCS#1 public key or a certificate")
		}
	}
	pub, ok := key.(*rsa.PublicKey)
	if !ok {
		return nil, keyErrorf("public key is %s, not RSA", keyKind(key))
	}
	if bits := pub.N.BitLen(); bits < MinRSABits {
		return nil, keyErrorf("RSA public key is %d bits, need at least %d", bits, MinRSABits)
	}
	return pub, nil
}

// LoadPublicKeyFile reads path and calls [LoadPublicKey].
func LoadPublicKeyFile(path string) (*rsa.PublicKey, error) {
	data, err := readFile(path, "public key")
	if err != nil {
		return nil, err
	}
	k, err := LoadPublicKey(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return k, nil
}

// readFile reads at most MaxInputSize bytes of path. A read error wraps the
// *fs.PathError ("wxpay: read <what>: …"); a larger file is an ErrKey error
// naming the path.
func readFile(path, what string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("wxpay: read %s: %w", what, err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxInputSize+1))
	if err != nil {
		return nil, fmt.Errorf("wxpay: read %s: %w", what, err)
	}
	if len(data) > MaxInputSize {
		return nil, fmt.Errorf("%s: %w", path, tooLarge(what))
	}
	return data, nil
}

func tooLarge(what string) error {
	return keyErrorf("%s input is larger than %d bytes", what, MaxInputSize)
}

// decodeKeyInput finds the DER bytes in data. For PEM input it returns the
// type of the first block that accept takes (blocks it neither takes nor
// rejects are skipped). Otherwise data must be base64 of DER or raw DER, and
// typ is "".
func decodeKeyInput(data []byte, what string, accept func(*pem.Block) (bool, error)) (typ string, der []byte, err error) {
	if len(data) > MaxInputSize {
		return "", nil, tooLarge(what)
	}
	trimmed := bytes.TrimSpace(data)
	if len(trimmed) == 0 {
		return "", nil, keyErrorf("empty %s input", what)
	}
	if bytes.Contains(trimmed, []byte("-----BEGIN ")) {
		var seen []string
		rest := trimmed
		for {
			var b *pem.Block
			b, rest = pem.Decode(rest)
			if b == nil {
				break
			}
			ok, err := accept(b)
			if err != nil {
				return "", nil, err
			}
			if ok {
				return b.Type, b.Bytes, nil
			}
			if len(seen) < maxSeenTypes {
				seen = append(seen, short(b.Type))
			} else if len(seen) == maxSeenTypes {
				seen = append(seen, "…")
			}
		}
		if len(seen) == 0 {
			return "", nil, keyErrorf("no valid PEM block found in %s input", what)
		}
		return "", nil, keyErrorf("no %s PEM block found (found %q)", what, seen)
	}
	// Bare base64 ("protocol" strings) of DER, whitespace and line breaks ignored.
	compact := bytes.Map(func(r rune) rune {
		if r == ' ' || r == '\t' || r == '\r' || r == '\n' {
			return -1
		}
		return r
	}, trimmed)
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding} {
		if d, err := enc.DecodeString(string(compact)); err == nil && len(d) > 0 && d[0] == 0x30 {
			return "", d, nil
		}
	}
	if data[0] == 0x30 { // ASN.1 SEQUENCE: raw DER
		return "", data, nil
	}
	return "", nil, keyErrorf("%s input is neither PEM, base64 DER nor DER", what)
}

// maxSeenTypes bounds the PEM block types an error lists.
const maxSeenTypes = 5

// short cuts s (a PEM block type, from the input) for an error message.
func short(s string) string {
	const max = 40
	if len(s) <= max {
		return s
	}
	return s[:max] + "…"
}

func keyKind(k any) string {
	switch k.(type) {
	case nil:
		return "missing"
	case *rsa.PrivateKey, *rsa.PublicKey:
		return "RSA"
	}
	t := fmt.Sprintf("%T", k)
	switch {
	case strings.Contains(t, "ecdsa"):
		return "ECDSA (" + t + ")"
	case strings.Contains(t, "ed25519"):
		return "Ed25519 (" + t + ")"
	case strings.Contains(t, "ecdh"):
		return "ECDH (" + t + ")"
	}
	return t
}
