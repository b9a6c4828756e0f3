package wxpaytest

import (
	_ "embed"
	"fmt"
	"slices"
	"strings"
	"sync"
)

// merchantModesTSV lists the endpoints whose catalog schema merged the direct merchant's
// and the partner's fields (the format and the reasons are in the file).
//
//go:embed merchant_modes.tsv
var merchantModesTSV string

// merchantMode is one line of merchant_modes.tsv.
type merchantMode struct {
	direct, partner []string // field paths: "mchid", "sub_orders[].sub_mchid"
}

// merchantModes reads merchant_modes.tsv, by "method zone path" (TestMerchantModesData
// checks the file; a malformed line is an error here, not a panic).
var merchantModes = sync.OnceValues(func() (map[string]merchantMode, error) {
	m := map[string]merchantMode{}
	for n, line := range strings.Split(merchantModesTSV, "\n") {
		if line == "" || line[0] == '#' {
			continue
		}
		c := strings.Split(line, "\t")
		if len(c) != 6 {
			return nil, fmt.Errorf("wxpaytest: merchant_modes.tsv:%d: %d fields, want 6", n+1, len(c))
		}
		list := func(s string) []string {
			if s == "-" {
				return nil
			}
			return strings.Split(s, ",")
		}
		zone := c[1]
		if zone == "-" {
			zone = ""
		}
		m[c[0]+" "+zone+" "+c[2]] = merchantMode{direct: list(c[3]), partner: list(c[4])}
	}
	return m, nil
})

// notRequired returns the fields of the other kind of merchant, which a request to the
// endpoint (method, zone, path) need not send, given has (whether the request has a
// field). It is nil for an endpoint whose schema did not merge the two.
func notRequired(method, zone, path string, has func(field string) bool) []string {
	modes, _ := merchantModes()
	mm, ok := modes[method+" "+zone+" "+path]
	if !ok {
		return nil
	}
	if slices.ContainsFunc(mm.partner, has) {
		return mm.direct
	}
	return mm.partner
}

// hasPath reports whether a decoded JSON body has the field at path ("a.b", "list[].c":
// in any item of the list).
func hasPath(v any, path string) bool {
	head, rest, more := strings.Cut(path, ".")
	obj, ok := v.(map[string]any)
	if !ok {
		return false
	}
	if name, isList := strings.CutSuffix(head, "[]"); isList {
		items, _ := obj[name].([]any)
		return more && slices.ContainsFunc(items, func(it any) bool { return hasPath(it, rest) })
	}
	x, present := obj[head]
	if !more {
		return present
	}
	return hasPath(x, rest)
}

// fillPath counts the field at path as given where it is absent, with a placeholder value,
// in every item of the lists on the way; it changes v.
func fillPath(v any, path string) {
	head, rest, more := strings.Cut(path, ".")
	obj, ok := v.(map[string]any)
	if !ok {
		return
	}
	if name, isList := strings.CutSuffix(head, "[]"); isList {
		items, _ := obj[name].([]any)
		for _, it := range items {
			if more {
				fillPath(it, rest)
			}
		}
		return
	}
	if !more {
		if _, present := obj[head]; !present {
			obj[head] = "(the other kind of merchant's field)"
		}
		return
	}
	fillPath(obj[head], rest)
}
