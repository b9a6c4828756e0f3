// Package transport carries a resolved call to WeChat Pay and back. Its pipeline reads top
// to bottom in this file:
//
//	build  → the URL, headers and exact body bytes (APIv2: nonce_str and sign inside the XML)
//	sign   → APIv3 Authorization over the method, the request target as sent and the body,
//	         in resty's pre-request hook: the last step before the wire, so a retry re-signs
//	send   → one attempt over resty (mutual TLS only for the APIv2 endpoints that need it)
//	verify → APIv3: Wechatpay-* headers, ±300 s, serial, RSA signature; APIv2: return_code,
//	         sign, result_code
//	decode → a *Response, an *APIError or a *VerificationError
//
// Everything that can fail on the caller's input fails in build, before anything is sent.
package transport

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"runtime"
	"strings"
	"sync/atomic"
	"time"

	"github.com/go-resty/resty/v2"

	"github.com/wxpay-go/wxpay/catalog"
	"github.com/wxpay-go/wxpay/codec"
	"github.com/wxpay-go/wxpay/signer"
)

// Version is the SDK version sent in the User-Agent header.
const Version = "0.1.0"

// DefaultBaseURL is WeChat Pay's mainland API host.
const DefaultBaseURL = "https://api.mch.weixin.qq.com/"

// DefaultMaxResponseBytes caps a buffered answer (16 MiB).
const DefaultMaxResponseBytes = 16 << 20

// Config is what a Pipeline needs. The root package's options fill it.
type Config struct {
	BaseURL          string           // default DefaultBaseURL; must end in "/" (added if missing)
	BackupHost       string           // failover host for the default base ("" = off)
	Signer           *signer.V3Signer // APIv3 requests; nil → APIv3 calls fail with ErrConfig
	Verifier         *signer.Verifier // APIv3 answers; nil or empty → APIv3 calls fail with ErrConfig
	APIv2Key         string           // APIv2 MD5/HMAC key; "" → APIv2 calls fail with ErrConfig
	HTTPClient       *http.Client     // plain calls
	SecureClient     *http.Client     // mutual-TLS calls; nil when no client certificate is configured
	Retry            RetryPolicy      // zero value: DefaultRetryPolicy
	Logger           *slog.Logger     // nil: no logging
	MaxResponseBytes int64            // 0: DefaultMaxResponseBytes
	UserAgent        string           // "" : wxpay-go/Version (GOOS/GOARCH) goVersion
}

// Pipeline sends calls. It is safe for concurrent use; its configuration never changes.
type Pipeline struct {
	cfg       Config
	userAgent []string // the User-Agent header value, shared
	base      *url.URL // cfg.BaseURL, parsed once
	baseHost  string   // host of cfg.BaseURL, the only base that fails over
	plain     *resty.Client
	secure    *resty.Client
	serial    atomic.Pointer[[]string] // the last Wechatpay-Serial header value, shared
}

// New checks cfg and builds a Pipeline.
func New(cfg Config) (*Pipeline, error) {
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
	if cfg.Retry.MaxAttempts == 0 {
		cfg.Retry = DefaultRetryPolicy
	}
	if cfg.MaxResponseBytes <= 0 {
		cfg.MaxResponseBytes = DefaultMaxResponseBytes
	}
	if cfg.UserAgent == "" {
		cfg.UserAgent = "wxpay-go/" + Version + " (" + runtime.GOOS + "/" + runtime.GOARCH + ") " + runtime.Version()
	}
	p := &Pipeline{cfg: cfg, userAgent: []string{cfg.UserAgent}, base: base, baseHost: base.Host, plain: newResty(cfg.HTTPClient)}
	if cfg.SecureClient != nil {
		p.secure = newResty(cfg.SecureClient)
	}
	return p, nil
}

func newResty(hc *http.Client) *resty.Client {
	return resty.NewWithClient(hc).
		SetLogger(quietLogger{}).       // the pipeline logs, redacted, through slog
		SetAllowGetMethodPayload(true). // Body option on GET
		SetPreRequestHook(signHook)     // step 2: sign
}

