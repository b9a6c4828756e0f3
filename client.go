// Package wxpay is a client for the WeChat Pay merchant API, APIv2 and APIv3.
//
// A path is named by a template string (or, later, the fluent tree generated from the
// endpoint catalog), and the client does the rest for every endpoint: APIv3 RSA signing
// and answer verification, APIv2 XML with MD5/HMAC-SHA256 signatures, mutual TLS where an
// APIv2 endpoint needs the merchant certificate, retries and typed errors.
//
//	wx, err := wxpay.New(
//		wxpay.WithMerchant(mchid, serial, privateKey),
//		wxpay.WithPlatformPublicKey(publicKeyID, publicKey),
//	)
//	resp, err := wx.Chain("v3/pay/transactions/out-trade-no/{out_trade_no}").
//		Get(ctx, wxpay.PathParam("out_trade_no", "1217752501201407033233368018"), wxpay.Query("mchid", mchid))
//
// A Client is safe for concurrent use by many goroutines; build one and share it.
package wxpay

import (
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"reflect"
	"time"

	"github.com/wxpay-go/wxpay/apiv2"
	"github.com/wxpay-go/wxpay/apiv3"
	"github.com/wxpay-go/wxpay/chain"
	"github.com/wxpay-go/wxpay/codec"
	"github.com/wxpay-go/wxpay/internal/wire"
	"github.com/wxpay-go/wxpay/notify"
	"github.com/wxpay-go/wxpay/signer"
)

// Client calls WeChat Pay. Its configuration is fixed at New; it is safe for concurrent use.
type Client struct {
	pipe     chain.Doer
	keys     *signer.KeyStore
	signer   *signer.V3Signer
	apiv3Key string
	apiv2Key string
	json     codec.Codec
	rsa      signer.RSAVerifier // nil: Go's crypto/rsa
}

// Option configures a Client. Options are checked by New, which reports the first error.
type Option func(*settings) error

type settings struct {
	mchid, serial string
	key           crypto.Signer
	certs         []*x509.Certificate
	pubKeys       []pubKey
	apiv3Key      string
	apiv2Key      string
	clientCert    *tls.Certificate
	baseURL       string
	backupHost    string
	tlsConfig     *tls.Config
	httpClient    *http.Client
	logger        *slog.Logger
	retry         any // a RetryPolicy, or nil for the default
	timeout       time.Duration
	maxResponse   int64
	maxInFlight   int
	json          codec.Codec
	rsaVerifier   signer.RSAVerifier
}

type pubKey struct {
	id  string
	key *rsa.PublicKey
}

// New builds a Client. It validates every option and never panics; an error wraps ErrConfig
// (or signer.ErrKey for a key that cannot be used).
func New(opts ...Option) (*Client, error) {
	s := settings{timeout: 30 * time.Second}
	for _, o := range opts {
		if o == nil {
			continue
		}
		if err := o(&s); err != nil {
			return nil, err
		}
	}
	c := &Client{keys: signer.NewKeyStore(), apiv3Key: s.apiv3Key, apiv2Key: s.apiv2Key, json: s.json, rsa: s.rsaVerifier}
	if s.key != nil || s.mchid != "" || s.serial != "" {
		v3, err := signer.NewV3Signer(s.mchid, s.serial, s.key)
		if err != nil {
			return nil, fmt.Errorf("%w: WithMerchant: %w", ErrConfig, err)
		}
		c.signer = v3
	}
	for _, cert := range s.certs {
		serial, err := c.keys.AddCertificate(cert)
		if err != nil {
			return nil, fmt.Errorf("%w: WithPlatformCertificates: %w", ErrConfig, err)
		}
		if serial == s.serial {
			return nil, fmt.Errorf("%w: WithPlatformCertificates: certificate %s is the merchant's own, not WeChat Pay's", ErrConfig, serial)
		}
	}
	for _, pk := range s.pubKeys {
		if err := c.keys.AddPublicKey(pk.id, pk.key); err != nil {
			return nil, fmt.Errorf("%w: WithPlatformPublicKey: %w", ErrConfig, err)
		}
	}
	plain, secure, err := httpClients(&s)
	if err != nil {
		return nil, err
	}
	pipe, err := wire.NewPipeline(wire.Config{
		BaseURL:          s.baseURL,
		BackupHost:       s.backupHost,
		Signer:           c.signer,
		Verifier:         &signer.Verifier{Keys: c.keys, RSA: c.rsa},
		APIv2Key:         s.apiv2Key,
		HTTPClient:       plain,
		SecureClient:     secure,
		Retry:            s.retry,
		Logger:           s.logger,
		MaxResponseBytes: s.maxResponse,
		MaxInFlight:      s.maxInFlight,
		JSON:             s.json,
	})
	if err != nil {
		return nil, err
	}
	c.pipe = pipe.(chain.Doer)
	return c, nil
}

