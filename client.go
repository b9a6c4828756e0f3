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
	"time"

	"github.com/wxpay-go/wxpay/apiv2"
	"github.com/wxpay-go/wxpay/apiv3"
	"github.com/wxpay-go/wxpay/chain"
	"github.com/wxpay-go/wxpay/notify"
	"github.com/wxpay-go/wxpay/signer"
	"github.com/wxpay-go/wxpay/transport"
)

// Client calls WeChat Pay. Its configuration is fixed at New; it is safe for concurrent use.
type Client struct {
	pipe     *transport.Pipeline
	keys     *signer.KeyStore
	signer   *signer.V3Signer
	apiv3Key string
	apiv2Key string
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
	retry         transport.RetryPolicy
	timeout       time.Duration
	maxResponse   int64
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
	c := &Client{keys: signer.NewKeyStore(), apiv3Key: s.apiv3Key, apiv2Key: s.apiv2Key}
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
	c.pipe, err = transport.New(transport.Config{
		BaseURL:          s.baseURL,
		BackupHost:       s.backupHost,
		Signer:           c.signer,
		Verifier:         &signer.Verifier{Keys: c.keys},
		APIv2Key:         s.apiv2Key,
		HTTPClient:       plain,
		SecureClient:     secure,
		Retry:            s.retry,
		Logger:           s.logger,
		MaxResponseBytes: s.maxResponse,
	})
	if err != nil {
		return nil, err
	}
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
	tlsConf := s.tlsConfig
	if base.TLSClientConfig != nil {
		tlsConf = base.TLSClientConfig
	}
	if tlsConf != nil && tlsConf.InsecureSkipVerify {
		return nil, nil, fmt.Errorf("%w: InsecureSkipVerify is refused", ErrConfig)
	}
	st := base.Clone()
	st.TLSClientConfig = withClientCert(tlsConf, *s.clientCert)
	sc := *plain
	sc.Transport = st
	return plain, &sc, nil
}

func newTransport(conf *tls.Config, timeout time.Duration) *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConnsPerHost = 64 // many goroutines share one client
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

// Do sends a request resolved elsewhere (generated code, tools); most callers use Chain.
func (c *Client) Do(ctx context.Context, req *transport.Request) (*Response, error) {
	return c.pipe.Do(ctx, req)
}

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
	return &notify.Parser{Verifier: &signer.Verifier{Keys: c.keys}, APIv3Key: c.apiv3Key, APIv2Key: c.apiv2Key}
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
// certificate is added on top, for mutual-TLS calls only. InsecureSkipVerify is refused.
func WithTLSConfig(c *tls.Config) Option {
	return func(s *settings) error { s.tlsConfig = c; return nil }
}

// WithHTTPClient replaces the HTTP client (its Transport, timeout and redirect policy).
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

// WithRetryPolicy replaces DefaultRetryPolicy; RetryPolicy{MaxAttempts: 1} turns retries off.
func WithRetryPolicy(p RetryPolicy) Option {
	return func(s *settings) error {
		if p.MaxAttempts < 1 {
			return fmt.Errorf("%w: WithRetryPolicy: MaxAttempts must be at least 1", ErrConfig)
		}
		s.retry = p
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
