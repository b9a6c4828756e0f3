// Package wxpaytest is an embedded WeChat Pay emulator for tests, examples and demos: a
// real HTTPS server on the loopback interface with its own test identity (merchant and
// platform keys, certificates, APIv2/APIv3 keys). It checks what clients sign — APIv3 RSA
// Authorization headers, APIv2 MD5/HMAC-SHA256 sign fields, the client certificate on
// mutual-TLS paths — and signs its answers as the platform does.
//
// Its checks are written independently of the SDK (standard library crypto and
// encoding/xml), so a mistake in the SDK's signer is not mirrored here. Its protocol
// rules (which answers are unsigned or files, which paths need the client certificate)
// come from the endpoint catalog's data (package catalog's flags), read with its own
// code, not from the client's transport package. It never sends traffic off the machine:
// callbacks go only to loopback URLs (see SendNotification).
//
//	srv := wxpaytest.NewServer(t)
//	wx, err := wxpay.New(srv.ClientOptions()...)
//
// The identity is for testing only: its keys are published in this package.
package wxpaytest

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	_ "embed"
	"encoding/pem"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"time"

	"github.com/wxpay-go/wxpay"
)

// The test identity, made with openssl (commands in testdata/README.md).
var (
	//go:embed testdata/apiclient_key.pem
	merchantKeyPEM []byte
	//go:embed testdata/apiclient_cert.pem
	merchantCertPEM []byte
	//go:embed testdata/platform_key.pem
	platformKeyPEM []byte
	//go:embed testdata/platform_cert.pem
	platformCertPEM []byte
	//go:embed testdata/pubkey.pem
	publicKeyPEM []byte
	//go:embed testdata/tls_ca.pem
	tlsCAPEM []byte
	//go:embed testdata/tls_server.pem
	tlsServerCertPEM []byte
	//go:embed testdata/tls_server_key.pem
	tlsServerKeyPEM []byte
)

// Fixed parts of the test identity.
const (
	MchID          = "1900000109"
	MerchantSerial = "3775B6A45ACD588826D15E583A95F5DD2C5C9DB8"
	PlatformSerial = "5157F09EFDC096DE15EBE81A47057A7232F5B8E1"
	PublicKeyID    = "PUB_KEY_ID_0119000001092025112300000000000001"
	APIv3Key       = "wxpaytest-apiv3-key-0123456789ab"
	APIv2Key       = "wxpaytest-apiv2-key-0123456789ab"
)

// Server is a running emulator. Its exported identity fields are read-only.
type Server struct {
	URL string // base URL, ending in "/"

	MchID, MerchantSerial, PlatformSerial, PublicKeyID, APIv3Key, APIv2Key string
	MerchantKey                                                            *rsa.PrivateKey
	MerchantCert                                                           *x509.Certificate
	PlatformKey                                                            *rsa.PrivateKey
	PlatformCert                                                           *x509.Certificate
	ClientCert                                                             tls.Certificate // the merchant certificate for mutual TLS
	RootCAs                                                                *x509.CertPool  // trusts the server's TLS certificate (its CA)
	CACertPEM                                                              []byte          // the CA of the server's TLS certificate, PEM: the root for clients in other processes

	// PEM forms of the identity, for writing it to files.
	MerchantKeyPEM, MerchantCertPEM, PlatformKeyPEM, PlatformCertPEM, PublicKeyPEM []byte

	hs *httptest.Server

	mu       sync.Mutex
	routes   []route
	log      []*Request
	keyMode  bool // sign answers with the public key id unless the request names a certificate
	now      func() time.Time
	orders   map[string]*order
	refunds  map[string]*refund
	files    map[string]issued  // by token: files handed out through a download_url (bills.go)
	withheld []WithheldCallback // callbacks to URLs off this machine, not sent (notify.go)
	served   map[string]bool    // serials of certificates served by v3/certificates
	addr     string             // listen address; "" is a random loopback port
	logger   *slog.Logger       // one line per request, when set

	installing bool // Handle is adding the built-in routes

	bg       sync.WaitGroup // callbacks sent in the background
	bgCtx    context.Context
	bgCancel context.CancelFunc
}

// Option configures a Server.
type Option func(*Server)

