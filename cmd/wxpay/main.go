// Command wxpay calls WeChat Pay from the command line, runs the embedded emulator and
// lists the endpoint catalog.
//
//	wxpay [flags] METHOD PATH          e.g. wxpay GET 'v3/pay/transactions/out-trade-no/{out_trade_no}' -p out_trade_no=demo-1 -q mchid=1900000109
//	wxpay sandbox [--addr 127.0.0.1:0] [--keys DIR]
//	wxpay routes [filter]
//	wxpay certs download --out DIR
//	wxpay version
//
// METHOD PATH is checked against the catalog before anything is sent: an unknown path gets
// the nearest catalog paths, a wrong method the allowed ones (--any-path sends it anyway).
// The answer's body goes to stdout (APIv2 XML shown as JSON), indented when stdout is a
// terminal (--pretty, --compact choose); exit 0 on success, 1 on an API or verification
// error, 2 on a usage or configuration error.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"

	"github.com/wxpay-go/wxpay/transport"
	"github.com/wxpay-go/wxpay/wxpaytest"
)

const (
	exitOK    = 0
	exitAPI   = 1
	exitUsage = 2
)

// sdkVersion is the version of the SDK this command is built from, the one its requests'
// User-Agent sends. It is the only reference to that constant in the command.
const sdkVersion = transport.Version

// mainUsage ends with examples that work against "wxpay sandbox" (a test runs them).
const mainUsage = `usage:
  wxpay [flags] METHOD PATH     call an endpoint of the catalog (see the examples)
  wxpay sandbox [--addr 127.0.0.1:0] [--keys DIR]
  wxpay routes [filter]         list the catalog; filter: part of a path or a category
  wxpay certs download --out DIR
  wxpay version
Run "wxpay COMMAND --help" for a command's flags.

examples, against "wxpay sandbox --keys DIR" with WXPAY_CONFIG=DIR/sandbox.json:
  wxpay POST v3/pay/transactions/native -d '{"appid":"wxd678efh567hg6787","mchid":"` + wxpaytest.MchID + `","description":"demo","out_trade_no":"demo-1","notify_url":"https://127.0.0.1/notify","amount":{"total":1}}'
  wxpay GET 'v3/pay/transactions/out-trade-no/{out_trade_no}' -p out_trade_no=demo-1 -q mchid=` + wxpaytest.MchID + `
  wxpay POST v2/pay/orderquery -d '{"appid":"wxd678efh567hg6787","mch_id":"` + wxpaytest.MchID + `","out_trade_no":"demo-1"}'
`

// env is what a command sees of the world; tests may replace it.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	stdoutTTY      bool // stdout is a terminal: JSON answers are indented
	getenv         func(string) string
}

func main() {
	os.Exit(run(os.Args[1:], env{stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr,
		stdoutTTY: isTerminal(os.Stdout), getenv: os.Getenv}))
}

// isTerminal reports whether f is a character device: a terminal (or /dev/null, where the
// layout does not matter).
func isTerminal(f *os.File) bool {
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

func printVersion(e env) int {
	fmt.Fprintf(e.stdout, "wxpay %s (github.com/wxpay-go/wxpay, %s %s/%s)\n", sdkVersion, runtime.Version(), runtime.GOOS, runtime.GOARCH)
	return exitOK
}

func run(args []string, e env) int {
	if len(args) > 0 {
		switch args[0] {
		case "sandbox":
			return runSandbox(args[1:], e)
		case "routes":
			return runRoutes(args[1:], e)
		case "certs":
			return runCerts(args[1:], e)
		case "help":
			fmt.Fprint(e.stdout, mainUsage)
			return exitOK
		case "version":
			return printVersion(e)
		}
	}
	return runCall(args, e)
}

// usageError is a mistake in the command line or the configuration: exit 2.
type usageError struct{ msg string }

func (u *usageError) Error() string { return u.msg }

func usagef(format string, a ...any) error { return &usageError{fmt.Sprintf(format, a...)} }

// parseInterleaved parses flags that may come before, between or after the positional
// arguments, and returns the positional arguments in order. Everything after "--" is
// positional.
func parseInterleaved(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		// Find a "--" terminator ourselves: flag.Parse swallows it silently.
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, nil
		}
		consumed := len(args) - len(rest)
		if consumed > 0 && args[consumed-1] == "--" {
			return append(pos, rest...), nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

// parseFlags runs parseInterleaved and turns its outcome into an exit code: -1 means go on.
func parseFlags(fs *flag.FlagSet, args []string, usage string, e env) ([]string, int) {
	fs.SetOutput(io.Discard)
	pos, err := parseInterleaved(fs, args)
	if errors.Is(err, flag.ErrHelp) {
		printUsage(e.stdout, fs, usage)
		return nil, exitOK
	}
	if err != nil {
		fmt.Fprintf(e.stderr, "wxpay: %v\n", err)
		fmt.Fprint(e.stderr, usageLine(usage))
		return nil, exitUsage
	}
	return pos, -1
}

func printUsage(w io.Writer, fs *flag.FlagSet, usage string) {
	fmt.Fprint(w, usage)
	n := 0
	fs.VisitAll(func(*flag.Flag) { n++ })
	if n == 0 {
		return
	}
	fmt.Fprintln(w, "flags:")
	fs.SetOutput(w)
	fs.PrintDefaults()
	fs.SetOutput(io.Discard)
}

// fail reports err on stderr and returns the exit code for it.
func fail(e env, usage string, err error) int {
	var ue *usageError
	if errors.As(err, &ue) {
		// "--private-key: wxpay: read private key: …" names the SDK once, at the start.
		fmt.Fprintf(e.stderr, "wxpay: %s\n", strings.ReplaceAll(ue.msg, ": wxpay: ", ": "))
		fmt.Fprint(e.stderr, usageLine(usage))
		return exitUsage
	}
	code := exitCode(err)
	msg := cliWords(err.Error())
	if !strings.HasPrefix(msg, "wxpay: ") {
		msg = "wxpay: " + msg
	}
	fmt.Fprintln(e.stderr, msg)
	if code == exitUsage {
		fmt.Fprint(e.stderr, usageLine(usage))
	}
	return code
}

// usageLine is the short form of a command's usage shown after an error: its last
// "usage:" line and a pointer to --help.
func usageLine(usage string) string {
	line := "usage: wxpay [flags] METHOD PATH"
	for _, l := range strings.Split(usage, "\n") {
		if strings.HasPrefix(l, "usage: ") {
			line = l
		}
	}
	return line + "\n(run with --help for the flags)\n"
}
