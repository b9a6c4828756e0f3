package wxpay_test

// Money-safety tests (issue 9): each one failed on the code before the fix it names.

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"io"
	"log/slog"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wxpay-go/wxpay"
	"github.com/wxpay-go/wxpay/wxpaytest"
)

// hangUp is a plain-http loopback server whose handler reads the whole request, counts it
// and closes the connection without answering: the request was written, no answer came.
func hangUp(t *testing.T) (url string, attempts *atomic.Int32) {
	t.Helper()
	attempts = new(atomic.Int32)
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		attempts.Add(1)
		conn, _, err := w.(http.Hijacker).Hijack()
		if err == nil {
			conn.Close()
		}
	}))
	t.Cleanup(hs.Close)
	return hs.URL + "/", attempts
}

func fastRetries() wxpay.Option {
	return wxpay.WithRetryPolicy(wxpay.RetryPolicy{MaxAttempts: 3, BaseDelay: time.Millisecond, MaxDelay: 2 * time.Millisecond})
}

func TestWrittenPostWithoutAnswerIsNotRetried(t *testing.T) {
	srv := wxpaytest.NewServer(t)
	url, attempts := hangUp(t)
	wx := newClient(t, srv, wxpay.WithBaseURL(url), fastRetries())
	ctx := context.Background()

	_, err := wx.Chain("v3/pay/transactions/native").Post(ctx, nativeOrder(srv, "U1"))
	require.Error(t, err)
	assert.EqualValues(t, 1, attempts.Load(), "a POST whose outcome is unknown is sent exactly once")
	assert.ErrorIs(t, err, wxpay.ErrOutcomeUnknown)
	assert.Equal(t, wxpay.FailureOutcomeUnknown, wxpay.FailureOf(err))
	var se *wxpay.SendError
	require.ErrorAs(t, err, &se)
	assert.True(t, se.Written)
	assert.Contains(t, err.Error(), "outcome unknown")

	// APIv2 too: a refund written and unanswered is not sent again.
	attempts.Store(0)
	_, err = wx.Chain("v2/pay/orderquery").Post(ctx, map[string]string{"mch_id": srv.MchID, "out_trade_no": "U1"})
	assert.ErrorIs(t, err, wxpay.ErrOutcomeUnknown)
	assert.EqualValues(t, 1, attempts.Load())

	// A GET is safe to repeat: retried.
	attempts.Store(0)
	_, err = wx.Chain("v3/pay/transactions/out-trade-no/U1").Get(ctx, wxpay.Query("mchid", srv.MchID))
	assert.ErrorIs(t, err, wxpay.ErrOutcomeUnknown)
	assert.EqualValues(t, 3, attempts.Load(), "a GET is retried after a lost answer")

	// The opt-in for endpoints the caller knows to be idempotent.
	attempts.Store(0)
	_, err = wx.Chain("v3/pay/transactions/native").Post(ctx, nativeOrder(srv, "U1"), wxpay.Idempotent())
	assert.ErrorIs(t, err, wxpay.ErrOutcomeUnknown)
	assert.EqualValues(t, 3, attempts.Load())
}

func TestNotSentIsRetried(t *testing.T) {
	srv := wxpaytest.NewServer(t)
	dead, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	url := "http://" + dead.Addr().String() + "/"
	require.NoError(t, dead.Close())
	var buf strings.Builder
	logger := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	wx := newClient(t, srv, wxpay.WithBaseURL(url), fastRetries(), wxpay.WithLogger(logger))
	_, err = wx.Chain("v3/pay/transactions/native").Post(context.Background(), nativeOrder(srv, "N1"))
	require.Error(t, err)
	assert.Equal(t, wxpay.FailureNotSent, wxpay.FailureOf(err))
	assert.NotErrorIs(t, err, wxpay.ErrOutcomeUnknown)
	assert.Equal(t, 3, strings.Count(buf.String(), "failure=not_sent"), "connection refused: nothing was sent, so all 3 attempts are made")
}

func TestUntrustedCertificateIsOneHandshake(t *testing.T) {
	srv := wxpaytest.NewServer(t)
	var conns atomic.Int32
	hs := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	hs.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	hs.TLS = &tls.Config{Certificates: []tls.Certificate{selfSigned(t)}}
	hs.StartTLS() // a certificate the client does not trust
	defer hs.Close()
	wx := newClient(t, srv, wxpay.WithBaseURL(hs.URL+"/"), fastRetries())
	_, err := wx.Chain("v3/pay/transactions/native").Post(context.Background(), nativeOrder(srv, "X1"))
	require.Error(t, err)
	assert.Equal(t, wxpay.FailureTLS, wxpay.FailureOf(err), "%v", err)
	assert.NotErrorIs(t, err, wxpay.ErrOutcomeUnknown)
	assert.EqualValues(t, 1, conns.Load(), "a certificate failure will not heal: one handshake, no retry")
}

