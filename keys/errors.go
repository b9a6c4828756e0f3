package keys

import "github.com/wxpay-go/wxpay/internal/keyerr"

// ErrKey is wrapped by every error about the key material itself: input that
// is not a key or certificate, an unsupported format or algorithm, a wrong
// password, a key that is not RSA or shorter than [MinRSABits], a file over
// [MaxInputSize], or one that would cost more key-derivation work than
// allowed. Errors reading a file wrap the *fs.PathError instead. Messages
// never contain key material or passwords.
//
// It is the same value as signer.ErrKey, so errors.Is works with either name.
var ErrKey = keyerr.ErrKey

// MinRSABits is the smallest RSA modulus the loaders accept (the same
// constant as signer.MinRSABits).
const MinRSABits = keyerr.MinRSABits

// MaxInputSize is the largest input, in bytes, any loader accepts (a key,
// certificate or .p12 file is a few kilobytes; a PEM bundle of a hundred
// certificates is still far below). Files are read up to this size and no
// further.
const MaxInputSize = 1 << 20

func keyErrorf(format string, args ...any) error { return keyerr.Errorf(format, args...) }
