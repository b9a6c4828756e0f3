package signer

import (
	"bytes"
	"crypto/sha256"
	"testing"
)

// The digests are computed without building the message on the heap: on the stack up to
// stackMessage bytes, as a stream beyond. Both ways must hash exactly Message and
// ResponseMessage, on either side of the boundary.
func TestDigestsMatchMessages(t *testing.T) {
	for _, n := range []int{0, 1, 900, stackMessage - 60, stackMessage - 59, stackMessage - 58, stackMessage, 5000} {
		body := bytes.Repeat([]byte{'x'}, n)
		if got, want := messageDigest("POST", "/v3/pay/transactions/native", []byte("1554208460"), "593BEC0C930BF1AFEB40B4A08C8FB242", body),
			sha256.Sum256(Message("POST", "/v3/pay/transactions/native", 1554208460, "593BEC0C930BF1AFEB40B4A08C8FB242", body)); got != want {
			t.Errorf("messageDigest, %d-byte body: %x, want %x", n, got, want)
		}
		if got, want := responseDigest("1554209980", "c5ac7061fccab6bf3e254dcf98995b8c", body),
			sha256.Sum256(ResponseMessage("1554209980", "c5ac7061fccab6bf3e254dcf98995b8c", body)); got != want {
			t.Errorf("responseDigest, %d-byte body: %x, want %x", n, got, want)
		}
	}
}
