//go:build cgo

package openssl_test

// withCgo is true when the backend is built: its tests then fail, not skip, when libcrypto
// cannot be loaded (CI installs it).
const withCgo = true
