// Package keys loads the key material of the WeChat Pay merchant API: the
// merchant's RSA private key (PEM, PKCS#1, PKCS#8, password-encrypted PKCS#8,
// bare base64 or DER), the merchant's .p12 file (PKCS#12: key, certificate
// and a tls.Certificate for mutual TLS), platform certificates (X.509) and
// WeChat Pay public keys (SPKI, PKCS#1 or a certificate).
//
// Signing and verifying with the loaded keys is package
// github.com/wxpay-go/wxpay/signer's job; this package only turns bytes and
// files into keys.
//
// # Errors
//
// Every problem with the material itself wraps [ErrKey] (the same value as
// signer.ErrKey) and says what is wrong — the format found, the algorithm's
// OID, "wrong password" — but never echoes key bytes or the password. The
// *File functions prefix the path; their read errors wrap the *fs.PathError.
//
// # Bounded work
//
// The loaders are meant to be safe on untrusted input (a .p12 file uploaded
// to a multi-merchant platform, say): an input over [MaxInputSize] is
// refused, and the password-based key derivations one file asks for are
// priced before any of them runs. The total, summed over every derivation
// the file names (the PKCS#12 MAC, each encrypted safe and each shrouded key
// in a plain safe), may not exceed a budget of about 0.6 s of one core: some
// 400 times what OpenSSL writes (2,048 iterations each) and 85 times what
// Java writes (10,000). The one derivation that cannot be priced is that of
// a PKCS#12 key bag nested inside an encrypted safe (OpenSSL, Java and
// Windows put the key in a plain safe): its parameters are only visible after
// decryption, which happens inside software.sslmate.com/src/go-pkcs12, which
// has no iteration limit of its own.
//
// All functions are safe for concurrent use.
package keys