// httpClients returns the client for plain calls and, when a client certificate is
// configured, a separate one for mutual-TLS calls: the certificate is never offered on
// connections of ordinary calls.
func httpClients(s *settings) (plain, secure *http.Client, err error) {
	if s.tlsConfig != nil && s.tlsConfig.InsecureSkipVerify {
		return nil, nil, fmt.Errorf("%w: WithTLSConfig: InsecureSkipVerify is refused; add the server's CA to RootCAs instead", ErrConfig)
	}
	if s.httpClient != nil {
		if s.tlsConfig != nil {
			return nil, nil, fmt.Errorf("%w: WithTLSConfig and WithHTTPClient together: set the TLS settings on the given client's transport", ErrConfig)
		}
		if t, ok := s.httpClient.Transport.(*http.Transport); ok && t.TLSClientConfig != nil && t.TLSClientConfig.InsecureSkipVerify {
			return nil, nil, fmt.Errorf("%w: WithHTTPClient: its transport sets InsecureSkipVerify, which is refused; add the server's CA to RootCAs instead", ErrConfig)
		}
		plain = s.httpClient
	} else {
		// Timeouts live in the transport (connect, TLS handshake, waiting for the answer's
		// headers), not in http.Client.Timeout, which would also cut off a long download
		// while its body streams. The caller's context bounds a whole call.
		plain = &http.Client{
			Transport: newTransport(s.tlsConfig, s.timeout),
			// A signed API does not redirect; a 3xx is reported as an APIError.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		}
	}
	if s.clientCert == nil {
		return plain, nil, nil
	}
	base, ok := plain.Transport.(*http.Transport)
	if plain.Transport == nil {
		base, ok = http.DefaultTransport.(*http.Transport), true
	}
	if !ok {
		return nil, nil, fmt.Errorf("%w: WithClientCertificate needs an *http.Transport to add the certificate to; WithHTTPClient gave a %T", ErrConfig, plain.Transport)
	}
	// The base's TLS settings: those of WithTLSConfig (newTransport cloned them), or of the
	// WithHTTPClient transport; InsecureSkipVerify was refused above on both routes.
	st := base.Clone()
	st.TLSClientConfig = withClientCert(base.TLSClientConfig, *s.clientCert)
	sc := *plain
	sc.Transport = st
	return plain, &sc, nil
}

func newTransport(conf *tls.Config, timeout time.Duration) *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConnsPerHost = DefaultMaxConnsPerHost // many goroutines share one client
	t.MaxConnsPerHost = DefaultMaxConnsPerHost     // a burst of calls waits for a connection instead of opening thousands
	if timeout > 0 {
		t.DialContext = (&net.Dialer{Timeout: timeout, KeepAlive: 30 * time.Second}).DialContext
		t.TLSHandshakeTimeout = timeout
		t.ResponseHeaderTimeout = timeout
	}
	if conf != nil {
		t.TLSClientConfig = conf.Clone()
	} else {
		t.TLSClientConfig = &tls.Config{}
	}
	if t.TLSClientConfig.MinVersion < tls.VersionTLS12 {
		t.TLSClientConfig.MinVersion = tls.VersionTLS12
	}
	return t
}

