package main

import (
	"encoding/json"
	"net"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
)

// listener is a TCP server that counts the connections made to it and closes them: a
// client that tries to send anything to its URL is seen, whatever it sends.
func listener(t *testing.T) (url string, conns func() int64) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var n atomic.Int64
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			n.Add(1) // before Close: the client cannot finish before this is counted
			c.Close()
		}
	}()
	t.Cleanup(func() { l.Close() })
	return "https://" + l.Addr().String() + "/", n.Load
}

// offline returns a full client configuration whose base URL is a connection counter.
func offline(t *testing.T) ([]string, func() int64) {
	t.Helper()
	_, flags := identity(t)
	url, conns := listener(t)
	return replaceFlag(flags, "--base-url", url), conns
}

// replaceFlag sets (or, with no value, drops) a flag of a flag list.
func replaceFlag(flags []string, name string, value ...string) []string {
	var out []string
	for i := 0; i < len(flags); i += 2 {
		if flags[i] != name {
			out = append(out, flags[i], flags[i+1])
		}
	}
	if len(value) > 0 {
		out = append(out, name, value[0])
	}
	return out
}

// wantUsage asserts exit 2, that stderr holds every want, and that nothing was sent.
func wantUsage(t *testing.T, r result, conns func() int64, want ...string) {
	t.Helper()
	wantCode(t, r, 2)
	for _, w := range want {
		if !strings.Contains(r.stderr, w) {
			t.Errorf("stderr lacks %q:\n%s", w, r.stderr)
		}
	}
	if n := conns(); n != 0 {
		t.Errorf("%d connection(s) made; want nothing sent", n)
	}
}

func TestUnknownPathSuggests(t *testing.T) {
	flags, conns := offline(t)
	for _, c := range []struct {
		args []string
		want []string
	}{
		{[]string{"POST", "v3/pay/transaction/jsapi", "-d", "{}"},
			[]string{"POST v3/pay/transaction/jsapi is not in the catalog; did you mean POST v3/pay/transactions/jsapi?", "--any-path"}},
		{[]string{"POST", "v3/refund/domestic/refund", "-d", "{}"},
			[]string{"not in the catalog; did you mean POST v3/refund/domestic/refunds?", "--any-path"}},
		{[]string{"GET", "v3/certificate"},
			[]string{"did you mean GET v3/certificates?"}},
		// A literal where the catalog has a placeholder still counts as that segment.
		{[]string{"POST", "v3/pay/transactions/out-trade-no/T1/clse", "-d", "{}"},
			[]string{"did you mean POST v3/pay/transactions/out-trade-no/{out_trade_no}/close?"}},
		{[]string{"GET", "v3/pay/transactions/out-trade-no/T1/clse"},
			[]string{"did you mean one of\n  POST v3/pay/transactions/out-trade-no/{out_trade_no}/close\n  GET v3/pay/transactions/out-trade-no/{out_trade_no}\n", "--any-path"}},
		{[]string{"POST", "v3/nothing/like/this", "-d", "{}"},
			[]string{"POST v3/nothing/like/this is not in the catalog (--any-path sends it anyway", "wxpay routes"}},
	} {
		t.Run(c.args[0]+" "+c.args[1], func(t *testing.T) {
			wantUsage(t, runCLI(t, "", args(flags, c.args...)...), conns, c.want...)
		})
	}
}

// --any-path sends what the catalog does not list; the emulator answers 404.
func TestAnyPath(t *testing.T) {
	srv, flags := identity(t)
	r := runCLI(t, "", args(flags, "--any-path", "POST", "v3/pay/transaction/jsapi", "-d", "{}")...)
	wantCode(t, r, 1)
	last := srv.LastRequest()
	if last == nil || last.Path != "v3/pay/transaction/jsapi" {
		t.Fatalf("last request %+v; stderr %s", last, r.stderr)
	}
}

