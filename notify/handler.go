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
			status := http.StatusBadRequest
			if !apiv2 && errors.Is(err, signer.ErrVerification) {
				status = http.StatusUnauthorized
			}
			ReplyFailure(w, apiv2, status, err.Error())
			return
		}
		if err := fn(r.Context(), n); err != nil {
			ReplyFailure(w, apiv2, http.StatusInternalServerError, "the merchant failed to process the notification")
			return
		}
		ReplySuccess(w, apiv2)
	})
}

// ReplySuccess writes the standard success reply: for APIv3 status 200 with
// an empty body; for APIv2 status 200 and
// <xml><return_code><![CDATA[SUCCESS]]></return_code><return_msg><![CDATA[OK]]></return_msg></xml>.
func ReplySuccess(w http.ResponseWriter, apiv2 bool) {
	if !apiv2 {
		w.Header().Set("Content-Length", "0")
		w.WriteHeader(http.StatusOK)
		return
	}
	writeReply(w, "text/xml; charset=utf-8", http.StatusOK, []byte(successV2))
}

// ReplyFailure writes the standard failure reply with the given status
// (which should be non-2xx, so that WeChat Pay retries): for APIv3
// {"code":"FAIL","message":message} as JSON; for APIv2
// <xml><return_code><![CDATA[FAIL]]></return_code><return_msg><![CDATA[message]]></return_msg></xml>.
// The message is cut to 256 bytes; invalid UTF-8 and characters XML cannot
// carry are replaced.
func ReplyFailure(w http.ResponseWriter, apiv2 bool, status int, message string) {
	message = clean(message)
	if !apiv2 {
		b, _ := json.Marshal(struct {
			Code    string `json:"code"`
			Message string `json:"message"`
		}{"FAIL", message})
		writeReply(w, "application/json", status, b)
		return
	}
	var b strings.Builder
	b.WriteString(`<xml><return_code><![CDATA[FAIL]]></return_code><return_msg><![CDATA[`)
	b.WriteString(strings.ReplaceAll(message, "]]>", "]]]]><![CDATA[>"))
	b.WriteString(`]]></return_msg></xml>`)
	writeReply(w, "text/xml; charset=utf-8", status, []byte(b.String()))
}

func writeReply(w http.ResponseWriter, contentType string, status int, body []byte) {
	h := w.Header()
	h.Set("Content-Type", contentType)
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write(body)
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
