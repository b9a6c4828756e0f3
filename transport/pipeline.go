// Package transport carries a resolved call to WeChat Pay and back, and holds the types a
// call hands back: Response, Future, the errors and the per-call options. Its pipeline
// reads top to bottom in this file:
//
//	build  → the URL, headers and exact body bytes (APIv2: nonce_str and sign inside the
//	         XML). Everything that can fail on the caller's input fails here: nothing is sent.
//	sign   → APIv3: Authorization over the method, the request target as sent and the body,
//	         afresh for every attempt (new nonce, new timestamp)
//	send   → one attempt through the resty client's HTTP client, the request built here
//	         (mutual TLS only for the APIv2 endpoints that need it);
//	         a failure to get an answer is classified once (Failure): not sent, TLS,
//	         outcome unknown, context
//	verify → the connection's certificate was verified; APIv3: Wechatpay-* headers,
//	         ±300 s, serial, RSA signature; APIv2: return_code, sign (of the request's sign
//	         type), result_code
//	decode → a *Response, an *APIError or a *VerificationError
//	retry  → the rule table in retry.go decides from the attempt's Failure; a POST whose
//	         outcome is unknown is never sent twice unless the call is Idempotent
package transport

import (
	"bufio"
	"bytes"
	"cmp"
	"compress/gzip"
	"context"
	"crypto/sha1"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"runtime"
	"strings"
	"sync/atomic"
	"time"

	"github.com/go-resty/resty/v2"

	"github.com/wxpay-go/wxpay/catalog"
	"github.com/wxpay-go/wxpay/codec"
	"github.com/wxpay-go/wxpay/internal/wire"
	"github.com/wxpay-go/wxpay/signer"
)

// Version is the SDK version sent in the User-Agent header.
const Version = "0.1.0"

// DefaultBaseURL is WeChat Pay's mainland API host.
const DefaultBaseURL = "https://api.mch.weixin.qq.com/"

// DefaultMaxResponseBytes caps a buffered answer (16 MiB).
const DefaultMaxResponseBytes = 16 << 20

func init() {
	wire.NewPipeline = func(cfg wire.Config) (wire.Pipeline, error) { return newPipeline(cfg) }
}

// pipeline sends calls. It is safe for concurrent use; its configuration never changes.
type pipeline struct {
	cfg       wire.Config
	retry     RetryPolicy
	userAgent []string                 // the User-Agent header value, shared
	base      *url.URL                 // cfg.BaseURL, parsed once
	baseHost  string                   // host of cfg.BaseURL, the only base that fails over
	plain     *resty.Client            // holds cfg.HTTPClient; the pipeline builds the requests itself (request)
	secure    *resty.Client            // holds cfg.SecureClient (mutual TLS); nil without a client certificate
	serial    atomic.Pointer[[]string] // the last Wechatpay-Serial header value, shared
	inFlight  chan struct{}            // a slot per call in flight (nil: unbounded)
	trace     func(step string)        // tests only: each step as it runs (nil in use)
}

// step reports a pipeline step to the test trace; the golden test pins their order.
func (p *pipeline) step(s string) {
	if p.trace != nil {
		p.trace(s)
	}
}

// stepReturn reports the end of a call to the test trace (building the text only then).
func (p *pipeline) stepReturn(f Failure, note string) {
	if p.trace != nil {
		p.trace("return " + f.String() + note)
	}
}

// newPipeline checks cfg and builds a pipeline.
func newPipeline(cfg wire.Config) (*pipeline, error) {
	if cfg.BaseURL == "" {
		cfg.BaseURL = DefaultBaseURL
	}
	base, err := checkBaseURL(cfg.BaseURL)
	if err != nil {
		return nil, err
	}
	cfg.BaseURL = base.String()
	if cfg.HTTPClient == nil {
		return nil, fmt.Errorf("%w: no HTTP client", ErrConfig)
	}
	retry := DefaultRetryPolicy
	if cfg.Retry != nil {
		p, ok := cfg.Retry.(RetryPolicy)
		if !ok {
			return nil, fmt.Errorf("%w: retry policy of type %T", ErrConfig, cfg.Retry)
		}
		retry = p
	}
	if err := retry.Validate(); err != nil {
		return nil, err
	}
	if cfg.MaxInFlight < 0 {
		return nil, fmt.Errorf("%w: MaxInFlight %d is negative", ErrConfig, cfg.MaxInFlight)
	}
	if cfg.MaxResponseBytes <= 0 {
		cfg.MaxResponseBytes = DefaultMaxResponseBytes
	}
	if cfg.UserAgent == "" {
		cfg.UserAgent = "wxpay-go/" + Version + " (" + runtime.GOOS + "/" + runtime.GOARCH + ") " + runtime.Version()
	}
	p := &pipeline{cfg: cfg, retry: retry, userAgent: []string{cfg.UserAgent}, base: base, baseHost: base.Host, plain: newResty(cfg.HTTPClient)}
	if cfg.SecureClient != nil {
		p.secure = newResty(cfg.SecureClient)
	}
	if cfg.MaxInFlight > 0 {
		p.inFlight = make(chan struct{}, cfg.MaxInFlight)
	}
	return p, nil
}

