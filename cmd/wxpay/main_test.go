package main

import (
	"bufio"
	"bytes"
	"crypto/tls"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/wxpay-go/wxpay/wxpaytest"
)

var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "wxpay-cli-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binary = filepath.Join(dir, "wxpay")
	out, err := exec.Command("go", "build", "-o", binary, ".").CombinedOutput()
	if err != nil {
		fmt.Fprintf(os.Stderr, "go build: %v\n%s", err, out)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

type result struct {
	code           int
	stdout, stderr string
}

func runCLI(t *testing.T, stdin string, args ...string) result {
	t.Helper()
	return runCLIEnv(t, nil, stdin, args...)
}

// runCLIEnv runs the binary with extra environment variables ("WXPAY_CONFIG=…").
func runCLIEnv(t *testing.T, env []string, stdin string, args ...string) result {
	t.Helper()
	cmd := exec.Command(binary, args...)
	cmd.Env = append(cleanEnv(), env...)
	cmd.Stdin = strings.NewReader(stdin)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("run wxpay: %v", err)
	}
	return result{code, out.String(), errb.String()}
}

// cleanEnv is the test's environment without WXPAY_* variables.
func cleanEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "WXPAY_") {
			env = append(env, kv)
		}
	}
	return env
}

// identity starts an emulator and writes its identity to files; it returns the flags that
// configure a client for it.
func identity(t *testing.T) (*wxpaytest.Server, []string) {
	t.Helper()
	srv := wxpaytest.NewServer(t)
	dir := t.TempDir()
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	return srv, []string{
		"--base-url", srv.URL,
		"--mchid", srv.MchID,
		"--serial", srv.MerchantSerial,
		"--private-key", write("apiclient_key.pem", srv.MerchantKeyPEM),
		"--platform-cert", write("platform_cert.pem", srv.PlatformCertPEM),
		"--apiv3-key", srv.APIv3Key,
		"--apiv2-key", srv.APIv2Key,
		"--client-cert", write("apiclient_cert.pem", srv.MerchantCertPEM),
		"--client-key", filepath.Join(dir, "apiclient_key.pem"),
		"--ca", write("ca.pem", caPEM(t, srv)),
	}
}

// caPEM reads the server's certificate over a TLS connection verified with srv.RootCAs.
func caPEM(t *testing.T, srv *wxpaytest.Server) []byte {
	t.Helper()
	u, err := url.Parse(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	conn, err := tls.Dial("tcp", u.Host, &tls.Config{RootCAs: srv.RootCAs, MinVersion: tls.VersionTLS12})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: conn.ConnectionState().PeerCertificates[0].Raw})
}

func args(flags []string, rest ...string) []string {
	return append(append([]string(nil), flags...), rest...)
}

func wantCode(t *testing.T, r result, code int) {
	t.Helper()
	if r.code != code {
		t.Fatalf("exit %d, want %d\nstdout: %s\nstderr: %s", r.code, code, r.stdout, r.stderr)
	}
}

func TestV3PostAndGet(t *testing.T) {
	srv, flags := identity(t)
	order := `{"appid":"wxd678efh567hg6787","mchid":"` + srv.MchID + `","description":"cli","out_trade_no":"cli-1",` +
		`"notify_url":"https://example.com/notify","amount":{"total":7}}`
	r := runCLI(t, "", args(flags, "POST", "v3/pay/transactions/native", "-d", order)...)
	wantCode(t, r, 0)
	var ans map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &ans); err != nil || ans["code_url"] == nil {
		t.Fatalf("stdout %q: %v", r.stdout, err)
	}

	// Flags after METHOD PATH, path parameter, query.
	r = runCLI(t, "", append([]string{"GET", "v3/pay/transactions/out-trade-no/{out_trade_no}",
		"-p", "out_trade_no=cli-1", "-q", "mchid=" + srv.MchID}, flags...)...)
	wantCode(t, r, 0)
	if err := json.Unmarshal([]byte(r.stdout), &ans); err != nil || ans["trade_state"] != "NOTPAY" {
		t.Fatalf("stdout %q: %v", r.stdout, err)
	}
	last := srv.LastRequest()
	if last == nil || last.Query.Get("mchid") != srv.MchID {
		t.Fatalf("query not sent: %+v", last)
	}
}

