package chain

import (
	"strings"
	"testing"

	"github.com/wxpay-go/wxpay/internal/wire"
)

// FuzzParseExpand: whatever the template and the value, a template either fails to parse
// or expands to a relative path with exactly its own segments, in which the value takes one
// segment, escaped: no '/', '?', '#', space, or dot-segment can be smuggled in.
func FuzzParseExpand(f *testing.F) {
	for _, s := range []string{
		"v3/pay/transactions/id/{transaction_id}", "v3/x/<a>/_b_", "v2/secapi/pay/reverse", "v3/a/{a}/{b}/c/",
		"/v3/x", "v3//x", "v3/../x", "v3/x?y", "{a}", "v3/{a}{b}", "v3/<>", "v3/_a",
	} {
		f.Add(s, "1217752501201407033233368018")
		f.Add(s, "../../x?y#z %2F")
	}
	f.Fuzz(func(t *testing.T, tmpl, value string) {
		tp, err := Parse(tmpl)
		if err != nil {
			return
		}
		var vals []wire.Param
		for _, n := range tp.Names() {
			vals = append(vals, wire.Param{Name: n, Value: value})
		}
		path, err := tp.Expand(nil, vals)
		if err != nil {
			if value != "" && value != "." && value != ".." && len(tp.Names()) > 0 {
				t.Fatalf("Expand(%q, %q): %v", tmpl, value, err)
			}
			return
		}
		if strings.HasPrefix(path, "/") || strings.ContainsAny(path, "?# \t\r\n") {
			t.Fatalf("Expand(%q, %q) = %q: not a clean relative path", tmpl, value, path)
		}
		want := strings.Count(tp.String(), "/")
		if got := strings.Count(path, "/"); got != want {
			t.Fatalf("Expand(%q, %q) = %q: %d slashes, the template has %d", tmpl, value, path, got, want)
		}
		for _, seg := range strings.Split(path, "/") {
			if seg == "." || seg == ".." {
				t.Fatalf("Expand(%q, %q) = %q: dot segment", tmpl, value, path)
			}
		}
	})
}
