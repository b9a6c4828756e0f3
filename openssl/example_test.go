package openssl_test

import (
	"context"
	"errors"
	"fmt"
	"log"

	"github.com/wxpay-go/wxpay"
	"github.com/wxpay-go/wxpay/openssl"
	"github.com/wxpay-go/wxpay/wxpaytest"
)

// A client whose RSA work runs in OpenSSL, falling back to Go's crypto where the backend
// is unavailable (built without cgo, or no libcrypto.so.3).
func Example() {
	srv, err := wxpaytest.Start() // the emulator stands in for WeChat Pay
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()

	opts := srv.ClientOptions()
	s, err := openssl.NewSigner(srv.MerchantKey)
	switch {
	case errors.Is(err, openssl.ErrUnavailable):
		log.Printf("OpenSSL backend unavailable, using Go's crypto: %v", err)
	case err != nil:
		log.Fatal(err)
	default:
		v, err := openssl.NewVerifier()
		if err != nil {
			log.Fatal(err)
		}
		opts = append(opts, wxpay.WithMerchant(srv.MchID, srv.MerchantSerial, s), wxpay.WithRSAVerifier(v))
	}
	wx, err := wxpay.New(opts...)
	if err != nil {
		log.Fatal(err)
	}
	resp, err := wx.Chain("v3/certificates").Get(context.Background())
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(resp.StatusCode)
	// Output: 200
}