// newResty wraps the configured HTTP client. Only its HTTP client is used (GetClient):
// resty's request builder, logger and body handling are not on the request path.
func newResty(hc *http.Client) *resty.Client { return resty.NewWithClient(hc) }

// CloseIdleConnections closes idle keep-alive connections of both HTTP clients.
func (p *pipeline) CloseIdleConnections() {
	p.cfg.HTTPClient.CloseIdleConnections()
	if p.cfg.SecureClient != nil {
		p.cfg.SecureClient.CloseIdleConnections()
	}
}

// Go runs fn on a new goroutine and returns its Future (the …Async verbs). A nil ctx
// fails the Future without starting fn; a panic in fn becomes the Future's error.
func (p *pipeline) Go(ctx context.Context, fn func(context.Context) (*Response, error)) *Future {
	return goFuture(ctx, fn)
}

// Do runs one call through the pipeline: build once, then attempts (sign, send, verify,
// decode) until one succeeds or the retry rules in retry.go say stop.
func (p *pipeline) Do(ctx context.Context, req *wire.Request) (*Response, error) {
	if ctx == nil {
		return nil, fmt.Errorf("%w: nil context", ErrInvalidRequest)
	}
	p.step("build")
	o, err := p.build(req) // step 1: build (caller input fails here; nothing is sent)
	if err != nil {
		return nil, err
	}
	p.step("acquire")
	if err := p.acquire(ctx); err != nil { // bounded calls in flight
		return nil, &SendError{Method: o.method, URL: redactURL(o.url()), Failure: FailureContext, Err: err}
	}
	defer p.release()
	policy := p.retry
	if req.Call.NoRetry {
		policy.MaxAttempts = 1
	}
	for attempt := 1; ; attempt++ {
		resp, failure, err := p.attempt(ctx, o, attempt) // steps 2–5
		if failure == FailureNone || attempt >= policy.MaxAttempts {
			p.stepReturn(failure, "")
			return resp, err
		}
		retry, perr := policy.retryable(failure, o.method, req.Call.Idempotent, resp, err) // step 6: retry?
		if perr != nil {
			return nil, perr
		}
		if !retry {
			p.stepReturn(failure, " (not retried)")
			return resp, err
		}
		p.step("wait")
		if werr := policy.wait(ctx, attempt); werr != nil {
			// The context's error, not the previous attempt's answer.
			return nil, fmt.Errorf("wxpay: %w while waiting to retry (attempt %d: %v)", werr, attempt, err)
		}
		if p.cfg.BackupHost != "" && o.host == p.baseHost && (failure == FailureNotSent || failure == FailureAnswer) {
			o.host = p.cfg.BackupHost // opt-in failover to the backup domain
		}
	}
}

