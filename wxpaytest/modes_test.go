package wxpaytest

import (
	"slices"
	"strings"
	"testing"

	"github.com/wxpay-go/wxpay/catalog/schema"
)

// Every line of merchant_modes.tsv names a catalog endpoint whose schema does require the
// fields it relaxes: the list stays true to the catalog it corrects.
func TestMerchantModesData(t *testing.T) {
	modes, err := merchantModes()
	if err != nil {
		t.Fatal(err)
	}
	if len(modes) != 29 {
		t.Fatalf("%d lines", len(modes))
	}
	for key, mm := range modes {
		parts := strings.SplitN(key, " ", 3)
		sc, ok := schema.Lookup(parts[0], parts[1], parts[2])
		if !ok {
			t.Errorf("%s: not in the catalog", key)
			continue
		}
		for _, f := range slices.Concat(mm.direct, mm.partner) {
			if !requires(sc, f) {
				t.Errorf("%s: the catalog does not require %s", key, f)
			}
		}
	}
}

// requires reports whether the endpoint's schema requires the field at path.
func requires(sc *schema.Endpoint, path string) bool {
	if sc.Request == nil {
		return slices.ContainsFunc(sc.Query, func(p schema.Param) bool { return p.Name == path && p.Required })
	}
	s := sc.Request
	segs := strings.Split(path, ".")
	for i, seg := range segs {
		name, list := strings.CutSuffix(seg, "[]")
		if i == len(segs)-1 {
			return slices.Contains(s.Required, name)
		}
		if s = s.Prop(name); s == nil {
			return false
		}
		if list {
			if s = s.Items; s == nil {
				return false
			}
		}
	}
	return false
}
