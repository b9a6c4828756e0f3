package transport

import (
	"context"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Redacted replaces secrets in logged values.
const Redacted = "[REDACTED]"

// RedactHeader returns a copy of h that is safe to log: the Authorization header keeps
// only its scheme, mchid and serial_no; signatures and anything that looks like a key
// are replaced by Redacted.
func RedactHeader(h http.Header) http.Header {
	out := make(http.Header, len(h))
	for k, vs := range h {
		switch http.CanonicalHeaderKey(k) {
		case "Authorization":
			out[k] = []string{redactAuthorization(strings.Join(vs, ","))}
		case "Wechatpay-Signature", "Cookie", "Set-Cookie", "Proxy-Authorization":
			out[k] = []string{Redacted}
		default:
			out[k] = vs
		}
	}
	return out
}

func redactAuthorization(v string) string {
	scheme, params, ok := strings.Cut(v, " ")
	if !ok {
		return Redacted
	}
	kept := []string{}
	for _, kv := range strings.Split(params, ",") {
		if strings.HasPrefix(kv, "mchid=") || strings.HasPrefix(kv, "serial_no=") {
			kept = append(kept, kv)
		}
	}
	return scheme + " " + strings.Join(append(kept, "signature="+Redacted), ",")
}

// redactURL returns u with the values of secret query parameters replaced by Redacted:
// an APIv2 GET's sign, a download's token, and any parameter named like a credential
// (sign, paySign, token, key, *_token, *_key, *_sign). Everything that goes into a log
// line or an error message passes through it.
func redactURL(u string) string {
	q := strings.IndexByte(u, '?')
	if q < 0 {
		return u
	}
	var b strings.Builder
	b.WriteString(u[:q+1])
	for i, kv := range strings.Split(u[q+1:], "&") {
		if i > 0 {
			b.WriteByte('&')
		}
		k, _, hasValue := strings.Cut(kv, "=")
		if hasValue && secretQueryName(k) {
			b.WriteString(k + "=" + Redacted)
		} else {
			b.WriteString(kv)
		}
	}
	return b.String()
}

// secretQueryName reports a query parameter whose value is a credential or a signature.
func secretQueryName(escapedName string) bool {
	name, err := url.QueryUnescape(escapedName)
	if err != nil {
		return true // cannot tell: redact
	}
	name = strings.ToLower(name)
	switch name {
	case "sign", "paysign", "signature", "token", "key":
		return true
	}
	return strings.HasSuffix(name, "_token") || strings.HasSuffix(name, "_key") || strings.HasSuffix(name, "_sign")
}

// log writes one record per attempt at Debug (success) or Warn (failure). Bodies, keys
// and signatures are never logged.
func (p *pipeline) log(ctx context.Context, o *outgoing, sent http.Header, attempt int, start time.Time, resp *Response, failure Failure, err error) {
	l := p.cfg.Logger
	level := slog.LevelDebug
	if err != nil {
		level = slog.LevelWarn
	}
	if l == nil || !l.Enabled(ctx, level) {
		return
	}
	attrs := []slog.Attr{
		slog.String("method", o.method),
		slog.String("url", redactURL(o.url())),
		slog.Int("attempt", attempt),
		slog.Duration("elapsed", time.Since(start)),
		slog.Any("request_header", RedactHeader(sent)),
	}
	if resp != nil {
		attrs = append(attrs, slog.Int("status", resp.StatusCode))
		if id := resp.RequestID(); id != "" {
			attrs = append(attrs, slog.String("request_id", id))
		}
	}
	if err != nil {
		attrs = append(attrs, slog.String("failure", failure.String()), slog.String("error", err.Error()))
	}
	l.LogAttrs(ctx, level, "wxpay call", attrs...)
}