// selfSigned makes a certificate for 127.0.0.1 that no client trusts.
func selfSigned(t *testing.T) tls.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "untrusted"},
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	require.NoError(t, err)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}

func TestContextEndingDuringBackoffReturnsItsError(t *testing.T) {
	srv := wxpaytest.NewServer(t)
	var times []time.Time
	var mu sync.Mutex
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		times = append(times, time.Now())
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(503)
		_, _ = io.WriteString(w, `{"code":"SYSTEM_ERROR","message":"busy"}`)
	}))
	defer hs.Close()
	// No MaxDelay: the wait must still grow from BaseDelay (it was 0 before).
	wx := newClient(t, srv, wxpay.WithBaseURL(hs.URL+"/"), wxpay.WithRetryPolicy(wxpay.RetryPolicy{MaxAttempts: 4, BaseDelay: 200 * time.Millisecond}))
	slow := newClient(t, srv, wxpay.WithBaseURL(hs.URL+"/"), wxpay.WithRetryPolicy(wxpay.RetryPolicy{MaxAttempts: 4, BaseDelay: 2 * time.Second}))

	// The first wait is at least 1 s: a 300 ms deadline comes during it, whatever the load.
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	_, err := slow.Chain("v3/busy").Get(ctx)
	assert.ErrorIs(t, err, context.DeadlineExceeded, "the context's error, not the previous attempt's 503: %v", err)
	var ae *wxpay.APIError
	assert.False(t, errors.As(err, &ae))
	mu.Lock()
	assert.Len(t, times, 1, "the deadline came during the first wait")
	mu.Unlock()

	// With time to run, the attempts are spaced: at least BaseDelay/2, then BaseDelay, ...
	mu.Lock()
	times = nil
	mu.Unlock()
	_, err = wx.Chain("v3/busy").Get(context.Background())
	require.ErrorAs(t, err, &ae)
	mu.Lock()
	defer mu.Unlock()
	require.Len(t, times, 4)
	for i, min := range []time.Duration{100, 200, 400} {
		assert.GreaterOrEqual(t, times[i+1].Sub(times[i]), min*time.Millisecond, "wait before retry %d", i+1)
	}
}

func TestNonsenseRetryPoliciesAreRefused(t *testing.T) {
	for _, p := range []wxpay.RetryPolicy{
		{MaxAttempts: 0},
		{MaxAttempts: -1},
		{MaxAttempts: 11, BaseDelay: time.Millisecond},
		{MaxAttempts: 3}, // retries without backoff
		{MaxAttempts: 3, BaseDelay: -time.Second},                            // negative
		{MaxAttempts: 3, BaseDelay: time.Second, MaxDelay: time.Millisecond}, // cap below base
	} {
		_, err := wxpay.New(wxpay.WithRetryPolicy(p))
		assert.ErrorIs(t, err, wxpay.ErrConfig, "%+v", p)
	}
	_, err := wxpay.New(wxpay.WithRetryPolicy(wxpay.RetryPolicy{MaxAttempts: 1}))
	assert.NoError(t, err, "one attempt needs no delay")
	_, err = wxpay.New(wxpay.WithRetryPolicy(wxpay.RetryPolicy{MaxAttempts: 4, BaseDelay: 200 * time.Millisecond}))
	assert.NoError(t, err)
}

func TestPlainHTTPOnlyToRealLoopback(t *testing.T) {
	for _, u := range []string{"http://127.attacker.example/", "http://localhost.attacker.example/", "http://127.0.0.1.nip.io/", "http://[::ffff:8.8.8.8]/"} {
		_, err := wxpay.New(wxpay.WithBaseURL(u))
		assert.ErrorIs(t, err, wxpay.ErrConfig, u)
	}
	for _, u := range []string{"http://127.0.0.1:8080/", "http://127.1.2.3/", "http://[::1]:80/", "http://localhost:9/"} {
		_, err := wxpay.New(wxpay.WithBaseURL(u))
		assert.NoError(t, err, u)
	}
	srv := wxpaytest.NewServer(t)
	wx := newClient(t, srv)
	_, err := wx.Chain("v3/pay/transactions/native").Post(context.Background(), nativeOrder(srv, "H1"), wxpay.BaseURL("http://127.attacker.example/"))
	assert.ErrorIs(t, err, wxpay.ErrConfig, "the per-call base is checked the same way")
}

