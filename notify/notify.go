// Package notify verifies, decrypts and answers WeChat Pay callbacks
// (notifications), for both APIv3 (JSON envelope, RSA-signed headers,
// AES-256-GCM resource) and APIv2 (signed XML, and refund callbacks whose
// req_info is AES-256-ECB encrypted).
//
// Nothing in a callback is trusted before it has been checked: an APIv3
// callback's signature is verified over the raw body bytes before the body
// is even parsed, and [Parser.Handler] never calls the application's function
// for a callback that failed any check. Every failure makes the handler
// answer with a non-2xx status, so WeChat Pay retries the callback.
//
//	p := &notify.Parser{Verifier: v, APIv3Key: apiv3Key, APIv2Key: apiv2Key}
//	http.Handle("/wxpay/notify", p.Handler(func(ctx context.Context, n *notify.Notification) error {
//		var tx struct {
//			OutTradeNo string `json:"out_trade_no"`
//			TradeState string `json:"trade_state"`
//		}
//		if err := n.Decode(&tx); err != nil {
//			return err
//		}
//		return markPaid(ctx, tx.OutTradeNo) // an error makes WeChat Pay retry
//	}))
//
// A framework that has already read the body (gin's c.GetRawData(), echo) calls
// [Parser.Parse] with the raw bytes and answers with [Reply] (or, without an
// http.ResponseWriter, [ReplyFor]), which answer exactly as the handler would.
//
// Callbacks are delivered at least once: make the function idempotent.
package notify

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"unicode/utf8"

	"github.com/wxpay-go/wxpay/codec"
	"github.com/wxpay-go/wxpay/signer"
)

// ErrNotification is wrapped by every error of [Parser.Parse] except the
// signature checks' own errors (those of [signer.Verifier.Verify] and
// [signer.VerifyV2]), which are returned unchanged and wrap
// [signer.ErrVerification]. Decryption failures wrap both ErrNotification and
// [signer.ErrDecrypt]; a missing or malformed key wraps ErrNotification (and
// [signer.ErrKey] when the key has the wrong length).
var ErrNotification = errors.New("wxpay: invalid notification")

// AlgorithmAESGCM is the only resource encryption algorithm of APIv3 callbacks.
const AlgorithmAESGCM = "AEAD_AES_256_GCM"

// Parser verifies and decrypts callbacks. It is safe for concurrent use as
// long as its fields are not changed.
type Parser struct {
	// Verifier checks APIv3 callbacks: the platform certificates or public
	// keys, and the ±300 s clock skew. Required for APIv3 callbacks.
	Verifier *signer.Verifier
	// APIv3Key (32 bytes) decrypts the AES-256-GCM resource of APIv3
	// callbacks. Required for APIv3 callbacks.
	APIv3Key string
	// APIv2Key (32 bytes) checks the sign of APIv2 callbacks and decrypts
	// the req_info of APIv2 refund callbacks. Required for APIv2 callbacks.
	APIv2Key string
	// JSON decodes the decrypted APIv3 resource in Notification.Decode; nil
	// means codec.JSON (encoding/json).
	JSON codec.Codec
}

// Notification is a verified (and, where applicable, decrypted) callback.
type Notification struct {
	// APIv3 envelope; empty for APIv2.
	ID, EventType, ResourceType, Summary, CreateTime string
	// APIv3 resource fields; empty for APIv2.
	OriginalType, AssociatedData string

	// Plaintext is, for APIv3, the decrypted resource JSON. For APIv2 it is
	// the callback's XML as received or, for a refund callback, the
	// decrypted req_info XML (root element <root>).
	Plaintext []byte

	// APIv2 reports an APIv2 (XML) callback.
	APIv2 bool

	json codec.Codec // the Parser's JSON codec

	// Fields holds, for APIv2, the verified fields in document order: for a
	// pay callback the signed fields, for a refund callback only the fields of
	// the decrypted req_info (the part the APIv2 key authenticates). Nil for
	// APIv3.
	Fields codec.Fields

	// Outer holds, for an APIv2 refund callback, the fields outside req_info
	// (return_code, appid, mch_id, nonce_str…). Nothing authenticates them:
	// anyone can write them next to a replayed req_info. They are never part of
	// Fields, Plaintext or Decode; do not base a business decision on them.
	Outer codec.Fields
}