// acquire takes a slot for a call in flight, waiting while MaxInFlight calls run.
func (p *pipeline) acquire(ctx context.Context) error {
	if p.inFlight == nil {
		return ctx.Err()
	}
	select {
	case p.inFlight <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (p *pipeline) release() {
	if p.inFlight != nil {
		<-p.inFlight
	}
}

// outgoing is a built request: everything the attempts need, computed once.
type outgoing struct {
	method string
	v2     bool
	path   string // the escaped path below the base: "v3/…", or the APIv2 path without "v2/"
	scheme string
	host   string
	prefix string // the base URL's path, e.g. "/hk/"
	query  string // the encoded query, without "?"
	header http.Header
	body   []byte
	signer *signer.V3Signer // APIv3 only
	signed []byte           // APIv3: the bytes the signature covers when not the body (uploads)
	secure bool
	stream bool         // hand an unsigned download over unread
	flags  catalog.Flag // the endpoint's exceptions to the protocol, from the catalog (rules.go)
	// APIv2: the sign type the request was signed with (MD5 unless HMAC-SHA256
	// was asked for); the answer is verified with it, never with one the
	// answer picks.
	signType string

	// Per-attempt state, reused by the attempts of one call (they run one after another).
	auth       [1]string    // the Authorization header value of the current attempt
	bodyReader bytes.Reader // the body, handed to net/http
	wt         writeTrace   // did the whole request reach the connection?
}

// unsignedV3 reports an APIv3 GET of a download WeChat Pay does not sign (a file, an
// image); statements are signed through their digest and are not among them.
func (o *outgoing) unsignedV3() bool {
	return o.method == http.MethodGet && o.flags&catalog.UnsignedAnswer != 0 && o.flags&catalog.StatementDigest == 0
}

// target is the request target: the escaped path below the host, and the query.
func (o *outgoing) target() string {
	if o.query == "" {
		return o.prefix + o.path
	}
	return o.prefix + o.path + "?" + o.query
}

func (o *outgoing) url() string { return o.scheme + "://" + o.host + o.target() }

// ---- step 1: build ---------------------------------------------------------------

func (p *pipeline) build(req *wire.Request) (*outgoing, error) {
	call := &req.Call
	ep, known := catalog.Lookup(req.Method, req.Shape)
	base := p.base
	switch {
	case call.BaseURL != "":
		var err error
		if base, err = checkBaseURL(call.BaseURL); err != nil {
			return nil, err
		}
	case known && ep.BaseURL != "": // a zone (hk, global) or host of its own, from the catalog
		var err error
		if base, err = checkBaseURL(ep.ResolveBase(p.cfg.BaseURL)); err != nil {
			return nil, err
		}
	}
	o := &outgoing{method: req.Method, scheme: base.Scheme, host: base.Host, prefix: base.Path, stream: call.Stream}
	o.v2 = strings.HasPrefix(req.Path, "v2/")
	o.flags = flagsFor(req.Path) // the endpoint's exceptions to the protocol (rules.go)
	o.path = req.Path
	if o.v2 {
		o.path = req.Path[len("v2/"):]
	}

	body := req.Body
	if call.HasBody {
		body = call.Body
	}
	query := call.Query
	var err error
	if o.v2 {
		o.secure = call.Secure || needsClientCert(o.path, o.flags) // secapi/ and the catalog's cert_required (rules.go)
		err = p.buildV2(o, call, body, &query)
	} else {
		err = p.buildV3(o, call, body)
	}
	if err != nil {
		return nil, err
	}
	if len(query) > 0 {
		o.query = encodeQuery(query)
	}
	for k, vs := range call.Header {
		if strings.EqualFold(k, "Authorization") {
			return nil, fmt.Errorf("%w: the Authorization header is the SDK's to set", ErrInvalidRequest)
		}
		if err := checkHeader(k, vs); err != nil {
			return nil, err
		}
		o.header[http.CanonicalHeaderKey(k)] = vs
	}
	if len(o.body) > 0 && o.header["Content-Type"] == nil { // pre-signed APIv2 bytes without a type
		if bytes.HasPrefix(bytes.TrimSpace(o.body), []byte("<")) {
			o.header["Content-Type"] = contentTypeXML
		} else {
			o.header["Content-Type"] = []string{http.DetectContentType(o.body)}
		}
	}
	return o, nil
}

func (p *pipeline) buildV3(o *outgoing, call *wire.Call, body any) error {
	if p.cfg.Signer == nil {
		return fmt.Errorf("%w: APIv3 call %s needs WithMerchant (mchid, serial, private key)", ErrConfig, o.path)
	}
	if p.cfg.Verifier == nil || p.cfg.Verifier.Keys == nil {
		return fmt.Errorf("%w: APIv3 call %s: no verifier configured", ErrConfig, o.path)
	}
	if p.cfg.Verifier.Keys.Len() == 0 && !call.Bootstrap {
		return fmt.Errorf("%w: APIv3 call %s needs WithPlatformCertificates or WithPlatformPublicKey to verify the answer", ErrConfig, o.path)
	}
	b, err := codec.EncodeJSONWith(p.cfg.JSON, body) // the exact bytes sent, and signed
	if err != nil {
		return fmt.Errorf("%w: encoding the JSON body: %w", ErrInvalidRequest, err)
	}
	o.body, o.signer = b, p.cfg.Signer
	if call.SignBody != nil {
		if _, raw := body.([]byte); !raw {
			return fmt.Errorf("%w: SignBody needs the body as []byte (the multipart bytes to send)", ErrInvalidRequest)
		}
		o.signed = call.SignBody
	}
	o.header = make(http.Header, 6)
	o.header["Accept"] = acceptJSON // shared values, never modified (net/http only reads them)
	o.header["User-Agent"] = p.userAgent
	if serial := p.cfg.Verifier.Keys.Preferred(); serial != "" {
		o.header["Wechatpay-Serial"] = p.serialHeader(serial)
	}
	if len(b) > 0 || o.method == http.MethodPost || o.method == http.MethodPut || o.method == http.MethodPatch {
		o.header["Content-Type"] = contentTypeJSON
	}
	return nil
}

func (p *pipeline) buildV2(o *outgoing, call *wire.Call, body any, query *[]wire.Param) error {
	if o.secure && p.secure == nil {
		return fmt.Errorf("%w: v2/%s needs the merchant's client certificate (WithClientCertificate) for mutual TLS", ErrConfig, o.path)
	}
	o.header = make(http.Header, 4)
	o.header["Accept"] = acceptXML
	o.header["User-Agent"] = p.userAgent
	switch body.(type) {
	case []byte, string, json.RawMessage:
		// Bytes cannot be signed by the SDK; they go out as they are only when the caller
		// says they carry their own signature (UploadV2's multipart body does).
		if !call.PreSigned {
			return fmt.Errorf("%w: APIv2 v2/%s: a %T body would be sent unsigned; pass the fields (a map or struct) to have them signed, or PreSigned() for bytes that carry their own sign", ErrInvalidRequest, o.path, body)
		}
		o.body, _ = codec.EncodeJSON(body)                     // these three kinds come back as they are, never encoded
		o.signType = cmp.Or(call.SignType, signer.SignTypeMD5) // the answer is checked with it
		return nil
	}
	if p.cfg.APIv2Key == "" {
		return fmt.Errorf("%w: APIv2 call v2/%s needs WithAPIv2Key", ErrConfig, o.path)
	}
	var fields codec.Fields
	var err error
	if o.method == http.MethodGet && body == nil {
		for _, q := range *query { // a GET is signed over its query
			fields = append(fields, codec.Field{Name: q.Name, Value: q.Value})
		}
	} else if fields, err = codec.FieldsOf(body); err != nil {
		return fmt.Errorf("%w: APIv2 body: %w", ErrInvalidRequest, err)
	}
	if _, ok := fields.Lookup("sign"); ok {
		return fmt.Errorf("%w: APIv2 body: the sign field is the SDK's to set", ErrInvalidRequest)
	}
	signType := call.SignType
	if given, ok := fields.Lookup("sign_type"); ok {
		if signType != "" && signType != given {
			return fmt.Errorf("%w: APIv2 body: sign_type %q contradicts SignType(%q)", ErrInvalidRequest, given, signType)
		}
		signType = given
	}
	switch signType {
	case "", signer.SignTypeMD5:
		signType = signer.SignTypeMD5
	case signer.SignTypeHMACSHA256:
		if _, ok := fields.Lookup("sign_type"); !ok {
			fields = append(fields, codec.Field{Name: "sign_type", Value: signType})
		}
	default:
		return fmt.Errorf("%w: APIv2 sign type %q: want MD5 or HMAC-SHA256", ErrInvalidRequest, signType)
	}
	if _, ok := fields.Lookup("nonce_str"); !ok && o.flags&catalog.NoNonceStr == 0 {
		fields = append(fields, codec.Field{Name: "nonce_str", Value: signer.Nonce()})
	}
	sign, err := signer.SignV2(signType, p.cfg.APIv2Key, fields)
	if err != nil {
		return err
	}
	o.signType = signType
	fields = append(fields, codec.Field{Name: "sign", Value: sign})
	if o.method == http.MethodGet && body == nil {
		*query = (*query)[:0:0]
		for _, f := range fields {
			*query = append(*query, wire.Param{Name: f.Name, Value: f.Value})
		}
		return nil
	}
	if o.body, err = codec.EncodeXML(fields); err != nil {
		return fmt.Errorf("%w: APIv2 body: %w", ErrInvalidRequest, err)
	}
	o.header["Content-Type"] = contentTypeXML
	return nil
}

// serialHeader returns the Wechatpay-Serial header value for serial, shared between the
// calls made while the preferred serial stays the same.
func (p *pipeline) serialHeader(serial string) []string {
	if v := p.serial.Load(); v != nil && (*v)[0] == serial {
		return *v
	}
	v := []string{serial}
	p.serial.Store(&v)
	return v
}

// Header values shared by all requests; header maps hold them but nothing modifies them.
var (
	acceptJSON      = []string{"application/json"}
	contentTypeJSON = []string{"application/json"}
	acceptXML       = []string{"text/xml, text/plain, application/x-gzip"}
	contentTypeXML  = []string{"text/xml; charset=utf-8"}
)

// Prepare builds a request as Do would send it, without signing or sending it.
func (p *pipeline) Prepare(req *wire.Request) (*wire.Prepared, error) {
	o, err := p.build(req)
	if err != nil {
		return nil, err
	}
	return &wire.Prepared{Method: o.method, URL: o.url(), Header: o.header.Clone(), Body: o.body, Secure: o.secure, APIv2: o.v2}, nil
}

// ---- steps 2–5: one attempt ------------------------------------------------------

// attempt signs (step 2), sends (step 3), verifies and decodes (steps 4–5) once, and
// classifies what went wrong, if anything.
func (p *pipeline) attempt(ctx context.Context, o *outgoing, n int) (*Response, Failure, error) {
	var start time.Time
	if p.cfg.Logger != nil {
		start = time.Now()
	}
	if o.signer != nil { // step 2: sign, afresh for every attempt
		p.step("sign")
		auth, err := p.sign(o)
		if err != nil {
			p.log(ctx, o, o.header, n, start, nil, FailureInput, err)
			return nil, FailureInput, err
		}
		o.auth[0] = auth
		o.header["Authorization"] = o.auth[:]
	}
	rc := p.plain
	if o.secure {
		rc = p.secure
	}
	p.step("send")
	hr, err := rc.GetClient().Do(o.request(ctx)) // step 3: send
	var resp *Response
	if err == nil {
		p.step("verify+decode")
		resp, err = p.receive(o, hr) // steps 4–5: verify, decode
	} else {
		written := o.wt.written.Load()
		err = p.sendError(ctx, o, sendFailure(ctx, err, written), written, err)
	}
	if err != nil {
		var se *SendError
		if errors.As(err, &se) && se.Method == "" { // an answer that broke off while being read
			se.Method, se.URL = o.method, redactURL(o.url())
			if ctx.Err() != nil {
				se.Failure, se.Err = FailureContext, fmt.Errorf("%w (%v)", ctx.Err(), se.Err)
			}
		}
	}
	failure := FailureOf(err)
	p.log(ctx, o, o.header, n, start, resp, failure, err)
	return resp, failure, err
}

// request is the *http.Request of one attempt, built directly rather than by resty's
// request builder (which parses the URL string again and clones the headers on every
// call): the request target on the wire is, by construction, the prefix+path and query
// that sign covered (URL.Opaque and RawQuery are sent as they are), and the body is the
// exact bytes built. It carries the write trace that tells "not sent" from "outcome
// unknown".
func (o *outgoing) request(ctx context.Context) *http.Request {
	o.wt.written.Store(false)
	if o.wt.trace.WroteRequest == nil {
		o.wt.trace.WroteRequest = o.wt.wroteRequest
	}
	r := &http.Request{
		Method:     o.method,
		URL:        &url.URL{Scheme: o.scheme, Host: o.host, Opaque: o.prefix + o.path, RawQuery: o.query},
		Proto:      "HTTP/1.1",
		ProtoMajor: 1,
		ProtoMinor: 1,
		Header:     o.header,
		Host:       o.host,
	}
	if len(o.body) > 0 {
		o.bodyReader.Reset(o.body)
		// io.NopCloser over a *bytes.Reader: net/http knows it is in memory and writes the
		// headers and the body in one go (another reader type costs a flush: 6 µs here).
		r.Body, r.ContentLength = io.NopCloser(&o.bodyReader), int64(len(o.body))
		r.GetBody = o.getBody
	} else if o.method == http.MethodPost || o.method == http.MethodPut || o.method == http.MethodPatch {
		r.Body = http.NoBody
	}
	return r.WithContext(httptrace.WithClientTrace(ctx, &o.wt.trace))
}

// getBody gives net/http the body again when it must resend it on a new connection.
func (o *outgoing) getBody() (io.ReadCloser, error) {
	return io.NopCloser(bytes.NewReader(o.body)), nil
}

// writeTrace learns from net/http whether a request was written whole: the line between
// "not sent" (safe to retry) and "outcome unknown" (not, for a POST).
type writeTrace struct {
	trace   httptrace.ClientTrace
	written atomic.Bool // set on net/http's goroutine, read after the round trip
}

func (w *writeTrace) wroteRequest(info httptrace.WroteRequestInfo) {
	if info.Err == nil {
		w.written.Store(true)
	}
}

// sign is step 2: the Authorization header over the method, the request target exactly as
// it goes on the wire (o.target(), escaped by build and sent as it is) and the body bytes. A panic in a
// custom crypto.Signer fails the call instead of the process.
func (p *pipeline) sign(o *outgoing) (auth string, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%w: signing: the private key's Sign panicked: %v", ErrConfig, r)
		}
	}()
	signed := o.body
	if o.signed != nil {
		signed = o.signed // an upload signs its meta part
	}
	auth, err = o.signer.Authorization(o.method, o.target(), signed)
	if err != nil {
		return "", fmt.Errorf("%w: signing: %w", ErrConfig, err)
	}
	return auth, nil
}

