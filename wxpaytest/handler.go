package wxpaytest

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto"
	"crypto/hmac"
	"crypto/md5"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Request is what the server received, after its signature checks passed.
type Request struct {
	Method     string
	RequestURI string     // exactly as on the wire: escaped path + "?" + query
	Path       string     // escaped path, without the zone prefix or leading "/"
	Zone       string     // "hk" or "global" when the path had that prefix
	Query      url.Values // parsed query
	Header     http.Header
	Body       []byte
	V2         bool              // an APIv2 request
	Fields     map[string]string // APIv2: the XML (or GET query) fields
	Params     map[string]string // values of the route pattern's {placeholders}, unescaped
	ClientCert bool              // a verified client certificate was presented

	ctx context.Context // the HTTP request's
}

// Reply is a handler's answer. The server signs it as the platform does unless told
// otherwise; the other fields make broken answers for tests.
type Reply struct {
	Status int         // default 200 (204 when nothing is given for APIv3)
	JSON   any         // APIv3 body, marshalled
	Body   []byte      // body as is (overrides JSON and Fields)
	Fields [][2]string // APIv2 answer fields, in order; sign is appended unless Unsigned
	Header http.Header // extra headers

	Unsigned   bool          // APIv3: no Wechatpay-* headers; APIv2: no sign field
	TimeOffset time.Duration // shifts Wechatpay-Timestamp
	Serial     string        // Wechatpay-Serial to announce instead of the real one
	Tamper     bool          // change the body after signing (APIv2: add a field)
	Gzip       bool          // Content-Encoding: gzip (the signature covers the plain bytes)
}

// HandlerFunc answers a verified request.
type HandlerFunc func(r *Request) *Reply

type route struct {
	method, pattern string
	h               HandlerFunc
	builtin         bool // installed by the server: requests are checked against the catalog first
}

// Handle adds (or replaces) the handler for method and pattern. pattern is the path
// without the base ("v3/pay/transactions/native", "secapi/pay/reverse" for APIv2,
// "hk/v3/…" for a zone); a segment {name} matches any segment and its value lands in
// Request.Params. Later handlers win over earlier ones and over the built-in routes.
func (s *Server) Handle(method, pattern string, h HandlerFunc) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.routes = append([]route{{method, pattern, h, s.installing}}, s.routes...)
}

func (s *Server) match(method, path string) (h HandlerFunc, params map[string]string, builtin bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	segs := strings.Split(path, "/")
	for _, rt := range s.routes {
		if rt.method != method {
			continue
		}
		psegs := strings.Split(rt.pattern, "/")
		if len(psegs) != len(segs) {
			continue
		}
		params, ok := map[string]string{}, true
		for i, p := range psegs {
			if len(p) > 2 && p[0] == '{' && p[len(p)-1] == '}' {
				v, err := url.PathUnescape(segs[i])
				if err != nil || v == "" {
					ok = false
					break
				}
				params[p[1:len(p)-1]] = v
			} else if p != segs[i] {
				ok = false
				break
			}
		}
		if ok {
			return rt.h, params, rt.builtin
		}
	}
	return nil, nil, false
}

const maxRequestBody = 8 << 20

// recorder keeps what the request log line needs.
type recorder struct {
	http.ResponseWriter
	status int
	code   string // the answer's error code (APIv3 code, APIv2 return_code/err_code)
}

func (r *recorder) WriteHeader(status int) {
	r.status = status
	r.ResponseWriter.WriteHeader(status)
}