// CloseIdleConnections closes idle keep-alive connections of both HTTP clients.
func (p *Pipeline) CloseIdleConnections() {
	p.cfg.HTTPClient.CloseIdleConnections()
	if p.cfg.SecureClient != nil {
		p.cfg.SecureClient.CloseIdleConnections()
	}
}

// Do runs one call through the pipeline.
func (p *Pipeline) Do(ctx context.Context, req *Request) (*Response, error) {
	out, err := p.build(req)
	if err != nil {
		return nil, err
	}
	policy := p.cfg.Retry
	if req.Call.NoRetry {
		policy.MaxAttempts = 1
	}
	for attempt := 1; ; attempt++ {
		resp, err := p.attempt(ctx, out, attempt)
		if attempt >= policy.MaxAttempts || !policy.shouldRetry(ctx, resp, err) {
			return resp, err
		}
		if werr := policy.wait(ctx, attempt); werr != nil {
			return resp, err
		}
		if p.cfg.BackupHost != "" && out.host == p.baseHost {
			out.host = p.cfg.BackupHost // opt-in failover to the backup domain
		}
	}
}

// outgoing is a built request: everything the attempts need, computed once.
type outgoing struct {
	method string
	v2     bool
	path   string // relative path for the rules: "v3/…", or the APIv2 path without "v2/"
	scheme string
	host   string
	prefix string // the base URL's path, e.g. "/hk/"
	rest   string // escaped path + "?" + query, relative to prefix
	header http.Header
	body   []byte
	signer *signer.V3Signer // APIv3 only
	signed []byte           // APIv3: the bytes the signature covers when not the body (uploads)
	secure bool
	stream bool // hand an unsigned download over unread
	// APIv2: the sign type the request was signed with (MD5 unless HMAC-SHA256
	// was asked for); the answer is verified with it, never with one the
	// answer picks.
	signType string
}

func (o *outgoing) url() string { return o.scheme + "://" + o.host + o.prefix + o.rest }

// ---- step 1: build ---------------------------------------------------------------

func (p *Pipeline) build(req *Request) (*outgoing, error) {
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
		o.secure = call.Secure || NeedsClientCert(o.path) // secapi/ and the catalog's cert_required (rules.go)
		err = p.buildV2(o, call, body, &query)
	} else {
		err = p.buildV3(o, call, body)
	}
	if err != nil {
		return nil, err
	}
	o.rest = o.path
	if len(query) > 0 {
		o.rest += "?" + encodeQuery(query)
	}
	for k, vs := range call.Header {
		if strings.EqualFold(k, "Authorization") {
			return nil, fmt.Errorf("%w: the Authorization header is the SDK's to set", ErrConfig)
		}
		o.header[http.CanonicalHeaderKey(k)] = vs
	}
	return o, nil
}

func (p *Pipeline) buildV3(o *outgoing, call *Call, body any) error {
	if p.cfg.Signer == nil {
		return fmt.Errorf("%w: APIv3 call %s needs WithMerchant (mchid, serial, private key)", ErrConfig, o.path)
	}
	if p.cfg.Verifier == nil || p.cfg.Verifier.Keys == nil {
		return fmt.Errorf("%w: APIv3 call %s: no verifier configured", ErrConfig, o.path)
	}
	if p.cfg.Verifier.Keys.Len() == 0 && !call.Bootstrap {
		return fmt.Errorf("%w: APIv3 call %s needs WithPlatformCertificates or WithPlatformPublicKey to verify the answer", ErrConfig, o.path)
	}
	b, err := codec.EncodeJSON(body)
	if err != nil {
		return fmt.Errorf("wxpay: encoding the JSON body: %w", err)
	}
	o.body, o.signer = b, p.cfg.Signer
	if call.SignBody != nil {
		if _, raw := body.([]byte); !raw {
			return fmt.Errorf("wxpay: SignBody needs the body as []byte (the multipart bytes to send)")
		}
		o.signed = call.SignBody
	}
	o.header = make(http.Header, 6)
	o.header["Accept"] = acceptJSON // shared, never modified: resty copies headers into the request
	o.header["User-Agent"] = p.userAgent
	if serial := p.cfg.Verifier.Keys.Preferred(); serial != "" {
		o.header["Wechatpay-Serial"] = p.serialHeader(serial)
	}
	if len(b) > 0 || o.method == http.MethodPost || o.method == http.MethodPut || o.method == http.MethodPatch {
		o.header["Content-Type"] = contentTypeJSON
	}
	return nil
}

