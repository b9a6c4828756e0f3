package keys_test

import (
	"encoding/asn1"
	"math/big"
	"testing"
)

// rewriteInts returns der with every INTEGER equal to from replaced by to,
// at any depth: it walks constructed values and OCTET STRINGs whose content
// is itself DER (the PKCS#12 authSafe and plain safes), re-encoding lengths
// on the way up. Encrypted content does not parse as DER and is kept as is.
// Used to price crafted files: iteration counts are INTEGERs.
func rewriteInts(t testing.TB, der []byte, from, to int64) []byte {
	t.Helper()
	out, ok := rewriteSeq(der, from, to)
	if !ok {
		t.Fatal("rewriteInts: input is not DER")
	}
	return out
}

func rewriteSeq(b []byte, from, to int64) ([]byte, bool) {
	var out []byte
	for len(b) > 0 {
		var v asn1.RawValue
		rest, err := asn1.Unmarshal(b, &v)
		if err != nil {
			return nil, false
		}
		b = rest
		switch {
		case v.Class == asn1.ClassUniversal && v.Tag == asn1.TagInteger:
			var n *big.Int
			if _, err := asn1.Unmarshal(v.FullBytes, &n); err == nil && n.IsInt64() && n.Int64() == from {
				enc, _ := asn1.Marshal(big.NewInt(to))
				out = append(out, enc...)
				continue
			}
		case v.IsCompound:
			if inner, ok := rewriteSeq(v.Bytes, from, to); ok {
				out = append(out, encodeTLV(v, inner)...)
				continue
			}
		case v.Class == asn1.ClassUniversal && v.Tag == asn1.TagOctetString && len(v.Bytes) > 0 && v.Bytes[0] == 0x30:
			if inner, ok := rewriteSeq(v.Bytes, from, to); ok {
				out = append(out, encodeTLV(v, inner)...)
				continue
			}
		}
		out = append(out, v.FullBytes...)
	}
	return out, true
}

func encodeTLV(v asn1.RawValue, content []byte) []byte {
	enc, err := asn1.Marshal(asn1.RawValue{Class: v.Class, Tag: v.Tag, IsCompound: v.IsCompound, Bytes: content})
	if err != nil {
		panic(err)
	}
	return enc
}