func (s *Server) serve(w http.ResponseWriter, hr *http.Request) {
	if s.logger != nil {
		start := time.Now()
		rec := &recorder{ResponseWriter: w, status: http.StatusOK}
		defer func() {
			attrs := []any{"method", hr.Method, "path", hr.URL.RequestURI(), "status", rec.status}
			if rec.code != "" {
				attrs = append(attrs, "code", rec.code)
			}
			attrs = append(attrs, "dur", time.Since(start).Round(time.Microsecond), "remote", hr.RemoteAddr)
			s.logger.Info("request", attrs...)
		}()
		w = rec
	}
	body, err := io.ReadAll(io.LimitReader(hr.Body, maxRequestBody))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	path := strings.TrimPrefix(hr.URL.EscapedPath(), "/")
	r := &Request{Method: hr.Method, RequestURI: hr.RequestURI, Header: hr.Header.Clone(), Body: body,
		Query: hr.URL.Query(), ClientCert: hr.TLS != nil && len(hr.TLS.PeerCertificates) > 0, ctx: hr.Context()}
	r.Path = path
	for _, z := range []string{"hk/", "global/"} {
		if strings.HasPrefix(path, z+"v3/") {
			r.Zone, r.Path = strings.TrimSuffix(z, "/"), strings.TrimPrefix(path, z)
		}
	}
	r.V2 = !strings.HasPrefix(r.Path, "v3/")
	if r.V2 {
		s.serveV2(w, r)
	} else {
		s.serveV3(w, r)
	}
}

// ---- APIv3 -------------------------------------------------------------------------

// authFields are the Authorization parameters and the form each value must have. The
// platform's signing guide names five items and no order: any order is accepted, each item
// exactly once, with optional spaces after the commas.
var authFields = map[string]*regexp.Regexp{
	"mchid":     regexp.MustCompile(`^[0-9A-Za-z]{1,32}$`),
	"serial_no": regexp.MustCompile(`^[0-9A-Za-z]{8,40}$`),
	"timestamp": regexp.MustCompile(`^[0-9]{10}$`),
	"nonce_str": regexp.MustCompile(`^[0-9A-Za-z]{16,}$`),
	"signature": regexp.MustCompile(`^[A-Za-z0-9+/]+={0,2}$`),
}

// authParamRE is one parameter: name="value".
var authParamRE = regexp.MustCompile(`^([a-z_]+)="([^"]*)"$`)

// parseAuthorization reads an APIv3 Authorization header: the scheme
// WECHATPAY2-SHA256-RSA2048, then the five parameters in any order. It returns nil when the
// header is malformed.
func parseAuthorization(h string) map[string]string {
	const scheme = "WECHATPAY2-SHA256-RSA2048 "
	if !strings.HasPrefix(h, scheme) {
		return nil
	}
	params := map[string]string{}
	for _, p := range strings.Split(h[len(scheme):], ",") {
		m := authParamRE.FindStringSubmatch(strings.TrimLeft(p, " "))
		if m == nil {
			return nil
		}
		re, known := authFields[m[1]]
		if _, dup := params[m[1]]; !known || dup || !re.MatchString(m[2]) {
			return nil
		}
		params[m[1]] = m[2]
	}
	if len(params) != len(authFields) {
		return nil
	}
	return params
}

func (s *Server) serveV3(w http.ResponseWriter, r *Request) {
	if msg := s.checkV3(r); msg != "" {
		s.writeV3(w, r, &Reply{Status: http.StatusUnauthorized, JSON: map[string]string{"code": "SIGN_ERROR", "message": msg}})
		return
	}
	s.record(r)
	pattern := r.Path
	if r.Zone != "" {
		pattern = r.Zone + "/" + r.Path
	}
	h, params, builtin := s.match(r.Method, pattern)
	if h == nil {
		if rep, ok := s.serveCatalog(r, pattern); ok {
			s.writeV3(w, r, rep)
			return
		}
		s.writeV3(w, r, &Reply{Status: http.StatusNotFound, JSON: map[string]string{"code": "RESOURCE_NOT_EXISTS", "message": "no such endpoint in wxpaytest: " + r.Method + " " + pattern}})
		return
	}
	r.Params = params
	if builtin {
		if rep := checkCatalog(r, pattern); rep != nil {
			s.writeV3(w, r, rep)
			return
		}
	}
	s.writeV3(w, r, h(r))
}

