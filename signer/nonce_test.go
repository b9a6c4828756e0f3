package signer_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/wxpay-go/wxpay/signer"
)

const alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

func TestNonce(t *testing.T) {
	const samples = 10000
	seen := make(map[string]struct{}, samples)
	counts := make(map[rune]int, len(alphabet))
	for i := 0; i < samples; i++ {
		n := signer.Nonce()
		require.Len(t, n, 32)
		require.Equal(t, signer.NonceLength, len(n))
		for _, r := range n {
			require.True(t, strings.ContainsRune(alphabet, r), "unexpected %q in %q", r, n)
			counts[r]++
		}
		_, dup := seen[n]
		require.False(t, dup, "duplicate nonce %q", n)
		seen[n] = struct{}{}
	}
	require.Len(t, counts, 62, "every character of the alphabet occurs")

	// Uniformity: 320,000 characters over 62 symbols, ~5161 each (σ ≈ 71).
	// A modulo-biased generator (byte % 62) gives the first 8 symbols
	// probability 5/256 instead of 4/256 (~6250 vs ~5000) and fails both checks.
	total := float64(samples * 32)
	expected := total / 62
	chi2 := 0.0
	for _, r := range alphabet {
		c := float64(counts[r])
		require.InDelta(t, expected, c, expected*0.08, "count of %q", r)
		chi2 += (c - expected) * (c - expected) / expected
	}
	// 61 degrees of freedom: mean 61, sd ≈ 11; 150 is far in the tail (p < 1e-8).
	require.Less(t, chi2, 150.0)

	// Allocation budget: the returned string only (plus the random buffer if it escapes).
	allocs := testing.AllocsPerRun(100, func() { _ = signer.Nonce() })
	require.LessOrEqual(t, allocs, 2.0)
}
