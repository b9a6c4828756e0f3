package wxpay_test

import (
	"bytes"
	"context"
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wxpay-go/wxpay"
	"github.com/wxpay-go/wxpay/internal/wire"
	"github.com/wxpay-go/wxpay/wxpaytest"
)

type uploadedPart struct {
	name, filename string
	header         map[string][]string
	body           []byte
}

// uploadedParts parses the multipart body the server received, parts unchanged.
func uploadedParts(t *testing.T, r *wxpaytest.Request) []uploadedPart {
	t.Helper()
	mt, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	require.NoError(t, err)
	require.Equal(t, "multipart/form-data", mt)
	mr := multipart.NewReader(bytes.NewReader(r.Body), params["boundary"])
	var parts []uploadedPart
	for {
		p, err := mr.NextRawPart()
		if err == io.EOF {
			return parts
		}
		require.NoError(t, err)
		b, err := io.ReadAll(p)
		require.NoError(t, err)
		parts = append(parts, uploadedPart{p.FormName(), p.FileName(), p.Header, b})
	}
}

func pngBytes() []byte {
	b := []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
	for i := 0; len(b) < 4096; i++ {
		b = append(b, byte(i*7), '"', '\r', '\n', '-', byte(i))
	}
	return b
}

func TestUploadMedia(t *testing.T) {
	srv := wxpaytest.NewServer(t)
	srv.HandleUploads()
	wx := newClient(t, srv)
	ctx := context.Background()
	png := pngBytes()
	sum := sha256.Sum256(png)

	resp, err := wx.Upload(ctx, "v3/merchant/media/upload", "商户logo.png", bytes.NewReader(png), nil)
	require.NoError(t, err) // a bad signature would be 401 SIGN_ERROR from the emulator
	var out struct {
		MediaID string `json:"media_id"`
	}
	require.NoError(t, resp.Decode(&out))
	assert.Equal(t, "wxpaytest-"+hex.EncodeToString(sum[:16]), out.MediaID)

	r := srv.LastRequest()
	assert.Equal(t, "POST", r.Method)
	assert.Equal(t, "/v3/merchant/media/upload", r.RequestURI)
	parts := uploadedParts(t, r)
	require.Len(t, parts, 2)
	meta, file := parts[0], parts[1]
	assert.Equal(t, "meta", meta.name)
	assert.Empty(t, meta.filename, "the meta part has no filename")
	assert.Equal(t, []string{`form-data; name="meta"`}, meta.header["Content-Disposition"])
	assert.Equal(t, "application/json", textHeader(meta.header, "Content-Type"))
	assert.JSONEq(t, `{"filename":"商户logo.png","sha256":"`+hex.EncodeToString(sum[:])+`"}`, string(meta.body))
	assert.Equal(t, "file", file.name)
	assert.Equal(t, "商户logo.png", file.filename)
	assert.Equal(t, "image/png", textHeader(file.header, "Content-Type"))
	assert.Equal(t, png, file.body)
	assert.Contains(t, r.Header.Get("Authorization"), "WECHATPAY2-SHA256-RSA2048 ")
}

func textHeader(h map[string][]string, k string) string {
	if v := h[k]; len(v) > 0 {
		return v[0]
	}
	return ""
}

func TestUploadBodyFluent(t *testing.T) {
	srv := wxpaytest.NewServer(t)
	srv.HandleUploads()
	wx := newClient(t, srv)
	ctx := context.Background()
	video := bytes.Repeat([]byte("mp4-frame\x00\xff"), 500)

	body, opts, err := wxpay.UploadBody("clip.MP4", bytes.NewReader(video), map[string]any{"biz": "demo"})
	require.NoError(t, err)
	out, resp, err := wx.V3().Merchant().Media().VideoUpload().Post(ctx, body, opts...)
	require.NoError(t, err)
	assert.Contains(t, string(resp.Body), `"media_id":"wxpaytest-`)
	assert.True(t, strings.HasPrefix(out.MediaID, "wxpaytest-"), "the typed answer: %+v", out)
	r := srv.LastRequest()
	assert.Equal(t, "/v3/merchant/media/video_upload", r.RequestURI)
	assert.Equal(t, body, r.Body, "the body is sent as built")
	parts := uploadedParts(t, r)
	require.Len(t, parts, 2)
	var meta map[string]string
	require.NoError(t, json.Unmarshal(parts[0].body, &meta))
	sum := sha256.Sum256(video)
	assert.Equal(t, map[string]string{"filename": "clip.MP4", "sha256": hex.EncodeToString(sum[:]), "biz": "demo"}, meta)
	assert.Equal(t, "video/mp4", textHeader(parts[1].header, "Content-Type"))

	// Another fluent upload node, and Upload with the node's path.
	body, opts, err = wxpay.UploadBody("a.jpg", strings.NewReader("jpeg"), nil)
	require.NoError(t, err)
	_, _, err = wx.V3().MerchantService().Images().Upload().Post(ctx, body, opts...)
	require.NoError(t, err)
	_, err = wx.Upload(ctx, wx.V3().Merchant().Media().Upload().Template(), "b.bmp", strings.NewReader("bmp"), nil)
	require.NoError(t, err)
	assert.Equal(t, "/v3/merchant/media/upload", srv.LastRequest().RequestURI)
	assert.Equal(t, "image/bmp", textHeader(uploadedParts(t, srv.LastRequest())[1].header, "Content-Type"))
}

