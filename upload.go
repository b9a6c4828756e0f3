package wxpay

import (
	"bytes"
	"context"
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"mime"
	"mime/multipart"
	"net/textproto"
	"path"
	"sort"
	"strings"

	"github.com/wxpay-go/wxpay/codec"
	"github.com/wxpay-go/wxpay/signer"

	"github.com/wxpay-go/wxpay/internal/wire"
)

// MaxUploadSize is the largest file Upload and UploadBody accept (100 MiB). The file is
// held in memory to be sent, so a larger one is refused with ErrUploadTooLarge before
// anything goes out. WeChat Pay's own limits are far lower (2–5 MiB images, 5 MiB video).
const MaxUploadSize = 100 << 20

// ErrUploadTooLarge reports a file larger than MaxUploadSize; nothing was sent.
var ErrUploadTooLarge = errors.New("wxpay: upload larger than MaxUploadSize")

// Upload sends a media file to an APIv3 upload endpoint (v3/merchant/media/upload,
// v3/merchant/media/video_upload, v3/marketing/favor/media/image-upload,
// v3/merchant-service/images/upload, …) as WeChat Pay expects: multipart/form-data with
// a "meta" part — the JSON {"filename":…,"sha256":<hex SHA-256 of the file>} plus the
// keys of meta if given, Content-Type application/json, no filename — and a "file" part
// carrying the filename and a content type guessed from its extension. The signature
// covers the meta JSON only, byte for byte the bytes of the meta part.
//
// r is read once, hashing as it goes; the file is then held in memory to be sent, at
// most MaxUploadSize bytes (ErrUploadTooLarge beyond). path is the endpoint, as given to
// Chain. For the fluent tree, build the body with UploadBody and Post it on the node:
//
//	body, opts, err := wxpay.UploadBody("logo.png", f, nil)
//	resp, err := wx.V3().Merchant().Media().Upload().Post(ctx, body, opts...)
func (c *Client) Upload(ctx context.Context, path, filename string, r io.Reader, meta map[string]any, opts ...CallOption) (*Response, error) {
	body, uopts, err := UploadBody(filename, r, meta)
	if err != nil {
		return nil, err
	}
	return c.Chain(path).Post(ctx, body, append(uopts, opts...)...)
}

// UploadBody builds what Upload sends: the multipart body, and the options that set its
// Content-Type (with the boundary) and make the call sign the meta part only. Pass both to
// the Post of an upload node. meta adds keys to the meta JSON; it may not set "filename"
// or "sha256", which UploadBody computes. See Upload for the format and the size limit.
func UploadBody(filename string, r io.Reader, meta map[string]any) (body []byte, opts []CallOption, err error) {
	h := sha256.New()
	file, err := readUpload(filename, r, h)
	if err != nil {
		return nil, nil, err
	}
	m := make(map[string]any, len(meta)+2)
	for k, v := range meta {
		if k == "filename" || k == "sha256" {
			return nil, nil, fmt.Errorf("wxpay: upload: meta key %q is computed by the SDK", k)
		}
		m[k] = v
	}
	m["filename"] = filename
	m["sha256"] = hex.EncodeToString(h.Sum(nil))
	var mj bytes.Buffer
	enc := json.NewEncoder(&mj)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(m); err != nil {
		return nil, nil, fmt.Errorf("wxpay: upload: encoding meta: %w", err)
	}
	return FormBody(
		FormPart{Name: "meta", Data: bytes.TrimSuffix(mj.Bytes(), []byte("\n"))},
		FormPart{Name: "file", Filename: filename, Data: file.Bytes()},
	)
}

// FormPart is one part of a multipart/form-data body (see FormBody).
type FormPart struct {
	Name        string // the form field's name
	Filename    string // a file part's filename; empty for a plain field
	ContentType string // default: application/json for "meta", guessed from Filename for a file, none for a field
	Data        []byte
}

