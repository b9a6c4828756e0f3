package main

import (
	"context"
	"encoding/json"
	"encoding/pem"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/wxpay-go/wxpay/catalog"
	"github.com/wxpay-go/wxpay/wxpaytest"
)

const routesUsage = `usage: wxpay routes [filter]    list the catalog's endpoints: method, path, zone (- for the mainland), categories
  filter (case-insensitive) is part of a path or of a category: wxpay routes refund, wxpay routes 转账
`

func runRoutes(args []string, e env) int {
	fs := flag.NewFlagSet("wxpay routes", flag.ContinueOnError)
	pos, code := parseFlags(fs, args, routesUsage, e)
	if code >= 0 {
		return code
	}
	if len(pos) > 1 {
		return fail(e, routesUsage, usagef("routes takes at most one filter, got %q", pos))
	}
	filter := ""
	if len(pos) == 1 {
		filter = strings.ToLower(pos[0])
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
	for _, ep := range catalog.All() {
		if !strings.Contains(strings.ToLower(ep.Path), filter) && !strings.Contains(strings.ToLower(ep.Tags), filter) {
			continue
		}
		zone, tags := ep.Zone, ep.Tags
		if zone == "" {
			zone = "-"
		}
		if tags == "" {
			tags = "-"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", ep.Method, ep.Path, zone, tags)
	}
	if err := tw.Flush(); err != nil {
		return exitAPI
	}
	return exitOK
}

const certsUsage = "usage: wxpay certs download --out DIR [flags]    download, decrypt and verify the platform certificates\n"

func runCerts(args []string, e env) int {
	fs := flag.NewFlagSet("wxpay certs download", flag.ContinueOnError)
	cf := addClientFlags(fs)
	out := fs.String("out", "", "`DIR` to write wechatpay_<serial>.pem files to")
	pos, code := parseFlags(fs, args, certsUsage, e)
	if code >= 0 {
		return code
	}
	if len(pos) != 1 || pos[0] != "download" {
		return fail(e, certsUsage, usagef("want: certs download --out DIR"))
	}
	if *out == "" {
		return fail(e, certsUsage, usagef("--out DIR is required"))
	}
	client, err := cf.newClient(e.getenv, need{what: "certs download", merchant: true, apiv3Key: true})
	if err != nil {
		return fail(e, certsUsage, err)
	}
	defer client.CloseIdleConnections()
	if err := os.MkdirAll(*out, 0o755); err != nil {
		return fail(e, certsUsage, usagef("--out: %v", err))
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	certs, err := client.DownloadCertificates(ctx)
	if err != nil {
		return reportCallError(e, err)
	}
	for _, c := range certs {
		file := filepath.Join(*out, "wechatpay_"+c.Serial+".pem")
		data := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Certificate.Raw})
		if err := os.WriteFile(file, data, 0o644); err != nil {
			fmt.Fprintf(e.stderr, "wxpay: %v\n", err)
			return exitAPI
		}
		fmt.Fprintf(e.stdout, "%s %s %s %s\n", c.Serial,
			c.EffectiveTime.Format(time.RFC3339), c.ExpireTime.Format(time.RFC3339), file)
	}
	return exitOK
}

const sandboxUsage = "usage: wxpay sandbox [--addr 127.0.0.1:0] [--keys DIR] [--quiet]    run the emulator until interrupted\n"

func runSandbox(args []string, e env) int {
	fs := flag.NewFlagSet("wxpay sandbox", flag.ContinueOnError)
	addr := fs.String("addr", "127.0.0.1:0", "listen `address`; port 0 picks a free port. The TLS certificate names 127.0.0.1 and ::1")
	quiet := fs.Bool("quiet", false, "do not log one line per request on stderr")
	keys := fs.String("keys", "", "`DIR` to write the test identity to (default: a new temporary directory)")
	pos, code := parseFlags(fs, args, sandboxUsage, e)
	if code >= 0 {
		return code
	}
	if len(pos) != 0 {
		return fail(e, sandboxUsage, usagef("sandbox takes no arguments, got %q", pos))
	}
	dir := *keys
	var err error
	if dir == "" {
		if dir, err = os.MkdirTemp("", "wxpay-sandbox-"); err != nil {
			return fail(e, sandboxUsage, err)
		}
	} else if err = os.MkdirAll(dir, 0o700); err != nil {
		return fail(e, sandboxUsage, usagef("--keys: %v", err))
	}
	if dir, err = filepath.Abs(dir); err != nil {
		return fail(e, sandboxUsage, usagef("--keys: %v", err))
	}
	opts := []wxpaytest.Option{wxpaytest.WithAddr(*addr)}
	if !*quiet {
		opts = append(opts, wxpaytest.WithLogger(slog.New(slog.NewTextHandler(e.stderr, nil))))
	}
	srv, err := wxpaytest.Start(opts...)
	if err != nil {
		fmt.Fprintf(e.stderr, "wxpay: sandbox: %v\n", err)
		return exitUsage
	}
	defer srv.Close()

	info := fileConfig{
		URL: srv.URL, MchID: srv.MchID, MerchantSerial: srv.MerchantSerial, PlatformSerial: srv.PlatformSerial,
		PublicKeyID: srv.PublicKeyID, APIv3Key: srv.APIv3Key, APIv2Key: srv.APIv2Key,
		PrivateKey:   filepath.Join(dir, "apiclient_key.pem"),
		PlatformCert: filepath.Join(dir, "platform_cert.pem"),
		PublicKey:    filepath.Join(dir, "pubkey.pem"),
		ClientCert:   filepath.Join(dir, "apiclient_cert.pem"),
		ClientKey:    filepath.Join(dir, "apiclient_key.pem"),
	}
	files := map[string][]byte{
		"apiclient_key.pem":  srv.MerchantKeyPEM,
		"apiclient_cert.pem": srv.MerchantCertPEM,
		"platform_cert.pem":  srv.PlatformCertPEM,
		"platform_key.pem":   srv.PlatformKeyPEM,
		"pubkey.pem":         srv.PublicKeyPEM,
	}
	if ca := serverCAPEM(srv); ca != nil {
		files["ca.pem"] = ca
		info.CA = filepath.Join(dir, "ca.pem")
	} else {
		fmt.Fprintln(e.stderr, "wxpay: note: the emulator's TLS root is not available; ca.pem not written")
	}
	line, _ := json.Marshal(info)
	files["sandbox.json"] = append(line, '\n')
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o600); err != nil {
			fmt.Fprintf(e.stderr, "wxpay: sandbox: %v\n", err)
			return exitAPI
		}
	}
	fmt.Fprintf(e.stdout, "%s\n", line)

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	<-ctx.Done()
	return exitOK
}

// serverCAPEM returns the PEM of the emulator's TLS certificate, the root a client in
// another process must trust (--ca).
func serverCAPEM(srv *wxpaytest.Server) []byte { return srv.CACertPEM }
