package wxpay

import (
	"github.com/wxpay-go/wxpay/chain"
	"github.com/wxpay-go/wxpay/notify"
	"github.com/wxpay-go/wxpay/signer"
	"github.com/wxpay-go/wxpay/transport"
)

// The types a call returns, defined in the packages that make them.
type (
	// Node is a path template plus bound values; its verbs send calls. See chain.Node.
	Node = chain.Node
	// Response is a verified answer. See transport.Response.
	Response = transport.Response
	// Future is the result of an …Async call. See transport.Future.
	Future = transport.Future
	// APIError is WeChat Pay's refusal (APIv3 non-2xx, APIv2 FAIL). See transport.APIError.
	APIError = transport.APIError
	// VerificationError is an answer that failed verification. See transport.VerificationError.
	VerificationError = transport.VerificationError
	// SendError is a failure to get any answer. See transport.SendError.
	SendError = transport.SendError
	// CallOption is a per-call setting.
	CallOption = transport.CallOption
	// RetryPolicy decides retries. See transport.RetryPolicy.
	RetryPolicy = transport.RetryPolicy
	// Notification is a verified, decrypted callback. See notify.Notification.
	Notification = notify.Notification
)

// Errors, for errors.Is.
var (
	// ErrVerification: an answer's signature, serial or timestamp (±300 s) did not check
	// out; its body is not returned as trusted.
	ErrVerification = signer.ErrVerification
	// ErrMissingPathParam: a placeholder has no value; nothing was sent.
	ErrMissingPathParam = chain.ErrMissingPathParam
	// ErrInvalidPathParam: a path value is empty, "." or ".."; nothing was sent.
	ErrInvalidPathParam = chain.ErrInvalidPathParam
	// ErrInvalidTemplate: the path template is malformed; nothing was sent.
	ErrInvalidTemplate = chain.ErrInvalidTemplate
	// ErrConfig: the call needs a key, certificate or setting the client lacks; nothing was sent.
	ErrConfig = transport.ErrConfig
	// ErrResponseTooLarge: the answer exceeded WithMaxResponseBytes.
	ErrResponseTooLarge = transport.ErrResponseTooLarge
	// ErrBadAnswer: the answer is not in the endpoint's format (HTML where XML was expected…).
	ErrBadAnswer = transport.ErrBadAnswer
)

// DefaultRetryPolicy makes up to 3 attempts; see transport.DefaultRetryable for what is retried.
var DefaultRetryPolicy = transport.DefaultRetryPolicy

// PathParam fills {name}; the value is escaped as one path segment ('/', '?', '#', '%'
// included). Empty values, "." and ".." are refused before anything is sent.
func PathParam(name, value string) CallOption { return transport.PathParam(name, value) }

// PathParamEscaped fills {name} with a value already percent-encoded as one segment (a
// media id containing %2B, say); it is sent as is, never encoded twice.
func PathParamEscaped(name, escaped string) CallOption {
	return transport.PathParamEscaped(name, escaped)
}

// Query adds a query parameter, sent and signed in the order given.
func Query(key, value string) CallOption { return transport.Query(key, value) }

// Header adds a request header (not Authorization, which the SDK always sets).
func Header(key, value string) CallOption { return transport.Header(key, value) }

// BaseURL sends this call to another base, e.g. "https://api.mch.weixin.qq.com/hk/".
func BaseURL(u string) CallOption { return transport.BaseURL(u) }

// Body sets the body of a Get or Delete for the endpoints that take one.
func Body(v any) CallOption { return transport.Body(v) }

// SignType chooses the APIv2 signature: "MD5" (default) or "HMAC-SHA256".
func SignType(t string) CallOption { return transport.SignType(t) }

// Secure forces mutual TLS on an APIv2 call.
func Secure() CallOption { return transport.Secure() }

// Stream hands the answer of a download WeChat Pay does not sign (bill files, images,
// receipts, APIv2 downloadbill) over unread, as Response.Stream, which the caller must
// Close. Signed answers are always read and verified; on them Stream has no effect.
func Stream() CallOption { return transport.Stream() }

// NoRetry makes this call a single attempt.
func NoRetry() CallOption { return transport.NoRetry() }
