// Package wire holds what the SDK's own packages pass between them and users never see:
// a resolved call (Request, its Call settings and Params), a dry run's Prepared request,
// the pipeline's Config, and the bridge through which the root package builds the
// transport pipeline (whose code lives, unexported, in transport/pipeline.go).
package wire

import (
	"log/slog"
	"net/http"

	"github.com/wxpay-go/wxpay/codec"
	"github.com/wxpay-go/wxpay/signer"
)

// Param is one name/value pair of a call: a path value or a query parameter.
type Param struct {
	Name, Value string
	Escaped     bool // a path value already percent-encoded (PathParamEscaped)
}

// Call holds the per-call settings that CallOptions write. The zero value is a plain call.
type Call struct {
	PathParams []Param     // values for the template's placeholders
	Query      []Param     // query parameters, sent (and signed) in this order
	Header     http.Header // extra request headers; they override the SDK's defaults
	BaseURL    string      // this call only; "" means the client's base URL
	Body       any         // body set with the Body option (for GET/DELETE)
	HasBody    bool        // Body was set, even to nil
	SignType   string      // APIv2: MD5 (default) or HMAC-SHA256
	Secure     bool        // APIv2: force mutual TLS
	NoRetry    bool        // never retry this call
	Bootstrap  bool        // APIv3: send even with no verification key (the certificate download)
	SignBody   []byte      // APIv3: sign these bytes instead of the body (multipart uploads)
	Stream     bool        // unsigned downloads: hand the answer over as a stream
	Idempotent bool        // safe to repeat after a lost answer
	PreSigned  bool        // APIv2: a []byte/string body carries its own sign
}

// Request is a call whose path template has been resolved. Nodes of the chain build it.
type Request struct {
	Method   string // upper-case HTTP method
	Template string // the path template, placeholders as {name}
	Shape    string // the template with placeholders as {}: the catalog key
	Path     string // the escaped path, relative: "v3/…" or "v2/…"
	Body     any    // the body argument of Post/Put/Patch (or the Body option)
	Call     Call   // the per-call options
}

// Prepared is a request as it would be sent, before signing: for dry runs and tests.
type Prepared struct {
	Method string
	URL    string
	Header http.Header
	Body   []byte
	Secure bool // sent over mutual TLS
	APIv2  bool
}

// Config is what the pipeline needs. The root package's options fill it.
type Config struct {
	BaseURL          string           // default transport.DefaultBaseURL; must end in "/" (added if missing)
	BackupHost       string           // failover host for the default base ("" = off)
	Signer           *signer.V3Signer // APIv3 requests; nil → APIv3 calls fail with ErrConfig
	Verifier         *signer.Verifier // APIv3 answers; nil or empty → APIv3 calls fail with ErrConfig
	APIv2Key         string           // APIv2 MD5/HMAC key; "" → APIv2 calls fail with ErrConfig
	HTTPClient       *http.Client     // plain calls
	SecureClient     *http.Client     // mutual-TLS calls; nil when no client certificate is configured
	Retry            any              // a transport.RetryPolicy; nil: transport.DefaultRetryPolicy
	Logger           *slog.Logger     // nil: no logging
	MaxResponseBytes int64            // 0: transport.DefaultMaxResponseBytes
	UserAgent        string           // "" : wxpay-go/Version (GOOS/GOARCH) goVersion
	MaxInFlight      int              // calls in flight at once, sync and async; 0: no bound
	JSON             codec.Codec      // APIv3 bodies and answers; nil: codec.JSON (encoding/json)
}

// Pipeline is the part of the transport pipeline that needs no transport types; package
// chain's Doer adds Do and Go.
type Pipeline interface {
	Prepare(req *Request) (*Prepared, error)
	CloseIdleConnections()
}

// NewPipeline builds the transport pipeline. Package transport sets it when it is
// initialized; the root package calls it.
var NewPipeline func(Config) (Pipeline, error)

// Escape percent-encodes every byte outside the unreserved set A-Z a-z 0-9 - . _ ~
// (RFC 3986), so the result is safe as one path segment or one query component.
func Escape(s string) string {
	n := 0
	for i := 0; i < len(s); i++ {
		if !unreserved(s[i]) {
			n++
		}
	}
	if n == 0 {
		return s
	}
	const hexdigits = "0123456789ABCDEF"
	b := make([]byte, 0, len(s)+2*n)
	for i := 0; i < len(s); i++ {
		c := s[i]
		if unreserved(c) {
			b = append(b, c)
		} else {
			b = append(b, '%', hexdigits[c>>4], hexdigits[c&15])
		}
	}
	return string(b)
}

func unreserved(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~'
}
