package wxpay_test

import (
	"context"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wxpay-go/wxpay"
	"github.com/wxpay-go/wxpay/signer"
	"github.com/wxpay-go/wxpay/wxpaytest"
)

// bootstrapClient is a client of srv without any platform key yet.
func bootstrapClient(t *testing.T, srv *wxpaytest.Server, apiv3Key string) *wxpay.Client {
	t.Helper()
	wx, err := wxpay.New(wxpay.WithBaseURL(srv.URL), wxpay.WithTLSConfig(tlsFor(srv)),
		wxpay.WithMerchant(srv.MchID, srv.MerchantSerial, srv.MerchantKey), wxpay.WithAPIv3Key(apiv3Key))
	require.NoError(t, err)
	require.Zero(t, wx.KeyStore().Len())
	return wx
}

// errorLog collects what the refresher reports.
type errorLog struct {
	mu   sync.Mutex
	errs []error
}

func (l *errorLog) add(err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.errs = append(l.errs, err)
}

func (l *errorLog) len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.errs)
}

func (l *errorLog) first() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.errs) == 0 {
		return nil
	}
	return l.errs[0]
}

// settles waits until the number of goroutines is back to at most base. It polls on the
// test's goroutine: testify's Eventually runs its condition on a goroutine of its own,
// which the count would include.
func settles(t *testing.T, wx *wxpay.Client, base int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		wx.CloseIdleConnections() // the transport's connection goroutines are not the refresher's
		n := runtime.NumGoroutine()
		if n <= base {
			return
		}
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<16)
			t.Fatalf("%d goroutines, %d before:\n%s", n, base, buf[:runtime.Stack(buf, true)])
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestRefresherStartBootstraps(t *testing.T) {
	srv := wxpaytest.NewServer(t)
	srv.HandleCertificates()
	wx := bootstrapClient(t, srv, srv.APIv3Key)
	base := runtime.NumGoroutine()

	r, err := wx.StartCertificateRefresher(context.Background(), time.Hour, nil)
	require.NoError(t, err)
	assert.Equal(t, []string{srv.PlatformSerial}, wx.KeyStore().Serials(), "the first download is done by Start")
	_, err = wx.Chain("v3/pay/transactions/native").Post(context.Background(), nativeOrder(srv, "R0"))
	require.NoError(t, err, "calls verify with the downloaded certificate")

	require.NoError(t, r.Close())
	require.NoError(t, r.Close(), "Close is idempotent")
	settles(t, wx, base)
}

func TestRefresherRotationAndErrors(t *testing.T) {
	srv := wxpaytest.NewServer(t)
	srv.HandleCertificates()
	next := rotatedCert(t, srv)
	nextSerial := signer.CertificateSerial(next)
	wx := bootstrapClient(t, srv, srv.APIv3Key)
	base := runtime.NumGoroutine()

	var log errorLog
	r, err := wx.StartCertificateRefresher(context.Background(), 20*time.Millisecond, log.add)
	require.NoError(t, err)
	require.Equal(t, []string{srv.PlatformSerial}, wx.KeyStore().Serials())

	// Failures after start go to onError; the refresher keeps going and the store keeps what it had.
	srv.HandleCertificatesNotFound()
	require.Eventually(t, func() bool { return log.len() >= 2 }, 5*time.Second, 5*time.Millisecond)
	var apiErr *wxpay.APIError
	require.ErrorAs(t, log.first(), &apiErr)
	assert.Equal(t, "RESOURCE_NOT_EXISTS", apiErr.Code)
	assert.Equal(t, []string{srv.PlatformSerial}, wx.KeyStore().Serials())

	// Rotation: the answer carries a new certificate and is signed under it.
	serveCertificates(srv, nextSerial, false, srv.PlatformCert, next)
	want := []string{srv.PlatformSerial, nextSerial}
	require.Eventually(t, func() bool { return wx.KeyStore().Len() == len(want) },
		5*time.Second, 5*time.Millisecond)
	assert.ElementsMatch(t, want, wx.KeyStore().Serials())

	require.NoError(t, r.Close())
	n := log.len()
	time.Sleep(60 * time.Millisecond)
	assert.Equal(t, n, log.len(), "nothing runs after Close")
	settles(t, wx, base)
}

func TestRefresherContextStops(t *testing.T) {
	srv := wxpaytest.NewServer(t)
	srv.HandleCertificates()
	wx := bootstrapClient(t, srv, srv.APIv3Key)
	base := runtime.NumGoroutine()

	ctx, cancel := context.WithCancel(context.Background())
	var log errorLog
	r, err := wx.StartCertificateRefresher(ctx, 10*time.Millisecond, log.add)
	require.NoError(t, err)
	time.Sleep(50 * time.Millisecond)
	cancel()
	settles(t, wx, base) // stopped by the context alone
	assert.Zero(t, log.len(), "a cancelled download is not reported")
	requests := len(srv.Requests())
	time.Sleep(50 * time.Millisecond)
	assert.Equal(t, requests, len(srv.Requests()), "no download after cancel")
	require.NoError(t, r.Close())
}

func TestRefresherStartFailsWithWrongKey(t *testing.T) {
	srv := wxpaytest.NewServer(t)
	srv.HandleCertificates()
	wx := bootstrapClient(t, srv, "0123456789abcdef0123456789abcdef")
	base := runtime.NumGoroutine()

	called := false
	r, err := wx.StartCertificateRefresher(context.Background(), 10*time.Millisecond, func(error) { called = true })
	require.ErrorIs(t, err, signer.ErrDecrypt)
	assert.Contains(t, err.Error(), "APIv3 key is wrong")
	assert.Nil(t, r)
	assert.Zero(t, wx.KeyStore().Len())
	settles(t, wx, base) // nothing started
	requests := len(srv.Requests())
	time.Sleep(50 * time.Millisecond)
	assert.Equal(t, requests, len(srv.Requests()), "no download after a failed start")
	assert.False(t, called)
}

func TestRefresherDefaultInterval(t *testing.T) {
	srv := wxpaytest.NewServer(t)
	srv.HandleCertificates()
	wx := bootstrapClient(t, srv, srv.APIv3Key)
	r, err := wx.StartCertificateRefresher(context.Background(), 0, nil)
	require.NoError(t, err)
	time.Sleep(30 * time.Millisecond)
	assert.Len(t, srv.Requests(), 1, "interval 0 means the default (12h), not a busy loop")
	assert.Equal(t, 12*time.Hour, wxpay.DefaultRefreshInterval)
	require.NoError(t, r.Close())
}
