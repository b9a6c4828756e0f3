package wxpaytest

import (
	"bytes"
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/md5"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Callbacks, built as the platform builds them. The encryption is written here with the
// standard library, independently of the SDK's signer package.

// chinaTime is the platform's time zone for create_time.
var chinaTime = time.FixedZone("CST", 8*3600)

// NotificationV3 builds a signed APIv3 callback, as WeChat Pay sends it. resource is the
// plaintext resource: []byte, json.RawMessage and string are used as they are, anything
// else is marshalled to JSON. It is encrypted with AES-256-GCM keyed with s.APIv3Key, a
// random 12-character nonce and associatedData. The envelope carries a random id,
// create_time (RFC 3339, UTC+8, from the server's clock), event_type, resource_type
// "encrypt-resource" and a summary ("支付成功" for TRANSACTION.SUCCESS, …).
//
// The headers are Wechatpay-Timestamp (the server's clock), Wechatpay-Nonce,
// Wechatpay-Serial (PlatformSerial, or PublicKeyID with [PublicKeyMode]),
// Wechatpay-Signature (the platform key over the exact body bytes),
// Wechatpay-Signature-Type, Request-ID and Content-Type.
func (s *Server) NotificationV3(eventType, associatedData string, resource any) (http.Header, []byte, error) {
	var plain []byte
	switch r := resource.(type) {
	case []byte:
		plain = r
	case json.RawMessage:
		plain = r
	case string:
		plain = []byte(r)
	default:
		var err error
		if plain, err = json.Marshal(resource); err != nil {
			return nil, nil, fmt.Errorf("wxpaytest: marshal resource: %w", err)
		}
	}
	gcmNonce := randomString(12)
	block, err := aes.NewCipher([]byte(s.APIv3Key))
	if err != nil {
		return nil, nil, fmt.Errorf("wxpaytest: APIv3 key: %w", err)
	}
	aead, err := cipher.NewGCMWithNonceSize(block, len(gcmNonce))
	if err != nil {
		return nil, nil, err
	}
	ct := base64.StdEncoding.EncodeToString(aead.Seal(nil, []byte(gcmNonce), plain, []byte(associatedData)))

	originalType := strings.ToLower(eventType)
	if i := strings.IndexByte(originalType, '.'); i >= 0 {
		originalType = originalType[:i]
	}
	type res struct {
		OriginalType   string `json:"original_type"`
		Algorithm      string `json:"algorithm"`
		Ciphertext     string `json:"ciphertext"`
		AssociatedData string `json:"associated_data"`
		Nonce          string `json:"nonce"`
	}
	now := s.now()
	id := nonce()
	body, err := json.Marshal(struct {
		ID           string `json:"id"`
		CreateTime   string `json:"create_time"`
		ResourceType string `json:"resource_type"`
		EventType    string `json:"event_type"`
		Summary      string `json:"summary"`
		Resource     res    `json:"resource"`
	}{
		ID:           strings.ToLower(id[:8] + "-" + id[8:12] + "-" + id[12:16] + "-" + id[16:20] + "-" + id[20:]),
		CreateTime:   now.In(chinaTime).Format(time.RFC3339),
		ResourceType: "encrypt-resource",
		EventType:    eventType,
		Summary:      summary(eventType),
		Resource:     res{originalType, "AEAD_AES_256_GCM", ct, associatedData, gcmNonce},
	})
	if err != nil {
		return nil, nil, err
	}
	serial := s.PlatformSerial
	if s.keyMode {
		serial = s.PublicKeyID // the same test key signs in both modes; only the id differs
	}
	ts := strconv.FormatInt(now.Unix(), 10)
	n := nonce()
	h := http.Header{}
	h.Set("Content-Type", "application/json")
	h.Set("Request-ID", "wxpaytest-"+nonce()[:16])
	h.Set("Wechatpay-Timestamp", ts)
	h.Set("Wechatpay-Nonce", n)
	h.Set("Wechatpay-Serial", serial)
	h.Set("Wechatpay-Signature", s.sign(ts+"\n"+n+"\n"+string(body)+"\n"))
	h.Set("Wechatpay-Signature-Type", "WECHATPAY2-SHA256-RSA2048")
	return h, body, nil
}

func summary(eventType string) string {
	switch eventType {
	case "TRANSACTION.SUCCESS":
		return "支付成功"
	case "REFUND.SUCCESS":
		return "退款成功"
	case "REFUND.ABNORMAL":
		return "退款异常"
	case "REFUND.CLOSED":
		return "退款关闭"
	}
	return eventType
}

// NotificationV2 builds a signed APIv2 pay callback: the given fields, in order, preceded
// by return_code SUCCESS unless a return_code is given and followed by a random nonce_str
// unless one is given, then sign — HMAC-SHA256 if a sign_type field says so, MD5
// otherwise — keyed with s.APIv2Key. Values are written as the platform writes them
// (CDATA, numbers bare).
func (s *Server) NotificationV2(fields [][2]string) []byte {
	f := make([][2]string, 0, len(fields)+3)
	if !hasField(fields, "return_code") {
		f = append(f, [2]string{"return_code", "SUCCESS"})
	}
	f = append(f, fields...)
	if !hasField(fields, "nonce_str") {
		f = append(f, [2]string{"nonce_str", nonce()})
	}
	st := "MD5"
	for _, kv := range fields {
		if kv[0] == "sign_type" && kv[1] == "HMAC-SHA256" {
			st = "HMAC-SHA256"
		}
	}
	f = append(f, [2]string{"sign", signV2(f, s.APIv2Key, st)})
	return encodeXML(f)
}

// RefundNotificationV2 builds an APIv2 refund callback as the platform does: return_code
// SUCCESS, appid, mch_id, nonce_str and req_info, with no sign. req_info is standard
// base64 of AES-256-ECB with PKCS#7 padding, keyed with the lower-case hex MD5 of
// s.APIv2Key, of <root> followed by the given fields (each value in CDATA) and </root>.
func (s *Server) RefundNotificationV2(fields [][2]string) ([]byte, error) {
	return s.refundNotificationV2(sandboxAppID, fields)
}

// refundNotificationV2 is RefundNotificationV2 for the order's appid.
func (s *Server) refundNotificationV2(appID string, fields [][2]string) ([]byte, error) {
	var inner bytes.Buffer
	inner.WriteString("<root>")
	for _, f := range fields {
		inner.WriteString("<" + f[0] + "><![CDATA[" + strings.ReplaceAll(f[1], "]]>", "]]]]><![CDATA[>") + "]]></" + f[0] + ">")
	}
	inner.WriteString("</root>")
	sum := md5.Sum([]byte(s.APIv2Key))
	block, err := aes.NewCipher([]byte(hex.EncodeToString(sum[:])))
	if err != nil {
		return nil, err
	}
	pt := inner.Bytes()
	pad := aes.BlockSize - len(pt)%aes.BlockSize
	pt = append(pt, bytes.Repeat([]byte{byte(pad)}, pad)...)
	ct := make([]byte, len(pt))
	for i := 0; i < len(pt); i += aes.BlockSize {
		block.Encrypt(ct[i:i+aes.BlockSize], pt[i:i+aes.BlockSize])
	}
	return encodeXML([][2]string{
		{"return_code", "SUCCESS"},
		{"appid", appID},
		{"mch_id", s.MchID},
		{"nonce_str", nonce()},
		{"req_info", base64.StdEncoding.EncodeToString(ct)},
	}), nil
}

// ErrNotLoopback is returned by SendNotification (and reported by PayAndNotify and the
// pay endpoint) for a callback URL that is not on this machine: the callback is recorded
// (WithheldCallbacks) and logged, not sent.
var ErrNotLoopback = errors.New("wxpaytest: notify_url is not a loopback address: the callback was recorded, not sent")

// WithheldCallback is a callback the server did not send because its URL is not on this
// machine.
type WithheldCallback struct {
	URL    string
	Header http.Header
	Body   []byte
	Time   time.Time // the server's clock
}

const maxWithheld = 1000

// WithheldCallbacks returns the callbacks not sent because their URL is not a loopback
// address (the last 1000), oldest first.
func (s *Server) WithheldCallbacks() []WithheldCallback {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.withheld)
}

