package signer_test

import (
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/wxpay-go/wxpay/signer"
)

// Signatures made with openssl; see testdata/VECTORS.md for the commands.
const (
	// (a) apiclient_key.pem over testdata/v3_get_certificates.msg
	sigGetCertificates = "Cxs1ZB/lzmLS9eRr0pZn5e9ZsCUVTfZpXPGhliLovR4opI3wigjNksJTpPAz+e7pp7MaP2YP4qlwEiyHkVqSDn2v/0kj57b13S1iJ+5lrbsCx7tfIHZdBfQcZclFDE9U+Qx3VQKZiYs4RIkHfbP4WCK+UOUrMIo4hqT+OCg8BVwgG05mexRj712dSPMGg5O6r0mNXE4U2yDvvOa2kQwssYWHBjLDOuHjOVjWAUugfyqpk7ZRyAzZm7Yk3oj6fkXJP/HJOmE+s2Y+ruJaXsWswa/olzEv+BMmx05ZNwn8Y0KTQCzkwcpbv08GipfPgr9VJWLAb2fMC4cguAWjh4wSSw=="
	// (b) apiclient_key.pem over testdata/v3_post_native.msg
	sigPostNative = "j1qxQEVLWLErJ9zlS9Yx+PS8Q77VMd9obst3YdQMwnyGIBzBTgkmIN71IbkFXuVdNgFrTk/OGhEm75jZMU1/0SY6Wogh8BxTxgmDrBQDdMhnReLvrsvYGcCqioGNX0/KIqh18QqikxQL1C2q7MIQekfoSojfGxCNTCoykdQ2pZKeUs7BKn0ZIYX0Re6Ktjrcq1ebrfyiGq+jMsQoXAQIteWihfXIPw9oH8M/U8MNISNwL6422B8ha9g3RGrz+Ffmi/FqFU3IFyKDimxLTD468IeRHOGVICRPGD0G3O4pFQD70HF0h6ZAjjvZxbaQ93qENCEw+jLP4hvOwF5TItyEQA=="
	// (c) platform_key.pem over testdata/v3_resp_empty.msg
	sigRespEmpty = "az88hvyxE7CcoyQ9El65N6GznI2+rPZxAdV8WcgYOGks9CqC/vUboEx4xdwYrLkAp4OU1GT00IIccGlAUOmdN7DNUEgg4OJNAAYeKnu5vBDf6qttAoyD1xQj4GVFNRFRabT50EA7UC2jy0/EWLfkHQhZZ67Hamx9LWUfslG3pcNFJCjgKeP8DsIiM1boO2MUoC1rKy3c/oPjES56X5EIkkWR7tBC1H8s0crE978QNk53syDq6hBSDp/d5qxxvrYe9cWf/LPcZD1QrT8h6a/YVq29p+mYwGepDZ+svbzFwZ+KzyMls8G81A8VHVJo/dghaMW6iqtE7mJUS01Te+WlIA=="
	// (d) platform_key.pem over testdata/v3_resp_data.msg
	sigRespData = "XgjMd2/3VY9E5HvQwAsI9L6U/tGqBiheYN77UHQdnaElIkBiUzcoKvHWkrUGFHq/jiQ/14aWJOeQFHeroWX9yl9/OpDoOZ6KLXeGgrgdEx5j86m4vxUjHI5f12FqlvgWQMRTiQObIVXq0vqpfuYI3mtz+YxtAnv+dP3vo1gT1YwMFPNniZEA65AXu3XvdWU6vUg4zemxvnlwOvOYxM44XXPu8wO+izK3IUASARWFJGtxzx9R8VTzAsGQaxicBUfZnFsaMfC32O7O8dWMY9X7+JDXA4t2e6dJlt/dtiY6hrhvJs0mx7xWjE8bts9gca+VGsCsGThRy+Ip67Randuc0A=="
	// (e) pubkeyid_key.pem over testdata/v3_resp_pubkeyid.msg
	sigRespPubKeyID = "l959aRI4Iyn3TFx/RZfgbiR/1XzZ6hGrIKd+8jCy5pA8DYIw3zlSG22tIiXs2FxNI4yVAduUZ22nfC8WANPDJ6yol8acYMECWCtfFjNF32FykgkvFk6a8p0WY0cDRAK49CiKYYZqMZJHDZNQuhuYC+wVo4zaegURpK9aywI1+aw/A42okhVlOlzD/cUKR6JIQtI6fwQxauyi3E6CQ6fyj8cs1xxWcK1zVarSzM+wCS2EhLsg4ZqGuenO3brVPoJ6INCMOw7KiaC99tcP7L8wQnvsGeai8X8uowlqkPjq+AXjZRrQCh5231AXFIwrm4tXxRw+/e0bBKLCmEr//q5eEA=="

	postNativeNonce = "8C2F51F3B9E44A6BA0D7E1C4F5A39B20"
)

func TestVectorConstantsMatchFiles(t *testing.T) {
	for file, want := range map[string]string{
		"v3_get_certificates.sig.b64": sigGetCertificates,
		"v3_post_native.sig.b64":      sigPostNative,
		"v3_resp_empty.sig.b64":       sigRespEmpty,
		"v3_resp_data.sig.b64":        sigRespData,
		"v3_resp_pubkeyid.sig.b64":    sigRespPubKeyID,
	} {
		require.Equal(t, want, strings.TrimSpace(string(readTestdata(t, file))), file)
	}
}