func withClientCert(conf *tls.Config, cert tls.Certificate) *tls.Config {
	var c *tls.Config
	if conf != nil {
		c = conf.Clone()
	} else {
		c = &tls.Config{MinVersion: tls.VersionTLS12}
	}
	c.Certificates = []tls.Certificate{cert}
	return c
}

// Chain returns the node for a path template: "v3/…" is APIv3 (JSON, RSA), "v2/…" is
// APIv2 (XML, MD5/HMAC-SHA256, "v2/" dropped from the URL). Placeholders are {name},
// <name> or a whole segment _name_; fill them with PathParam. A malformed template makes
// the node's verbs fail without sending anything.
func (c *Client) Chain(path string) Node { return chain.New(c.pipe, path) }

// V3 returns the root of the typed fluent APIv3 tree generated from the endpoint catalog
// (package apiv3): wx.V3().Pay().Transactions().Native().Post(ctx, &apiv3.PayTransactionsNativeRequest{…})
// returns the typed answer, the verified *Response and the error. Every node's Node() is
// the untyped Node.
func (c *Client) V3() apiv3.Root { return apiv3.New(c.pipe) }

// V2 returns the root of the typed fluent APIv2 tree (package apiv2):
// wx.V2().Secapi().Pay().Reverse().Post(ctx, &apiv2.PayReverseRequest{…}).
func (c *Client) V2() apiv2.Root { return apiv2.New(c.pipe) }

// CloseIdleConnections closes the client's idle keep-alive connections.
func (c *Client) CloseIdleConnections() { c.pipe.CloseIdleConnections() }

// ParseNotification verifies and decodes a WeChat Pay callback, framework-neutral:
// APIv3 callbacks are verified (headers, ±300 s, serial, RSA over the raw body) before the
// resource is decrypted with the APIv3 key; APIv2 pay callbacks have their sign checked,
// refund callbacks their req_info decrypted. Pass the raw body, not a re-serialized one.
func (c *Client) ParseNotification(header http.Header, body []byte) (*Notification, error) {
	return c.notifications().Parse(header, body)
}

// NotificationHandler returns an http.Handler for callbacks: it calls fn only for a
// verified callback and answers WeChat Pay in the format it expects (APIv3 status and JSON
// code/message, APIv2 XML return_code); anything unverified or failed gets an answer that
// makes WeChat Pay retry.
func (c *Client) NotificationHandler(fn func(ctx context.Context, n *Notification) error) http.Handler {
	return c.notifications().Handler(fn)
}

func (c *Client) notifications() *notify.Parser {
	return &notify.Parser{Verifier: &signer.Verifier{Keys: c.keys, RSA: c.rsa}, APIv3Key: c.apiv3Key, APIv2Key: c.apiv2Key, JSON: c.json}
}

// KeyStore returns the store of WeChat Pay certificates and public keys the client
// verifies answers with. Adding to it is safe at any time (certificate rotation).
func (c *Client) KeyStore() *signer.KeyStore { return c.keys }

// ---- options ---------------------------------------------------------------------

// WithMerchant sets the APIv3 identity: merchant id, the serial number of the merchant API
// certificate, and its private key. Any crypto.Signer with an RSA-2048+ public key works
// (*rsa.PrivateKey, an HSM or KMS key).
func WithMerchant(mchid, serial string, key crypto.Signer) Option {
	return func(s *settings) error {
		if key == nil {
			return fmt.Errorf("%w: WithMerchant: nil private key", ErrConfig)
		}
		s.mchid, s.serial, s.key = mchid, serial, key
		return nil
	}
}

// WithPlatformCertificates adds WeChat Pay platform certificates; answers are verified
// with the one whose serial matches Wechatpay-Serial.
func WithPlatformCertificates(certs ...*x509.Certificate) Option {
	return func(s *settings) error {
		for _, c := range certs {
			if c == nil {
				return fmt.Errorf("%w: WithPlatformCertificates: nil certificate", ErrConfig)
			}
		}
		s.certs = append(s.certs, certs...)
		return nil
	}
}