// loopbackURL reports whether a callback URL stays on this machine: http or https to a
// loopback IP address (127.0.0.0/8, ::1) or to the name localhost exactly.
func loopbackURL(raw string) bool {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") {
		return false
	}
	host := u.Hostname()
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// SendNotification POSTs a callback to url, as the platform does, with its own
// http.Client (10 s timeout, the default transport's settings, no cookies or redirects
// followed). It returns the reply's status and body (at most 1 MiB is read).
//
// The emulator never sends traffic off the machine: a url that is not http(s) to a
// loopback address (127.0.0.0/8, ::1, or the name localhost) is not called. The callback
// is recorded (WithheldCallbacks), logged through WithLogger's logger, and the error is
// ErrNotLoopback.
func (s *Server) SendNotification(ctx context.Context, rawURL string, header http.Header, body []byte) (int, []byte, error) {
	if !loopbackURL(rawURL) {
		s.mu.Lock()
		if len(s.withheld) >= maxWithheld {
			s.withheld = slices.Delete(s.withheld, 0, 1)
		}
		s.withheld = append(s.withheld, WithheldCallback{URL: rawURL, Header: header.Clone(), Body: slices.Clone(body), Time: s.now()})
		s.mu.Unlock()
		if s.logger != nil {
			s.logger.Warn("callback not sent: notify_url is not a loopback address", "url", redactedURL(rawURL))
		}
		return 0, nil, ErrNotLoopback
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, rawURL, bytes.NewReader(body))
	if err != nil {
		return 0, nil, err
	}
	for k, vs := range header {
		req.Header[k] = append([]string(nil), vs...)
	}
	if req.Header.Get("Content-Type") == "" {
		ct := "application/json"
		if b := bytes.TrimLeft(body, " \t\r\n"); len(b) > 0 && b[0] == '<' {
			ct = "text/xml"
		}
		req.Header.Set("Content-Type", ct)
	}
	req.Header.Set("User-Agent", "Mozilla/4.0 (wxpaytest notification)")
	tr := http.DefaultTransport.(*http.Transport).Clone()
	defer tr.CloseIdleConnections()
	c := &http.Client{Transport: tr, Timeout: 10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	reply, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return resp.StatusCode, reply, err
	}
	return resp.StatusCode, reply, nil
}

func hasField(fields [][2]string, name string) bool {
	for _, f := range fields {
		if f[0] == name {
			return true
		}
	}
	return false
}

// randomString returns n random characters from [0-9A-Za-z].
func randomString(n int) string {
	const alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	b := make([]byte, n)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}

// redactedURL is a callback URL for the log: scheme, host and path, without user info or
// query (which may carry a merchant's secrets).
func redactedURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparsable URL)"
	}
	return (&url.URL{Scheme: u.Scheme, Host: u.Host, Path: u.Path}).String()
}