// insecureRT hides an InsecureSkipVerify transport behind a RoundTripper New cannot inspect.
type insecureRT struct{ t *http.Transport }

func (r insecureRT) RoundTrip(req *http.Request) (*http.Response, error) { return r.t.RoundTrip(req) }

func TestTLSVerificationCannotBeTurnedOff(t *testing.T) {
	srv := wxpaytest.NewServer(t)
	insecure := &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}} //nolint:gosec // the point of the test
	_, err := wxpay.New(wxpay.WithHTTPClient(&http.Client{Transport: insecure}))
	assert.ErrorIs(t, err, wxpay.ErrConfig, "WithHTTPClient with InsecureSkipVerify")

	_, err = wxpay.New(wxpay.WithHTTPClient(&http.Client{}), wxpay.WithTLSConfig(&tls.Config{MinVersion: tls.VersionTLS12}))
	assert.ErrorIs(t, err, wxpay.ErrConfig, "WithTLSConfig would be silently ignored")

	// A transport New cannot look into: the answer of an unverified server is never read.
	opts := []wxpay.Option{wxpay.WithBaseURL(srv.URL), wxpay.WithHTTPClient(&http.Client{Transport: insecureRT{insecure}}),
		wxpay.WithMerchant(srv.MchID, srv.MerchantSerial, srv.MerchantKey), wxpay.WithPlatformCertificates(srv.PlatformCert),
		wxpay.WithRetryPolicy(wxpay.RetryPolicy{MaxAttempts: 1})}
	wx, err := wxpay.New(opts...)
	require.NoError(t, err)
	_, err = wx.Chain("v3/pay/transactions/native").Post(context.Background(), nativeOrder(srv, "I1"))
	assert.Equal(t, wxpay.FailureTLS, wxpay.FailureOf(err), "%v", err)
	assert.Contains(t, err.Error(), "not verified")
}

func TestAPIv2BytesAreNeverSentUnsigned(t *testing.T) {
	srv := wxpaytest.NewServer(t)
	wx := newClient(t, srv)
	ctx := context.Background()
	raw := "<xml><mch_id>" + srv.MchID + "</mch_id><out_trade_no>B1</out_trade_no></xml>"
	counter, attempts := hangUp(t) // counts every request that reaches it
	for _, body := range []any{[]byte(raw), raw} {
		_, err := wx.Chain("v2/pay/orderquery").Post(ctx, body, wxpay.BaseURL(counter))
		assert.ErrorIs(t, err, wxpay.ErrInvalidRequest, "%T", body)
		assert.Equal(t, wxpay.FailureInput, wxpay.FailureOf(err))
	}
	assert.Zero(t, attempts.Load(), "nothing was sent")
	// With the explicit option the bytes go out as they are (and this emulator, like the
	// platform, refuses them for their missing sign).
	_, err := wx.Chain("v2/pay/orderquery").Post(ctx, []byte(raw), wxpay.PreSigned())
	var ae *wxpay.APIError
	require.ErrorAs(t, err, &ae, "sent, and answered: %v", err)
}

func TestSecretsInURLsAreRedacted(t *testing.T) {
	srv := wxpaytest.NewServer(t)
	var buf strings.Builder
	logger := slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	wx := newClient(t, srv, wxpay.WithLogger(logger))
	ctx := context.Background()

	// An APIv2 GET carries its sign in the query.
	_, _ = wx.Chain("v2/pay/downloadbill").Get(ctx, wxpay.Query("appid", "wxd678efh567hg6787"), wxpay.Query("mch_id", srv.MchID),
		wxpay.Query("bill_date", "20140603"), wxpay.Query("bill_type", "ALL"))
	reqs := srv.Requests()
	require.NotEmpty(t, reqs)
	sign := reqs[len(reqs)-1].Query.Get("sign")
	require.NotEmpty(t, sign, "the GET was signed in its query")
	assert.NotContains(t, buf.String(), sign, "the sign is not logged")
	assert.Contains(t, buf.String(), "sign=[REDACTED]")

	// A download token in a failing call: neither the log nor the error carries it.
	url, _ := hangUp(t)
	buf.Reset()
	_, err := wx.Chain("v3/billdownload/file").Get(ctx, wxpay.Query("token", "SECRET-TOKEN-123"), wxpay.BaseURL(url))
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "SECRET-TOKEN-123")
	assert.Contains(t, err.Error(), "token=[REDACTED]")
	assert.NotContains(t, buf.String(), "SECRET-TOKEN-123")
}