func TestV3BodyFromStdinAndFile(t *testing.T) {
	srv, flags := identity(t)
	order := `{"appid":"wxd678efh567hg6787","mchid":"` + srv.MchID + `","description":"cli","out_trade_no":"cli-s",` +
		`"notify_url":"https://example.com/notify","amount":{"total":7}}`
	wantCode(t, runCLI(t, order, args(flags, "POST", "v3/pay/transactions/native", "-d", "-")...), 0)
	f := filepath.Join(t.TempDir(), "body.json")
	if err := os.WriteFile(f, []byte(strings.Replace(order, "cli-s", "cli-f", 1)), 0o600); err != nil {
		t.Fatal(err)
	}
	wantCode(t, runCLI(t, "", args(flags, "POST", "v3/pay/transactions/native", "-d", "@"+f)...), 0)
}

func TestAPIError(t *testing.T) {
	srv, flags := identity(t)
	r := runCLI(t, "", args(flags, "GET", "v3/pay/transactions/out-trade-no/{out_trade_no}",
		"-p", "out_trade_no=missing", "-q", "mchid="+srv.MchID)...)
	wantCode(t, r, 1)
	if !strings.Contains(r.stderr, "ORDER_NOT_EXIST: ") || !strings.Contains(r.stderr, "404") {
		t.Fatalf("stderr %q", r.stderr)
	}
}

func TestV2(t *testing.T) {
	srv, flags := identity(t)
	r := runCLI(t, "", args(flags, "POST", "v2/pay/orderquery",
		"-d", `{"appid":"wxd678efh567hg6787","mch_id":"`+srv.MchID+`","out_trade_no":"nope","nonce_str":"n1"}`)...)
	wantCode(t, r, 1)
	if !strings.Contains(r.stderr, "ORDERNOTEXIST") {
		t.Fatalf("stderr %q", r.stderr)
	}

	r = runCLI(t, "", args(flags, "POST", "v2/pay/unifiedorder", "-d",
		`{"appid":"wxd678efh567hg6787","mch_id":"`+srv.MchID+`","nonce_str":"n2","body":"b","out_trade_no":"v2-1",`+
			`"total_fee":5,"spbill_create_ip":"127.0.0.1","notify_url":"https://example.com/n","trade_type":"NATIVE"}`)...)
	wantCode(t, r, 0)
	var ans map[string]string
	if err := json.Unmarshal([]byte(r.stdout), &ans); err != nil {
		t.Fatalf("stdout %q: %v", r.stdout, err)
	}
	if ans["result_code"] != "SUCCESS" || ans["prepay_id"] == "" {
		t.Fatalf("answer %v", ans)
	}
}

func TestEnvAndConfig(t *testing.T) {
	srv, flags := identity(t)
	// Everything but the APIv2 key from a config file; the key from the environment.
	cfg := map[string]any{}
	for i := 0; i < len(flags); i += 2 {
		key := strings.ReplaceAll(strings.TrimPrefix(flags[i], "--"), "-", "_")
		switch key {
		case "serial":
			key = "merchant_serial"
		case "base_url":
			key = "url"
		case "apiv2_key":
			continue
		}
		cfg[key] = flags[i+1]
	}
	data, _ := json.Marshal(cfg)
	path := filepath.Join(t.TempDir(), "wxpay.json")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	body := `{"appid":"wxd678efh567hg6787","mch_id":"` + srv.MchID + `","out_trade_no":"nope","nonce_str":"n3"}`
	cmd := exec.Command(binary, "--config", path, "POST", "v2/pay/orderquery", "-d", body)
	cmd.Env = append(cleanEnv(), "WXPAY_APIV2_KEY="+srv.APIv2Key)
	var errb bytes.Buffer
	cmd.Stderr = &errb
	err := cmd.Run()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 1 || !strings.Contains(errb.String(), "ORDERNOTEXIST") {
		t.Fatalf("err %v stderr %q", err, errb.String())
	}
	// A flag beats the environment: a wrong key makes the server refuse the signature.
	cmd = exec.Command(binary, "--config", path, "--apiv2-key", "wrong-key-wrong-key-wrong-key-00", "POST", "v2/pay/orderquery", "-d", body)
	cmd.Env = append(cleanEnv(), "WXPAY_APIV2_KEY="+srv.APIv2Key)
	errb.Reset()
	cmd.Stderr = &errb
	err = cmd.Run()
	if !errors.As(err, &ee) || ee.ExitCode() != 1 || strings.Contains(errb.String(), "ORDERNOTEXIST") {
		t.Fatalf("err %v stderr %q", err, errb.String())
	}
}

