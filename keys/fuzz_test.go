package keys_test

import (
	"crypto/rsa"
	"encoding/pem"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/wxpay-go/wxpay/keys"
)

// The fuzz targets check, for any input: no panic; exactly one of result and
// error; every error wraps ErrKey, is short, and never repeats the password;
// every key returned is RSA of at least MinRSABits bits; and a call costs
// well under the work budget's second. `go test` runs the seeds (the
// testdata fixtures); `make fuzz` runs each target for FUZZTIME.

// slowCall is far above what any input may cost: the budget is about 0.6 s
// of one core, and the race detector and a busy machine slow it down.
const slowCall = 10 * time.Second

func checkErr(t *testing.T, err error, password string) {
	t.Helper()
	if !errors.Is(err, keys.ErrKey) {
		t.Fatalf("error does not wrap ErrKey: %v", err)
	}
	msg := err.Error()
	if len(msg) > 1024 {
		t.Fatalf("error is %d bytes long: %.200q…", len(msg), msg)
	}
	if len(password) >= 12 && strings.Contains(msg, password) {
		t.Fatalf("error repeats the password: %q", msg)
	}
}

func checkKey(t *testing.T, k *rsa.PrivateKey) {
	t.Helper()
	if k == nil || k.N.BitLen() < keys.MinRSABits {
		t.Fatalf("bad key returned: %v", k)
	}
}

func timed(t *testing.T, f func()) {
	t.Helper()
	start := time.Now()
	f()
	if d := time.Since(start); d > slowCall {
		t.Fatalf("one call took %v", d)
	}
}

func pemBytes(t testing.TB, name string) []byte {
	b, _ := pem.Decode(readTestdata(t, name))
	return b.Bytes
}

func FuzzLoadPrivateKey(f *testing.F) {
	for _, name := range []string{
		"apiclient_key.pem", "apiclient_key_pkcs1.pem", "apiclient_key_pkcs8.b64", "apiclient_key_pkcs1.b64",
		"apiclient_key_encrypted_pkcs8.pem", "apiclient_key_encrypted_pkcs1.pem", "ec_key.pem", "rsa1024_key.pem",
		"apiclient_cert.pem",
	} {
		f.Add(readTestdata(f, name))
	}
	f.Add(pemBytes(f, "apiclient_key.pem"))
	f.Add(pemBytes(f, "apiclient_key_pkcs1.pem"))
	f.Fuzz(func(t *testing.T, data []byte) {
		timed(t, func() {
			k, err := keys.LoadPrivateKey(data)
			if err != nil {
				if k != nil {
					t.Fatal("key and error")
				}
				checkErr(t, err, "")
				return
			}
			checkKey(t, k)
		})
	})
}

func FuzzLoadEncryptedPrivateKey(f *testing.F) {
	for _, name := range []string{"apiclient_key_encrypted_pkcs8.pem", "enc_default.pem", "enc_aes128_sha1.pem", "enc_des3.pem"} {
		f.Add(readTestdata(f, name), "wxpaytest")
		f.Add(pemBytes(f, name), "wxpaytest")
		f.Add(readTestdata(f, name), "wrong-passphrase")
	}
	f.Add(readTestdata(f, "apiclient_key_encrypted_pkcs1.pem"), "wxpaytest")
	f.Add(readTestdata(f, "apiclient_key.pem"), "wxpaytest")
	f.Fuzz(func(t *testing.T, data []byte, password string) {
		timed(t, func() {
			k, err := keys.LoadEncryptedPrivateKey(data, password)
			if err != nil {
				if k != nil {
					t.Fatal("key and error")
				}
				checkErr(t, err, password)
				return
			}
			checkKey(t, k)
		})
	})
}

func FuzzLoadPKCS12(f *testing.F) {
	for _, name := range []string{"p12_modern.p12", "p12_legacy.p12", "p12_3des.p12", "p12_nomac.p12"} {
		f.Add(readTestdata(f, name), p12Password)
		f.Add(readTestdata(f, name), "1900000108") // wrong password
	}
	f.Add(readTestdata(f, "p12_nomac.p12"), "")
	f.Fuzz(func(t *testing.T, data []byte, password string) {
		timed(t, func() {
			k, c, tc, err := keys.LoadPKCS12(data, password)
			if err != nil {
				if k != nil || c != nil || tc.PrivateKey != nil || len(tc.Certificate) != 0 {
					t.Fatal("result and error")
				}
				checkErr(t, err, password)
				return
			}
			checkKey(t, k)
			if !k.PublicKey.Equal(c.PublicKey) || tc.Leaf != c || tc.PrivateKey != k || string(tc.Certificate[0]) != string(c.Raw) {
				t.Fatal("key, leaf and tls.Certificate disagree")
			}
		})
	})
}

func FuzzLoadPublicKey(f *testing.F) {
	for _, name := range []string{
		"pubkey.pem", "pubkey_pkcs1.pem", "pubkey_spki.b64", "platform_cert.pem", "apiclient_cert.pem", "ec_pub.pem",
		"apiclient_key.pem",
	} {
		f.Add(readTestdata(f, name))
	}
	f.Add(pemBytes(f, "platform_cert.pem"))
	f.Add(pemBytes(f, "pubkey.pem"))
	f.Add(pemBytes(f, "pubkey_pkcs1.pem"))
	f.Fuzz(func(t *testing.T, data []byte) {
		timed(t, func() {
			pub, err := keys.LoadPublicKey(data)
			if err != nil {
				if pub != nil {
					t.Fatal("key and error")
				}
				checkErr(t, err, "")
			} else if pub.N.BitLen() < keys.MinRSABits {
				t.Fatalf("%d-bit key returned", pub.N.BitLen())
			}
			c, err := keys.LoadCertificate(data)
			if err != nil {
				if c != nil {
					t.Fatal("certificate and error")
				}
				checkErr(t, err, "")
			} else if len(c.Raw) == 0 {
				t.Fatal("certificate without Raw")
			}
		})
	})
}
