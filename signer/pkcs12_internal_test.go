package signer

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509/pkix"
	"encoding/asn1"
	"os"
	"strings"
	"testing"
)

// TestPKCS12PBMAC1 replaces the MAC of p12_modern.p12 with a PBMAC1 one
// (RFC 9579: PBKDF2-HMAC-SHA256, 32-byte key, HMAC-SHA256). OpenSSL 3.0
// cannot write PBMAC1, so this checks the structure as RFC 9579 defines it.
func TestPKCS12PBMAC1(t *testing.T) {
	data, err := os.ReadFile("testdata/p12_modern.p12")
	if err != nil {
		t.Fatal(err)
	}
	var pfx struct {
		Version  asn1.RawValue
		AuthSafe asn1.RawValue
		MacData  asn1.RawValue
	}
	if _, err := asn1.Unmarshal(data, &pfx); err != nil {
		t.Fatal(err)
	}
	var ci contentInfo
	if _, err := asn1.Unmarshal(pfx.AuthSafe.FullBytes, &ci); err != nil {
		t.Fatal(err)
	}
	authSafe, err := octetStringContent(ci.Content)
	if err != nil {
		t.Fatal(err)
	}
	salt := make([]byte, 16)
	rand.Read(salt)
	kdfParams, err := asn1.Marshal(pbkdf2Params{Salt: salt, Iterations: 1000, KeyLength: 32,
		PRF: pkix.AlgorithmIdentifier{Algorithm: oidHMACWithSHA256, Parameters: asn1.NullRawValue}})
	if err != nil {
		t.Fatal(err)
	}
	params, err := asn1.Marshal(pbmac1Params{
		KDF:       pkix.AlgorithmIdentifier{Algorithm: oidPBKDF2, Parameters: asn1.RawValue{FullBytes: kdfParams}},
		MACScheme: pkix.AlgorithmIdentifier{Algorithm: oidHMACWithSHA256, Parameters: asn1.NullRawValue},
	})
	if err != nil {
		t.Fatal(err)
	}
	mac := hmac.New(sha256.New, pbkdf2Key(sha256.New, []byte("1900000109"), salt, 1000, 32))
	mac.Write(authSafe)
	md := macData{
		Mac: digestInfo{
			Algorithm: pkix.AlgorithmIdentifier{Algorithm: oidPBMAC1, Parameters: asn1.RawValue{FullBytes: params}},
			Digest:    mac.Sum(nil),
		},
		MacSalt:    []byte("NOT USED"),
		Iterations: 1,
	}
	out, err := asn1.Marshal(struct {
		Version  asn1.RawValue
		AuthSafe asn1.RawValue
		MacData  macData
	}{pfx.Version, pfx.AuthSafe, md})
	if err != nil {
		t.Fatal(err)
	}
	key, cert, _, err := decodePKCS12(out, "1900000109")
	if err != nil {
		t.Fatal(err)
	}
	if !key.PublicKey.Equal(cert.PublicKey) {
		t.Fatal("key and certificate differ")
	}
	if _, _, _, err := decodePKCS12(out, "1900000108"); err == nil || !strings.Contains(err.Error(), "wrong password (MAC check failed)") {
		t.Fatalf("wrong password: %v", err)
	}
}

// The PKCS#12 KDF is checked end to end against OpenSSL by the MACs and
// legacy bags of the p12_*.p12 files (TestLoadPKCS12); here only its basic
// properties: prefix-stable output across several blocks, distinct IDs, and
// the BMPString password encoding.
func TestPKCS12KDFPrefix(t *testing.T) {
	pw, salt := bmpString("1900000109"), []byte("saltsalt")
	long := pkcs12KDF(sha256.New, 1, pw, salt, 3, 100)
	short := pkcs12KDF(sha256.New, 1, pw, salt, 3, 24)
	if string(long[:24]) != string(short) {
		t.Fatal("KDF output not prefix-stable")
	}
	if string(pkcs12KDF(sha256.New, 2, pw, salt, 3, 24)) == string(short) {
		t.Fatal("KDF ignores the ID")
	}
	if got := bmpString("ab"); string(got) != "\x00a\x00b\x00\x00" {
		t.Fatalf("bmpString = %q", got)
	}
}
