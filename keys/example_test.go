package keys_test

import (
	"fmt"
	"log"

	"github.com/wxpay-go/wxpay/keys"
	"github.com/wxpay-go/wxpay/signer"
)

// The merchant API certificate and key from the .p12 file WeChat Pay issues (password:
// the merchant id), legacy RC2/3DES files included; tlsCert goes to wxpay.WithClientCertificate.
func ExampleLoadPKCS12File() {
	key, cert, tlsCert, err := keys.LoadPKCS12File("testdata/p12_legacy.p12", "1900000109")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(signer.CertificateSerial(cert), key.N.BitLen(), len(tlsCert.Certificate))
	// Output: 3775B6A45ACD588826D15E583A95F5DD2C5C9DB8 2048 1
}

// An encrypted PKCS#8 key ("ENCRYPTED PRIVATE KEY"), as openssl pkcs8 -topk8 writes it.
func ExampleLoadEncryptedPrivateKeyFile() {
	key, err := keys.LoadEncryptedPrivateKeyFile("testdata/enc_default.pem", "wxpaytest")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(key.N.BitLen())
	// Output: 2048
}
