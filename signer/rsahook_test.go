package signer_test

import (
	"bytes"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/wxpay-go/wxpay/signer"
)

// hookRSA is an RSAVerifier that records what it is given and answers with Go's check, or
// with a fixed error.
type hookRSA struct {
	calls       int
	pub         *rsa.PublicKey
	digest, sig []byte
	fail        error
}

func (h *hookRSA) VerifyPKCS1v15SHA256(pub *rsa.PublicKey, digest, sig []byte) error {
	h.calls++
	h.pub, h.digest, h.sig = pub, bytes.Clone(digest), bytes.Clone(sig)
	if h.fail != nil {
		return h.fail
	}
	return rsa.VerifyPKCS1v15(pub, crypto.SHA256, digest, sig)
}

// TestVerifierRSAHook: with Verifier.RSA set, the signature check (and only it) goes
// through the hook, with the serial's key, the SHA-256 of the response message and the
// decoded signature; its refusal is an ErrBadSignature like Go's.
func TestVerifierRSAHook(t *testing.T) {
	store := platformStore(t)
	now := func() time.Time { return time.Unix(vectorRespTSInt, 0) }
	hook := &hookRSA{}
	v := &signer.Verifier{Keys: store, Now: now, RSA: hook}
	body := []byte(`{"data":[]}`)

	require.NoError(t, v.VerifyValues(vectorRespTS, vectorRespNonce, platformSerial, sigRespData, body))
	require.Equal(t, 1, hook.calls)
	want, _ := store.PublicKey(platformSerial)
	require.Same(t, want, hook.pub)
	d := sha256.Sum256(signer.ResponseMessage(vectorRespTS, vectorRespNonce, body))
	require.Equal(t, d[:], hook.digest)
	require.Len(t, hook.sig, 256)

	// The checks before the signature do not reach the hook.
	requireSentinel(t, v.VerifyValues(vectorRespTS, vectorRespNonce, "UNKNOWN1", sigRespData, body), signer.ErrUnknownSerial)
	requireSentinel(t, v.VerifyValues("1554210981", vectorRespNonce, platformSerial, sigRespData, body), signer.ErrTimestampSkew)
	require.Equal(t, 1, hook.calls)

	// A tampered body reaches the hook, which refuses it.
	requireSentinel(t, v.VerifyValues(vectorRespTS, vectorRespNonce, platformSerial, sigRespData, []byte(`{"data":[1]}`)), signer.ErrBadSignature)
	require.Equal(t, 2, hook.calls)

	// A hook that refuses a good signature is obeyed: Go's check is not consulted.
	hook.fail = errors.New("no")
	requireSentinel(t, v.VerifyValues(vectorRespTS, vectorRespNonce, platformSerial, sigRespData, body), signer.ErrBadSignature)
	require.Equal(t, 3, hook.calls)
}

// TestVerifierDefaultAllocations: the hook field costs the default path no allocation.
func TestVerifierDefaultAllocations(t *testing.T) {
	v := &signer.Verifier{Keys: platformStore(t), Now: func() time.Time { return time.Unix(vectorRespTSInt, 0) }}
	body := []byte(`{"data":[]}`)
	allocs := testing.AllocsPerRun(50, func() {
		if err := v.VerifyValues(vectorRespTS, vectorRespNonce, platformSerial, sigRespData, body); err != nil {
			t.Fatal(err)
		}
	})
	// crypto/rsa's own allocations (big-number work) are what remains; the digest and the
	// decoded signature stay on the stack.
	pub, _ := platformStore(t).PublicKey(platformSerial)
	sig, err := base64.StdEncoding.DecodeString(sigRespData)
	require.NoError(t, err)
	d := sha256.Sum256(signer.ResponseMessage(vectorRespTS, vectorRespNonce, body))
	rsaAllocs := testing.AllocsPerRun(50, func() {
		if err := rsa.VerifyPKCS1v15(pub, crypto.SHA256, d[:], sig); err != nil {
			t.Fatal(err)
		}
	})
	require.LessOrEqual(t, allocs, rsaAllocs, "VerifyValues allocates beyond crypto/rsa")
}
