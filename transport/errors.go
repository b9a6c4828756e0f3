package transport

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/wxpay-go/wxpay/signer"
)

// ErrConfig reports a call that needs a key, certificate or setting the client lacks.
// Nothing was sent.
var ErrConfig = errors.New("wxpay: configuration")

// ErrInvalidRequest reports a call whose own input is wrong: a nil context, a body that
// cannot be encoded, a header value that cannot be sent, an APIv2 body that would go out
// unsigned. Nothing was sent. (Path values have sentinels of their own in package chain.)
var ErrInvalidRequest = errors.New("wxpay: invalid request")

// ErrOutcomeUnknown reports a request that was written to the network but got no complete
// answer: the connection broke, the wait for the answer timed out, or the context ended
// after sending. WeChat Pay may or may not have acted on it. A POST, PUT or PATCH in this
// state is not retried (unless the call was marked Idempotent): query the order (by
// out_trade_no, out_refund_no, out_batch_no…) to learn what happened before sending it
// again, as the platform itself advises for micropay and transfers. Such an error is a
// *SendError whose Failure is FailureOutcomeUnknown (or FailureContext when the context
// ended after the request was written).
var ErrOutcomeUnknown = errors.New("wxpay: outcome unknown")

// ErrVerification reports an answer whose signature, serial or timestamp does not check
// out. It is signer.ErrVerification; the error returned is a *VerificationError.
var ErrVerification = signer.ErrVerification

// ErrResponseTooLarge reports an answer larger than the client's limit (WithMaxResponseBytes).
var ErrResponseTooLarge = errors.New("wxpay: answer too large")

// ErrBadAnswer reports an answer that is not in the endpoint's format (an HTML error page
// where XML was expected, say).
var ErrBadAnswer = errors.New("wxpay: malformed answer")

// Failure classifies what went wrong with one attempt of a call. It is decided once per
// attempt, and retries, failover, errors and logs all key off it. FailureOf tells it from
// an error.
type Failure uint8

const (
	FailureNone           Failure = iota // no failure
	FailureInput                         // the caller's input or configuration: nothing was sent
	FailureNotSent                       // dial, DNS, refused, or reset before the request was written
	FailureTLS                           // a TLS handshake or certificate failure: nothing was sent
	FailureOutcomeUnknown                // written, but no complete answer: the platform may have acted
	FailureContext                       // the call's context ended (see SendError.Written)
	FailureAnswer                        // an answer: APIv3 non-2xx, APIv2 FAIL, malformed or too large
	FailureVerification                  // an answer that failed verification: nothing of it is trusted
)

var failureNames = [...]string{"none", "input", "not_sent", "tls", "outcome_unknown", "context", "answer", "verification"}

// String returns the failure's name as logged: "not_sent", "outcome_unknown"…
func (f Failure) String() string {
	if int(f) < len(failureNames) {
		return failureNames[f]
	}
	return "unknown"
}

// FailureOf classifies an error returned by a call. Errors that are none of the SDK's own
// are FailureInput when they come before sending (path values, options).
func FailureOf(err error) Failure {
	if err == nil {
		return FailureNone
	}
	var se *SendError
	var ve *VerificationError
	switch {
	case errors.As(err, &se):
		return se.Failure
	case errors.As(err, &ve):
		return FailureVerification
	case errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded):
		return FailureContext
	}
	var ae *APIError
	if errors.As(err, &ae) || errors.Is(err, ErrBadAnswer) || errors.Is(err, ErrResponseTooLarge) {
		return FailureAnswer
	}
	return FailureInput
}

// SendError is a failure to get a complete answer: the request was not sent (Failure is
// FailureNotSent or FailureTLS), or it was written and the answer was lost
// (FailureOutcomeUnknown; errors.Is(err, ErrOutcomeUnknown) is then true), or the context
// ended (FailureContext; errors.Is(err, ctx.Err()) is true, and so is ErrOutcomeUnknown
// when Written). Its message and URL never carry signed or secret query values.
type SendError struct {
	Method  string
	URL     string  // redacted: secret query values are replaced
	Failure Failure // FailureNotSent, FailureTLS, FailureOutcomeUnknown or FailureContext
	Written bool    // the request was written to the network
	Err     error   // the cause (for TLS failures, the x509 or tls error)
}

