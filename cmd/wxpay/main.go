// Command wxpay calls WeChat Pay from the command line, runs the embedded emulator and
// lists the endpoint catalog.
//
//	wxpay [flags] METHOD PATH          e.g. wxpay POST 'v3/pay/transactions/id/{transaction_id}' -p transaction_id=42
//	wxpay sandbox [--addr 127.0.0.1:0] [--keys DIR]
//	wxpay routes [filter]
//	wxpay certs download --out DIR
//
// The answer's body goes to stdout (APIv2 XML shown as JSON); exit 0 on success, 1 on an
// API or verification error, 2 on a usage or configuration error.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
)

const (
	exitOK    = 0
	exitAPI   = 1
	exitUsage = 2
)

const mainUsage = `usage:
  wxpay [flags] METHOD PATH     call an endpoint, e.g. wxpay POST 'v3/pay/transactions/id/{transaction_id}' -p transaction_id=42
  wxpay sandbox [--addr 127.0.0.1:0] [--keys DIR]
  wxpay routes [filter]
  wxpay certs download --out DIR
Run "wxpay COMMAND --help" for a command's flags.
`

// env is what a command sees of the world; tests may replace it.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	getenv         func(string) string
}

func main() {
	os.Exit(run(os.Args[1:], env{stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr, getenv: os.Getenv}))
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
	fmt.Fprintln(w, "flags:")
	fs.SetOutput(w)
	fs.PrintDefaults()
	fs.SetOutput(io.Discard)
}

// fail reports err on stderr and returns the exit code for it.
func fail(e env, usage string, err error) int {
	var ue *usageError
	if errors.As(err, &ue) {
		fmt.Fprintf(e.stderr, "wxpay: %s\n", ue.msg)
		fmt.Fprint(e.stderr, usageLine(usage))
		return exitUsage
	}
	code := exitCode(err)
	msg := err.Error()
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
