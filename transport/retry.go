package transport

import (
	"context"
	"errors"
	"math/rand/v2"
	"net/http"
	"time"
)

// RetryPolicy decides whether a failed attempt is tried again. Whatever it says, the
// pipeline never retries a cancelled or expired context, an answer that failed
// verification, or an error in the caller's input (those fail before anything is sent).
// Every attempt is built and signed afresh: new nonce, new timestamp.
type RetryPolicy struct {
	MaxAttempts int           // attempts in all, the first included; 1 turns retries off
	BaseDelay   time.Duration // wait before the first retry; doubles per retry, full jitter
	MaxDelay    time.Duration // cap on one wait
	// Retryable reports whether an attempt's outcome may be retried; nil means
	// DefaultRetryable.
	Retryable func(resp *Response, err error) bool
}

// DefaultRetryPolicy makes up to 3 attempts, waiting about 100 ms, then 200 ms.
var DefaultRetryPolicy = RetryPolicy{MaxAttempts: 3, BaseDelay: 100 * time.Millisecond, MaxDelay: 2 * time.Second}

// DefaultRetryable retries a failure to get any answer (a *SendError: connection refused
// or reset, a timeout) and APIv3 answers that say the platform is busy: HTTP 5xx and
// 429 (SYSTEM_ERROR, FREQUENCY_LIMITED and the like). APIv2 business codes such as
// SYSTEMERROR are not retried: for payment-code (micropay) orders WeChat Pay asks the
// merchant to query the order instead, so that decision stays with the caller.
func DefaultRetryable(resp *Response, err error) bool {
	var se *SendError
	if errors.As(err, &se) {
		return true
	}
	var ae *APIError
	if errors.As(err, &ae) {
		return ae.StatusCode >= 500 || ae.StatusCode == http.StatusTooManyRequests
	}
	return false
}

func (p RetryPolicy) shouldRetry(ctx context.Context, resp *Response, err error) bool {
	if err == nil || ctx.Err() != nil || errors.Is(err, ErrVerification) {
		return false
	}
	if p.Retryable != nil {
		return p.Retryable(resp, err)
	}
	return DefaultRetryable(resp, err)
}

// wait sleeps before retry number attempt, or returns the context's error.
func (p RetryPolicy) wait(ctx context.Context, attempt int) error {
	d := p.BaseDelay << (attempt - 1)
	if d > p.MaxDelay || d <= 0 {
		d = p.MaxDelay
	}
	if d > 0 {
		d = d/2 + rand.N(d/2+1) // jitter in [d/2, d]
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