func TestUsageErrors(t *testing.T) {
	_, flags := identity(t)
	for name, a := range map[string][]string{
		"no args":       {},
		"one arg":       {"GET"},
		"bad flag":      {"--nope", "GET", "v3/x"},
		"bad method":    {"FETCH", "v3/x"},
		"bad -p":        args(flags, "GET", "v3/x/{a}", "-p", "a"),
		"missing param": args(flags, "GET", "v3/x/{a}"),
		"bad json":      args(flags, "POST", "v3/pay/transactions/native", "-d", "{"),
		"missing file":  {"--private-key", "/nonexistent/key.pem", "--mchid", "1", "--serial", "2", "GET", "v3/x"},
		"no merchant":   {"--base-url", "https://127.0.0.1:1/", "GET", "v3/x"},
		"routes 2 args": {"routes", "a", "b"},
		"certs no out":  {"certs", "download"},
	} {
		t.Run(name, func(t *testing.T) {
			r := runCLI(t, "", a...)
			wantCode(t, r, 2)
			if !strings.Contains(r.stderr, "usage:") {
				t.Fatalf("no usage line in %q", r.stderr)
			}
		})
	}
}

func TestHelp(t *testing.T) {
	for _, a := range [][]string{{"--help"}, {"-h"}, {"help"}, {"GET", "v3/x", "-h"}, {"sandbox", "--help"},
		{"routes", "-h"}, {"certs", "download", "--help"}} {
		r := runCLI(t, "", a...)
		wantCode(t, r, 0)
		if !strings.Contains(r.stdout, "usage:") {
			t.Fatalf("%v: stdout %q", a, r.stdout)
		}
	}
}

func TestRoutes(t *testing.T) {
	r := runCLI(t, "", "routes", "TRANSACTIONS")
	wantCode(t, r, 0)
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	if len(lines) < 3 {
		t.Fatalf("few lines: %q", r.stdout)
	}
	found := false
	for _, l := range lines {
		f := strings.Fields(l)
		if len(f) != 4 || !strings.Contains(strings.ToLower(f[1]), "transactions") && !strings.Contains(strings.ToLower(f[3]), "transactions") {
			t.Fatalf("line %q", l)
		}
		if f[0] == "POST" && f[1] == "v3/pay/transactions/native" {
			found = true
			if f[2] != "-" || !strings.Contains(f[3], "基础支付") {
				t.Errorf("zone and category of %q: want - and 基础支付", l)
			}
		}
		if f[1] == "v3/transactions/id/{transaction_id}/reverse" && f[2] != "hk" {
			t.Errorf("zone of %q: want hk", l)
		}
	}
	if !found {
		t.Fatal("v3/pay/transactions/native not listed")
	}
}

// The filter also matches categories: 转账 lists the transfer endpoints, whose paths do not
// say 转账.
func TestRoutesCategory(t *testing.T) {
	r := runCLI(t, "", "routes", "转账")
	wantCode(t, r, 0)
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	found := false
	for _, l := range lines {
		f := strings.Fields(l)
		if len(f) != 4 || !strings.Contains(f[3], "转账") {
			t.Fatalf("line %q", l)
		}
		found = found || (f[0] == "POST" && f[1] == "v3/fund-app/mch-transfer/transfer-bills")
	}
	if !found || len(lines) < 20 {
		t.Fatalf("%d lines, POST v3/fund-app/mch-transfer/transfer-bills listed: %v", len(lines), found)
	}
	// routes has no flags: its help has no empty "flags:" line.
	r = runCLI(t, "", "routes", "--help")
	wantCode(t, r, 0)
	if strings.Contains(r.stdout, "flags:") {
		t.Errorf("routes --help: %q", r.stdout)
	}
}

