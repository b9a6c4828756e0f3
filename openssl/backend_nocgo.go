//go:build !cgo

package openssl

import (
	"crypto/rsa"
	"fmt"
)

// Without cgo there is no way to call libcrypto: every constructor fails with
// ErrUnavailable, so the types below are never used with a key.

func load(lib string) error {
	return fmt.Errorf("%w: built without cgo (CGO_ENABLED=0), so %s cannot be loaded", ErrUnavailable, lib)
}

type privateKey struct{}

func newPrivateKey(*rsa.PrivateKey) (*privateKey, error) { return nil, load(Library) }

func (*privateKey) sign([]byte) ([]byte, error) { return nil, load(Library) }

type publicKey struct{}

func (*publicKey) verify(_, _ []byte) error { return load(Library) }

type keyCache struct{}

func (*keyCache) get(*rsa.PublicKey) (*publicKey, error) { return nil, load(Library) }