func (e *SendError) Error() string {
	var what string
	switch {
	case e.Failure == FailureContext && e.Written:
		what = "context ended after the request was sent; outcome unknown, query before retrying"
	case e.Failure == FailureContext:
		what = "context ended before the request was sent"
	case e.Failure == FailureTLS:
		what = "TLS failure, nothing sent"
	case e.Written:
		what = "sent, but no answer; outcome unknown, query before retrying"
	default:
		what = "not sent"
	}
	return "wxpay: " + e.Method + " " + e.URL + ": " + what + ": " + e.Err.Error()
}

func (e *SendError) Unwrap() error { return e.Err }

// Is makes errors.Is(err, ErrOutcomeUnknown) true for a request that was written.
func (e *SendError) Is(target error) bool { return target == ErrOutcomeUnknown && e.Written }

// VerificationError is returned, instead of a Response, for an answer that failed
// verification. Its body is kept for diagnosis only and must not be trusted.
type VerificationError struct {
	Reason        error // wraps one of the signer.Err… sentinels, and so ErrVerification
	StatusCode    int
	Header        http.Header
	UntrustedBody []byte
}

func (e *VerificationError) Error() string {
	return fmt.Sprintf("wxpay: answer rejected (HTTP %d): %v", e.StatusCode, e.Reason)
}

func (e *VerificationError) Unwrap() error { return e.Reason }

// APIError is a refusal by WeChat Pay: an APIv3 answer with a non-2xx status, or an APIv2
// answer whose return_code or result_code is not SUCCESS. The Response is returned with it.
type APIError struct {
	StatusCode int             // HTTP status
	Code       string          // APIv3 code; APIv2 err_code, else return_code
	Message    string          // APIv3 message; APIv2 err_code_des, else return_msg
	Detail     json.RawMessage // APIv3 detail object as sent, if any
	RequestID  string          // Request-ID header
	Response   *Response
}

func (e *APIError) Error() string {
	var b strings.Builder
	b.WriteString("wxpay: ")
	if e.StatusCode != 0 && (e.Response == nil || !e.Response.v2) {
		fmt.Fprintf(&b, "HTTP %d ", e.StatusCode)
	}
	if e.Code != "" {
		b.WriteString(e.Code)
	}
	if e.Message != "" {
		b.WriteString(": ")
		b.WriteString(e.Message)
	}
	if len(e.Detail) > 0 {
		b.WriteString(" detail=")
		b.Write(e.Detail)
	}
	if e.RequestID != "" {
		b.WriteString(" (Request-ID ")
		b.WriteString(e.RequestID)
		b.WriteString(")")
	}
	return b.String()
}

// apiv3Error builds the error for a non-2xx APIv3 answer from its {code,message,detail} body.
func apiv3Error(resp *Response) *APIError {
	e := &APIError{StatusCode: resp.StatusCode, RequestID: resp.RequestID(), Response: resp}
	var body struct {
		Code    string          `json:"code"`
		Message string          `json:"message"`
		Detail  json.RawMessage `json:"detail"`
	}
	if json.Unmarshal(resp.Body, &body) == nil && body.Code != "" {
		e.Code, e.Message, e.Detail = body.Code, body.Message, body.Detail
	} else {
		e.Message = http.StatusText(resp.StatusCode) + ": " + snippet(resp.Body)
	}
	return e
}

// snippet quotes the start of a body for an error message.
func snippet(b []byte) string {
	const max = 120
	if len(b) > max {
		return fmt.Sprintf("%q…", b[:max])
	}
	return fmt.Sprintf("%q", b)
}
