// Package keyerr holds what the keys and signer packages share about key
// material without importing each other: the [ErrKey] sentinel, re-exported
// by both as keys.ErrKey and signer.ErrKey (one value, so errors.Is works
// with either name), and the smallest accepted RSA modulus.
package keyerr

import (
	"errors"
	"fmt"
)

// ErrKey reports malformed or unsupported key material, keys that are too
// short, and invalid signer identities.
var ErrKey = errors.New("wxpay: invalid key")

// MinRSABits is the smallest RSA modulus accepted anywhere in the module.
const MinRSABits = 2048

// Errorf returns an error wrapping [ErrKey] whose message is
// "wxpay: invalid key: " followed by the formatted text. The text must never
// carry secret key material.
func Errorf(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrKey}, args...)...)
}