// Decode stores the callback's content in v: for APIv3 the decrypted
// resource, decoded as JSON ([codec.DecodeJSON]); for APIv2 the verified
// [Notification.Fields], decoded by [codec.Fields.Decode] into a
// *map[string]string, a *codec.Fields or a pointer to a struct tagged
// `xml:"name"` (for a repeated name the first value wins). For a refund callback
// that is the decrypted req_info alone: the unauthenticated outer fields never
// shadow or add to it.
func (n *Notification) Decode(v any) error {
	if n.APIv2 {
		return n.Fields.Decode(v)
	}
	return codec.DecodeJSONWith(n.json, n.Plaintext, v)
}

// Parse verifies and decodes a callback given its headers and raw body. A
// body whose first non-whitespace byte is '<' is an APIv2 callback; anything
// else is APIv3.
//
// APIv3: the signature headers are checked first with Verifier.Verify
// (headers present, the WECHATPAY/SIGNTEST/ probe refused, timestamp within
// ±300 s, serial known, RSA over the exact body bytes), and its error is
// returned as is. Only then is the body decoded as the JSON envelope; the
// resource's algorithm must be AEAD_AES_256_GCM, and it is decrypted with
// APIv3Key (a wrong key gives an error wrapping [signer.ErrDecrypt] that says
// so).
//
// APIv2: the body is parsed with [codec.DecodeXML], and return_code must be
// SUCCESS. A refund callback (one with a req_info field) carries no sign: its
// req_info is decrypted with APIv2Key ([signer.DecryptRefundInfo]) and parsed
// as a <root> document. Any other callback must pass [signer.VerifyV2] with
// APIv2Key and the sign type its sign_type field names (MD5 when absent; any
// other value is an [signer.ErrBadSignature] error), whose error is returned
// as is.
//
// A key or Verifier that the callback needs but the Parser lacks is an error:
// no check is ever skipped.
func (p *Parser) Parse(header http.Header, body []byte) (*Notification, error) {
	if isXML(body) {
		return p.parseV2(body)
	}
	return p.parseV3(header, body)
}

// isXML reports whether the first non-whitespace byte of body is '<'.
func isXML(body []byte) bool {
	b := bytes.TrimLeft(body, " \t\r\n")
	return len(b) > 0 && b[0] == '<'
}

func errorf(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrNotification}, args...)...)
}

type envelope struct {
	ID           string `json:"id"`
	CreateTime   string `json:"create_time"`
	EventType    string `json:"event_type"`
	ResourceType string `json:"resource_type"`
	Summary      string `json:"summary"`
	Resource     *struct {
		Algorithm      string `json:"algorithm"`
		Ciphertext     string `json:"ciphertext"`
		Nonce          string `json:"nonce"`
		AssociatedData string `json:"associated_data"`
		OriginalType   string `json:"original_type"`
	} `json:"resource"`
}