// FormBody builds a multipart/form-data body from parts, in order, and the options that
// set its Content-Type (with the boundary) and make an APIv3 call sign the "meta" part
// only, as WeChat Pay's upload endpoints require. It is the general form of UploadBody,
// for the endpoints whose file part is not named "file" or that take more fields:
//
//	body, opts, err := wxpay.FormBody(
//		wxpay.FormPart{Name: "meta", Data: metaJSON},
//		wxpay.FormPart{Name: "submission_file", Filename: "a.png", Data: png},
//		wxpay.FormPart{Name: "item_id", Data: []byte("56")})
//
// Exactly one part must be named "meta" and hold a JSON object. Names and filenames must
// not contain line breaks or NULs.
func FormBody(parts ...FormPart) (body []byte, opts []CallOption, err error) {
	var meta []byte
	for _, p := range parts {
		if p.Name == "meta" {
			if meta != nil {
				return nil, nil, errors.New("wxpay: upload: more than one meta part")
			}
			if !json.Valid(p.Data) || !bytes.HasPrefix(bytes.TrimSpace(p.Data), []byte("{")) {
				return nil, nil, errors.New("wxpay: upload: the meta part is not a JSON object")
			}
			meta = p.Data
		}
	}
	if meta == nil {
		return nil, nil, errors.New("wxpay: upload: no meta part (the signature covers it)")
	}
	body, contentType, err := writeForm(parts)
	if err != nil {
		return nil, nil, err
	}
	return body, []CallOption{
		Header("Content-Type", contentType),
		signBody(meta),
	}, nil
}

// readUpload reads a file to upload, at most MaxUploadSize bytes, feeding h as it goes.
func readUpload(filename string, r io.Reader, h hash.Hash) (*bytes.Buffer, error) {
	if filename == "" || strings.ContainsAny(filename, "\r\n\x00") {
		return nil, fmt.Errorf("wxpay: upload: invalid filename %q", filename)
	}
	if r == nil {
		return nil, errors.New("wxpay: upload: nil reader")
	}
	var file bytes.Buffer
	n, err := io.Copy(io.MultiWriter(&file, h), io.LimitReader(r, MaxUploadSize+1))
	if err != nil {
		return nil, fmt.Errorf("wxpay: upload: reading %s: %w", filename, err)
	}
	if n > MaxUploadSize {
		return nil, fmt.Errorf("%w: %s is over %d bytes", ErrUploadTooLarge, filename, MaxUploadSize)
	}
	return &file, nil
}

// writeForm writes parts as a multipart/form-data body. Names, filenames and content
// types must not contain line breaks or NULs.
func writeForm(parts []FormPart) (body []byte, contentType string, err error) {
	size := 512
	for _, p := range parts {
		if p.Name == "" || strings.ContainsAny(p.Name+p.Filename+p.ContentType, "\r\n\x00") {
			return nil, "", fmt.Errorf("wxpay: upload: invalid part name %q or filename %q", p.Name, p.Filename)
		}
		size += len(p.Data) + 256
	}
	var b bytes.Buffer
	b.Grow(size)
	w := multipart.NewWriter(&b)
	for _, p := range parts {
		h := make(textproto.MIMEHeader, 2)
		disp := `form-data; name="` + quoteEscaper.Replace(p.Name) + `"`
		ct := p.ContentType
		switch {
		case p.Filename != "":
			disp += `; filename="` + quoteEscaper.Replace(p.Filename) + `"`
			if ct == "" {
				ct = uploadContentType(p.Filename)
			}
		case p.Name == "meta" && ct == "":
			ct = "application/json"
		}
		h.Set("Content-Disposition", disp)
		if ct != "" {
			h.Set("Content-Type", ct)
		}
		pw, err := w.CreatePart(h)
		if err == nil {
			_, err = pw.Write(p.Data)
		}
		if err != nil {
			return nil, "", fmt.Errorf("wxpay: upload: building the body: %w", err)
		}
	}
	if err := w.Close(); err != nil {
		return nil, "", fmt.Errorf("wxpay: upload: building the body: %w", err)
	}
	return b.Bytes(), w.FormDataContentType(), nil
}