// A path in the catalog with literal values where the template has placeholders is sent.
func TestLiteralPath(t *testing.T) {
	srv, flags := identity(t)
	r := runCLI(t, "", args(flags, "GET", "v3/pay/transactions/out-trade-no/none-such", "-q", "mchid="+srv.MchID)...)
	wantCode(t, r, 1)
	if !strings.Contains(r.stderr, "ORDER_NOT_EXIST") {
		t.Fatalf("stderr %q", r.stderr)
	}
}

func TestWrongMethod(t *testing.T) {
	flags, conns := offline(t)
	wantUsage(t, runCLI(t, "", args(flags, "GET", "v3/refund/domestic/refunds")...), conns,
		"GET v3/refund/domestic/refunds is not in the catalog: v3/refund/domestic/refunds allows POST", "--any-path")
	wantUsage(t, runCLI(t, "", args(flags, "POST", "v3/pay/transactions/id/4200000001", "-d", "{}")...), conns,
		"v3/pay/transactions/id/{transaction_id} allows GET")
	wantUsage(t, runCLI(t, "", args(flags, "delete", "v3/pay/transactions/native")...), conns,
		"DELETE v3/pay/transactions/native is not in the catalog: v3/pay/transactions/native allows POST")
}

// APIv2 paths as the official documents write them, without v2/.
func TestV2PathWithoutPrefix(t *testing.T) {
	flags, conns := offline(t)
	body := `{"appid":"wxd678efh567hg6787","mch_id":"1900000109","out_trade_no":"x"}`
	for path, want := range map[string]string{
		"pay/orderquery":     "did you mean v2/pay/orderquery?",
		"/pay/orderquery":    "did you mean v2/pay/orderquery?",
		"secapi/pay/refund":  "did you mean v2/secapi/pay/refund?",
		"/secapi/pay/refund": "did you mean v2/secapi/pay/refund?",
		"pay/unifiedorder":   "did you mean v2/pay/unifiedorder?",
	} {
		t.Run(path, func(t *testing.T) {
			wantUsage(t, runCLI(t, "", args(flags, "POST", path, "-d", body)...), conns, want, "official documents")
		})
	}
	// The method is named when it is not the one given.
	wantUsage(t, runCLI(t, "", args(flags, "GET", "pay/orderquery")...), conns, "did you mean POST v2/pay/orderquery?")
	// A full URL: the path alone, and --base-url.
	wantUsage(t, runCLI(t, "", args(flags, "POST", "https://api.mch.weixin.qq.com/pay/orderquery", "-d", body)...), conns,
		"pass the path alone (v2/pay/orderquery)", "--base-url")
	// A query in the path: -q.
	wantUsage(t, runCLI(t, "", args(flags, "GET", "v3/pay/transactions/out-trade-no/T1?mchid=1900000109")...), conns,
		"-q mchid=1900000109")
}

// bodyExample extracts the JSON after "-d '" in a hint.
func bodyExample(t *testing.T, stderr string) map[string]any {
	t.Helper()
	m := regexp.MustCompile(`-d '(\{.*\})'`).FindStringSubmatch(stderr)
	if m == nil {
		t.Fatalf("no example body in %q", stderr)
	}
	var v map[string]any
	if err := json.Unmarshal([]byte(m[1]), &v); err != nil {
		t.Fatalf("example %s: %v", m[1], err)
	}
	return v
}