// sendFailure classifies a failure to get an answer: the context, TLS, or whether the
// request was written before the connection failed.
func sendFailure(ctx context.Context, err error, written bool) Failure {
	switch {
	case ctx.Err() != nil:
		return FailureContext
	case isTLSFailure(err):
		return FailureTLS
	case written:
		return FailureOutcomeUnknown
	}
	return FailureNotSent
}

// isTLSFailure reports a handshake or certificate failure: an untrusted or mismatched
// certificate, a TLS alert from the server, a non-TLS server.
func isTLSFailure(err error) bool {
	var (
		cve *tls.CertificateVerificationError
		uae x509.UnknownAuthorityError
		hne x509.HostnameError
		cie x509.CertificateInvalidError
		rhe tls.RecordHeaderError
		ope *net.OpError
	)
	return errors.As(err, &cve) || errors.As(err, &uae) || errors.As(err, &hne) || errors.As(err, &cie) ||
		errors.As(err, &rhe) || errors.As(err, &ope) && ope.Op == "remote error"
}

// sendError builds the *SendError of an attempt, its URL redacted and its cause stripped of
// the *url.Error that would repeat the URL with its query.
func (p *pipeline) sendError(ctx context.Context, o *outgoing, f Failure, written bool, err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	if f == FailureContext && ctx.Err() != nil && !errors.Is(err, ctx.Err()) {
		err = fmt.Errorf("%w (%v)", ctx.Err(), err)
	}
	return &SendError{Method: o.method, URL: redactURL(o.url()), Failure: f, Written: written, Err: err}
}