// UploadV2 sends a file to an APIv2 upload endpoint (v2/secapi/mch/uploadmedia) as WeChat
// Pay expects: multipart/form-data with the text fields given (mch_id, …), media_hash
// (the lower-case hex MD5 of the file), sign_type HMAC-SHA256 and sign — HMAC-SHA256 with
// the APIv2 key over the text fields — then the file in a part named field ("media").
// The answer is XML and verified like any APIv2 answer; secapi/ paths go over mutual TLS.
// fields may not set media_hash, sign_type or sign, which UploadV2 computes.
func (c *Client) UploadV2(ctx context.Context, path, field, filename string, r io.Reader, fields map[string]string, opts ...CallOption) (*Response, error) {
	if !strings.HasPrefix(path, "v2/") {
		return nil, fmt.Errorf("wxpay: UploadV2: %q is not an APIv2 path", path)
	}
	if c.apiv2Key == "" {
		return nil, fmt.Errorf("%w: UploadV2 needs WithAPIv2Key", ErrConfig)
	}
	h := md5.New()
	file, err := readUpload(filename, r, h)
	if err != nil {
		return nil, err
	}
	signed := make(codec.Fields, 0, len(fields)+2)
	for k, v := range fields {
		if k == "media_hash" || k == "sign_type" || k == "sign" {
			return nil, fmt.Errorf("wxpay: UploadV2: field %q is computed by the SDK", k)
		}
		signed = append(signed, codec.Field{Name: k, Value: v})
	}
	signed = append(signed, codec.Field{Name: "media_hash", Value: hex.EncodeToString(h.Sum(nil))},
		codec.Field{Name: "sign_type", Value: signer.SignTypeHMACSHA256})
	// SignV2 orders the fields itself; sorting here fixes the parts' order in the body.
	sort.Slice(signed, func(i, j int) bool { return signed[i].Name < signed[j].Name })
	sign, err := signer.SignV2(signer.SignTypeHMACSHA256, c.apiv2Key, signed)
	if err != nil {
		return nil, err
	}
	parts := make([]FormPart, 0, len(signed)+2)
	for _, f := range append(signed, codec.Field{Name: "sign", Value: sign}) {
		parts = append(parts, FormPart{Name: f.Name, Data: []byte(f.Value)})
	}
	parts = append(parts, FormPart{Name: field, Filename: filename, Data: file.Bytes()})
	body, contentType, err := writeForm(parts)
	if err != nil {
		return nil, err
	}
	// SignType: the answer is verified as HMAC-SHA256, the sign type of the parts.
	return c.Chain(path).Post(ctx, body, append([]CallOption{Header("Content-Type", contentType), PreSigned(), SignType(signer.SignTypeHMACSHA256)}, opts...)...)
}

var quoteEscaper = strings.NewReplacer(`\`, `\\`, `"`, `\"`)

// uploadTypes are the formats WeChat Pay's upload endpoints take, fixed here so the
// guess does not depend on the system's MIME tables.
var uploadTypes = map[string]string{
	".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png", ".bmp": "image/bmp",
	".gif": "image/gif", ".webp": "image/webp",
	".mp4": "video/mp4", ".avi": "video/x-msvideo", ".wmv": "video/x-ms-wmv",
	".mpeg": "video/mpeg", ".mpg": "video/mpeg", ".mov": "video/quicktime",
	".mkv": "video/x-matroska", ".flv": "video/x-flv", ".f4v": "video/x-f4v",
	".m4v": "video/x-m4v", ".rmvb": "application/vnd.rn-realmedia-vbr",
	".pdf": "application/pdf", ".csv": "text/csv", ".txt": "text/plain",
	".zip": "application/zip",
}

func uploadContentType(filename string) string {
	ext := strings.ToLower(path.Ext(filename))
	if t, ok := uploadTypes[ext]; ok {
		return t
	}
	if t := mime.TypeByExtension(ext); t != "" {
		return t
	}
	return "application/octet-stream"
}

// signBody makes an APIv3 call sign meta instead of the body sent: a media upload sends a
// multipart body and signs only its meta part, byte for byte.
func signBody(meta []byte) CallOption { return func(c *wire.Call) { c.SignBody = meta } }
