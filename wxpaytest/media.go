package wxpaytest

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"strings"
)

// mediaPart is one part of a multipart upload as received.
type mediaPart struct {
	Name, Filename, ContentType string
	Body                        []byte
}

// multipartParts splits a multipart/form-data body into its parts, unchanged (no
// quoted-printable decoding). ok is false when the request is not multipart/form-data.
func multipartParts(r *Request) (parts []mediaPart, ok bool, err error) {
	mt, params, perr := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if perr != nil || !strings.EqualFold(mt, "multipart/form-data") {
		return nil, false, nil
	}
	if params["boundary"] == "" {
		return nil, true, errors.New("multipart/form-data without a boundary")
	}
	mr := multipart.NewReader(bytes.NewReader(r.Body), params["boundary"])
	for {
		p, err := mr.NextRawPart()
		if err == io.EOF {
			return parts, true, nil
		}
		if err != nil {
			return nil, true, err
		}
		b, err := io.ReadAll(p)
		if err != nil {
			return nil, true, err
		}
		parts = append(parts, mediaPart{Name: p.FormName(), Filename: p.FileName(), ContentType: p.Header.Get("Content-Type"), Body: b})
	}
}

// signedV3Body is what an APIv3 request's signature covers: the body, or for a
// multipart/form-data upload the content of its one "meta" part. bad explains a body
// that cannot be checked.
func signedV3Body(r *Request) (body []byte, bad string) {
	parts, multi, err := multipartParts(r)
	if !multi {
		return r.Body, ""
	}
	if err != nil {
		return nil, "multipart body does not parse: " + err.Error()
	}
	var meta []byte
	found := 0
	for _, p := range parts {
		if p.Name == "meta" {
			meta, found = p.Body, found+1
		}
	}
	if found != 1 {
		return nil, "multipart body needs exactly one meta part"
	}
	return meta, ""
}

// HandleUploads serves the media uploads POST v3/merchant/media/upload,
// v3/merchant/media/video_upload and v3/merchant-service/images/upload as WeChat Pay
// does: the signature has covered the meta part (checked before any handler runs); the
// handler checks the parts — a meta part of JSON {"filename","sha256"} with no filename
// of its own, a file part with a filename — and the file's SHA-256 against meta.sha256.
// It answers {"media_id": …}, an id derived from the file's digest; a mismatch or a
// malformed upload is 400 PARAM_ERROR.
func (s *Server) HandleUploads() {
	for _, p := range []string{"v3/merchant/media/upload", "v3/merchant/media/video_upload", "v3/merchant-service/images/upload"} {
		s.Handle(http.MethodPost, p, s.upload)
	}
}

func (s *Server) upload(r *Request) *Reply {
	parts, multi, err := multipartParts(r)
	if !multi || err != nil {
		return paramError("body", "not multipart/form-data")
	}
	var meta, file *mediaPart
	for i := range parts {
		switch p := &parts[i]; p.Name {
		case "meta":
			if meta != nil {
				return paramError("meta", "repeated")
			}
			meta = p
		case "file":
			if file != nil {
				return paramError("file", "repeated")
			}
			file = p
		default:
			return paramError(p.Name, "unexpected part")
		}
	}
	if meta == nil || file == nil {
		return paramError("meta/file", "part missing")
	}
	// checkV3 verified the signature over the one meta part; make sure it is that part.
	if signed, bad := signedV3Body(r); bad != "" || !bytes.Equal(signed, meta.Body) {
		return paramError("meta", "not the signed bytes")
	}
	if meta.Filename != "" {
		return paramError("meta", "has a filename")
	}
	if mt, _, _ := mime.ParseMediaType(meta.ContentType); mt != "application/json" {
		return paramError("meta", "Content-Type is not application/json")
	}
	var m struct {
		Filename string `json:"filename"`
		SHA256   string `json:"sha256"`
	}
	if json.Unmarshal(meta.Body, &m) != nil || m.Filename == "" || m.SHA256 == "" {
		return paramError("meta", "not JSON with filename and sha256")
	}
	if file.Filename == "" || file.Filename != m.Filename {
		return paramError("file", "filename missing or not meta.filename")
	}
	sum := sha256.Sum256(file.Body)
	if !strings.EqualFold(hex.EncodeToString(sum[:]), m.SHA256) {
		return paramError("sha256", "does not match the file")
	}
	return &Reply{JSON: map[string]string{"media_id": "wxpaytest-" + hex.EncodeToString(sum[:16])}}
}
