//go:build !cgo

package openssl_test

const withCgo = false
