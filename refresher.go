package wxpay

import (
	"context"
	"io"
	"time"
)

// DefaultRefreshInterval is the interval StartCertificateRefresher uses when given one of
// zero or less. WeChat Pay announces a new platform certificate well ahead of the old one's
// expiry, so twice a day is plenty.
const DefaultRefreshInterval = 12 * time.Hour

// CertificateRefresher keeps the platform certificates current: it downloads them once
// when started (returning that error, so a misconfigured key fails at start), then every
// interval, until Close. Failures after start are reported to OnError (if set) and retried
// at the next tick; the store keeps what it had. Close stops the goroutine and waits for it
// (no goroutine outlives Close); it is idempotent.
//
// Merchants in public-key mode (WithPlatformPublicKey only) do not need a refresher: the
// WeChat Pay public key does not rotate like a certificate, and GET v3/certificates answers
// them 404, which StartCertificateRefresher returns as the *APIError.
type CertificateRefresher struct {
	cancel context.CancelFunc
	done   chan struct{}
}

// StartCertificateRefresher downloads the platform certificates (DownloadCertificates)
// and, if that succeeds, starts a goroutine that downloads them again every interval
// (DefaultRefreshInterval when interval <= 0) and adds them to the client's KeyStore, so
// that a rotated certificate is known before WeChat Pay starts signing with it. It works
// on a client without any certificate yet (the first download bootstraps the store); it
// needs WithAPIv3Key.
//
// The first download's error is returned and nothing is started. Later failures are passed
// to onError (nil: ignored) and the download is tried again at the next tick; certificates
// already in the store stay. onError is called on the refresher's goroutine, one call at a
// time; it must not call Close, which would wait for the very goroutine running it.
//
// ctx bounds the first download and the refresher's lifetime: cancelling it stops the
// refresher as Close does (Close still releases it and may be called). A download in
// progress when the refresher stops is abandoned and not reported.
func (c *Client) StartCertificateRefresher(ctx context.Context, interval time.Duration, onError func(error)) (*CertificateRefresher, error) {
	if ctx == nil {
		ctx = context.Background()
	}
	if interval <= 0 {
		interval = DefaultRefreshInterval
	}
	if _, err := c.DownloadCertificates(ctx); err != nil {
		return nil, err
	}
	rctx, cancel := context.WithCancel(ctx)
	r := &CertificateRefresher{cancel: cancel, done: make(chan struct{})}
	go r.run(rctx, c, interval, onError)
	return r, nil
}

func (r *CertificateRefresher) run(ctx context.Context, c *Client, interval time.Duration, onError func(error)) {
	defer close(r.done)
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		_, err := c.DownloadCertificates(ctx)
		if err != nil && ctx.Err() == nil && onError != nil {
			onError(err)
		}
	}
}

// Close stops the refresher and waits until its goroutine has returned. It is safe to call
// more than once and from several goroutines; it always returns nil.
func (r *CertificateRefresher) Close() error {
	if r == nil {
		return nil
	}
	r.cancel()
	<-r.done
	return nil
}

var _ io.Closer = (*CertificateRefresher)(nil)
