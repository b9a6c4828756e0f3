package main

import (
	"bytes"
	"strings"
	"testing"
)

const sample = `goos: linux
BenchmarkPairedCalls     	     732	   5331802 ns/op	       500.7 limit-go-calls/s/core	      1997 limit-go-µs	       746.0 limit-ossl-µs	      1883 sdk-go-µs	       705.1 sdk-ossl-µs	       690.0 sdk-ossl-cpu-µs	         1.058 sdk-ossl/limit	         2.670 sdk-ossl/sdk-go	         0.95 sdk-ossl/limit-cpu
BenchmarkPairedCalls-2   	     930	   4912083 ns/op	      1369 limit-ossl-µs	      1320 sdk-ossl-µs	         1.037 sdk-ossl/limit	         2.145 sdk-ossl/sdk-go
BenchmarkPairedAPIv2   	   27319	    115239 ns/op	        51.05 bare-µs	        64.08 v2-µs	         1.255 v2/bare
PASS
`

func TestParseAndSummarize(t *testing.T) {
	var echo, sum bytes.Buffer
	all, failed := parse(strings.NewReader(sample), &echo)
	if failed || echo.String() != sample {
		t.Fatalf("failed=%v, echo differs: %q", failed, echo.String())
	}
	if got := all["BenchmarkPairedCalls"][2]["sdk-ossl-µs"]; got != 1320 {
		t.Fatalf("sdk-ossl-µs at -cpu 2 = %v", got)
	}
	if got := all["BenchmarkPairedCalls"][1]["limit-go-calls/s/core"]; got != 500.7 {
		t.Fatalf("limit-go-calls/s/core = %v", got)
	}
	if !summarize(&sum, all) {
		t.Fatal("no paired results found")
	}
	out := strings.Join(strings.Fields(sum.String()), " ")
	for _, want := range []string{
		"SDK APIv3 call, OpenSSL backend                         705.1 µs   1418/s    690.0 µs   1449/s   1320.0 µs    758/s",
		"SDK call, OpenSSL ÷ OpenSSL chained limit (rate) (1 goroutine, CPU) 0.950 want ≥ 0.97 NOT MET",
		"SDK call, OpenSSL ÷ OpenSSL chained limit (rate) (1 goroutine)      1.058  want ≥ 0.97   met",
		"SDK call, OpenSSL ÷ SDK call, Go crypto (rate) (2 goroutines)      2.145  want ≥ 2.2    NOT MET",
		"APIv2 call ÷ bare round trip",
		"SDK own work per APIv3 call, µs                                   -  (not measured)",
	} {
		if want = strings.Join(strings.Fields(want), " "); !strings.Contains(out, want) {
			t.Errorf("summary lacks %q:\n%s", want, out)
		}
	}
}

func TestFailureAndEmptyInput(t *testing.T) {
	_, failed := parse(strings.NewReader("--- FAIL: BenchmarkPairedCalls\nFAIL\n"), &bytes.Buffer{})
	if !failed {
		t.Fatal("a failed run was not noticed")
	}
	all, _ := parse(strings.NewReader("PASS\n"), &bytes.Buffer{})
	if summarize(&bytes.Buffer{}, all) {
		t.Fatal("an empty run was summarized")
	}
}
