package notify

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/wxpay-go/wxpay/signer"
)

// MaxBodySize is the largest callback body [Parser.Handler] reads (1 MiB).
const MaxBodySize = 1 << 20

// successV2 is the APIv2 success reply.
const successV2 = `<xml><return_code><![CDATA[SUCCESS]]></return_code><return_msg><![CDATA[OK]]></return_msg></xml>`

// Handler returns an http.Handler that receives callbacks: it reads the body
// (at most [MaxBodySize] bytes), checks it with [Parser.Parse] and, only if
// every check passed, calls fn with the request's context and the
// notification. It replies in the format WeChat Pay expects:
//
//   - fn returned nil: [ReplySuccess] (APIv3: 200 with an empty body;
//     APIv2: 200 with return_code SUCCESS).
//   - Parse failed (fn is not called): [ReplyFailure] with 401 for an APIv3
//     signature failure (an error wrapping [signer.ErrVerification]) and 400
//     for anything else, the error's message included; APIv2 callbacks always
//     get 400 with return_code FAIL. The message never contains keys, and
//     that of a verification failure never contains the body.
//   - fn returned an error: 500 with a fixed message (fn's error text is not
//     sent to the caller).
//   - A method other than POST: 405; a body over MaxBodySize: 413; a body
//     that cannot be read: 400.
//
// Every failure status is non-2xx, so WeChat Pay retries the callback later.
// A panic in fn is not recovered here.
func (p *Parser) Handler(fn func(ctx context.Context, n *Notification) error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", http.MethodPost)
			ReplyFailure(w, false, http.StatusMethodNotAllowed, "method "+r.Method+" not allowed: callbacks are POST")
			return
		}
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBodySize))
		apiv2 := isXML(body)
		if err != nil {
			var tooBig *http.MaxBytesError
			if errors.As(err, &tooBig) {
				ReplyFailure(w, apiv2, http.StatusRequestEntityTooLarge, "body larger than "+strconv.Itoa(MaxBodySize)+" bytes")
				return
			}
			ReplyFailure(w, apiv2, http.StatusBadRequest, "cannot read the body")
			return
		}
		n, err := p.Parse(r.Header, body)
		if err != nil {
			parseFailure(apiv2, err).write(w)
			return
		}
		if err := fn(r.Context(), n); err != nil {
			processingFailure(apiv2).write(w)
			return
		}
		ReplySuccess(w, apiv2)
	})
}

// Reply answers a callback in a framework that has read the body itself (gin, echo,
// go-zero, or any handler given the bytes): body is the raw callback body, err the outcome
// of handling it, and Reply writes what [Parser.Handler] writes in the same case:
//
//   - err is nil: [ReplySuccess].
//   - err is an error of [Parser.Parse] (it wraps [ErrNotification] or
//     [signer.ErrVerification]): 401 for an APIv3 verification failure, 400 otherwise,
//     with err's message (which never contains keys, nor, for a verification failure,
//     the body).
//   - any other error (the application failed to process a verified callback): 500 with
//     a fixed message; err's text is not sent.
//
// The reply is APIv2 XML when body is an APIv2 callback (its first non-whitespace byte
// is '<', as Parse decides) and APIv3 JSON otherwise. Every failure is non-2xx, so WeChat
// Pay sends the callback again later.
//
//	body, err := io.ReadAll(c.Request.Body) // gin: c.GetRawData()
//	if err == nil {
//		var n *notify.Notification
//		if n, err = p.Parse(c.Request.Header, body); err == nil {
//			err = process(c, n)
//		}
//	}
//	notify.Reply(c.Writer, body, err)
func Reply(w http.ResponseWriter, body []byte, err error) {
	replyFor(body, err).write(w)
}

// ReplyFor returns the status, Content-Type and body that [Reply] writes, for frameworks
// without an http.ResponseWriter (fasthttp, hertz). contentType is empty for an APIv3
// success, whose body is empty.
func ReplyFor(body []byte, err error) (status int, contentType string, answer []byte) {
	r := replyFor(body, err)
	return r.status, r.contentType, r.body
}