func TestMessageMatchesOpenSSLFiles(t *testing.T) {
	require.Equal(t,
		"GET\n/v3/certificates\n1554208460\n593BEC0C930BF1AFEB40B4A08C8FB242\n\n",
		string(signer.Message("GET", "/v3/certificates", 1554208460, "593BEC0C930BF1AFEB40B4A08C8FB242", nil)))
	require.Equal(t, readTestdata(t, "v3_get_certificates.msg"),
		signer.Message("GET", "/v3/certificates", 1554208460, "593BEC0C930BF1AFEB40B4A08C8FB242", nil))

	body := readTestdata(t, "v3_post_native.body")
	require.True(t, strings.HasPrefix(string(body), `{"appid":"wx`))
	require.Equal(t, readTestdata(t, "v3_post_native.msg"),
		signer.Message("POST", "/v3/pay/transactions/native?x=1", 1554208460, postNativeNonce, body))

	require.Equal(t, "1554209980\nc5ac7061fccab6bf3e254dcf98995b8c\n\n",
		string(signer.ResponseMessage(vectorRespTS, vectorRespNonce, nil)))
	require.Equal(t, readTestdata(t, "v3_resp_empty.msg"), signer.ResponseMessage(vectorRespTS, vectorRespNonce, []byte{}))
	require.Equal(t, readTestdata(t, "v3_resp_data.msg"), signer.ResponseMessage(vectorRespTS, vectorRespNonce, []byte(`{"data":[]}`)))
	require.Equal(t, readTestdata(t, "v3_resp_pubkeyid.msg"),
		signer.ResponseMessage(vectorPubKeyIDTS, vectorPubKeyIDNon, []byte(vectorPubKeyIDBody)))
}

func TestAuthorizationAtOpenSSLVectors(t *testing.T) {
	s := merchantSigner(t)

	got, err := s.AuthorizationAt("GET", "/v3/certificates", nil, 1554208460, "593BEC0C930BF1AFEB40B4A08C8FB242")
	require.NoError(t, err)
	require.Equal(t, `WECHATPAY2-SHA256-RSA2048 mchid="1900000109",serial_no="3775B6A45ACD588826D15E583A95F5DD2C5C9DB8",timestamp="1554208460",nonce_str="593BEC0C930BF1AFEB40B4A08C8FB242",signature="`+sigGetCertificates+`"`, got)

	body := readTestdata(t, "v3_post_native.body")
	got, err = s.AuthorizationAt("POST", "/v3/pay/transactions/native?x=1", body, 1554208460, postNativeNonce)
	require.NoError(t, err)
	require.Equal(t, `WECHATPAY2-SHA256-RSA2048 mchid="1900000109",serial_no="3775B6A45ACD588826D15E583A95F5DD2C5C9DB8",timestamp="1554208460",nonce_str="`+postNativeNonce+`",signature="`+sigPostNative+`"`, got)

	// Sign alone reproduces the openssl bytes over the message files.
	sig, err := s.Sign(readTestdata(t, "v3_get_certificates.msg"))
	require.NoError(t, err)
	require.Equal(t, sigGetCertificates, sig)

	// A one-byte change in the body changes the signature.
	body[len(body)-2] = ']'
	got, err = s.AuthorizationAt("POST", "/v3/pay/transactions/native?x=1", body, 1554208460, postNativeNonce)
	require.NoError(t, err)
	require.NotContains(t, got, sigPostNative)
}

func TestSignPlatformResponseVector(t *testing.T) {
	// The platform key, wrapped in a V3Signer, reproduces the openssl response signatures.
	s, err := signer.NewV3Signer("1900000109", platformSerial, loadPriv(t, "platform_key.pem"))
	require.NoError(t, err)
	sig, err := s.Sign(signer.ResponseMessage(vectorRespTS, vectorRespNonce, nil))
	require.NoError(t, err)
	require.Equal(t, sigRespEmpty, sig)
}

func TestVerifierAcceptsOpenSSLVectors(t *testing.T) {
	v := &signer.Verifier{Keys: platformStore(t), Now: func() time.Time { return time.Unix(vectorRespTSInt, 0) }}

	// (c) empty body, 204-style, platform certificate serial.
	h := http.Header{}
	h.Set("Wechatpay-Timestamp", vectorRespTS)
	h.Set("Wechatpay-Nonce", vectorRespNonce)
	h.Set("Wechatpay-Serial", platformSerial)
	h.Set("Wechatpay-Signature", sigRespEmpty)
	require.NoError(t, v.Verify(h, nil))
	require.NoError(t, v.Verify(h, []byte{}))
	requireSentinel(t, v.Verify(h, []byte(`{}`)), signer.ErrBadSignature)

	// (d) JSON body.
	require.NoError(t, v.VerifyValues(vectorRespTS, vectorRespNonce, platformSerial, sigRespData, []byte(`{"data":[]}`)))

	// (e) public-key mode: PUB_KEY_ID_ serial in the same store.
	require.NoError(t, v.VerifyValues(vectorPubKeyIDTS, vectorPubKeyIDNon, testPubKeyID, sigRespPubKeyID, []byte(vectorPubKeyIDBody)))
	// The same signature under the certificate serial fails: different key.
	requireSentinel(t, v.VerifyValues(vectorPubKeyIDTS, vectorPubKeyIDNon, platformSerial, sigRespPubKeyID, []byte(vectorPubKeyIDBody)),
		signer.ErrBadSignature)

	// Independent check with the standard library only.
	raw, err := base64.StdEncoding.DecodeString(sigRespEmpty)
	require.NoError(t, err)
	d := sha256.Sum256([]byte("1554209980\nc5ac7061fccab6bf3e254dcf98995b8c\n\n"))
	require.NoError(t, rsa.VerifyPKCS1v15(loadPub(t, "pubkey.pem"), crypto.SHA256, d[:], raw))
}
