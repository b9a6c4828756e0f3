package transport

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"time"
)

// RetryPolicy decides whether a failed attempt is tried again, and how long to wait first.
//
// Whatever it says, some failures are never retried, because retrying them cannot help or
// could pay twice (see [Failure]): the caller's input or configuration (nothing was sent),
// a TLS or certificate failure, an answer that failed verification, a context that ended,
// and a POST, PUT or PATCH that was written to the network but got no answer (its outcome
// is unknown: the platform may have acted on it) unless the call was marked [Idempotent].
// Of the remaining failures, Retryable chooses; by default ([DefaultRetryable]) a request
// that was never sent, a GET whose answer was lost, and an APIv3 5xx or 429 answer.
//
// Every attempt is built and signed afresh: new nonce, new timestamp.
type RetryPolicy struct {
	// MaxAttempts is the number of attempts in all, the first included: 1 turns retries
	// off. At most 10.
	MaxAttempts int
	// BaseDelay is the wait before the first retry; it doubles for every further retry,
	// with full jitter (a wait is drawn between half and all of it). It must be positive
	// when MaxAttempts > 1: retries do not fire back to back.
	BaseDelay time.Duration
	// MaxDelay caps one wait; 0 means no cap beyond the doubling itself.
	MaxDelay time.Duration
	// Retryable reports whether an attempt's outcome may be retried, among the failures
	// the rules above leave open; nil means DefaultRetryable. It is called on the
	// call's goroutine; a panic in it fails the call with an error instead of crashing.
	Retryable func(resp *Response, err error) bool
}

// DefaultRetryPolicy makes up to 3 attempts, waiting about 100 ms, then about 200 ms.
var DefaultRetryPolicy = RetryPolicy{MaxAttempts: 3, BaseDelay: 100 * time.Millisecond, MaxDelay: 2 * time.Second}

// maxAttempts bounds RetryPolicy.MaxAttempts: beyond it a policy is a mistake.
const maxAttempts = 10

// Validate reports a policy that makes no sense: fewer than one or more than 10 attempts,
// a negative delay, retries without a positive BaseDelay (they would fire all at once), or
// a MaxDelay below BaseDelay.
func (p RetryPolicy) Validate() error {
	switch {
	case p.MaxAttempts < 1 || p.MaxAttempts > maxAttempts:
		return fmt.Errorf("%w: RetryPolicy: MaxAttempts %d, want 1 to %d", ErrConfig, p.MaxAttempts, maxAttempts)
	case p.BaseDelay < 0 || p.MaxDelay < 0:
		return fmt.Errorf("%w: RetryPolicy: negative delay", ErrConfig)
	case p.MaxAttempts > 1 && p.BaseDelay == 0:
		return fmt.Errorf("%w: RetryPolicy: MaxAttempts %d needs a positive BaseDelay (retries must back off)", ErrConfig, p.MaxAttempts)
	case p.MaxDelay != 0 && p.MaxDelay < p.BaseDelay:
		return fmt.Errorf("%w: RetryPolicy: MaxDelay %v is below BaseDelay %v", ErrConfig, p.MaxDelay, p.BaseDelay)
	}
	return nil
}

// DefaultRetryable retries a request that was never sent ([FailureNotSent]: connection
// refused, DNS, a connection reset before the request was written), a lost answer to a
// request the rules allow to repeat ([FailureOutcomeUnknown] on a GET or an [Idempotent]
// call), and APIv3 answers that say the platform is busy: HTTP 5xx and 429
// (SYSTEM_ERROR, FREQUENCY_LIMITED and the like). APIv2 business codes such as
// SYSTEMERROR are not retried: for payment-code (micropay) orders WeChat Pay asks the
// merchant to query the order instead, so that decision stays with the caller.
func DefaultRetryable(resp *Response, err error) bool {
	switch FailureOf(err) {
	case FailureNotSent, FailureOutcomeUnknown:
		return true
	case FailureAnswer:
		var ae *APIError
		if errors.As(err, &ae) && (ae.Response == nil || !ae.Response.v2) {
			return ae.StatusCode >= 500 || ae.StatusCode == http.StatusTooManyRequests
		}
	}
	return false
}

// retryDecision is the retry rule table: whether attempt's failure may be tried again,
// before the policy's Retryable has its say. It is pinned by a golden test.
func retryDecision(f Failure, method string, idempotent bool) (open bool, why string) {
	switch f {
	case FailureNone:
		return false, "succeeded"
	case FailureInput:
		return false, "caller input: nothing was sent, and the same input fails again"
	case FailureTLS:
		return false, "TLS or certificate failure: it will not heal"
	case FailureVerification:
		return false, "answer failed verification: never retried"
	case FailureContext:
		return false, "the context ended"
	case FailureOutcomeUnknown:
		if method == http.MethodGet || method == http.MethodHead || idempotent {
			return true, "answer lost; the request is safe to repeat"
		}
		return false, "written but no answer: the outcome is unknown, query before trying again"
	case FailureNotSent:
		return true, "nothing was sent"
	case FailureAnswer:
		return true, "an answer: Retryable decides (default: APIv3 5xx and 429)"
	}
	return false, "unclassified"
}

// retryable reports whether the attempt's failure is tried again: the rule table, then the
// policy's Retryable (recovering a panic in it into an error).
func (p RetryPolicy) retryable(f Failure, method string, idempotent bool, resp *Response, err error) (retry bool, perr error) {
	if open, _ := retryDecision(f, method, idempotent); !open {
		return false, nil
	}
	fn := p.Retryable
	if fn == nil {
		return DefaultRetryable(resp, err), nil
	}
	defer func() {
		if r := recover(); r != nil {
			retry, perr = false, fmt.Errorf("wxpay: RetryPolicy.Retryable panicked: %v", r)
		}
	}()
	return fn(resp, err), nil
}

// delay is the wait before retry number attempt (1 for the first retry): BaseDelay doubled
// per retry, capped by MaxDelay, with full jitter in [d/2, d].
func (p RetryPolicy) delay(attempt int) time.Duration {
	d := p.BaseDelay
	for i := 1; i < attempt && d < 1<<40; i++ {
		d *= 2
	}
	if p.MaxDelay > 0 && d > p.MaxDelay {
		d = p.MaxDelay
	}
	if d <= 0 {
		return 0
	}
	return d/2 + rand.N(d/2+1)
}

// wait sleeps before retry number attempt, or returns the context's error if it ends first.
func (p RetryPolicy) wait(ctx context.Context, attempt int) error {
	t := time.NewTimer(p.delay(attempt))
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
