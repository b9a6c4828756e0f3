package signer_test

import (
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/wxpay-go/wxpay/keys"
	"github.com/wxpay-go/wxpay/signer"
)

func ExampleMessage() {
	msg := signer.Message("GET", "/v3/certificates", 1554208460, "593BEC0C930BF1AFEB40B4A08C8FB242", nil)
	fmt.Printf("%q\n", msg)
	// Output:
	// "GET\n/v3/certificates\n1554208460\n593BEC0C930BF1AFEB40B4A08C8FB242\n\n"
}

func ExampleResponseMessage() {
	fmt.Printf("%q\n", signer.ResponseMessage("1554209980", "c5ac7061fccab6bf3e254dcf98995b8c", []byte(`{"data":[]}`)))
	// Output:
	// "1554209980\nc5ac7061fccab6bf3e254dcf98995b8c\n{\"data\":[]}\n"
}

func ExampleV3Signer_AuthorizationAt() {
	key, err := keys.LoadPrivateKeyFile("testdata/apiclient_key.pem")
	if err != nil {
		panic(err)
	}
	s, err := signer.NewV3Signer("1900000109", "3775B6A45ACD588826D15E583A95F5DD2C5C9DB8", key)
	if err != nil {
		panic(err)
	}
	// Real code calls s.Authorization(method, target, body), which uses a
	// fresh nonce and the current time.
	auth, err := s.AuthorizationAt("GET", "/v3/certificates", nil, 1554208460, "593BEC0C930BF1AFEB40B4A08C8FB242")
	if err != nil {
		panic(err)
	}
	fmt.Println(auth)
	// Output:
	// WECHATPAY2-SHA256-RSA2048 mchid="1900000109",serial_no="3775B6A45ACD588826D15E583A95F5DD2C5C9DB8",timestamp="1554208460",nonce_str="593BEC0C930BF1AFEB40B4A08C8FB242",signature="Cxs1ZB/lzmLS9eRr0pZn5e9ZsCUVTfZpXPGhliLovR4opI3wigjNksJTpPAz+e7pp7MaP2YP4qlwEiyHkVqSDn2v/0kj57b13S1iJ+5lrbsCx7tfIHZdBfQcZclFDE9U+Qx3VQKZiYs4RIkHfbP4WCK+UOUrMIo4hqT+OCg8BVwgG05mexRj712dSPMGg5O6r0mNXE4U2yDvvOa2kQwssYWHBjLDOuHjOVjWAUugfyqpk7ZRyAzZm7Yk3oj6fkXJP/HJOmE+s2Y+ruJaXsWswa/olzEv+BMmx05ZNwn8Y0KTQCzkwcpbv08GipfPgr9VJWLAb2fMC4cguAWjh4wSSw=="
}

func ExampleVerifier_Verify() {
	store := signer.NewKeyStore()
	cert, err := keys.LoadCertificateFile("testdata/platform_cert.pem")
	if err != nil {
		panic(err)
	}
	serial, err := store.AddCertificate(cert)
	if err != nil {
		panic(err)
	}
	pub, err := keys.LoadPublicKeyFile("testdata/pubkeyid_pub.pem")
	if err != nil {
		panic(err)
	}
	if err := store.AddPublicKey("PUB_KEY_ID_0114232134912410000000000000", pub); err != nil {
		panic(err)
	}
	fmt.Println("certificate:", serial)
	fmt.Println("announce:", store.Preferred())

	// A recorded answer; Now is pinned so the 2019 timestamp is in the window.
	v := &signer.Verifier{Keys: store, Now: func() time.Time { return time.Unix(1554209980, 0) }}
	h := http.Header{}
	h.Set("Wechatpay-Timestamp", "1554209980")
	h.Set("Wechatpay-Nonce", "c5ac7061fccab6bf3e254dcf98995b8c")
	h.Set("Wechatpay-Serial", serial)
	h.Set("Wechatpay-Signature", "XgjMd2/3VY9E5HvQwAsI9L6U/tGqBiheYN77UHQdnaElIkBiUzcoKvHWkrUGFHq/jiQ/14aWJOeQFHeroWX9yl9/OpDoOZ6KLXeGgrgdEx5j86m4vxUjHI5f12FqlvgWQMRTiQObIVXq0vqpfuYI3mtz+YxtAnv+dP3vo1gT1YwMFPNniZEA65AXu3XvdWU6vUg4zemxvnlwOvOYxM44XXPu8wO+izK3IUASARWFJGtxzx9R8VTzAsGQaxicBUfZnFsaMfC32O7O8dWMY9X7+JDXA4t2e6dJlt/dtiY6hrhvJs0mx7xWjE8bts9gca+VGsCsGThRy+Ip67Randuc0A==")
	fmt.Println("genuine:", v.Verify(h, []byte(`{"data":[]}`)))

	err = v.Verify(h, []byte(`{"data":[{}]}`))
	fmt.Println("tampered:", errors.Is(err, signer.ErrBadSignature), errors.Is(err, signer.ErrVerification))

	h.Set("Wechatpay-Signature", "WECHATPAY/SIGNTEST/abc")
	fmt.Println("probe:", errors.Is(v.Verify(h, nil), signer.ErrSignTestProbe))
	// Output:
	// certificate: 5157F09EFDC096DE15EBE81A47057A7232F5B8E1
	// announce: PUB_KEY_ID_0114232134912410000000000000
	// genuine: <nil>
	// tampered: true true
	// probe: true
}

func ExampleSignV2() {
	fields := []signer.Field{
		{Name: "appid", Value: "wxd930ea5d5a258f4f"},
		{Name: "mch_id", Value: "10000100"},
		{Name: "device_info", Value: "1000"},
		{Name: "body", Value: "test"},
		{Name: "nonce_str", Value: "ibuaiVcKdpRxkhJA"},
	}
	md5Sign, _ := signer.SignV2(signer.SignTypeMD5, "192006250b4c09247ec02edce69f6a2d", fields)
	hmacSign, _ := signer.SignV2(signer.SignTypeHMACSHA256, "192006250b4c09247ec02edce69f6a2d", fields)
	fmt.Println(md5Sign)
	fmt.Println(hmacSign)

	answer := append(fields, signer.Field{Name: "sign", Value: hmacSign})
	// An answer is checked with the sign type its request used.
	fmt.Println(signer.VerifyV2(signer.SignTypeHMACSHA256, "192006250b4c09247ec02edce69f6a2d", answer))
	// Output:
	// 9A0A8659F005D6984697E2CA0A9CF3B7
	// 6A9AE1657590FD6257D693A078E1C3E4BB6BA4DC30B23E0EE2496E54170DACD6
	// <nil>
}

func ExampleNonce() {
	n := signer.Nonce()
	fmt.Println(len(n))
	// Output: 32
}
