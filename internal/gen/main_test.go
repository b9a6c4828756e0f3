package main

import (
	"go/format"
	"os"
	"path/filepath"
	"strings"
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
	rules, err := readRules("../../catalog/rules.tsv")
	if err != nil {
		t.Fatal(err)
	}
	table, err := mergeRules(eps, rules)
	if err != nil {
		t.Fatal(err)
	}
	out, err := generate(treeRows(table))
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{"../../catalog/zz_catalog.go": catalogFile(table)}
	for _, f := range out.files {
		path := "../../zz_fluent_test.go"
		if f.pkg != "" {
			path = filepath.Join("../..", f.pkg, f.name)
		}
		files[path] = f.src
	}
	for file, src := range files {
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
	// Twice the same.
	again, err := generate(treeRows(table))
	if err != nil {
		t.Fatal(err)
	}
	for i := range out.files {
		if string(out.files[i].src) != string(again.files[i].src) {
			t.Errorf("%s: two runs differ", out.files[i].name)
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
	for in, want := range map[string]string{"notify_url": "NotifyURL", "prepay_id": "PrepayID", "appid": "Appid",
		"sub_mchid": "SubMchid", "spbill_create_ip": "SpbillCreateIP", "subMchId": "SubMchID", "api_key": "APIKey",
		"coupon_id_0": "CouponID0", "openid": "Openid"} {
		if got := goName(in); got != want {
			t.Errorf("goName(%q) = %q, want %q", in, got, want)
		}
	}
	// Parameters never clash with the receiver N, keywords, predeclared names or imports.
	for in, want := range map[string]string{"type": "typeValue", "n": "n", "N": "n", "chain": "chainValue",
		"context": "contextValue", "transport": "transportValue", "string": "stringValue", "len": "lenValue",
		"ctx": "ctxValue", "opts": "optsValue", "req": "reqValue", "1st": "v1st", "out_trade_no": "outTradeNo"} {
		if got := lowerCamel(in); got != want {
			t.Errorf("lowerCamel(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestMergeRules(t *testing.T) {
	eps := []endpoint{
		{method: "GET", path: "v2/a", produces: "json"},
		{method: "POST", path: "v2/b", produces: "xml", flags: []string{"cert"}},
		{method: "GET", path: "v3/c", produces: "csv"},
		{method: "GET", path: "v3/s", zone: "hk", produces: "csv"},
		{method: "POST", path: "v3/z", produces: "binary"},
	}
	table, err := mergeRules(eps, []rule{
		{method: "POST", path: "v2/b", flags: []string{"nonceless", "unsigned"}},
		{method: "GET", path: "v3/s", flags: []string{"statement"}},
		{method: "GET", path: "v3/d", flags: []string{"unsigned"}, produces: "binary"},
	})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range table {
		got = append(got, e.method+" "+e.path+" "+e.consumes+" "+strings.Join(e.flags, ","))
	}
	want := []string{
		"GET v2/a  json",
		"POST v2/b  cert,unsigned,nonceless",
		"GET v3/c  unsigned,file",
		"GET v3/d json unsigned,file,extra",
		"GET v3/s  file,statement",
		"POST v3/z  file",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("merged:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if len(eps[1].flags) != 1 {
		t.Errorf("mergeRules changed its input: %v", eps[1].flags)
	}
	if _, err := mergeRules(eps, []rule{{method: "GET", path: "v3/nope", flags: []string{"unsigned"}}}); err == nil {
		t.Error("a rule for a path the catalog lacks, without produces, is accepted")
	}
}