func (p *Pipeline) buildV2(o *outgoing, call *Call, body any, query *[]Param) error {
	if o.secure && p.secure == nil {
		return fmt.Errorf("%w: v2/%s needs the merchant's client certificate (WithClientCertificate) for mutual TLS", ErrConfig, o.path)
	}
	o.header = make(http.Header, 4)
	o.header["Accept"] = acceptXML
	o.header["User-Agent"] = p.userAgent
	o.signType = signer.SignTypeMD5 // the platform's default
	if call.SignType != "" {
		o.signType = call.SignType
	}
	switch raw := body.(type) {
	case []byte: // sent as is and unsigned (a multipart upload, say); the caller sets Content-Type
		o.body = raw
		return nil
	case string:
		o.body = []byte(raw)
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
		return fmt.Errorf("wxpay: APIv2 body: %w", err)
	}
	if _, ok := fields.Lookup("sign"); ok {
		return fmt.Errorf("wxpay: APIv2 body: the sign field is the SDK's to set")
	}
	signType := call.SignType
	if given, ok := fields.Lookup("sign_type"); ok {
		if signType != "" && signType != given {
			return fmt.Errorf("wxpay: APIv2 body: sign_type %q contradicts SignType(%q)", given, signType)
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
		return fmt.Errorf("wxpay: APIv2 sign type %q: want MD5 or HMAC-SHA256", signType)
	}
	if _, ok := fields.Lookup("nonce_str"); !ok && !listed(noncelessV2, o.path) {
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
			*query = append(*query, Param{Name: f.Name, Value: f.Value})
		}
		return nil
	}
	if o.body, err = codec.EncodeXML(fields); err != nil {
		return fmt.Errorf("wxpay: APIv2 body: %w", err)
	}
	o.header["Content-Type"] = contentTypeXML
	return nil
}