func TestBillDigestMismatchIsAVerificationError(t *testing.T) {
	srv := wxpaytest.NewServer(t)
	wx := newClient(t, srv)
	srv.Handle("GET", "v3/billdownload/file", func(r *wxpaytest.Request) *wxpaytest.Reply {
		return &wxpaytest.Reply{Body: []byte("a,b,c\n"), Unsigned: true}
	})
	rc, err := wx.DownloadBill(context.Background(), srv.URL+"v3/billdownload/file?token=t", "SHA1", strings.Repeat("ab", 20))
	require.NoError(t, err)
	defer rc.Close()
	_, err = io.ReadAll(rc)
	var ve *wxpay.VerificationError
	require.ErrorAs(t, err, &ve, "the README promises the type")
	assert.ErrorIs(t, err, wxpay.ErrVerification)
}

// panicSigner is a crypto.Signer (an HSM binding, say) that panics.
type panicSigner struct{ crypto.Signer }

func (p panicSigner) Sign(io.Reader, []byte, crypto.SignerOpts) ([]byte, error) {
	panic("hsm: session lost")
}

func TestNoPanicsOnZeroValuesAndBadHooks(t *testing.T) {
	srv := wxpaytest.NewServer(t)
	wx := newClient(t, srv)
	node := wx.Chain("v3/pay/transactions/native")

	//nolint:staticcheck // a nil context on purpose
	_, err := node.Post(nil, nativeOrder(srv, "Z1")) //lint:ignore SA1012 the point of the test
	assert.ErrorIs(t, err, wxpay.ErrInvalidRequest)
	//lint:ignore SA1012 the point of the test
	_, err = node.PostAsync(nil, nativeOrder(srv, "Z1")).Wait()
	assert.ErrorIs(t, err, wxpay.ErrInvalidRequest)

	var zero wxpay.Node
	_, err = zero.Get(context.Background())
	assert.ErrorIs(t, err, wxpay.ErrInvalidRequest)
	_, err = zero.Chain("x").PostAsync(context.Background(), nil).Wait()
	assert.ErrorIs(t, err, wxpay.ErrInvalidRequest)
	assert.Equal(t, "", zero.Template())

	var zf wxpay.Future
	done := make(chan error, 1)
	go func() { _, err := zf.Wait(); done <- err }()
	select {
	case err := <-done:
		assert.ErrorIs(t, err, wxpay.ErrInvalidRequest)
	case <-time.After(2 * time.Second):
		t.Fatal("Wait on the zero Future hangs")
	}
	<-zf.Done()

	// A panicking signer inside an async call: an error on the Future, the process lives.
	hsm, err := wxpay.New(append(srv.ClientOptions(), wxpay.WithMerchant(srv.MchID, srv.MerchantSerial, panicSigner{srv.MerchantKey}))...)
	require.NoError(t, err)
	_, err = hsm.Chain("v3/pay/transactions/native").PostAsync(context.Background(), nativeOrder(srv, "Z2")).Wait()
	require.Error(t, err)
	assert.Contains(t, err.Error(), "panicked")
	_, err = hsm.Chain("v3/pay/transactions/native").Post(context.Background(), nativeOrder(srv, "Z2"))
	assert.Contains(t, err.Error(), "panicked", "sync too")

	// A panicking Retryable.
	bad, err := wxpay.New(append(srv.ClientOptions(), wxpay.WithRetryPolicy(wxpay.RetryPolicy{MaxAttempts: 2, BaseDelay: time.Millisecond,
		Retryable: func(*wxpay.Response, error) bool { panic("bug in policy") }}))...)
	require.NoError(t, err)
	srv.Handle("GET", "v3/busy", func(r *wxpaytest.Request) *wxpaytest.Reply {
		return &wxpaytest.Reply{Status: 500, JSON: map[string]string{"code": "SYSTEM_ERROR", "message": "busy"}}
	})
	_, err = bad.Chain("v3/busy").GetAsync(context.Background()).Wait()
	require.Error(t, err)
	assert.Contains(t, err.Error(), "Retryable panicked")
}

// peakServer is a loopback server that records the peak of connections open at once and
// of requests in its handler at once.
type peakServer struct {
	*httptest.Server
	mu                     sync.Mutex
	conns, inHandler       int
	peakConns, peakHandler int
}