func TestBodyRequired(t *testing.T) {
	flags, conns := offline(t)
	r := runCLI(t, "", args(flags, "POST", "v3/pay/transactions/native")...)
	wantUsage(t, r, conns, "POST v3/pay/transactions/native takes a JSON body: pass it with -d JSON, -d @FILE or -d - (stdin)")
	ex := bodyExample(t, r.stderr)
	for _, k := range []string{"appid", "mchid", "description", "out_trade_no", "notify_url", "amount"} {
		if ex[k] == nil {
			t.Errorf("example lacks %s: %v", k, ex)
		}
	}
	if _, ok := ex["attach"]; ok {
		t.Errorf("example has the optional attach: %v", ex)
	}
	if amount, _ := ex["amount"].(map[string]any); amount["total"] == nil || amount["currency"] != nil {
		t.Errorf("example amount %v: want total only", ex["amount"])
	}

	r = runCLI(t, "", args(flags, "POST", "v2/pay/orderquery")...)
	wantUsage(t, r, conns, "POST v2/pay/orderquery takes APIv2 fields: pass them as a JSON object with -d")
	ex = bodyExample(t, r.stderr)
	if ex["appid"] == nil || ex["mch_id"] == nil {
		t.Errorf("example %v", ex)
	}
	for _, k := range []string{"sign", "nonce_str"} { // the SDK's to set
		if _, ok := ex[k]; ok {
			t.Errorf("example has %s: %v", k, ex)
		}
	}
	// A path parameter's endpoint with a body.
	wantUsage(t, runCLI(t, "", args(flags, "POST", "v3/pay/transactions/out-trade-no/{out_trade_no}/close", "-p", "out_trade_no=T1")...), conns,
		"takes a JSON body", `"mchid"`)
	// A GET has no body: no hint; a missing -p is named with its flag.
	wantUsage(t, runCLI(t, "", args(flags, "GET", "v3/pay/transactions/out-trade-no/{out_trade_no}")...), conns,
		"missing path parameter {out_trade_no}: pass it with -p out_trade_no=VALUE")
	// An upload: said to be beyond the command line.
	wantUsage(t, runCLI(t, "", args(flags, "POST", "v3/merchant/media/upload")...), conns, "multipart")
}

// goOption matches an SDK option name (WithAPIv2Key …), which the command never shows.
var goOption = regexp.MustCompile(`With[A-Z][A-Za-z0-9]+`)

func TestCredentialErrorsNameFlags(t *testing.T) {
	flags, conns := offline(t)
	dir := t.TempDir()
	pubKey := filepath.Join(dir, "pub.pem") // never read: the pair is refused first
	srvFlags := flags
	v3 := []string{"GET", "v3/pay/transactions/out-trade-no/T1", "-q", "mchid=1900000109"}
	v2 := []string{"POST", "v2/pay/orderquery", "-d", `{"appid":"wx1","mch_id":"1900000109","out_trade_no":"T1"}`}
	v2tls := []string{"POST", "v2/secapi/pay/refund", "-d", `{"appid":"wx1","mch_id":"1900000109","out_trade_no":"T1","out_refund_no":"R1","total_fee":1,"refund_fee":1}`}
	for name, c := range map[string]struct {
		args []string
		want string
	}{
		"v3 no merchant": {args(replaceFlag(replaceFlag(replaceFlag(srvFlags, "--mchid"), "--serial"), "--private-key"), v3...),
			"APIv3 call v3/pay/transactions/out-trade-no/T1 needs the merchant's identity: --mchid, --serial and --private-key (WXPAY_MCHID, WXPAY_SERIAL, WXPAY_PRIVATE_KEY)"},
		"v3 no serial": {args(replaceFlag(srvFlags, "--serial"), v3...), "needs the merchant's identity: --serial (WXPAY_SERIAL)"},
		"v3 no verifier": {args(replaceFlag(srvFlags, "--platform-cert"), v3...),
			"to verify the answer: --platform-cert (WXPAY_PLATFORM_CERT)"},
		"v2 no key":         {args(replaceFlag(srvFlags, "--apiv2-key"), v2...), "APIv2 call v2/pay/orderquery needs the APIv2 key: --apiv2-key (WXPAY_APIV2_KEY)"},
		"v2 no client cert": {args(replaceFlag(replaceFlag(srvFlags, "--client-cert"), "--client-key"), v2tls...), "needs the merchant's client certificate for mutual TLS: --client-cert (WXPAY_CLIENT_CERT)"},
		"certs no v3 key":   {append([]string{"certs", "download", "--out", dir}, replaceFlag(srvFlags, "--apiv3-key")...), "certs download needs the APIv3 key to decrypt the certificates: --apiv3-key (WXPAY_APIV3_KEY)"},
		"v3 key length":     {args(replaceFlag(srvFlags, "--apiv3-key", "short"), v3...), "--apiv3-key (WXPAY_APIV3_KEY)"},
		"v2 key length":     {args(replaceFlag(srvFlags, "--apiv2-key", "short"), v2...), "--apiv2-key (WXPAY_APIV2_KEY)"},
		"public key no id":  {args(replaceFlag(srvFlags, "--public-key", pubKey), v3...), "--public-key and --public-key-id (WXPAY_PUBLIC_KEY, WXPAY_PUBLIC_KEY_ID) together"},
		"partial merchant":  {args(replaceFlag(srvFlags, "--serial"), v2...), "a merchant needs --mchid, --serial and --private-key (WXPAY_MCHID, WXPAY_SERIAL, WXPAY_PRIVATE_KEY) together"},
	} {
		t.Run(name, func(t *testing.T) {
			r := runCLI(t, "", c.args...)
			wantUsage(t, r, conns, c.want)
			if m := goOption.FindString(r.stderr); m != "" {
				t.Errorf("stderr names the Go option %s:\n%s", m, r.stderr)
			}
		})
	}
}