func TestCertsDownload(t *testing.T) {
	srv, flags := identity(t)
	// Without the platform certificate: the download bootstraps trust itself.
	var noCert []string
	for i := 0; i < len(flags); i += 2 {
		if flags[i] != "--platform-cert" {
			noCert = append(noCert, flags[i], flags[i+1])
		}
	}
	out := filepath.Join(t.TempDir(), "certs")
	r := runCLI(t, "", append([]string{"certs", "download", "--out", out}, noCert...)...)
	wantCode(t, r, 0)
	if !strings.Contains(r.stdout, srv.PlatformSerial) {
		t.Fatalf("stdout %q", r.stdout)
	}
	data, err := os.ReadFile(filepath.Join(out, "wechatpay_"+srv.PlatformSerial+".pem"))
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := pem.Decode(data); b == nil || !bytes.Equal(b.Bytes, srv.PlatformCert.Raw) {
		t.Fatal("written certificate differs from the platform's")
	}
}

// sandbox runs "wxpay sandbox" from the built binary until the test ends (or stop is called).
type sandbox struct {
	dir  string            // --keys
	info map[string]string // the JSON line it printed
	logs *bytes.Buffer     // its stderr; read it only after stop
	stop func()
}

func startSandbox(t *testing.T) *sandbox {
	t.Helper()
	dir := t.TempDir()
	probe, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := probe.Addr().String()
	probe.Close() // a port that was free a moment ago
	cmd := exec.Command(binary, "sandbox", "--keys", dir, "--addr", addr)
	cmd.Env = cleanEnv()
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var errb bytes.Buffer
	cmd.Stderr = &errb
	start := time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	stopped := false
	stop := func() {
		if stopped {
			return
		}
		stopped = true
		_ = cmd.Process.Signal(os.Interrupt)
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("sandbox exit: %v\n%s", err, errb.String())
			}
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			t.Error("sandbox did not stop on SIGINT")
		}
	}
	t.Cleanup(stop)
	lineCh := make(chan string, 1)
	go func() {
		line, _ := bufio.NewReader(stdout).ReadString('\n')
		lineCh <- line
		_, _ = bufio.NewReader(stdout).ReadString(0)
		done <- cmd.Wait()
	}()
	var line string
	select {
	case line = <-lineCh:
	case <-time.After(20 * time.Second):
		t.Fatal("no line from sandbox")
	}
	started := time.Since(start)
	t.Logf("sandbox ready in %v", started)
	if started > time.Second {
		t.Errorf("sandbox took %v to start", started)
	}
	var info map[string]string
	if err := json.Unmarshal([]byte(line), &info); err != nil {
		t.Fatalf("line %q: %v", line, err)
	}
	if info["url"] != "https://"+addr+"/" {
		t.Errorf("url %q, want the --addr %s", info["url"], addr)
	}
	return &sandbox{dir: dir, info: info, logs: &errb, stop: stop}
}

