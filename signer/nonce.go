package signer

import "crypto/rand"

// NonceLength is the length of the strings returned by [Nonce].
const NonceLength = 32

const nonceAlphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

// Nonce returns a fresh random string of [NonceLength] characters from
// [0-9A-Za-z], drawn from crypto/rand.
//
// Every character is uniformly distributed: each random byte is masked to
// 6 bits and values 62 and 63 are rejected (rejection sampling, no modulo
// bias). One read of a 48-byte buffer almost always suffices; more bytes are
// read only in the rare case that more than 16 of them are rejected.
func Nonce() string {
	var out [NonceLength]byte
	fillNonce(&out)
	return string(out[:])
}

func fillNonce(out *[NonceLength]byte) {
	var buf [48]byte
	n := 0
	for n < len(out) {
		// crypto/rand.Read never returns an error (it aborts the program if
		// the system's random source fails).
		_, _ = rand.Read(buf[:])
		for _, b := range buf {
			b &= 63
			if b >= byte(len(nonceAlphabet)) {
				continue
			}
			out[n] = nonceAlphabet[b]
			n++
			if n == len(out) {
				break
			}
		}
	}
}