// ---- steps 4–5: verify and decode -------------------------------------------------

func (p *pipeline) receive(o *outgoing, hr *http.Response) (*Response, error) {
	if hr.Request != nil && hr.Request.URL.Scheme == "https" && (hr.TLS == nil || len(hr.TLS.VerifiedChains) == 0) {
		// Whatever route turned verification off (a custom transport, VerifyPeerCertificate
		// with InsecureSkipVerify), an answer from an unverified server is not read.
		hr.Body.Close()
		return nil, &SendError{Failure: FailureTLS, Written: true, Err: errors.New("the server's certificate chain was not verified; TLS verification cannot be turned off")}
	}
	if o.stream && hr.StatusCode >= 200 && hr.StatusCode <= 299 && p.streamable(o) {
		return p.receiveStream(o, hr)
	}
	body, err := readBody(hr, p.cfg.MaxResponseBytes)
	if err != nil {
		return nil, err
	}
	resp := &Response{StatusCode: hr.StatusCode, Header: hr.Header, Body: body, v2: o.v2, json: p.cfg.JSON}
	if o.v2 {
		return p.receiveV2(o, resp)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return resp, apiv3Error(resp) // refusals are not signed answers: report, never trust
	}
	if err := p.verifyV3(o, resp); err != nil {
		return nil, &VerificationError{Reason: err, StatusCode: resp.StatusCode, Header: resp.Header, UntrustedBody: body}
	}
	return resp, nil
}