// WithPlatformPublicKey adds a WeChat Pay public key under its id ("PUB_KEY_ID_…"). It may
// be combined with certificates while a merchant migrates: both are accepted, and requests
// announce the public key in Wechatpay-Serial.
func WithPlatformPublicKey(keyID string, key *rsa.PublicKey) Option {
	return func(s *settings) error {
		if keyID == "" || key == nil {
			return fmt.Errorf("%w: WithPlatformPublicKey: empty id or nil key", ErrConfig)
		}
		s.pubKeys = append(s.pubKeys, pubKey{keyID, key})
		return nil
	}
}

// WithAPIv3Key sets the 32-byte APIv3 key (callbacks, certificate download).
func WithAPIv3Key(key string) Option {
	return func(s *settings) error {
		if len(key) != 32 {
			return fmt.Errorf("%w: WithAPIv3Key: the APIv3 key must be 32 bytes, got %d", ErrConfig, len(key))
		}
		s.apiv3Key = key
		return nil
	}
}

// WithAPIv2Key sets the 32-byte APIv2 key used for MD5 and HMAC-SHA256 signatures.
func WithAPIv2Key(key string) Option {
	return func(s *settings) error {
		if err := signer.CheckV2Key(key); err != nil {
			return fmt.Errorf("%w: WithAPIv2Key: %w", ErrConfig, err)
		}
		s.apiv2Key = key
		return nil
	}
}

// WithClientCertificate sets the merchant certificate for mutual TLS. It is offered only
// on the APIv2 calls that need it (the catalog's cert_required endpoints, secapi/ paths,
// or a call with Secure()).
func WithClientCertificate(cert tls.Certificate) Option {
	return func(s *settings) error {
		if len(cert.Certificate) == 0 || cert.PrivateKey == nil {
			return fmt.Errorf("%w: WithClientCertificate: empty certificate or missing key", ErrConfig)
		}
		s.clientCert = &cert
		return nil
	}
}

// WithBaseURL replaces https://api.mch.weixin.qq.com/. A path below it is kept:
// "https://api.mch.weixin.qq.com/hk/" + "v3/x" is /hk/v3/x.
func WithBaseURL(u string) Option {
	return func(s *settings) error { s.baseURL = u; return nil }
}

// WithBackupDomain turns on failover: after a connection failure or a 5xx answer, the
// retries of a call to the default host go to api2.mch.weixin.qq.com.
func WithBackupDomain() Option { return WithBackupHost("api2.mch.weixin.qq.com") }

// WithBackupHost is WithBackupDomain with another backup host (host or host:port).
func WithBackupHost(host string) Option {
	return func(s *settings) error { s.backupHost = host; return nil }
}

// WithTLSConfig sets the base TLS settings (RootCAs of a test server, say). The client
// certificate is added on top, for mutual-TLS calls only. InsecureSkipVerify is refused,
// and so is WithTLSConfig together with WithHTTPClient (whose transport has its own TLS
// settings: set them there).
func WithTLSConfig(c *tls.Config) Option {
	return func(s *settings) error { s.tlsConfig = c; return nil }
}

// WithHTTPClient replaces the HTTP client (its Transport, timeout and redirect policy). A
// transport that skips certificate verification is refused; whatever the transport, an
// https answer whose certificate chain was not verified is never read (a *SendError with
// FailureTLS).
func WithHTTPClient(c *http.Client) Option {
	return func(s *settings) error {
		if c == nil {
			return fmt.Errorf("%w: WithHTTPClient: nil client", ErrConfig)
		}
		s.httpClient = c
		return nil
	}
}

// WithTimeout bounds each step of one attempt: connecting, the TLS handshake, and the wait
// for the answer's headers once the request is sent; default 30 s, 0 for none. It does not
// cut off an answer's body while it streams (a large bill download), and it does not apply
// to a client given by WithHTTPClient. Use the context to bound a whole call.
func WithTimeout(d time.Duration) Option {
	return func(s *settings) error {
		if d < 0 {
			return fmt.Errorf("%w: WithTimeout: negative", ErrConfig)
		}
		s.timeout = d
		return nil
	}
}

