// Command benchsum passes `go test -bench` output through and ends it with a summary of
// the paired benchmarks (paired_bench_test.go): each operation's time and calls per second
// per core at one and two goroutines, and the figures issue 11 sets targets for, each
// marked met or not. `make bench` pipes into it. It exits non-zero when the benchmark run
// failed or no paired benchmark ran.
package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
)

// result is one benchmark line's metrics by unit.
type result map[string]float64

// parse reads benchmark output from r, copies it to w, and returns the metrics by
// benchmark name and GOMAXPROCS, and whether the run failed.
func parse(r io.Reader, w io.Writer) (map[string]map[int]result, bool) {
	all := map[string]map[int]result{}
	failed := false
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		fmt.Fprintln(w, line)
		if strings.HasPrefix(line, "FAIL") || strings.HasPrefix(line, "--- FAIL") || strings.HasPrefix(line, "panic:") {
			failed = true
		}
		f := strings.Fields(line)
		if len(f) < 4 || !strings.HasPrefix(f[0], "Benchmark") || len(f)%2 != 0 {
			continue
		}
		name, procs := f[0], 1
		if i := strings.LastIndexByte(name, '-'); i > 0 {
			if p, err := strconv.Atoi(name[i+1:]); err == nil {
				name, procs = name[:i], p
			}
		}
		res := result{}
		for i := 2; i+1 < len(f); i += 2 {
			if v, err := strconv.ParseFloat(f[i], 64); err == nil {
				res[f[i+1]] = v
			}
		}
		if all[name] == nil {
			all[name] = map[int]result{}
		}
		all[name][procs] = res
	}
	return all, failed
}

