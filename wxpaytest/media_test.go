package wxpaytest_test

import (
	"bytes"
	"context"
	"mime/multipart"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wxpay-go/wxpay"
	"github.com/wxpay-go/wxpay/internal/wire"
	"github.com/wxpay-go/wxpay/wxpaytest"
)

func TestUploadSignatureCoversMetaOnly(t *testing.T) {
	srv := wxpaytest.NewServer(t)
	srv.HandleUploads()
	wx, err := wxpay.New(srv.ClientOptions()...)
	require.NoError(t, err)
	ctx := context.Background()
	up := wx.V3().Merchant().Media().Upload().Node()

	multi := func(parts ...[2]string) ([]byte, string) {
		var b bytes.Buffer
		w := multipart.NewWriter(&b)
		for _, p := range parts {
			fw, err := w.CreateFormField(p[0])
			require.NoError(t, err)
			fw.Write([]byte(p[1]))
		}
		require.NoError(t, w.Close())
		return b.Bytes(), w.FormDataContentType()
	}
	var ae *wxpay.APIError

	// Signed over the whole body instead of meta: refused.
	body, ct := multi([2]string{"meta", `{"filename":"a.png","sha256":"00"}`}, [2]string{"file", "x"})
	_, err = up.Post(ctx, body, wxpay.Header("Content-Type", ct), signBody(body))
	require.ErrorAs(t, err, &ae)
	assert.Equal(t, "SIGN_ERROR", ae.Code)

	// No meta part, or two: refused.
	for _, parts := range [][][2]string{
		{{"file", "x"}},
		{{"meta", "{}"}, {"meta", "{}"}, {"file", "x"}},
	} {
		body, ct = multi(parts...)
		_, err = up.Post(ctx, body, wxpay.Header("Content-Type", ct), signBody([]byte("{}")))
		require.ErrorAs(t, err, &ae)
		assert.Equal(t, 401, ae.StatusCode)
	}

	// Signed over meta, but the parts lack their headers (meta Content-Type, file filename):
	// PARAM_ERROR from the handler.
	meta := `{"filename":"a.png","sha256":"2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881"}`
	body, ct = multi([2]string{"meta", meta}, [2]string{"file", "x"})
	_, err = up.Post(ctx, body, wxpay.Header("Content-Type", ct), signBody([]byte(meta)))
	require.ErrorAs(t, err, &ae)
	assert.Equal(t, "PARAM_ERROR", ae.Code)
}

// signBody signs the given bytes instead of the body: how an upload signs its meta part,
// here pointed at other bytes to test the emulator.
func signBody(b []byte) wxpay.CallOption { return func(c *wire.Call) { c.SignBody = b } }