func (p *pipeline) verifyV3(o *outgoing, resp *Response) error {
	if o.unsignedV3() {
		return nil // a file WeChat Pay does not sign (see rules.go)
	}
	if digest := resp.Header.Get("Wechatpay-Statement-Sha1"); digest != "" && o.method == http.MethodGet && o.flags&catalog.StatementDigest != 0 {
		if err := p.cfg.Verifier.Verify(resp.Header, []byte(`{"sha1":"`+digest+`"}`)); err != nil {
			return err
		}
		sum := sha1.Sum(resp.Body)
		if !strings.EqualFold(hex.EncodeToString(sum[:]), digest) {
			return fmt.Errorf("%w: statement SHA-1 %x, header says %s", signer.ErrBadSignature, sum, digest)
		}
		return nil
	}
	return p.cfg.Verifier.Verify(resp.Header, resp.Body)
}

func (p *pipeline) receiveV2(o *outgoing, resp *Response) (*Response, error) {
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return resp, &APIError{StatusCode: resp.StatusCode, Code: http.StatusText(resp.StatusCode),
			Message: snippet(resp.Body), Response: resp}
	}
	if o.flags&catalog.FileAnswer != 0 && !bytes.HasPrefix(bytes.TrimSpace(resp.Body), []byte("<xml>")) {
		return resp, nil // the bill file itself (CSV or gzip); only errors come as XML
	}
	if o.flags&catalog.JSONAnswer != 0 && !bytes.HasPrefix(bytes.TrimSpace(resp.Body), []byte("<")) {
		return receiveJSONV2(o, resp)
	}
	fields, err := codec.DecodeXML(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("%w: APIv2 v2/%s: %w", ErrBadAnswer, o.path, err)
	}
	resp.fields = fields
	if rc := fields.Get("return_code"); rc != "SUCCESS" {
		return resp, &APIError{StatusCode: resp.StatusCode, Code: or(rc, "FAIL"), Message: fields.Get("return_msg"), Response: resp}
	}
	if _, signed := fields.Lookup("sign"); signed || o.flags&catalog.UnsignedAnswer == 0 {
		if err := signer.VerifyV2(o.signType, p.cfg.APIv2Key, fields); err != nil {
			return nil, &VerificationError{Reason: err, StatusCode: resp.StatusCode, Header: resp.Header, UntrustedBody: resp.Body}
		}
	}
	if rc, ok := fields.Lookup("result_code"); ok && rc != "SUCCESS" {
		return resp, &APIError{StatusCode: resp.StatusCode, Code: or(fields.Get("err_code"), rc),
			Message: or(fields.Get("err_code_des"), fields.Get("return_msg")), Response: resp}
	}
	return resp, nil
}

