package main

import (
	"go/format"
	"os"
	"testing"
)

// The committed generated files must be exactly what the generator makes from the
// committed catalog: `go generate ./...` is reproducible byte for byte.
func TestGeneratedFilesAreUpToDate(t *testing.T) {
	eps, err := read("../../catalog/endpoints.tsv")
	if err != nil {
		t.Fatal(err)
	}
	if len(eps) != 1155 {
		t.Fatalf("%d endpoints, want 1155", len(eps))
	}
	tree, calls := treeFile(eps)
	for file, src := range map[string][]byte{
		"../../catalog/zz_catalog.go": catalogFile(eps),
		"../../chain/zz_tree.go":      tree,
		"../../zz_fluent_test.go":     calls,
	} {
		want, err := format.Source(src)
		if err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != string(want) {
			t.Errorf("%s is not what the generator makes: run go generate ./...", file)
		}
	}
}

func TestNames(t *testing.T) {
	for in, want := range map[string]string{"out-trade-no": "OutTradeNo", "apply4subject": "Apply4subject",
		"queryInstitutionsub": "QueryInstitutionsub", "sub_mchid": "SubMchid", "v3": "V3"} {
		if got := pascal(in); got != want {
			t.Errorf("pascal(%q) = %q, want %q", in, got, want)
		}
	}
	if got := lowerCamel("type"); got != "typeValue" {
		t.Errorf("lowerCamel(type) = %q", got)
	}
}