// serialHeader returns the Wechatpay-Serial header value for serial, shared between the
// calls made while the preferred serial stays the same.
func (p *Pipeline) serialHeader(serial string) []string {
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
func (p *Pipeline) Prepare(req *Request) (*Prepared, error) {
	o, err := p.build(req)
	if err != nil {
		return nil, err
	}
	return &Prepared{Method: o.method, URL: o.url(), Header: o.header.Clone(), Body: o.body, Secure: o.secure, APIv2: o.v2}, nil
}

// ---- steps 2–4: one attempt -------------------------------------------------------

// attemptKey carries the built request to signHook through the request's context.
type attemptKey struct{}

// signHook is step 2. resty calls it with the final *http.Request, so the signature covers
// the method, the escaped path and query exactly as they go on the wire, and the body bytes.
func signHook(_ *resty.Client, r *http.Request) error {
	o, _ := r.Context().Value(attemptKey{}).(*outgoing)
	if o == nil || o.signer == nil {
		return nil // APIv2: signed inside the body at build
	}
	signed := o.body
	if o.signed != nil {
		signed = o.signed // an upload signs its meta part
	}
	auth, err := o.signer.Authorization(r.Method, r.URL.RequestURI(), signed)
	if err != nil {
		return fmt.Errorf("wxpay: signing: %w", err)
	}
	r.Header["Authorization"] = []string{auth}
	return nil
}

func (p *Pipeline) attempt(ctx context.Context, o *outgoing, n int) (*Response, error) {
	start := time.Now()
	rc := p.plain
	if o.secure {
		rc = p.secure
	}
	r := rc.R().SetDoNotParseResponse(true)
	r.SetContext(context.WithValue(ctx, attemptKey{}, o))
	r.Header = o.header // resty copies it into the http.Request; the hook signs that copy
	if o.body != nil {
		if _, typed := o.header["Content-Type"]; typed {
			r.SetBody(bytes.NewReader(o.body)) // handed to net/http as is: resty neither buffers nor copies it
		} else {
			r.SetBody(o.body) // resty sniffs the Content-Type from the bytes
		}
	}
	res, err := r.Execute(o.method, o.url()) // step 3: send
	var resp *Response
	sent := o.header
	if err == nil {
		if res.RawResponse.Request != nil {
			sent = res.RawResponse.Request.Header // as sent: with the Authorization the hook added
		}
		resp, err = p.receive(o, res.RawResponse) // steps 4–5: verify, decode
	} else {
		if ctx.Err() != nil {
			err = ctx.Err()
		}
		err = &SendError{Err: err}
	}
	p.log(ctx, o, sent, n, start, resp, err)
	return resp, err
}

// SendError wraps a failure to get an answer at all (connection refused, reset, timeout).
type SendError struct{ Err error }

func (e *SendError) Error() string { return "wxpay: sending: " + e.Err.Error() }
func (e *SendError) Unwrap() error { return e.Err }

// ---- steps 4–5: verify and decode -------------------------------------------------

func (p *Pipeline) receive(o *outgoing, hr *http.Response) (*Response, error) {
	if o.stream && hr.StatusCode >= 200 && hr.StatusCode <= 299 && p.streamable(o) {
		return p.receiveStream(o, hr)
	}
	body, err := readBody(hr, p.cfg.MaxResponseBytes)
	if err != nil {
		return nil, err
	}
	resp := &Response{StatusCode: hr.StatusCode, Header: hr.Header, Body: body, v2: o.v2}
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

func (p *Pipeline) verifyV3(o *outgoing, resp *Response) error {
	if o.method == http.MethodGet && listed(unsignedV3(), o.path) {
		return nil // a file WeChat Pay does not sign (see rules.go)
	}
	if digest := resp.Header.Get("Wechatpay-Statement-Sha1"); digest != "" && o.method == http.MethodGet && listed(statementsV3, o.path) {
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

func (p *Pipeline) receiveV2(o *outgoing, resp *Response) (*Response, error) {
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return resp, &APIError{StatusCode: resp.StatusCode, Code: http.StatusText(resp.StatusCode),
			Message: snippet(resp.Body), Response: resp}
	}
	if listed(rawV2, o.path) && !bytes.HasPrefix(bytes.TrimSpace(resp.Body), []byte("<xml>")) {
		return resp, nil // the bill file itself (CSV or gzip); only errors come as XML
	}
	if listed(jsonV2(), o.path) && !bytes.HasPrefix(bytes.TrimSpace(resp.Body), []byte("<")) {
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
	if _, signed := fields.Lookup("sign"); signed || !listed(signlessV2, o.path) {
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
func (p *Pipeline) streamable(o *outgoing) bool {
	if o.v2 {
		return listed(rawV2, o.path)
	}
	return o.method == http.MethodGet && listed(unsignedV3(), o.path)
}

// receiveStream hands over an unsigned download unread (un-gzipped if the transport left it
// compressed). An APIv2 bill download that turns out to be an XML error is read and checked
// like any APIv2 answer.
func (p *Pipeline) receiveStream(o *outgoing, hr *http.Response) (*Response, error) {
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
	b := make([]byte, 0, n)
	for {
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)]
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
			return nil, &SendError{Err: fmt.Errorf("reading the answer: %w", err)}
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

func isLoopback(host string) bool {
	return host == "localhost" || host == "::1" || strings.HasPrefix(host, "127.")
}

// encodeQuery percent-encodes parameters in the order given (space as %20).
func encodeQuery(q []Param) string {
	var b strings.Builder
	for i, p := range q {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(Escape(p.Name))
		b.WriteByte('=')
		b.WriteString(Escape(p.Value))
	}
	return b.String()
}

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

func or(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
