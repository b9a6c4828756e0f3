// Package signer implements the cryptographic core of the WeChat Pay
// merchant API: APIv3 request signing (RSASSA-PKCS1-v1_5 with SHA-256,
// scheme [Scheme]), APIv3 response and callback verification, APIv2
// MD5 / HMAC-SHA256 signatures, and the ciphers of the protocol (AES-256-GCM,
// RSA-OAEP, the APIv2 refund callback's AES-256-ECB). Loading keys and
// certificates from files is the job of package
// github.com/wxpay-go/wxpay/keys.
//
// # APIv3 requests
//
// A request is signed over [Message]:
//
//	METHOD\nREQUEST_TARGET\nTIMESTAMP\nNONCE\nBODY\n
//
// where REQUEST_TARGET is the escaped path plus "?query" exactly as sent on
// the wire (including any base-URL prefix such as "/hk") and BODY is the exact
// bytes sent (empty for GET). [V3Signer.Authorization] returns the value of the
// Authorization header. Sign the bytes you send: never re-serialize a body
// between signing and sending.
//
// # APIv3 responses and callbacks
//
// [Verifier.Verify] checks the four Wechatpay-* headers against a [KeyStore]
// that holds platform certificates (by upper-case hex serial) and WeChat Pay
// public keys (by "PUB_KEY_ID_…" id) side by side. Every failure wraps
// [ErrVerification] and exactly one of the more precise sentinels
// ([ErrHeadersIncomplete], [ErrSignTestProbe], [ErrBadTimestamp],
// [ErrTimestampSkew], [ErrUnknownSerial], [ErrBadSignature]), so callers
// can branch with errors.Is.
//
// # APIv2
//
// [SignV2] and [VerifyV2] implement the legacy key=value&…&key=SECRET
// signature over a list of [Field] values (codec.Fields is one, as it is).
// An answer is verified with the sign type of its request.
//
// # Keys
//
// Malformed, unsupported or too-weak key material and invalid signer
// identities are reported with errors wrapping [ErrKey] (the same value as
// keys.ErrKey). Error messages never contain secret key material.
//
// All exported functions and types are safe for concurrent use unless stated
// otherwise; a [V3Signer] is immutable after construction and a [KeyStore]
// may be read and updated concurrently.
package signer
