package wxpay

import (
	"github.com/wxpay-go/wxpay/chain"
	"github.com/wxpay-go/wxpay/notify"
	"github.com/wxpay-go/wxpay/signer"
	"github.com/wxpay-go/wxpay/transport"
)

// The types a call hands back. They are defined in the packages that make them (chain,
// transport, notify) and are the same types under these names.
type (
	// Node is a path template plus the values bound to its placeholders so far; its verbs
	// (Get, Post, Put, Patch, Delete and their …Async forms) send calls. A Node is an
	// immutable value, safe to share between goroutines; extending it (Chain, the fluent
	// methods) returns a new Node. A missing or invalid path value fails the call before
	// anything is sent. The zero Node has no client: its verbs return chain.ErrZeroNode.
	Node = chain.Node

	// Response is a verified answer. For APIv3, Body holds exactly the bytes received and
	// their signature has been checked (the unsigned file downloads listed in the catalog
	// are the only exception, and are handed over as a Stream only when asked for); for
	// APIv2, return_code, the sign (of the request's sign type) and result_code have been
	// checked. Decode reads JSON (APIv3) or the XML fields (APIv2) into a value.
	Response = transport.Response

	// Future is the pending result of an …Async call, which runs on its own goroutine: Wait
	// blocks for the result (any number of times, from any goroutine), Done is closed when
	// the call has ended. A panic on that goroutine becomes the Future's error. The zero
	// Future's Wait returns ErrInvalidRequest at once.
	Future = transport.Future

	// APIError is WeChat Pay's refusal: an APIv3 answer with a non-2xx status (Code,
	// Message and Detail from its JSON body, RequestID from its header), or an APIv2 answer
	// whose return_code or result_code is not SUCCESS (Code is err_code, else
	// return_code). The *Response comes back with it.
	APIError = transport.APIError

	// VerificationError is an answer that failed verification (signature, serial,
	// timestamp, a digest): no *Response comes back, and UntrustedBody is for diagnosis
	// only. errors.Is(err, ErrVerification) is true.
	VerificationError = transport.VerificationError

	// SendError is a failure to get a complete answer: not sent, a TLS failure, a lost
	// answer (errors.Is(err, ErrOutcomeUnknown)), or the context ending. Its Failure field
	// says which; its URL and message never carry secret query values.
	SendError = transport.SendError

	// Failure classifies what went wrong with a call (FailureOf tells it from an error):
	// FailureInput (nothing sent), FailureNotSent, FailureTLS, FailureOutcomeUnknown,
	// FailureContext, FailureAnswer, FailureVerification.
	Failure = transport.Failure

	// CallOption is a per-call setting: PathParam, Query, Header, Body, BaseURL, SignType,
	// Secure, Stream, NoRetry, Idempotent, PreSigned.
	CallOption = transport.CallOption

	// RetryPolicy decides retries: MaxAttempts in all, BaseDelay doubled per retry with
	// full jitter, capped by MaxDelay (0: no cap), and Retryable among the failures that
	// may be retried at all. Never retried: caller input, TLS failures, verification
	// failures, an ended context, and a POST/PUT/PATCH whose outcome is unknown (unless
	// Idempotent). Nonsense policies are refused by New (RetryPolicy.Validate).
	RetryPolicy = transport.RetryPolicy

	// Notification is a verified, decrypted callback. See notify.Notification.
	Notification = notify.Notification
)

// The failure classes of FailureOf and SendError.Failure.
const (
	FailureNone           = transport.FailureNone
	FailureInput          = transport.FailureInput
	FailureNotSent        = transport.FailureNotSent
	FailureTLS            = transport.FailureTLS
	FailureOutcomeUnknown = transport.FailureOutcomeUnknown
	FailureContext        = transport.FailureContext
	FailureAnswer         = transport.FailureAnswer
	FailureVerification   = transport.FailureVerification
)

// FailureOf classifies an error a call returned; FailureNone for nil.
func FailureOf(err error) Failure { return transport.FailureOf(err) }

// Errors, for errors.Is.
var (
	// ErrVerification: an answer's signature, serial or timestamp (±300 s), or a
	// download's digest, did not check out; its body is not returned as trusted.
	ErrVerification = signer.ErrVerification
	// ErrOutcomeUnknown: the request was written but no complete answer came (the
	// connection broke, the answer timed out, the context ended after sending). WeChat Pay
	// may have acted on it. A POST/PUT/PATCH in this state is not retried: query the order
	// (by out_trade_no, out_refund_no, out_batch_no…) before sending it again.
	ErrOutcomeUnknown = transport.ErrOutcomeUnknown
	// ErrInvalidRequest: the call's own input is wrong (nil context, an unencodable body,
	// a header that cannot be sent, an APIv2 body that would go unsigned); nothing was sent.
	ErrInvalidRequest = transport.ErrInvalidRequest
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

// DefaultRetryPolicy makes up to 3 attempts, waiting about 100 ms, then about 200 ms;
// DefaultRetryable says what is retried.
var DefaultRetryPolicy = transport.DefaultRetryPolicy

// DefaultRetryable retries a request that was never sent, a lost answer to a GET (or an
// Idempotent call), and APIv3 5xx and 429 answers.
func DefaultRetryable(resp *Response, err error) bool { return transport.DefaultRetryable(resp, err) }

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

// Header adds a request header (not Authorization, which the SDK always sets). A name or
// value that cannot be sent is refused with ErrInvalidRequest.
func Header(key, value string) CallOption { return transport.Header(key, value) }

// BaseURL sends this call to another base, e.g. "https://api.mch.weixin.qq.com/hk/".
func BaseURL(u string) CallOption { return transport.BaseURL(u) }

// Body sets the body of a Get or Delete for the endpoints that take one.
func Body(v any) CallOption { return transport.Body(v) }

// SignType chooses the APIv2 signature: "MD5" (default) or "HMAC-SHA256". The answer is
// verified with the same type.
func SignType(t string) CallOption { return transport.SignType(t) }

// Secure forces mutual TLS on an APIv2 call.
func Secure() CallOption { return transport.Secure() }

// Stream hands the answer of a download WeChat Pay does not sign (bill files, images,
// receipts, APIv2 downloadbill) over unread, as Response.Stream, which the caller must
// Close. Signed answers are always read and verified; on them Stream has no effect.
func Stream() CallOption { return transport.Stream() }

// NoRetry makes this call a single attempt.
func NoRetry() CallOption { return transport.NoRetry() }

// Idempotent marks a POST, PUT or PATCH as safe to send again after a lost answer, so the
// retry policy may retry it like a GET. Only for endpoints you know to be idempotent;
// never for placing an order, refunding or transferring money.
func Idempotent() CallOption { return transport.Idempotent() }

// PreSigned sends an APIv2 []byte or string body as it is, for bytes that carry their own
// sign (UploadV2 uses it). Without it such a body is refused: nothing goes out unsigned by
// accident.
func PreSigned() CallOption { return transport.PreSigned() }