func newPeakServer(t *testing.T, hold time.Duration) *peakServer {
	ps := &peakServer{}
	ps.Server = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ps.mu.Lock()
		ps.inHandler++
		ps.peakHandler = max(ps.peakHandler, ps.inHandler)
		ps.mu.Unlock()
		time.Sleep(hold)
		ps.mu.Lock()
		ps.inHandler--
		ps.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(404)
		_, _ = io.WriteString(w, `{"code":"NOT_FOUND","message":"x"}`)
	}))
	ps.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		ps.mu.Lock()
		defer ps.mu.Unlock()
		switch s {
		case http.StateNew:
			ps.conns++
			ps.peakConns = max(ps.peakConns, ps.conns)
		case http.StateClosed, http.StateHijacked:
			ps.conns--
		}
	}
	ps.Start()
	t.Cleanup(ps.Close)
	return ps
}

func TestAsyncBurstIsBounded(t *testing.T) {
	srv := wxpaytest.NewServer(t)
	ps := newPeakServer(t, 20*time.Millisecond)
	wx := newClient(t, srv, wxpay.WithBaseURL(ps.URL+"/"))
	var fs []*wxpay.Future
	for i := 0; i < 400; i++ {
		fs = append(fs, wx.Chain("v3/x").GetAsync(context.Background()))
	}
	for _, f := range fs {
		_, err := f.Wait()
		var ae *wxpay.APIError
		require.ErrorAs(t, err, &ae)
	}
	ps.mu.Lock()
	t.Logf("400 async calls: peak %d connections (cap %d)", ps.peakConns, wxpay.DefaultMaxConnsPerHost)
	assert.LessOrEqual(t, ps.peakConns, wxpay.DefaultMaxConnsPerHost)
	ps.mu.Unlock()
	wx.CloseIdleConnections()

	// WithMaxConcurrency bounds the calls in flight (and so the signatures made at once).
	ps2 := newPeakServer(t, 10*time.Millisecond)
	wx = newClient(t, srv, wxpay.WithBaseURL(ps2.URL+"/"), wxpay.WithMaxConcurrency(8))
	fs = fs[:0]
	for i := 0; i < 200; i++ {
		fs = append(fs, wx.Chain("v3/x").GetAsync(context.Background()))
	}
	for _, f := range fs {
		_, _ = f.Wait()
	}
	ps2.mu.Lock()
	assert.LessOrEqual(t, ps2.peakHandler, 8, "at most 8 calls in flight")
	ps2.mu.Unlock()
	wx.CloseIdleConnections()

	_, err := wxpay.New(wxpay.WithMaxConcurrency(-1))
	assert.ErrorIs(t, err, wxpay.ErrConfig)
}

func TestRefusingAHugeChunkedAnswerStaysNearTheCap(t *testing.T) {
	srv := wxpaytest.NewServer(t)
	chunk := make([]byte, 64<<10)
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		for sent := 0; sent < 200<<20; sent += len(chunk) { // 200 MB, chunked (no Content-Length)
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
	}))
	defer hs.Close()
	const limit = 16 << 20
	wx := newClient(t, srv, wxpay.WithBaseURL(hs.URL+"/"), wxpay.WithMaxResponseBytes(limit), wxpay.WithRetryPolicy(wxpay.RetryPolicy{MaxAttempts: 1}))
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err := wx.Chain("v3/big").Get(context.Background())
	runtime.ReadMemStats(&after)
	assert.ErrorIs(t, err, wxpay.ErrResponseTooLarge)
	added := after.TotalAlloc - before.TotalAlloc
	t.Logf("refusing 200 MB with a %d MiB cap allocated %.1f MiB", limit>>20, float64(added)/(1<<20))
	assert.LessOrEqual(t, added, uint64(limit*5/2), "at most 2.5× the cap")
}

// TestInvalidHeaderIsCallerInput: a header net/http would refuse on the wire is the
// caller's input: refused before sending, never retried (it used to be a *SendError, retried).
func TestInvalidHeaderIsCallerInput(t *testing.T) {
	srv := wxpaytest.NewServer(t)
	counter, attempts := hangUp(t) // counts every request that reaches it
	wx := newClient(t, srv, fastRetries(), wxpay.WithBaseURL(counter))
	for _, h := range [][2]string{{"X-Trace", "a\r\nInjected: yes"}, {"Bad Name", "v"}, {"X-Nul", "a\x00b"}, {"", "v"}} {
		_, err := wx.Chain("v3/pay/transactions/native").Post(context.Background(), nativeOrder(srv, "HV1"), wxpay.Header(h[0], h[1]))
		assert.ErrorIs(t, err, wxpay.ErrInvalidRequest, "%q", h)
		assert.Equal(t, wxpay.FailureInput, wxpay.FailureOf(err))
	}
	assert.Zero(t, attempts.Load(), "nothing was sent")
}
