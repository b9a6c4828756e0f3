package codec_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/wxpay-go/wxpay/codec"
)

func TestEncodeJSON(t *testing.T) {
	b, err := codec.EncodeJSON(nil)
	require.NoError(t, err)
	require.Nil(t, b)

	raw := []byte(`{"b":1,  "a":2}`)
	b, err = codec.EncodeJSON(raw)
	require.NoError(t, err)
	require.Equal(t, &raw[0], &b[0], "[]byte returned as is, not copied")

	rm := json.RawMessage(`{"x" : "y"}`)
	b, err = codec.EncodeJSON(rm)
	require.NoError(t, err)
	require.Equal(t, &rm[0], &b[0], "json.RawMessage returned as is")

	b, err = codec.EncodeJSON(`{"keep":"as is"}  `)
	require.NoError(t, err)
	require.Equal(t, `{"keep":"as is"}  `, string(b))

	b, err = codec.EncodeJSON(map[string]any{"mchid": "1900000109", "amount": map[string]int{"total": 1}})
	require.NoError(t, err)
	require.Equal(t, `{"amount":{"total":1},"mchid":"1900000109"}`, string(b))

	_, err = codec.EncodeJSON(make(chan int))
	var ute *json.UnsupportedTypeError
	require.ErrorAs(t, err, &ute)

	require.Equal(t, "application/json", codec.JSON.ContentType())
	b, err = codec.JSON.Encode(struct {
		A int `json:"a"`
	}{1})
	require.NoError(t, err)
	require.Equal(t, `{"a":1}`, string(b))
}

func TestDecodeJSON(t *testing.T) {
	var v struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	}
	require.NoError(t, codec.DecodeJSON([]byte(`{"code":"SYSTEM_ERROR","message":"系统繁忙"}`), &v))
	require.Equal(t, "SYSTEM_ERROR", v.Code)
	require.NoError(t, codec.JSON.Decode([]byte(` {"code":"X"} `), &v))
	require.Equal(t, "X", v.Code)

	for _, body := range []string{"", "  \r\n", "\ufeff"} {
		err := codec.DecodeJSON([]byte(body), &v)
		require.ErrorIs(t, err, codec.ErrEmptyBody, "%q", body)
		require.ErrorContains(t, err, "empty body")
	}

	err := codec.DecodeJSON([]byte(`{"code":`), &v)
	var syn *json.SyntaxError
	require.ErrorAs(t, err, &syn)
	require.NotContains(t, err.Error(), "not JSON")

	err = codec.DecodeJSON([]byte(nginx404), &v)
	require.ErrorAs(t, err, &syn)
	require.ErrorContains(t, err, "body is not JSON: HTML page")

	err = codec.DecodeJSON([]byte(`{"code":1}`), &v)
	var ute *json.UnmarshalTypeError
	require.ErrorAs(t, err, &ute)

	var raw json.RawMessage
	require.NoError(t, codec.DecodeJSON([]byte(`{"a":1}`), &raw))
	require.JSONEq(t, `{"a":1}`, string(raw))

	require.Error(t, codec.DecodeJSON([]byte(`{}`), nil))
}
