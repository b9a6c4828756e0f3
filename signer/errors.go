package signer

import (
	"errors"
	"fmt"

	"github.com/wxpay-go/wxpay/internal/keyerr"
)

// ErrVerification is wrapped by every APIv3 and APIv2 verification failure.
var ErrVerification = errors.New("wxpay: verification failed")

// Precise verification failures. Each wraps [ErrVerification], so
// errors.Is(err, ErrVerification) holds for all of them; the errors returned
// by [Verifier.Verify], [Verifier.VerifyValues] and [VerifyV2] wrap exactly
// one of them and add the concrete reason to the message.
var (
	// ErrHeadersIncomplete: one or more of Wechatpay-Timestamp,
	// Wechatpay-Nonce, Wechatpay-Serial, Wechatpay-Signature is missing or
	// empty. The message lists the missing ones.
	ErrHeadersIncomplete = fmt.Errorf("%w: incomplete Wechatpay-* headers", ErrVerification)
	// ErrBadTimestamp: Wechatpay-Timestamp is not a plain decimal integer
	// (ASCII digits only, no sign, no spaces, at most 12 digits).
	ErrBadTimestamp = fmt.Errorf("%w: malformed Wechatpay-Timestamp", ErrVerification)
	// ErrTimestampSkew: the timestamp differs from the local clock by more
	// than [MaxSkew] in either direction (exactly MaxSkew is accepted).
	ErrTimestampSkew = fmt.Errorf("%w: Wechatpay-Timestamp outside the allowed clock skew", ErrVerification)
	// ErrUnknownSerial: Wechatpay-Serial names no key in the [KeyStore]
	// (exact, case-sensitive lookup). The message names the serial and the
	// known serials.
	ErrUnknownSerial = fmt.Errorf("%w: unknown Wechatpay-Serial", ErrVerification)
	// ErrBadSignature: the signature is not valid base64 or does not verify;
	// for APIv2, the sign field is missing, malformed or does not match.
	ErrBadSignature = fmt.Errorf("%w: bad signature", ErrVerification)
	// ErrSignTestProbe: the signature starts with "WECHATPAY/SIGNTEST/".
	// WeChat Pay sends such probe callbacks to check that merchants verify
	// signatures; they must be rejected.
	ErrSignTestProbe = fmt.Errorf("%w: WECHATPAY/SIGNTEST probe", ErrVerification)
)

// ErrKey reports malformed or unsupported key material, keys that are too
// short, and invalid signer identities. Errors wrap it with context; they
// never include secret key material. It is the same value as keys.ErrKey
// (the key loaders' sentinel), so errors.Is works with either name.
var ErrKey = keyerr.ErrKey

func keyErrorf(format string, args ...any) error { return keyerr.Errorf(format, args...) }