func TestUploadTampered(t *testing.T) {
	srv := wxpaytest.NewServer(t)
	srv.HandleUploads()
	wx := newClient(t, srv)
	ctx := context.Background()
	png := pngBytes()

	// The file changed after hashing: the signature (over meta) holds, the digest does not.
	body, opts, err := wxpay.UploadBody("x.png", bytes.NewReader(png), nil)
	require.NoError(t, err)
	i := bytes.Index(body, png)
	require.Positive(t, i)
	body[i+100] ^= 0xff
	_, _, err = wx.V3().Merchant().Media().Upload().Post(ctx, body, opts...)
	var ae *wxpay.APIError
	require.ErrorAs(t, err, &ae)
	assert.Equal(t, http.StatusBadRequest, ae.StatusCode)
	assert.Equal(t, "PARAM_ERROR", ae.Code)
	assert.Contains(t, string(ae.Detail), "sha256")

	// The meta part changed after signing: the emulator refuses the signature.
	body, opts, err = wxpay.UploadBody("x.png", bytes.NewReader(png), nil)
	require.NoError(t, err)
	body = bytes.Replace(body, []byte(`"filename":"x.png"`), []byte(`"filename":"y.png"`), 1)
	_, _, err = wx.V3().Merchant().Media().Upload().Post(ctx, body, opts...)
	require.ErrorAs(t, err, &ae)
	assert.Equal(t, http.StatusUnauthorized, ae.StatusCode)
	assert.Equal(t, "SIGN_ERROR", ae.Code)

	// A meta part carrying a filename is refused (signed correctly, so it reaches the handler).
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	sum := sha256.Sum256(png)
	metaJSON := []byte(`{"filename":"x.png","sha256":"` + hex.EncodeToString(sum[:]) + `"}`)
	fw, _ := w.CreateFormFile("meta", "meta.json")
	fw.Write(metaJSON)
	fw, _ = w.CreateFormFile("file", "x.png")
	fw.Write(png)
	require.NoError(t, w.Close())
	_, _, err = wx.V3().Merchant().Media().Upload().Post(ctx, b.Bytes(), wxpay.Header("Content-Type", w.FormDataContentType()), signBody(metaJSON))
	require.ErrorAs(t, err, &ae)
	assert.Equal(t, "PARAM_ERROR", ae.Code)
	assert.JSONEq(t, `{"field":"meta","issue":"has a filename","location":"body"}`, string(ae.Detail))
}

type failingReader struct{}

func (failingReader) Read([]byte) (int, error) { return 0, errors.New("disk on fire") }

type zeros struct{}

func (zeros) Read(p []byte) (int, error) { clear(p); return len(p), nil }

func TestUploadRefused(t *testing.T) {
	srv := wxpaytest.NewServer(t)
	srv.HandleUploads()
	wx := newClient(t, srv)
	ctx := context.Background()
	n := len(srv.Requests())

	_, err := wx.Upload(ctx, "v3/merchant/media/upload", "x.png", failingReader{}, nil)
	assert.ErrorContains(t, err, "disk on fire")
	_, err = wx.Upload(ctx, "v3/merchant/media/upload", "", strings.NewReader("x"), nil)
	assert.Error(t, err)
	_, err = wx.Upload(ctx, "v3/merchant/media/upload", "a\r\nb.png", strings.NewReader("x"), nil)
	assert.Error(t, err)
	_, err = wx.Upload(ctx, "v3/merchant/media/upload", "x.png", strings.NewReader("x"), map[string]any{"sha256": "00"})
	assert.Error(t, err)
	if !testing.Short() {
		_, err = wx.Upload(ctx, "v3/merchant/media/upload", "big.mp4", io.LimitReader(zeros{}, wxpay.MaxUploadSize+1), nil)
		assert.ErrorIs(t, err, wxpay.ErrUploadTooLarge)
	}
	assert.Len(t, srv.Requests(), n, "nothing was sent")
}

// TestUploadV2: the APIv2 upload (secapi/mch/uploadmedia) over mutual TLS, its form parts
// byte for byte, and the sign the emulator checks independently.
func TestUploadV2(t *testing.T) {
	srv := wxpaytest.NewServer(t)
	wx := newClient(t, srv)
	ctx := context.Background()
	img := []byte("\x89PNG v2 upload")
	resp, err := wx.UploadV2(ctx, "v2/secapi/mch/uploadmedia", "media", "id.png", bytes.NewReader(img),
		map[string]string{"mch_id": srv.MchID})
	require.NoError(t, err)
	fields := map[string]string{}
	require.NoError(t, resp.Decode(&fields))
	assert.NotEmpty(t, fields["media_id"])

	last := srv.LastRequest()
	assert.True(t, last.ClientCert, "secapi goes over mutual TLS")
	assert.Equal(t, "id.png", last.Fields["media"])
	assert.Equal(t, "HMAC-SHA256", last.Fields["sign_type"])
	assert.Equal(t, md5hex(img), last.Fields["media_hash"])
	want := srv.SignV2([][2]string{{"mch_id", srv.MchID}, {"media_hash", md5hex(img)}, {"sign_type", "HMAC-SHA256"}}, "HMAC-SHA256")
	assert.Equal(t, want, last.Fields["sign"])

	for _, bad := range []map[string]string{{"media_hash": "x"}, {"sign": "x"}, {"sign_type": "MD5"}} {
		_, err = wx.UploadV2(ctx, "v2/secapi/mch/uploadmedia", "media", "id.png", bytes.NewReader(img), bad)
		assert.Error(t, err)
	}
	_, err = wx.UploadV2(ctx, "v3/merchant/media/upload", "media", "id.png", bytes.NewReader(img), nil)
	assert.Error(t, err, "an APIv3 path")
}

func md5hex(b []byte) string {
	sum := md5.Sum(b)
	return hex.EncodeToString(sum[:])
}

// signBody signs the given bytes instead of the body: how an upload signs its meta part,
// here pointed at other bytes to test the emulator.
func signBody(b []byte) wxpay.CallOption { return func(c *wire.Call) { c.SignBody = b } }