// --version and "wxpay version" print the version the SDK's User-Agent sends.
func TestVersion(t *testing.T) {
	srv, flags := identity(t)
	wantCode(t, runCLI(t, "", args(flags, "GET", "v3/certificates")...), 0)
	ua := srv.LastRequest().Header.Get("User-Agent")
	m := regexp.MustCompile(`^wxpay-go/(\S+) `).FindStringSubmatch(ua)
	if m == nil {
		t.Fatalf("User-Agent %q", ua)
	}
	for _, a := range [][]string{{"--version"}, {"version"}, {"-version"}} {
		r := runCLI(t, "", a...)
		wantCode(t, r, 0)
		if f := strings.Fields(r.stdout); len(f) < 2 || f[0] != "wxpay" || f[1] != m[1] {
			t.Errorf("%v: stdout %q, want wxpay %s", a, r.stdout, m[1])
		}
	}
}

// Without a terminal, the answer is one compact line; --pretty indents it, --compact keeps
// it on one line, both at once is a usage error.
func TestOutputFormat(t *testing.T) {
	srv, flags := identity(t)
	order := `{"appid":"wxd678efh567hg6787","mchid":"` + srv.MchID + `","description":"fmt","out_trade_no":"fmt-1",` +
		`"notify_url":"https://127.0.0.1/notify","amount":{"total":7}}`
	wantCode(t, runCLI(t, "", args(flags, "POST", "v3/pay/transactions/native", "-d", order)...), 0)
	call := args(flags, "GET", "v3/pay/transactions/out-trade-no/fmt-1", "-q", "mchid="+srv.MchID)
	r := runCLI(t, "", call...)
	wantCode(t, r, 0)
	if strings.Count(r.stdout, "\n") != 1 || !json.Valid([]byte(r.stdout)) {
		t.Errorf("default (a pipe): %q", r.stdout)
	}
	compact := r.stdout
	r = runCLI(t, "", append(call, "--compact")...)
	wantCode(t, r, 0)
	if r.stdout != compact {
		t.Errorf("--compact: %q, want %q", r.stdout, compact)
	}
	r = runCLI(t, "", append(call, "--pretty")...)
	wantCode(t, r, 0)
	if !strings.HasPrefix(r.stdout, "{\n  \"") || !strings.Contains(r.stdout, "\n  \"trade_state\": \"NOTPAY\"") {
		t.Errorf("--pretty: %q", r.stdout)
	}
	if got := compactJSON(t, r.stdout); got != compactJSON(t, compact) {
		t.Errorf("--pretty changed the content:\n%s\n%s", got, compact)
	}
	// An APIv2 answer (XML) is shown as JSON, indented too.
	r = runCLI(t, "", args(flags, "--pretty", "POST", "v2/pay/unifiedorder", "-d",
		`{"appid":"wxd678efh567hg6787","mch_id":"`+srv.MchID+`","body":"b","out_trade_no":"fmt-2",`+
			`"total_fee":5,"spbill_create_ip":"127.0.0.1","notify_url":"https://127.0.0.1/n","trade_type":"NATIVE"}`)...)
	wantCode(t, r, 0)
	if !strings.HasPrefix(r.stdout, "{\n  \"") || !strings.Contains(r.stdout, "\n  \"return_code\": \"SUCCESS\"") {
		t.Errorf("APIv2 --pretty: %q", r.stdout)
	}
	sent := len(srv.Requests())
	wantUsage(t, runCLI(t, "", append(call, "--pretty", "--compact")...),
		func() int64 { return int64(len(srv.Requests()) - sent) }, "--pretty and --compact")
}