// PublicKeyMode makes the server sign answers as a merchant in public-key mode
// (Wechatpay-Serial: PUB_KEY_ID_…), unless a request's Wechatpay-Serial names the certificate.
func PublicKeyMode() Option { return func(s *Server) { s.keyMode = true } }

// WithAPIv2Key replaces the server's APIv2 key (to replay published signature vectors).
func WithAPIv2Key(key string) Option { return func(s *Server) { s.APIv2Key = key } }

// WithClock sets the server's clock (default time.Now).
func WithClock(now func() time.Time) Option { return func(s *Server) { s.now = now } }

// WithAddr makes the server listen on addr ("127.0.0.1:8443") instead of a random
// loopback port. The server's TLS certificate names 127.0.0.1, ::1, localhost, the
// platform's hosts (api.mch.weixin.qq.com, api2.mch.weixin.qq.com, apihk.mch.weixin.qq.com)
// and example.com, so clients must reach it by those names (an SDK with a hard-coded host
// is pointed at the server by its dialer); a wildcard host (":8443", "0.0.0.0:8443") is
// announced in URL as 127.0.0.1.
func WithAddr(addr string) Option { return func(s *Server) { s.addr = addr } }

// WithLogger logs one line per request at level Info: method, path as on the wire,
// status, the error code of a failed answer, the duration and the client's address.
// Headers and bodies are never logged.
func WithLogger(l *slog.Logger) Option { return func(s *Server) { s.logger = l } }

// TB is the part of testing.TB that NewServer uses: *testing.T, *testing.B and *testing.F
// satisfy it. (Naming it here keeps package testing out of binaries that link wxpaytest
// for `wxpay sandbox`.)
type TB interface {
	Helper()
	Fatalf(format string, args ...any)
	Cleanup(func())
}

// NewServer starts a server and closes it when the test ends.
func NewServer(tb TB, opts ...Option) *Server {
	tb.Helper()
	s, err := Start(opts...)
	if err != nil {
		tb.Fatalf("wxpaytest: %v", err)
	}
	tb.Cleanup(s.Close)
	return s
}

// Start starts a server outside a test (demos, the command line). Close it when done.
func Start(opts ...Option) (*Server, error) {
	s := &Server{
		MchID: MchID, MerchantSerial: MerchantSerial, PlatformSerial: PlatformSerial,
		PublicKeyID: PublicKeyID, APIv3Key: APIv3Key, APIv2Key: APIv2Key,
		MerchantKeyPEM: merchantKeyPEM, MerchantCertPEM: merchantCertPEM,
		PlatformKeyPEM: platformKeyPEM, PlatformCertPEM: platformCertPEM, PublicKeyPEM: publicKeyPEM,
		now: time.Now, orders: map[string]*order{}, refunds: map[string]*refund{}, files: map[string]issued{}, served: map[string]bool{},
	}
	for _, o := range opts {
		o(s)
	}
	s.bgCtx, s.bgCancel = context.WithCancel(context.Background())
	var err error
	if s.MerchantKey, err = parseKey(merchantKeyPEM); err != nil {
		return nil, err
	}
	if s.PlatformKey, err = parseKey(platformKeyPEM); err != nil {
		return nil, err
	}
	if s.MerchantCert, err = parseCert(merchantCertPEM); err != nil {
		return nil, err
	}
	if s.PlatformCert, err = parseCert(platformCertPEM); err != nil {
		return nil, err
	}
	if s.ClientCert, err = tls.X509KeyPair(merchantCertPEM, merchantKeyPEM); err != nil {
		return nil, err
	}
	clientCAs := x509.NewCertPool()
	clientCAs.AddCert(s.MerchantCert)

	s.hs = httptest.NewUnstartedServer(http.HandlerFunc(s.serve))
	if s.addr != "" {
		l, err := net.Listen("tcp", s.addr)
		if err != nil {
			s.hs.Close()
			return nil, fmt.Errorf("wxpaytest: listen: %w", err)
		}
		s.hs.Listener.Close()
		s.hs.Listener = l
	}
	serverCert, err := tls.X509KeyPair(append(append([]byte(nil), tlsServerCertPEM...), tlsCAPEM...), tlsServerKeyPEM)
	if err != nil {
		s.hs.Close()
		return nil, fmt.Errorf("wxpaytest: TLS certificate: %w", err)
	}
	ca, err := parseCert(tlsCAPEM)
	if err != nil {
		s.hs.Close()
		return nil, err
	}
	s.hs.TLS = &tls.Config{ClientAuth: tls.VerifyClientCertIfGiven, ClientCAs: clientCAs, Certificates: []tls.Certificate{serverCert}}
	s.hs.StartTLS()
	s.URL = announced(s.hs.Listener.Addr()) + "/"
	s.RootCAs = x509.NewCertPool()
	s.RootCAs.AddCert(ca)
	s.CACertPEM = tlsCAPEM
	s.installing = true
	s.installDefaultRoutes()
	s.installing = false
	return s, nil
}