// WithRetryPolicy replaces DefaultRetryPolicy; RetryPolicy{MaxAttempts: 1} turns retries
// off. A policy that makes no sense (RetryPolicy.Validate) is refused: retries without a
// positive BaseDelay, more than 10 attempts, a MaxDelay below BaseDelay.
func WithRetryPolicy(p RetryPolicy) Option {
	return func(s *settings) error {
		if err := p.Validate(); err != nil {
			return fmt.Errorf("WithRetryPolicy: %w", err)
		}
		s.retry = p
		return nil
	}
}

// DefaultMaxConnsPerHost caps the connections the default HTTP client opens to one host
// (WeChat Pay's API host, say): a burst of calls beyond it waits for a free connection. A
// client given by WithHTTPClient keeps its own limits.
const DefaultMaxConnsPerHost = 64

// WithMaxConcurrency bounds the calls in flight at once, sync and async alike: call n+1
// waits (its context still bounding the wait) until one of n ends. With the default 0
// there is no bound beyond DefaultMaxConnsPerHost; a high-volume service sets it near the
// number of RSA signatures its cores can make at once, so that a burst of …Async calls
// queues instead of running thousands of signatures together.
func WithMaxConcurrency(n int) Option {
	return func(s *settings) error {
		if n < 0 {
			return fmt.Errorf("%w: WithMaxConcurrency: negative", ErrConfig)
		}
		s.maxInFlight = n
		return nil
	}
}

// WithJSONCodec plugs the JSON codec for APIv3 request bodies, answers (Response.Decode)
// and callbacks (Notification.Decode): a faster encoder such as goccy/go-json or
// bytedance/sonic wrapped in a codec.Codec (Encode = Marshal, Decode = Unmarshal). The
// standard library is the default, and the module depends on no alternative. Whatever the
// codec, a request is signed over the exact bytes sent and an answer is verified over the
// exact bytes received, before the codec sees them; []byte, json.RawMessage and string
// bodies never reach the codec.
func WithJSONCodec(c codec.Codec) Option {
	return func(s *settings) error {
		if c == nil {
			return fmt.Errorf("%w: WithJSONCodec: nil codec", ErrConfig)
		}
		s.json = c
		return nil
	}
}

// WithLogger logs one record per attempt (Debug on success, Warn on failure): method, URL,
// status, Request-ID, timing and redacted headers. Bodies, keys and signatures are never logged.
func WithLogger(l *slog.Logger) Option {
	return func(s *settings) error { s.logger = l; return nil }
}

// WithMaxResponseBytes caps a buffered answer (default 16 MiB); a larger one fails with
// ErrResponseTooLarge.
func WithMaxResponseBytes(n int64) Option {
	return func(s *settings) error {
		if n <= 0 {
			return fmt.Errorf("%w: WithMaxResponseBytes: must be positive", ErrConfig)
		}
		s.maxResponse = n
		return nil
	}
}

// WithRSAVerifier replaces Go's crypto/rsa in the RSA check of APIv3 answers and callbacks
// (ParseNotification, NotificationHandler) with v, such as the OpenSSL backend:
//
//	v, err := openssl.NewVerifier() // package github.com/wxpay-go/wxpay/openssl
//	wx, err := wxpay.New(…, wxpay.WithRSAVerifier(v))
//
// Everything else about verification (headers, clock skew, serial lookup, the signed
// message) stays the SDK's. A nil v is refused.
func WithRSAVerifier(v signer.RSAVerifier) Option {
	return func(s *settings) error {
		if v == nil {
			return fmt.Errorf("%w: WithRSAVerifier: nil verifier", ErrConfig)
		}
		if rv := reflect.ValueOf(v); rv.Kind() == reflect.Pointer && rv.IsNil() {
			return fmt.Errorf("%w: WithRSAVerifier: nil %T", ErrConfig, v)
		}
		s.rsaVerifier = v
		return nil
	}
}
