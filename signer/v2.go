package signer

import (
	"crypto/hmac"
	"crypto/md5"
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// APIv2 sign types, as carried in the sign_type field.
const (
	SignTypeMD5        = "MD5"
	SignTypeHMACSHA256 = "HMAC-SHA256"
)

// Field is one APIv2 field: an element name and its text. It names the plain
// struct type struct{ Name, Value string }, as codec.Field does, so the two
// are one type: a codec.Fields list is passed to [SignV2] and [VerifyV2] as
// it is, without a copy, and neither package imports the other.
type Field = struct{ Name, Value string }

// V2KeyLength is the length in bytes of an APIv2 key.
const V2KeyLength = 32

// errDuplicateField is wrapped when a field name occurs more than once.
var errDuplicateField = errors.New("wxpay: duplicate APIv2 field")

// CheckV2Key reports whether key is a plausible APIv2 key: exactly 32 bytes.
// Otherwise it returns an error wrapping [ErrKey] that names the length
// (never the key).
func CheckV2Key(key string) error {
	if len(key) != V2KeyLength {
		return keyErrorf("APIv2 key is %d bytes, want exactly %d", len(key), V2KeyLength)
	}
	return nil
}

// SignV2 returns the APIv2 signature of fields:
//
//  1. Fields are ordered by Name in byte order ("REMARK" < "RE_OPENID" <
//     "re_openid" < "remark"). The field named "sign" and fields with an
//     empty Value are left out; every other field, "sign_type" and
//     "nonce_str" included, is kept.
//  2. The rest are joined as "k=v&k=v" with values as-is (not URL-encoded),
//     giving stringA; then "&key=" + key is appended. With no fields left,
//     stringA is empty and the signed string is "&key=" + key.
//  3. [SignTypeMD5]: upper-case hex of MD5 of that string.
//     [SignTypeHMACSHA256]: upper-case hex of HMAC-SHA256 keyed with key.
//
// signType must be exactly one of the two constants (there is no default;
// WeChat Pay's default when sign_type is absent is MD5). key must pass
// [CheckV2Key]. A field name that occurs more than once, or an empty name,
// is an error. fields is not modified.
func SignV2(signType, key string, fields []Field) (string, error) {
	hmacMode, err := v2Mode(signType)
	if err != nil {
		return "", err
	}
	if err := CheckV2Key(key); err != nil {
		return "", err
	}
	return signV2(hmacMode, key, fields)
}

// VerifyV2 checks the "sign" field of an APIv2 answer (or notification)
// against the other fields, with the algorithm signType names: the sign type
// of the request the answer belongs to ([SignTypeMD5] or
// [SignTypeHMACSHA256]; WeChat Pay signs an answer the way the request was
// signed). The algorithm is never taken from the answer itself, so an answer
// cannot downgrade an HMAC-SHA256 request to MD5. Another signType is an
// error like [SignV2]'s. A missing, empty or repeated sign, a sign whose
// length does not fit signType (32 hex characters for MD5, 64 for
// HMAC-SHA256), a field name that occurs twice, and a mismatch all give an
// error wrapping [ErrBadSignature]. Hex case is ignored and the comparison is
// constant-time. A key failing [CheckV2Key] gives an [ErrKey] error instead.
// Checking return_code / result_code is the caller's job.
func VerifyV2(signType, key string, fields []Field) error {
	hmacMode, err := v2Mode(signType)
	if err != nil {
		return err
	}
	if err := CheckV2Key(key); err != nil {
		return err
	}
	sign, count := "", 0
	for _, f := range fields {
		if f.Name == "sign" {
			sign = f.Value
			count++
		}
	}
	switch {
	case count == 0 || sign == "":
		return fmt.Errorf("%w: missing sign field", ErrBadSignature)
	case count > 1:
		return fmt.Errorf("%w: %d sign fields", ErrBadSignature, count)
	}
	want := 2 * md5.Size
	if hmacMode {
		want = 2 * sha256.Size
	}
	if len(sign) != want {
		return fmt.Errorf("%w: sign has %d characters, want %d (%s, the request's sign type)", ErrBadSignature, len(sign), want, signType)
	}
	wantSign, err := signV2(hmacMode, key, fields)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrBadSignature, err)
	}
	var got [2 * sha256.Size]byte
	for i := 0; i < len(sign); i++ {
		c := sign[i]
		if 'a' <= c && c <= 'f' {
			c -= 'a' - 'A'
		}
		got[i] = c
	}
	if subtle.ConstantTimeCompare(got[:len(sign)], []byte(wantSign)) != 1 {
		return fmt.Errorf("%w: %s sign does not match", ErrBadSignature, signType)
	}
	return nil
}

func v2Mode(signType string) (hmacMode bool, err error) {
	switch signType {
	case SignTypeMD5:
		return false, nil
	case SignTypeHMACSHA256:
		return true, nil
	}
	return false, fmt.Errorf("wxpay: unsupported APIv2 sign type %q (want %q or %q)", truncate(signType), SignTypeMD5, SignTypeHMACSHA256)
}

const upperHex = "0123456789ABCDEF"

func signV2(hmacMode bool, key string, fields []Field) (string, error) {
	var idxArr [32]int
	idx := idxArr[:0]
	if len(fields) > len(idxArr) {
		idx = make([]int, 0, len(fields))
	}
	size := len("&key=") + len(key)
	for i, f := range fields {
		if f.Name == "" {
			return "", fmt.Errorf("wxpay: APIv2 field %d has an empty name", i)
		}
		idx = append(idx, i)
		if f.Name != "sign" && f.Value != "" {
			size += len(f.Name) + len(f.Value) + 2
		}
	}
	if len(idx) <= len(idxArr) {
		for i := 1; i < len(idx); i++ { // insertion sort, stable, for the usual dozen fields
			for j := i; j > 0 && fields[idx[j]].Name < fields[idx[j-1]].Name; j-- {
				idx[j], idx[j-1] = idx[j-1], idx[j]
			}
		}
	} else {
		slices.SortStableFunc(idx, func(a, b int) int { return strings.Compare(fields[a].Name, fields[b].Name) })
	}

	var stack [1024]byte // a typical call's signed string fits: no allocation
	buf := stack[:0]
	if size > len(stack) {
		buf = make([]byte, 0, size)
	}
	for j, i := range idx {
		f := fields[i]
		if j > 0 && fields[idx[j-1]].Name == f.Name {
			return "", fmt.Errorf("%w %q", errDuplicateField, truncate(f.Name))
		}
		if f.Name == "sign" || f.Value == "" {
			continue
		}
		if len(buf) > 0 {
			buf = append(buf, '&')
		}
		buf = append(buf, f.Name...)
		buf = append(buf, '=')
		buf = append(buf, f.Value...)
	}
	buf = append(buf, "&key="...)
	buf = append(buf, key...)

	var md5Sum [md5.Size]byte
	var sum []byte
	if hmacMode {
		mac := hmac.New(sha256.New, []byte(key))
		mac.Write(append([]byte(nil), buf...)) // a copy: buf stays on the stack
		sum = mac.Sum(nil)
	} else {
		md5Sum = md5.Sum(buf)
		sum = md5Sum[:]
	}
	var hexArr [2 * sha256.Size]byte
	out := hexArr[:2*len(sum)]
	for i, c := range sum {
		out[2*i] = upperHex[c>>4]
		out[2*i+1] = upperHex[c&0x0f]
	}
	return string(out), nil
}