func (p *Parser) parseV3(header http.Header, body []byte) (*Notification, error) {
	if p.Verifier == nil {
		return nil, errorf("APIv3 callback, but the Parser has no Verifier")
	}
	if err := p.Verifier.Verify(header, body); err != nil {
		return nil, err
	}
	var env envelope
	if err := json.Unmarshal(body, &env); err != nil {
		return nil, errorf("APIv3 callback body is not a JSON envelope: %v", err)
	}
	r := env.Resource
	switch {
	case r == nil:
		return nil, errorf("APIv3 callback %q has no resource", env.ID)
	case r.Algorithm != AlgorithmAESGCM:
		return nil, errorf("APIv3 callback %q: resource algorithm %q, want %q", env.ID, truncate(r.Algorithm), AlgorithmAESGCM)
	case r.Ciphertext == "":
		return nil, errorf("APIv3 callback %q: resource has no ciphertext", env.ID)
	case p.APIv3Key == "":
		return nil, errorf("APIv3 callback, but the Parser has no APIv3Key")
	}
	pt, err := signer.DecryptAESGCM(p.APIv3Key, r.Nonce, r.AssociatedData, r.Ciphertext)
	if err != nil {
		return nil, fmt.Errorf("%w: APIv3 callback %q: %w", ErrNotification, env.ID, err)
	}
	return &Notification{
		ID: env.ID, EventType: env.EventType, ResourceType: env.ResourceType,
		Summary: env.Summary, CreateTime: env.CreateTime,
		OriginalType: r.OriginalType, AssociatedData: r.AssociatedData,
		Plaintext: pt, json: p.JSON,
	}, nil
}

func (p *Parser) parseV2(body []byte) (*Notification, error) {
	fields, err := codec.DecodeXML(body)
	if err != nil {
		return nil, fmt.Errorf("%w: APIv2 callback: %w", ErrNotification, err)
	}
	if rc := fields.Get("return_code"); rc != "SUCCESS" {
		return nil, errorf("APIv2 callback return_code is %q, want SUCCESS (return_msg %q)", truncate(rc), truncate(fields.Get("return_msg")))
	}
	if p.APIv2Key == "" {
		return nil, errorf("APIv2 callback, but the Parser has no APIv2Key")
	}
	reqInfo, count := "", 0
	for _, f := range fields {
		if f.Name == "req_info" {
			reqInfo = f.Value
			count++
		}
	}
	if count == 0 {
		// A callback answers no request of ours: its sign type is the one its
		// sign_type field names (covered by the sign), MD5 when absent, as the
		// platform documents.
		signType := signer.SignTypeMD5
		if st, ok := fields.Lookup("sign_type"); ok {
			if st != signer.SignTypeMD5 && st != signer.SignTypeHMACSHA256 {
				return nil, fmt.Errorf("%w: APIv2 callback sign_type %q is neither MD5 nor HMAC-SHA256", signer.ErrBadSignature, truncate(st))
			}
			signType = st
		}
		if err := signer.VerifyV2(signType, p.APIv2Key, fields); err != nil {
			if errors.Is(err, signer.ErrVerification) {
				return nil, err
			}
			return nil, fmt.Errorf("%w: APIv2 callback: %w", ErrNotification, err)
		}
		return &Notification{APIv2: true, Plaintext: body, Fields: fields}, nil
	}
	// A refund callback: no sign; req_info is the authenticated-by-key part.
	if count > 1 {
		return nil, errorf("APIv2 refund callback has %d req_info fields", count)
	}
	pt, err := signer.DecryptRefundInfo(p.APIv2Key, reqInfo)
	if err != nil {
		return nil, fmt.Errorf("%w: APIv2 refund callback req_info: %w", ErrNotification, err)
	}
	if !utf8.Valid(pt) {
		return nil, fmt.Errorf("%w: APIv2 refund callback req_info: %w: the plaintext is not UTF-8 (req_info was altered)", ErrNotification, signer.ErrDecrypt)
	}
	inner, err := codec.DecodeXMLRoot(pt, "root")
	if err != nil {
		return nil, fmt.Errorf("%w: APIv2 refund callback req_info: %w", ErrNotification, err)
	}
	outer := make(codec.Fields, 0, len(fields)-1)
	for _, f := range fields {
		if f.Name != "req_info" {
			outer = append(outer, f)
		}
	}
	return &Notification{APIv2: true, Plaintext: pt, Fields: inner, Outer: outer}, nil
}

// truncate shortens s for error messages.
func truncate(s string) string {
	const max = 64
	if len(s) <= max {
		return s
	}
	n := max
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}