// announced is the https URL clients use for a listener's address: a wildcard host is
// reached through 127.0.0.1 (or ::1), the names the server's certificate holds.
func announced(a net.Addr) string {
	host, port, err := net.SplitHostPort(a.String())
	if err != nil {
		return "https://" + a.String()
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsUnspecified() {
		host = "127.0.0.1"
		if ip.To4() == nil {
			host = "::1"
		}
	}
	return "https://" + net.JoinHostPort(host, port)
}

// Close shuts the server down.
// Callbacks still being sent in the background are cancelled and waited for.
func (s *Server) Close() {
	s.hs.Close()
	s.bgCancel()
	s.bg.Wait()
}

// Host returns the server's host:port.
func (s *Server) Host() string { return strings.TrimSuffix(strings.TrimPrefix(s.URL, "https://"), "/") }

// ClientOptions returns the options that make a wxpay client talk to this server with
// its test identity: base URL, TLS trust, merchant key, the platform's verification key,
// APIv2/APIv3 keys and the client certificate. The verification key is the one the
// server's mode signs with: the platform certificate, or with [PublicKeyMode] the
// platform public key under PublicKeyID (and no certificate, as a merchant in public-key
// mode has none). Later options given to wxpay.New override these.
func (s *Server) ClientOptions() []wxpay.Option {
	platform := wxpay.WithPlatformCertificates(s.PlatformCert)
	if s.keyMode {
		platform = wxpay.WithPlatformPublicKey(s.PublicKeyID, &s.PlatformKey.PublicKey)
	}
	return []wxpay.Option{
		wxpay.WithBaseURL(s.URL),
		wxpay.WithTLSConfig(&tls.Config{RootCAs: s.RootCAs, MinVersion: tls.VersionTLS12}),
		wxpay.WithMerchant(s.MchID, s.MerchantSerial, s.MerchantKey),
		platform,
		wxpay.WithAPIv3Key(s.APIv3Key),
		wxpay.WithAPIv2Key(s.APIv2Key),
		wxpay.WithClientCertificate(s.ClientCert),
	}
}

// Requests returns the requests received so far (the last 1000), oldest first.
func (s *Server) Requests() []*Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]*Request(nil), s.log...)
}

// LastRequest returns the most recent request, or nil.
func (s *Server) LastRequest() *Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.log) == 0 {
		return nil
	}
	return s.log[len(s.log)-1]
}

func (s *Server) record(r *Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.log) >= 1000 {
		s.log = append(s.log[:0], s.log[1:]...)
	}
	s.log = append(s.log, r)
}

func parseKey(b []byte) (*rsa.PrivateKey, error) {
	blk, _ := pem.Decode(b)
	if blk == nil {
		return nil, fmt.Errorf("wxpaytest: no PEM key")
	}
	k, err := x509.ParsePKCS8PrivateKey(blk.Bytes)
	if err != nil {
		return nil, err
	}
	rk, ok := k.(*rsa.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("wxpaytest: not an RSA key")
	}
	return rk, nil
}

func parseCert(b []byte) (*x509.Certificate, error) {
	blk, _ := pem.Decode(b)
	if blk == nil {
		return nil, fmt.Errorf("wxpaytest: no PEM certificate")
	}
	return x509.ParseCertificate(blk.Bytes)
}

// nonce returns 32 random hex characters.
func nonce() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return fmt.Sprintf("%X", b)
}