// streamable reports whether an answer may be handed over unread: only the downloads that
// are not signed (rules.go), never an answer whose signature has to be checked.
func (p *pipeline) streamable(o *outgoing) bool {
	if o.v2 {
		return o.flags&catalog.FileAnswer != 0
	}
	return o.unsignedV3()
}

// receiveStream hands over an unsigned download unread (un-gzipped if the transport left it
// compressed). An APIv2 bill download that turns out to be an XML error is read and checked
// like any APIv2 answer.
func (p *pipeline) receiveStream(o *outgoing, hr *http.Response) (*Response, error) {
	src, err := uncompressed(hr)
	if err != nil {
		hr.Body.Close()
		return nil, err
	}
	resp := &Response{StatusCode: hr.StatusCode, Header: hr.Header, v2: o.v2}
	if o.v2 {
		br := bufio.NewReader(src)
		if head, _ := br.Peek(5); string(head) == "<xml>" {
			body, err := readAll(br, -1, p.cfg.MaxResponseBytes)
			hr.Body.Close()
			if err != nil {
				return nil, err
			}
			resp.Body = body
			return p.receiveV2(o, resp)
		}
		src = br
	}
	resp.Stream = readCloser{src, hr.Body}
	return resp, nil
}

type readCloser struct {
	io.Reader
	io.Closer
}

// readBody reads an answer, at most limit bytes, un-gzipping it if the transport left it
// compressed, so that verification sees the bytes that were signed.
func readBody(hr *http.Response, limit int64) ([]byte, error) {
	defer hr.Body.Close()
	if hr.ContentLength > limit {
		return nil, fmt.Errorf("%w: Content-Length %d exceeds the %d-byte limit", ErrResponseTooLarge, hr.ContentLength, limit)
	}
	src, err := uncompressed(hr)
	if err != nil {
		return nil, err
	}
	size := hr.ContentLength
	if src != io.Reader(hr.Body) {
		size = -1 // Content-Length counts the compressed bytes
	}
	return readAll(src, size, limit)
}

// uncompressed returns the answer's body, un-gzipped when the transport left it compressed
// (a client that asked for gzip itself), and drops the Content-Encoding header it undid.
func uncompressed(hr *http.Response) (io.Reader, error) {
	// hr.Header.Get("Content-Encoding"), without canonicalizing a key that is canonical
	if ce := hr.Header["Content-Encoding"]; len(ce) == 0 || !strings.EqualFold(ce[0], "gzip") {
		return hr.Body, nil
	}
	zr, err := gzip.NewReader(hr.Body)
	if err != nil {
		return nil, fmt.Errorf("%w: gzip: %v", ErrBadAnswer, err)
	}
	hr.Header.Del("Content-Encoding")
	return zr, nil
}