func replyFor(body []byte, err error) reply {
	apiv2 := isXML(body)
	switch {
	case err == nil:
		return success(apiv2)
	case errors.Is(err, ErrNotification) || errors.Is(err, signer.ErrVerification):
		return parseFailure(apiv2, err)
	default:
		return processingFailure(apiv2)
	}
}

// parseFailure is the reply to a callback Parse refused.
func parseFailure(apiv2 bool, err error) reply {
	status := http.StatusBadRequest
	if !apiv2 && errors.Is(err, signer.ErrVerification) {
		status = http.StatusUnauthorized
	}
	return failure(apiv2, status, err.Error())
}

// processingFailure is the reply when the application failed on a verified callback: its
// error's text stays on the merchant's side.
func processingFailure(apiv2 bool) reply {
	return failure(apiv2, http.StatusInternalServerError, "the merchant failed to process the notification")
}

// ReplySuccess writes the standard success reply: for APIv3 status 200 with
// an empty body; for APIv2 status 200 and
// <xml><return_code><![CDATA[SUCCESS]]></return_code><return_msg><![CDATA[OK]]></return_msg></xml>.
func ReplySuccess(w http.ResponseWriter, apiv2 bool) {
	success(apiv2).write(w)
}

// ReplyFailure writes the standard failure reply with the given status
// (which should be non-2xx, so that WeChat Pay retries): for APIv3
// {"code":"FAIL","message":message} as JSON; for APIv2
// <xml><return_code><![CDATA[FAIL]]></return_code><return_msg><![CDATA[message]]></return_msg></xml>.
// The message is cut to 256 bytes; invalid UTF-8 and characters XML cannot
// carry are replaced.
func ReplyFailure(w http.ResponseWriter, apiv2 bool, status int, message string) {
	failure(apiv2, status, message).write(w)
}

// reply is one answer to WeChat Pay: status, Content-Type ("" for none) and body.
type reply struct {
	status      int
	contentType string
	body        []byte
}

func success(apiv2 bool) reply {
	if !apiv2 {
		return reply{status: http.StatusOK}
	}
	return reply{http.StatusOK, "text/xml; charset=utf-8", []byte(successV2)}
}

func failure(apiv2 bool, status int, message string) reply {
	message = clean(message)
	if !apiv2 {
		b, _ := json.Marshal(struct {
			Code    string `json:"code"`
			Message string `json:"message"`
		}{"FAIL", message})
		return reply{status, "application/json", b}
	}
	var b strings.Builder
	b.WriteString(`<xml><return_code><![CDATA[FAIL]]></return_code><return_msg><![CDATA[`)
	b.WriteString(strings.ReplaceAll(message, "]]>", "]]]]><![CDATA[>"))
	b.WriteString(`]]></return_msg></xml>`)
	return reply{status, "text/xml; charset=utf-8", []byte(b.String())}
}

// write sends r; an empty contentType sets none (the APIv3 success reply).
func (r reply) write(w http.ResponseWriter) {
	h := w.Header()
	if r.contentType != "" {
		h.Set("Content-Type", r.contentType)
	}
	h.Set("Content-Length", strconv.Itoa(len(r.body)))
	w.WriteHeader(r.status)
	if len(r.body) > 0 {
		_, _ = w.Write(r.body)
	}
}

// clean makes message safe for both reply formats: valid UTF-8, only
// characters XML 1.0 allows, at most 256 bytes.
func clean(message string) string {
	const max = 256
	var b strings.Builder
	for _, r := range strings.ToValidUTF8(message, "\uFFFD") {
		if !(r == '\t' || r == '\n' || r == '\r' || r >= 0x20 && r <= 0xD7FF || r >= 0xE000 && r <= 0xFFFD || r >= 0x10000) {
			r = '\uFFFD'
		}
		if b.Len()+utf8.RuneLen(r) > max-len("…") {
			b.WriteString("…")
			break
		}
		b.WriteRune(r)
	}
	return b.String()
}
