package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/wxpay-go/wxpay"
	"github.com/wxpay-go/wxpay/codec"
)

const callUsage = mainUsage + `
usage: wxpay [flags] METHOD PATH
`

func runCall(args []string, e env) int {
	fs := flag.NewFlagSet("wxpay", flag.ContinueOnError)
	cf := addClientFlags(fs)
	var params, queries, headers listFlag
	fs.Var(&params, "p", "path parameter `name=value`, repeatable")
	fs.Var(&queries, "q", "query parameter `key=value`, repeatable, order kept")
	fs.Var(&headers, "H", "request header `'Key: value'`, repeatable")
	data := fs.String("d", "", "request body: JSON, @FILE, or - for stdin (APIv2: a JSON object of fields)")
	anyPath := fs.Bool(strings.TrimPrefix(anyPathFlag, "--"), false, "send METHOD PATH even when the catalog does not list it")
	pretty := fs.Bool("pretty", false, "indent the JSON answer (the default when stdout is a terminal)")
	compact := fs.Bool("compact", false, "print the JSON answer on one line (the default when stdout is not a terminal)")
	version := fs.Bool("version", false, "print the version and exit")
	pos, code := parseFlags(fs, args, callUsage, e)
	if code >= 0 {
		return code
	}
	if *version {
		return printVersion(e)
	}
	if len(pos) != 2 {
		if len(pos) == 0 {
			fmt.Fprint(e.stderr, mainUsage)
			return exitUsage
		}
		return fail(e, callUsage, usagef("want METHOD PATH, got %d argument(s): %q", len(pos), pos))
	}
	if *pretty && *compact {
		return fail(e, callUsage, usagef("--pretty and --compact contradict each other"))
	}
	indent := e.stdoutTTY
	if *pretty || *compact {
		indent = *pretty
	}
	method := strings.ToUpper(pos[0])
	switch method {
	case "GET", "POST", "PUT", "PATCH", "DELETE":
	default:
		return fail(e, callUsage, usagef("unknown method %q: want GET, POST, PUT, PATCH or DELETE", pos[0]))
	}
	t, err := resolveTarget(method, pos[1], *anyPath)
	if err != nil {
		return fail(e, callUsage, err)
	}
	var opts []wxpay.CallOption
	given := map[string]bool{}
	for _, p := range params {
		k, v, ok := strings.Cut(p, "=")
		if !ok || k == "" {
			return fail(e, callUsage, usagef("-p %q: want name=value", p))
		}
		given[k] = true
		opts = append(opts, wxpay.PathParam(k, v))
	}
	for _, name := range t.tpl.Names() {
		if !given[name] {
			return fail(e, callUsage, usagef("%s: missing path parameter {%s}: pass it with -p %s=VALUE", t.label, name, name))
		}
	}
	for _, q := range queries {
		k, v, ok := strings.Cut(q, "=")
		if !ok || k == "" {
			return fail(e, callUsage, usagef("-q %q: want key=value", q))
		}
		opts = append(opts, wxpay.Query(k, v))
	}
	for _, h := range headers {
		k, v, ok := strings.Cut(h, ":")
		if !ok || strings.TrimSpace(k) == "" {
			return fail(e, callUsage, usagef("-H %q: want 'Key: value'", h))
		}
		opts = append(opts, wxpay.Header(strings.TrimSpace(k), strings.TrimSpace(v)))
	}
	if *data == "" {
		if err := bodyHint(t); err != nil {
			return fail(e, callUsage, err)
		}
	}
	body, err := readBody(*data, t.v2, e.stdin)
	if err != nil {
		return fail(e, callUsage, err)
	}
	client, err := cf.newClient(e.getenv, callNeed(t))
	if err != nil {
		return fail(e, callUsage, err)
	}
	defer client.CloseIdleConnections()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	resp, err := client.Chain(t.raw).Do(ctx, method, body, opts...)
	if err != nil {
		return reportCallError(e, err)
	}
	return writeAnswer(e, resp, indent)
}

// readBody reads -d. An APIv3 body is checked to be JSON and sent as is; an APIv2 body is a
// JSON object whose values become the XML fields.
func readBody(d string, v2 bool, stdin io.Reader) (any, error) {
	if d == "" {
		return nil, nil
	}
	var raw []byte
	var err error
	switch {
	case d == "-":
		if raw, err = io.ReadAll(stdin); err != nil {
			return nil, usagef("-d -: %v", err)
		}
	case strings.HasPrefix(d, "@"):
		if raw, err = os.ReadFile(d[1:]); err != nil {
			return nil, usagef("-d: %v", err)
		}
	default:
		raw = []byte(d)
	}
	raw = bytes.TrimSpace(raw)
	if !v2 {
		if !json.Valid(raw) {
			return nil, usagef("-d: the body is not valid JSON")
		}
		return json.RawMessage(raw), nil
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var obj map[string]any
	if err := dec.Decode(&obj); err != nil {
		return nil, usagef("-d: an APIv2 body is a JSON object of fields: %v", err)
	}
	fields := make(map[string]string, len(obj))
	for k, v := range obj {
		switch x := v.(type) {
		case string:
			fields[k] = x
		case json.Number:
			fields[k] = x.String()
		case bool:
			fields[k] = fmt.Sprint(x)
		case nil:
			// an absent field
		default: // a nested object or array is sent as its JSON text (e.g. scene_info)
			b, _ := json.Marshal(x)
			fields[k] = string(b)
		}
	}
	return fields, nil
}

// writeAnswer prints the answer's body: JSON indented or compact (an APIv2 XML answer as a
// JSON object of its fields), any other body as it came.
func writeAnswer(e env, resp *wxpay.Response, indent bool) int {
	out := resp.Body
	if resp.APIv2() && len(out) > 0 {
		if f, err := codec.DecodeXML(out); err == nil {
			var buf bytes.Buffer
			enc := json.NewEncoder(&buf)
			enc.SetEscapeHTML(false) // code_url and the like keep their '&'
			if err := enc.Encode(f.Map()); err == nil {
				out = buf.Bytes()
			}
		}
	}
	if len(out) == 0 {
		return exitOK
	}
	if json.Valid(out) {
		var buf bytes.Buffer
		if indent {
			_ = json.Indent(&buf, out, "", "  ")
		} else {
			_ = json.Compact(&buf, out)
		}
		out = buf.Bytes()
	}
	e.stdout.Write(out)
	if out[len(out)-1] != '\n' {
		io.WriteString(e.stdout, "\n")
	}
	return exitOK
}

func reportCallError(e env, err error) int {
	var ae *wxpay.APIError
	if errors.As(err, &ae) {
		code := ae.Code
		if code == "" {
			code = "ERROR"
		}
		msg := ae.Message
		fmt.Fprintf(e.stderr, "%s: %s\n", code, msg)
		if len(ae.Detail) > 0 {
			fmt.Fprintf(e.stderr, "detail: %s\n", ae.Detail)
		}
		if ae.StatusCode != 0 {
			fmt.Fprintf(e.stderr, "status: %d\n", ae.StatusCode)
		}
		if ae.RequestID != "" {
			fmt.Fprintf(e.stderr, "request-id: %s\n", ae.RequestID)
		}
		return exitAPI
	}
	var ve *wxpay.VerificationError
	if errors.As(err, &ve) || errors.Is(err, wxpay.ErrVerification) {
		fmt.Fprintf(e.stderr, "wxpay: answer not verified: %v\n", err)
		return exitAPI
	}
	return fail(e, callUsage, err)
}