// readAll reads src to EOF, at most limit bytes, into a buffer sized from the expected
// size. Reading through to EOF (not just Content-Length bytes) lets net/http reuse the
// connection.
func readAll(src io.Reader, size, limit int64) ([]byte, error) {
	n := int64(512)
	if size >= 0 {
		n = size + 1 // room for the final read that reports EOF
	}
	if n > limit+1 {
		n = limit + 1
	}
	b := make([]byte, 0, n)
	for {
		if len(b) == cap(b) {
			// Double, but never past limit+1: refusing an over-long answer leaves at most
			// about twice the limit behind, whatever its size.
			grown := 2 * int64(cap(b))
			if grown >= limit {
				grown = limit + 1 // the last growth: straight to the most that may be read
			}
			b = append(make([]byte, 0, grown), b...)
		}
		room := b[len(b):cap(b)]
		if left := limit + 1 - int64(len(b)); int64(len(room)) > left {
			room = room[:left] // read at most limit+1 bytes: one more than allowed tells it was too long
		}
		m, err := src.Read(room)
		b = b[:len(b)+m]
		if err == io.EOF || int64(len(b)) > limit {
			break
		}
		if err != nil {
			// The answer had begun: the request was processed, its outcome is unknown.
			return nil, &SendError{Failure: FailureOutcomeUnknown, Written: true, Err: fmt.Errorf("reading the answer: %w", err)}
		}
	}
	if int64(len(b)) > limit {
		return nil, fmt.Errorf("%w: more than %d bytes", ErrResponseTooLarge, limit)
	}
	return b, nil
}

// receiveJSONV2 checks the answer of an APIv2 endpoint that answers JSON, unsigned
// (appauth/getaccesstoken): a JSON object whose retcode is 0; anything else is an
// *APIError with retcode and retmsg. Decode reads it as JSON.
func receiveJSONV2(o *outgoing, resp *Response) (*Response, error) {
	var head struct {
		Retcode json.Number `json:"retcode"`
		Retmsg  string      `json:"retmsg"`
	}
	if err := json.Unmarshal(resp.Body, &head); err != nil {
		return nil, fmt.Errorf("%w: APIv2 v2/%s: not a JSON object: %v", ErrBadAnswer, o.path, err)
	}
	resp.v2 = false // the body is JSON
	if head.Retcode != "" && head.Retcode != "0" {
		return resp, &APIError{StatusCode: resp.StatusCode, Code: head.Retcode.String(), Message: head.Retmsg, Response: resp}
	}
	return resp, nil
}

// ---- helpers -----------------------------------------------------------------------

// checkHeader refuses a header net/http would refuse on the wire (or, worse, send split):
// a name outside the token characters, a value with a control character other than tab.
func checkHeader(name string, values []string) error {
	if name == "" {
		return fmt.Errorf("%w: empty header name", ErrInvalidRequest)
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if c <= ' ' || c >= 0x7f || strings.IndexByte(`"(),/:;<=>?@[\]{}`, c) >= 0 {
			return fmt.Errorf("%w: header name %q is not a token", ErrInvalidRequest, name)
		}
	}
	for _, v := range values {
		for i := 0; i < len(v); i++ {
			if c := v[i]; c < ' ' && c != '\t' || c == 0x7f {
				return fmt.Errorf("%w: header %s: the value holds a control character", ErrInvalidRequest, name)
			}
		}
	}
	return nil
}

// checkBaseURL parses a base URL: https (or http to a loopback address only), no query or
// fragment, and a path ending in "/" so that relative paths join below it.
func checkBaseURL(s string) (*url.URL, error) {
	u, err := url.Parse(s)
	if err != nil {
		return nil, fmt.Errorf("%w: base URL %q: %v", ErrConfig, s, err)
	}
	switch {
	case u.Host == "":
		return nil, fmt.Errorf("%w: base URL %q has no host", ErrConfig, s)
	case u.Scheme == "http" && !isLoopback(u.Hostname()):
		return nil, fmt.Errorf("%w: base URL %q: plain http is allowed only to a loopback address", ErrConfig, s)
	case u.Scheme != "https" && u.Scheme != "http":
		return nil, fmt.Errorf("%w: base URL %q: scheme must be https", ErrConfig, s)
	case u.RawQuery != "" || u.Fragment != "" || u.User != nil:
		return nil, fmt.Errorf("%w: base URL %q: no query, fragment or user info allowed", ErrConfig, s)
	}
	if !strings.HasSuffix(u.Path, "/") {
		u.Path += "/"
		if u.RawPath != "" {
			u.RawPath += "/"
		}
	}
	return u, nil
}

// isLoopback reports a loopback address: "localhost" exactly, or an IP address (127.0.0.0/8,
// ::1) that parses as one. Host names that merely start like one (127.attacker.example,
// localhost.attacker.example) are not.
func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// encodeQuery percent-encodes parameters in the order given (space as %20).
func encodeQuery(q []wire.Param) string {
	var b strings.Builder
	for i, p := range q {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(wire.Escape(p.Name))
		b.WriteByte('=')
		b.WriteString(wire.Escape(p.Value))
	}
	return b.String()
}

func or(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
