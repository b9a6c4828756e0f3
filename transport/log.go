package transport

import (
	"context"
	"log/slog"
	"net/http"
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

// log writes one record per attempt at Debug (success) or Warn (failure). Bodies, keys
// and signatures are never logged.
func (p *Pipeline) log(ctx context.Context, o *outgoing, sent http.Header, attempt int, start time.Time, resp *Response, err error) {
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
		slog.String("url", o.url()),
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
		attrs = append(attrs, slog.String("error", err.Error()))
	}
	l.LogAttrs(ctx, level, "wxpay call", attrs...)
}

// quietLogger silences resty's own logger: the pipeline logs through slog, redacted.
type quietLogger struct{}

func (quietLogger) Errorf(string, ...interface{}) {}
func (quietLogger) Warnf(string, ...interface{})  {}
func (quietLogger) Debugf(string, ...interface{}) {}