// checkV3 verifies the request's Authorization header; "" means it is good.
func (s *Server) checkV3(r *Request) string {
	a := parseAuthorization(r.Header.Get("Authorization"))
	if a == nil {
		return "Authorization header missing or malformed"
	}
	if a["mchid"] != s.MchID {
		return "mchid " + a["mchid"] + " is not this merchant"
	}
	if a["serial_no"] != s.MerchantSerial {
		return "serial_no " + a["serial_no"] + " is not the merchant certificate"
	}
	ts, _ := strconv.ParseInt(a["timestamp"], 10, 64)
	if d := s.now().Unix() - ts; d > 300 || d < -300 {
		return "timestamp outside ±300 s"
	}
	sig, err := base64.StdEncoding.DecodeString(a["signature"])
	if err != nil {
		return "signature is not base64"
	}
	signed, bad := signedV3Body(r) // a multipart upload signs its meta part only
	if bad != "" {
		return bad
	}
	msg := r.Method + "\n" + r.RequestURI + "\n" + a["timestamp"] + "\n" + a["nonce_str"] + "\n" + string(signed) + "\n"
	sum := sha256.Sum256([]byte(msg))
	if rsa.VerifyPKCS1v15(&s.MerchantKey.PublicKey, crypto.SHA256, sum[:], sig) != nil {
		return "signature does not verify"
	}
	if ws := r.Header.Get("Wechatpay-Serial"); ws != "" && ws != s.PlatformSerial && ws != s.PublicKeyID && !s.servedSerial(ws) {
		return "Wechatpay-Serial " + ws + " is not a platform key"
	}
	return ""
}

func (s *Server) servedSerial(serial string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.served[serial]
}

func (s *Server) writeV3(w http.ResponseWriter, r *Request, rep *Reply) {
	if rep == nil {
		rep = &Reply{}
	}
	body := rep.Body
	if body == nil && rep.JSON != nil {
		body, _ = json.Marshal(rep.JSON)
	}
	status := rep.Status
	if status == 0 {
		status = http.StatusOK
		if body == nil {
			status = http.StatusNoContent
		}
	}
	if rec, ok := w.(*recorder); ok && status >= 300 {
		var e struct{ Code string }
		if json.Unmarshal(body, &e) == nil {
			rec.code = e.Code
		}
	}
	h := w.Header()
	for k, vs := range rep.Header {
		h[k] = vs
	}
	h.Set("Request-ID", "wxpaytest-"+nonce()[:16])
	if len(body) > 0 && h.Get("Content-Type") == "" {
		h.Set("Content-Type", "application/json")
	}
	if !rep.Unsigned {
		serial := s.PlatformSerial
		if ws := r.Header.Get("Wechatpay-Serial"); ws == s.PublicKeyID || (ws == "" && s.keyMode) {
			serial = s.PublicKeyID // the same test key signs in both modes; only the id differs
		}
		if rep.Serial != "" {
			serial = rep.Serial
		}
		ts := strconv.FormatInt(s.now().Add(rep.TimeOffset).Unix(), 10)
		n := nonce()
		signed := body
		if d := h.Get("Wechatpay-Statement-Sha1"); d != "" {
			signed = []byte(`{"sha1":"` + d + `"}`)
		}
		h.Set("Wechatpay-Timestamp", ts)
		h.Set("Wechatpay-Nonce", n)
		h.Set("Wechatpay-Serial", serial)
		h.Set("Wechatpay-Signature", s.sign(ts+"\n"+n+"\n"+string(signed)+"\n"))
	}
	if rep.Tamper && len(body) > 0 {
		body = append(append([]byte(nil), body...), ' ')
	}
	writeBody(w, status, body, rep.Gzip)
}

// sign is the platform's RSA-SHA256 signature, base64.
func (s *Server) sign(msg string) string {
	sum := sha256.Sum256([]byte(msg))
	sig, err := rsa.SignPKCS1v15(rand.Reader, s.PlatformKey, crypto.SHA256, sum[:])
	if err != nil {
		panic(err)
	}
	return base64.StdEncoding.EncodeToString(sig)
}

// Sign signs msg with the platform key, as WeChat Pay signs answers and callbacks.
func (s *Server) Sign(msg string) string { return s.sign(msg) }