// summarize writes the table and the targets; it reports whether any paired result was
// found.
func summarize(w io.Writer, all map[string]map[int]result) bool {
	get := func(bench string, procs int, unit string) (float64, bool) {
		v, ok := all[bench][procs][unit]
		return v, ok
	}
	cell := func(bench string, procs int, unit string) string {
		us, ok := get(bench, procs, unit)
		if !ok {
			return "-"
		}
		return fmt.Sprintf("%8.1f µs %6.0f/s", us, 1e6/us)
	}
	found := false
	for _, b := range []string{"BenchmarkPairedRSA", "BenchmarkPairedCalls", "BenchmarkPairedSDKWork", "BenchmarkPairedAPIv2", "BenchmarkPairedCodec"} {
		if all[b] != nil {
			found = true
		}
	}
	if !found {
		return false
	}
	fmt.Fprintln(w, "\n== make bench summary (paired: operations alternate in one loop; medians; calls/s per core = 1e6 / µs) ==")
	fmt.Fprintf(w, "%-52s %-22s %-22s %-22s\n", "operation", "1 goroutine", "1 goroutine, CPU time", "2 goroutines")
	rows := []struct{ label, bench, op string }{
		{"RSA-2048 sign, Go", "BenchmarkPairedRSA", "sign-go"},
		{"RSA-2048 sign, OpenSSL", "BenchmarkPairedRSA", "sign-ossl"},
		{"RSA-2048 verify, Go", "BenchmarkPairedRSA", "verify-go"},
		{"RSA-2048 verify, OpenSSL", "BenchmarkPairedRSA", "verify-ossl"},
		{"chained limit, Go (sign + bare round trip + verify)", "BenchmarkPairedCalls", "limit-go"},
		{"chained limit, OpenSSL", "BenchmarkPairedCalls", "limit-ossl"},
		{"SDK APIv3 call, Go crypto", "BenchmarkPairedCalls", "sdk-go"},
		{"SDK APIv3 call, OpenSSL backend", "BenchmarkPairedCalls", "sdk-ossl"},
		{"SDK APIv3 call, no-cost signer", "BenchmarkPairedSDKWork", "nocost"},
		{"bare round trip + one Go RSA verify", "BenchmarkPairedSDKWork", "bare+verify"},
		{"SDK APIv2 call (MD5)", "BenchmarkPairedAPIv2", "v2"},
		{"bare round trip of the same APIv2 bytes", "BenchmarkPairedAPIv2", "bare"},
		{"SDK APIv3 call, no-cost signer, default JSON codec", "BenchmarkPairedCodec", "default"},
		{"the same, encoding/json plugged (WithJSONCodec)", "BenchmarkPairedCodec", "plugged"},
	}
	for _, r := range rows {
		fmt.Fprintf(w, "%-52s %-22s %-22s %-22s\n", r.label,
			cell(r.bench, 1, r.op+"-µs"), cell(r.bench, 1, r.op+"-cpu-µs"), cell(r.bench, 2, r.op+"-µs"))
	}

	fmt.Fprintln(w, "\n== issue 11 targets ==")
	target := func(label string, v float64, ok bool, want string, met bool) {
		if !ok {
			fmt.Fprintf(w, "%-66s %10s  (not measured)\n", label, "-")
			return
		}
		verdict := "met"
		if !met {
			verdict = "NOT MET"
		}
		fmt.Fprintf(w, "%-66s %10.3f  want %-8s %s\n", label, v, want, verdict)
	}
	for _, c := range []struct {
		procs  int
		suffix string
		label  string
	}{{1, "", " (1 goroutine)"}, {1, "-cpu", " (1 goroutine, CPU)"}, {2, "", " (2 goroutines)"}} {
		v, ok := get("BenchmarkPairedCalls", c.procs, "sdk-ossl/limit"+c.suffix)
		target("SDK call, OpenSSL ÷ OpenSSL chained limit (rate)"+c.label, v, ok, "≥ 0.97", v >= 0.97)
		v, ok = get("BenchmarkPairedCalls", c.procs, "sdk-ossl/sdk-go"+c.suffix)
		target("SDK call, OpenSSL ÷ SDK call, Go crypto (rate)"+c.label, v, ok, "≥ 2.2", v >= 2.2)
	}
	one, ok1 := get("BenchmarkPairedCalls", 1, "sdk-ossl-µs")
	two, ok2 := get("BenchmarkPairedCalls", 2, "sdk-ossl-µs")
	target("SDK call, OpenSSL: per-core rate at 2 ÷ at 1 goroutine", one/two, ok1 && ok2, "≈ 1", one/two >= 0.9)
	v, ok := get("BenchmarkPairedSDKWork", 1, "sdk-work-µs")
	target("SDK own work per APIv3 call, µs", v, ok, "≤ 10", v <= 10)
	v, ok = get("BenchmarkPairedSDKWork", 1, "sdk-work-cpu-µs")
	target("SDK own work per APIv3 call, CPU µs", v, ok, "≤ 10", v <= 10)
	v, ok = get("BenchmarkPairedSDKWork", 1, "nocost-allocs")
	target("allocations per APIv3 call (no-cost signer, server's included)", v, ok, "≤ 139", v <= 139)
	v, ok = get("BenchmarkPairedAPIv2", 1, "v2/bare")
	target("APIv2 call ÷ bare round trip", v, ok, "≤ 1.2", v <= 1.2)
	v, ok = get("BenchmarkPairedAPIv2", 1, "v2/bare-cpu")
	target("APIv2 call ÷ bare round trip, CPU time", v, ok, "≤ 1.2", v <= 1.2)
	v, ok = get("BenchmarkPairedCodec", 1, "plug-cost-µs")
	target("the plugged codec's cost per call, µs (noise: ±1)", v, ok, "≈ 0", v <= 1)
	return true
}

func main() {
	all, failed := parse(os.Stdin, os.Stdout)
	if !summarize(os.Stdout, all) {
		fmt.Fprintln(os.Stderr, "benchsum: no paired benchmark results in the input")
		os.Exit(1)
	}
	if failed {
		fmt.Fprintln(os.Stderr, "benchsum: the benchmark run failed")
		os.Exit(1)
	}
}
