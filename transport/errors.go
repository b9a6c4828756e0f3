package transport

import (
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

// ErrVerification reports an answer whose signature, serial or timestamp does not check
// out. It is signer.ErrVerification; the error returned is a *VerificationError.
var ErrVerification = signer.ErrVerification

// ErrResponseTooLarge reports an answer larger than the client's limit (WithMaxResponseBytes).
var ErrResponseTooLarge = errors.New("wxpay: answer too large")

// ErrBadAnswer reports an answer that is not in the endpoint's format (an HTML error page
// where XML was expected, say).
var ErrBadAnswer = errors.New("wxpay: malformed answer")

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