func TestSandbox(t *testing.T) {
	sb := startSandbox(t)
	dir, info, stop := sb.dir, sb.info, sb.stop
	line, _ := json.Marshal(info)
	for _, k := range []string{"url", "mchid", "merchant_serial", "platform_serial", "public_key_id", "apiv3_key", "apiv2_key"} {
		if info[k] == "" {
			t.Errorf("no %s in %s", k, line)
		}
	}
	for _, f := range []string{"apiclient_key.pem", "apiclient_cert.pem", "platform_cert.pem", "platform_key.pem", "pubkey.pem", "sandbox.json", "ca.pem"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Error(err)
		}
	}
	// sandbox.json works as --config.
	r := runCLI(t, "", "--config", filepath.Join(dir, "sandbox.json"), "POST", "v3/pay/transactions/native", "-d",
		`{"appid":"wxd678efh567hg6787","mchid":"`+info["mchid"]+`","description":"sb","out_trade_no":"sb-1","notify_url":"https://example.com/n","amount":{"total":1}}`)
	wantCode(t, r, 0)
	cfg := filepath.Join(dir, "sandbox.json")
	state := func() string {
		t.Helper()
		r := runCLI(t, "", "--config", cfg, "GET", "v3/pay/transactions/out-trade-no/{out_trade_no}",
			"-p", "out_trade_no=sb-1", "-q", "mchid="+info["mchid"])
		wantCode(t, r, 0)
		var o struct {
			TradeState string `json:"trade_state"`
		}
		if err := json.Unmarshal([]byte(r.stdout), &o); err != nil {
			t.Fatalf("stdout %q: %v", r.stdout, err)
		}
		return o.TradeState
	}
	if s := state(); s != "NOTPAY" {
		t.Errorf("trade_state %s before paying", s)
	}
	r = runCLI(t, "", "--config", cfg, "POST", "v3/wxpaytest/pay/sb-1")
	wantCode(t, r, 0)
	if s := state(); s != "SUCCESS" {
		t.Errorf("trade_state %s after paying", s)
	}
	// The README's way: WXPAY_CONFIG instead of --config.
	env := []string{"WXPAY_CONFIG=" + cfg}
	r = runCLIEnv(t, env, "", "POST", "v3/refund/domestic/refunds", "-d",
		`{"out_trade_no":"sb-1","out_refund_no":"sb-r1","amount":{"refund":1,"total":1,"currency":"CNY"}}`)
	wantCode(t, r, 0)
	r = runCLIEnv(t, env, "", "POST", "v2/pay/orderquery", "-d",
		`{"appid":"wxd678efh567hg6787","mch_id":"`+info["mchid"]+`","out_trade_no":"sb-1"}`)
	wantCode(t, r, 0)
	certDir := t.TempDir()
	r = runCLIEnv(t, env, "", "certs", "download", "--out", certDir)
	wantCode(t, r, 0)
	if files, _ := filepath.Glob(filepath.Join(certDir, "wechatpay_*.pem")); len(files) != 1 {
		t.Errorf("certs download wrote %v", files)
	}
	// Any catalog endpoint, answered from the catalog with the request's identifiers.
	r = runCLI(t, "", "--config", cfg, "GET", "v3/profitsharing/orders/{out_order_no}",
		"-p", "out_order_no=P-9", "-q", "transaction_id=4208450740201411110007820472")
	wantCode(t, r, 0)
	if !strings.Contains(r.stdout, `"out_order_no":"P-9"`) {
		t.Errorf("stdout %q does not echo out_order_no", r.stdout)
	}
	// A missing required field: the platform's error, exit 1.
	r = runCLI(t, "", "--config", cfg, "POST", "v3/profitsharing/orders", "-d", `{"appid":"wx8888888888888888"}`)
	wantCode(t, r, 1)
	if !strings.Contains(r.stderr, "PARAM_ERROR") || !strings.Contains(r.stderr, `"field":"transaction_id"`) {
		t.Errorf("stderr %q", r.stderr)
	}

	stop()
	// One log line per request.
	var logged []string
	for _, l := range strings.Split(sb.logs.String(), "\n") {
		if strings.Contains(l, "msg=request") {
			logged = append(logged, l)
		}
	}
	if len(logged) != 9 {
		t.Errorf("%d request lines, want 9:\n%s", len(logged), sb.logs.String())
	}
	if len(logged) > 0 && !strings.Contains(logged[len(logged)-1], "status=400 code=PARAM_ERROR") {
		t.Errorf("last line %q", logged[len(logged)-1])
	}
}

// TestNoTestingInTheBinary: the production command links the emulator for `wxpay sandbox`,
// but not package testing (and its flags) through it.
func TestNoTestingInTheBinary(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	for _, pkg := range strings.Fields(string(out)) {
		if pkg == "testing" {
			t.Fatal("cmd/wxpay depends on package testing")
		}
	}
}