func writeBody(w http.ResponseWriter, status int, body []byte, gz bool) {
	if gz {
		var b bytes.Buffer
		zw := gzip.NewWriter(&b)
		_, _ = zw.Write(body)
		_ = zw.Close()
		body = b.Bytes()
		w.Header().Set("Content-Encoding", "gzip")
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// ---- APIv2 -------------------------------------------------------------------------

func (s *Server) serveV2(w http.ResponseWriter, r *Request) {
	fail := func(msg string) {
		s.writeV2(w, r, &Reply{Fields: [][2]string{{"return_code", "FAIL"}, {"return_msg", msg}}, Unsigned: true})
	}
	if needsCert(r.Method, r.Path) && !r.ClientCert {
		fail("this API needs the merchant certificate (mutual TLS)")
		return
	}
	var err error
	var files map[string]string // multipart uploads: file part name → filename
	if r.Method == http.MethodGet {
		r.Fields = map[string]string{}
		for k, vs := range r.Query {
			r.Fields[k] = vs[0]
		}
	} else if parts, multi, perr := multipartParts(r); multi {
		if r.Fields, files, err = formFieldsV2(parts, perr); err != nil {
			fail("multipart format error: " + err.Error())
			return
		}
	} else if r.Fields, err = parseXML(r.Body); err != nil {
		fail("XML format error: " + err.Error())
		return
	}
	if msg := checkV2Sign(r.Fields, s.APIv2Key); msg != "" {
		fail(msg)
		return
	}
	for name, filename := range files { // the sign covers the text fields only
		r.Fields[name] = filename
	}
	s.record(r)
	h, params, builtin := s.match(r.Method, r.Path)
	if h == nil {
		if rep, ok := s.serveCatalog(r, r.Path); ok {
			s.writeV2(w, r, rep)
			return
		}
		fail("no such endpoint in wxpaytest: " + r.Method + " " + r.Path)
		return
	}
	r.Params = params
	if builtin {
		if rep := checkCatalog(r, r.Path); rep != nil {
			s.writeV2(w, r, rep)
			return
		}
	}
	s.writeV2(w, r, h(r))
}

func (s *Server) writeV2(w http.ResponseWriter, r *Request, rep *Reply) {
	if rep == nil {
		rep = &Reply{}
	}
	for k, vs := range rep.Header {
		w.Header()[k] = vs
	}
	body := rep.Body
	if body == nil {
		fields := rep.Fields
		if !rep.Unsigned {
			st := "MD5"
			if r.Fields["sign_type"] == "HMAC-SHA256" {
				st = "HMAC-SHA256"
			}
			fields = append(fields[:len(fields):len(fields)], [2]string{"sign", signV2(fields, s.APIv2Key, st)})
		}
		body = encodeXML(fields)
		w.Header().Set("Content-Type", "text/xml; charset=utf-8")
		if rec, ok := w.(*recorder); ok {
			for _, f := range fields {
				if (f[0] == "return_code" || f[0] == "result_code") && f[1] != "SUCCESS" {
					rec.code = f[1]
				} else if f[0] == "err_code" && f[1] != "" {
					rec.code = f[1]
				}
			}
		}
	}
	if rep.Tamper { // a field slipped in after signing
		body = bytes.Replace(body, []byte("</xml>"), []byte("<coupon_fee>1</coupon_fee></xml>"), 1)
	}
	status := rep.Status
	if status == 0 {
		status = http.StatusOK
	}
	writeBody(w, status, body, rep.Gzip)
}

// formFieldsV2 reads an APIv2 multipart upload (secapi/mch/uploadmedia): its text
// fields, and its file parts, whose MD5 must be the media_hash field.
func formFieldsV2(parts []mediaPart, perr error) (fields, files map[string]string, err error) {
	if perr != nil {
		return nil, nil, perr
	}
	fields, files = map[string]string{}, map[string]string{}
	var sum string
	for _, p := range parts {
		if _, dup := fields[p.Name]; dup {
			return nil, nil, fmt.Errorf("part %s repeated", p.Name)
		}
		if p.Filename == "" {
			fields[p.Name] = string(p.Body)
			continue
		}
		files[p.Name] = p.Filename
		h := md5.Sum(p.Body)
		sum = hex.EncodeToString(h[:])
	}
	if len(files) != 1 {
		return nil, nil, fmt.Errorf("%d file parts, want 1", len(files))
	}
	if !strings.EqualFold(fields["media_hash"], sum) {
		return nil, nil, fmt.Errorf("media_hash is not the MD5 of the file")
	}
	return fields, files, nil
}

// checkV2Sign checks an APIv2 request's sign field; "" means it is good.
func checkV2Sign(f map[string]string, key string) string {
	got := f["sign"]
	if got == "" {
		return "sign missing"
	}
	st := "MD5"
	if f["sign_type"] == "HMAC-SHA256" {
		st = "HMAC-SHA256"
	} else if f["sign_type"] != "" && f["sign_type"] != "MD5" {
		return "sign_type " + f["sign_type"] + " not supported"
	}
	var pairs [][2]string
	for k, v := range f {
		pairs = append(pairs, [2]string{k, v})
	}
	if want := signV2(pairs, key, st); subtle.ConstantTimeCompare([]byte(want), []byte(got)) != 1 {
		return "sign does not verify (" + st + ")"
	}
	return ""
}

// signV2 is the APIv2 signature: non-empty fields but sign, in byte order, k=v joined with
// &, then &key=KEY; MD5 or HMAC-SHA256 keyed with KEY; upper-case hex.
func signV2(fields [][2]string, key, signType string) string {
	var kv []string
	for _, f := range fields {
		if f[0] != "sign" && f[1] != "" {
			kv = append(kv, f[0]+"="+f[1])
		}
	}
	sort.Strings(kv)
	msg := strings.Join(kv, "&") + "&key=" + key
	if signType == "HMAC-SHA256" {
		m := hmac.New(sha256.New, []byte(key))
		m.Write([]byte(msg))
		return strings.ToUpper(hex.EncodeToString(m.Sum(nil)))
	}
	sum := md5.Sum([]byte(msg))
	return strings.ToUpper(hex.EncodeToString(sum[:]))
}

// SignV2 computes an APIv2 sign with the server's key (for building answers in tests).
func (s *Server) SignV2(fields [][2]string, signType string) string {
	return signV2(fields, s.APIv2Key, signType)
}

// parseXML reads a flat <xml><k>v</k>…</xml> document with encoding/xml (strict: no
// entities beyond the predefined ones, no DOCTYPE).
func parseXML(b []byte) (map[string]string, error) {
	if bytes.Contains(b, []byte("<!")) && !bytes.Contains(b, []byte("<![CDATA[")) {
		return nil, fmt.Errorf("directives not accepted")
	}
	d := xml.NewDecoder(bytes.NewReader(b))
	var doc struct {
		XMLName xml.Name
		Items   []struct {
			XMLName xml.Name
			Value   string `xml:",chardata"`
		} `xml:",any"`
	}
	if err := d.Decode(&doc); err != nil {
		return nil, err
	}
	if doc.XMLName.Local != "xml" {
		return nil, fmt.Errorf("root element is <%s>, not <xml>", doc.XMLName.Local)
	}
	m := make(map[string]string, len(doc.Items))
	for _, it := range doc.Items {
		if _, dup := m[it.XMLName.Local]; dup {
			return nil, fmt.Errorf("field %s repeated", it.XMLName.Local)
		}
		m[it.XMLName.Local] = it.Value
	}
	return m, nil
}

// encodeXML writes fields as <xml><k><![CDATA[v]]></k>…</xml>, the platform's style.
func encodeXML(fields [][2]string) []byte {
	var b bytes.Buffer
	b.WriteString("<xml>")
	for _, f := range fields {
		b.WriteString("<" + f[0] + ">")
		if _, err := strconv.Atoi(f[1]); err == nil {
			b.WriteString(f[1])
		} else {
			b.WriteString("<![CDATA[" + strings.ReplaceAll(f[1], "]]>", "]]]]><![CDATA[>") + "]]>")
		}
		b.WriteString("</" + f[0] + ">")
	}
	b.WriteString("</xml>")
	return b.Bytes()
}
