package transport

import (
	"net/http"

	"github.com/wxpay-go/wxpay/internal/wire"
)

// CallOption sets one per-call setting. Options are applied in order; a later one wins.
type CallOption func(*wire.Call)

// PathParam fills the placeholder {name}. The value is escaped as one path segment:
// every byte outside A-Z a-z 0-9 - . _ ~ is percent-encoded, '/', '?', '#' and '%' included.
// Empty values, "." and ".." are refused before anything is sent.
func PathParam(name, value string) CallOption {
	return func(c *wire.Call) { c.PathParams = append(c.PathParams, wire.Param{Name: name, Value: value}) }
}

// PathParamEscaped fills {name} with a value that is already percent-encoded as one
// path segment, such as a media id containing %2B or %2F handed out by WeChat Pay. It is
// sent as is, never encoded twice. It must be a valid single segment: '%' only in %XX
// escapes, no '/', '?', '#' or spaces, and not "." or ".." (escaped or not).
func PathParamEscaped(name, escaped string) CallOption {
	return func(c *wire.Call) {
		c.PathParams = append(c.PathParams, wire.Param{Name: name, Value: escaped, Escaped: true})
	}
}

// Query adds a query parameter. Parameters are sent in the order given, percent-encoded
// (space as %20), and the signature covers them exactly as sent.
func Query(key, value string) CallOption {
	return func(c *wire.Call) { c.Query = append(c.Query, wire.Param{Name: key, Value: value}) }
}

// Header adds a request header; it replaces a header the SDK would set (for example
// Wechatpay-Serial when a body carries fields encrypted with a particular platform key).
// Authorization cannot be overridden: the SDK always signs.
func Header(key, value string) CallOption {
	return func(c *wire.Call) {
		if c.Header == nil {
			c.Header = make(http.Header, 2)
		}
		c.Header.Add(key, value)
	}
}

// BaseURL sends this call to another base, e.g. "https://api.mch.weixin.qq.com/hk/".
func BaseURL(u string) CallOption { return func(c *wire.Call) { c.BaseURL = u } }

// Body sets the body of a GET or DELETE call for the endpoints that take one.
func Body(v any) CallOption { return func(c *wire.Call) { c.Body, c.HasBody = v, true } }

// SignType chooses the APIv2 signature: "MD5" (the default) or "HMAC-SHA256".
func SignType(t string) CallOption { return func(c *wire.Call) { c.SignType = t } }

// Secure forces mutual TLS for an APIv2 call. The catalog's certificate endpoints
// (and every secapi/ path) get it without asking.
func Secure() CallOption { return func(c *wire.Call) { c.Secure = true } }

// NoRetry makes this call a single attempt whatever the client's retry policy.
func NoRetry() CallOption { return func(c *wire.Call) { c.NoRetry = true } }

// Stream hands the answer of a download WeChat Pay does not sign (bill files, images,
// receipts; APIv2 downloadbill) over unread, as Response.Stream, instead of buffering it.
// On other endpoints it has no effect: a signed answer is always read and verified first.
func Stream() CallOption { return func(c *wire.Call) { c.Stream = true } }

// Idempotent marks a POST, PUT or PATCH as safe to send again when its answer was lost
// (ErrOutcomeUnknown): the retry policy may then retry it like a GET. Use it only for
// endpoints you know WeChat Pay treats as idempotent for the same request (a query sent as
// POST, say); never for placing an order, refunding or transferring money, where a second
// request may act twice.
func Idempotent() CallOption { return func(c *wire.Call) { c.Idempotent = true } }

// PreSigned lets an APIv2 call send a []byte or string body as it is: bytes the SDK cannot
// sign, which must carry their own sign (UploadV2 signs its multipart fields itself).
// Without it such a body is refused with ErrInvalidRequest, so nothing goes out unsigned
// by accident.
func PreSigned() CallOption { return func(c *wire.Call) { c.PreSigned = true } }