func compactJSON(t *testing.T, s string) string {
	t.Helper()
	var v any
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// shellWords splits a command line of plain words and single-quoted strings.
func shellWords(t *testing.T, line string) []string {
	t.Helper()
	var words []string
	var w strings.Builder
	in, quoted := false, false
	for _, c := range line {
		switch {
		case quoted && c == '\'':
			quoted = false
		case quoted:
			w.WriteRune(c)
		case c == '\'':
			quoted, in = true, true
		case c == ' ':
			if in {
				words = append(words, w.String())
				w.Reset()
				in = false
			}
		case c == '"' || c == '\\' || c == '$' || c == '`':
			t.Fatalf("example %q: unquoted %q is beyond this test's shell", line, c)
		default:
			w.WriteRune(c)
			in = true
		}
	}
	if quoted {
		t.Fatalf("example %q: unterminated quote", line)
	}
	if in {
		words = append(words, w.String())
	}
	return words
}

// The usage text's examples work against "wxpay sandbox", run as it says (WXPAY_CONFIG).
func TestUsageExamples(t *testing.T) {
	r := runCLI(t, "", "--help")
	wantCode(t, r, 0)
	var examples [][]string
	inExamples := false
	for _, l := range strings.Split(r.stdout, "\n") {
		switch {
		case strings.HasPrefix(l, "examples"):
			inExamples = true
			if !strings.Contains(l, "wxpay sandbox") || !strings.Contains(l, "WXPAY_CONFIG=DIR/sandbox.json") {
				t.Errorf("examples line %q does not say how to run them", l)
			}
		case inExamples && strings.HasPrefix(l, "  wxpay "):
			examples = append(examples, shellWords(t, strings.TrimSpace(l))[1:])
		case inExamples:
			inExamples = false
		}
	}
	if len(examples) < 2 {
		t.Fatalf("%d examples in\n%s", len(examples), r.stdout)
	}
	sb := startSandbox(t)
	env := []string{"WXPAY_CONFIG=" + filepath.Join(sb.dir, "sandbox.json")}
	for _, ex := range examples {
		r := runCLIEnv(t, env, "", ex...)
		if r.code != 0 || !json.Valid([]byte(r.stdout)) {
			t.Errorf("wxpay %q: exit %d\nstdout: %s\nstderr: %s", ex, r.code, r.stdout, r.stderr)
		}
	}
}

// A file error names the flag and says "wxpay:" once.
func TestKeyFileError(t *testing.T) {
	flags, conns := offline(t)
	r := runCLI(t, "", args(replaceFlag(flags, "--private-key", "/nonexistent/key.pem"), "GET", "v3/certificates")...)
	wantUsage(t, r, conns, "wxpay: --private-key: ", "/nonexistent/key.pem")
	if n := strings.Count(r.stderr, "wxpay:"); n != 1 {
		t.Errorf("%d \"wxpay:\" in %q", n, r.stderr)
	}
}
