package transport

import "net/http"

// Param is one name/value pair of a call: a path value or a query parameter.
type Param struct {
	Name, Value string
	Escaped     bool // a path value already percent-encoded (PathParamEscaped)
}

// Call holds the per-call settings that CallOptions write. The zero value is a plain call.
type Call struct {
	PathParams []Param     // values for the template's placeholders
	Query      []Param     // query parameters, sent (and signed) in this order
	Header     http.Header // extra request headers; they override the SDK's defaults
	BaseURL    string      // this call only; "" means the client's base URL
	Body       any         // body set with the Body option (for GET/DELETE)
	HasBody    bool        // Body was set, even to nil
	SignType   string      // APIv2: MD5 (default) or HMAC-SHA256
	Secure     bool        // APIv2: force mutual TLS
	NoRetry    bool        // never retry this call
	Bootstrap  bool        // APIv3: send even with no verification key (see Bootstrap)
	SignBody   []byte      // APIv3: sign these bytes instead of the body (multipart uploads)
	Stream     bool        // unsigned downloads: hand the answer over as a stream
	Idempotent bool        // safe to repeat after a lost answer (see Idempotent)
	PreSigned  bool        // APIv2: a []byte/string body carries its own sign (see PreSigned)
}

// CallOption sets one per-call setting. Options are applied in order; a later one wins.
type CallOption func(*Call)

// PathParam fills the placeholder {name}. The value is escaped as one path segment:
// every byte outside A-Z a-z 0-9 - . _ ~ is percent-encoded, '/', '?', '#' and '%' included.
// Empty values, "." and ".." are refused before anything is sent.
func PathParam(name, value string) CallOption {
	return func(c *Call) { c.PathParams = append(c.PathParams, Param{Name: name, Value: value}) }
}

// PathParamEscaped fills {name} with a value that is already percent-encoded as one
// path segment, such as a media id containing %2B or %2F handed out by WeChat Pay. It is
// sent as is, never encoded twice. It must be a valid single segment: '%' only in %XX
// escapes, no '/', '?', '#' or spaces, and not "." or ".." (escaped or not).
func PathParamEscaped(name, escaped string) CallOption {
	return func(c *Call) {
		c.PathParams = append(c.PathParams, Param{Name: name, Value: escaped, Escaped: true})
	}
}

// Query adds a query parameter. Parameters are sent in the order given, percent-encoded
// (space as %20), and the signature covers them exactly as sent.
func Query(key, value string) CallOption {
	return func(c *Call) { c.Query = append(c.Query, Param{Name: key, Value: value}) }
}

// Header adds a request header; it replaces a header the SDK would set (for example
// Wechatpay-Serial when a body carries fields encrypted with a particular platform key).
// Authorization cannot be overridden: the SDK always signs.
func Header(key, value string) CallOption {
	return func(c *Call) {
		if c.Header == nil {
			c.Header = make(http.Header, 2)
		}
		c.Header.Add(key, value)
	}
}

// BaseURL sends this call to another base, e.g. "https://api.mch.weixin.qq.com/hk/".
func BaseURL(u string) CallOption { return func(c *Call) { c.BaseURL = u } }

// Body sets the body of a GET or DELETE call for the endpoints that take one.
func Body(v any) CallOption { return func(c *Call) { c.Body, c.HasBody = v, true } }

// SignType chooses the APIv2 signature: "MD5" (the default) or "HMAC-SHA256".
func SignType(t string) CallOption { return func(c *Call) { c.SignType = t } }

// Secure forces mutual TLS for an APIv2 call. The catalog's certificate endpoints
// (and every secapi/ path) get it without asking.
func Secure() CallOption { return func(c *Call) { c.Secure = true } }

// NoRetry makes this call a single attempt whatever the client's retry policy.
func NoRetry() CallOption { return func(c *Call) { c.NoRetry = true } }

// Bootstrap lets an APIv3 call go out while the client holds no key to verify the answer
// with: the platform-certificate download, whose answer carries the certificates it is
// signed with. The answer still goes through verification; without a key it fails, as a
// *VerificationError whose UntrustedBody the caller may then check by other means.
func Bootstrap() CallOption { return func(c *Call) { c.Bootstrap = true } }

// SignBody makes an APIv3 call sign meta instead of the body sent: a media upload sends a
// multipart body and signs only its meta part, byte for byte. The body must then be []byte
// and the Content-Type (with its boundary) set with Header.
func SignBody(meta []byte) CallOption { return func(c *Call) { c.SignBody = meta } }

// Stream hands the answer of a download WeChat Pay does not sign (bill files, images,
// receipts; APIv2 downloadbill) over unread, as Response.Stream, instead of buffering it.
// On other endpoints it has no effect: a signed answer is always read and verified first.
func Stream() CallOption { return func(c *Call) { c.Stream = true } }

// Idempotent marks a POST, PUT or PATCH as safe to send again when its answer was lost
// (ErrOutcomeUnknown): the retry policy may then retry it like a GET. Use it only for
// endpoints you know WeChat Pay treats as idempotent for the same request (a query sent as
// POST, say); never for placing an order, refunding or transferring money, where a second
// request may act twice.
func Idempotent() CallOption { return func(c *Call) { c.Idempotent = true } }

// PreSigned lets an APIv2 call send a []byte or string body as it is: bytes the SDK cannot
// sign, which must carry their own sign (UploadV2 signs its multipart fields itself).
// Without it such a body is refused with ErrInvalidRequest, so nothing goes out unsigned
// by accident.
func PreSigned() CallOption { return func(c *Call) { c.PreSigned = true } }

// Request is a call whose path template has been resolved. Nodes of the chain build it.
type Request struct {
	Method   string // upper-case HTTP method
	Template string // the path template, placeholders as {name}
	Shape    string // the template with placeholders as {}: the catalog key
	Path     string // the escaped path, relative: "v3/…" or "v2/…"
	Body     any    // the body argument of Post/Put/Patch (or the Body option)
	Call     Call   // the per-call options
}

// Prepared is a request as it would be sent, before signing: for dry runs and tests.
type Prepared struct {
	Method string
	URL    string
	Header http.Header
	Body   []byte
	Secure bool // sent over mutual TLS
	APIv2  bool
}
