package wxpay_test

import (
	"bytes"
	"context"
	"encoding/json"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wxpay-go/wxpay"
	"github.com/wxpay-go/wxpay/codec"
	"github.com/wxpay-go/wxpay/wxpaytest"
)

// countingCodec is a second JSON codec (a stand-in for goccy/go-json or sonic): it records
// what goes through it and encodes with sorted keys and no HTML escaping, so its bytes
// differ from encoding/json's where that matters.
type countingCodec struct {
	mu      sync.Mutex
	encoded [][]byte
	decoded [][]byte
}

func (c *countingCodec) ContentType() string { return "application/json" }

func (c *countingCodec) Encode(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	out := bytes.TrimSuffix(b.Bytes(), []byte("\n"))
	c.mu.Lock()
	c.encoded = append(c.encoded, out)
	c.mu.Unlock()
	return out, nil
}

func (c *countingCodec) Decode(data []byte, v any) error {
	c.mu.Lock()
	c.decoded = append(c.decoded, append([]byte(nil), data...))
	c.mu.Unlock()
	return json.Unmarshal(data, v)
}

var _ codec.Codec = (*countingCodec)(nil)

func TestPluggedJSONCodecCarriesBothDirections(t *testing.T) {
	srv := wxpaytest.NewServer(t)
	cc := &countingCodec{}
	wx := newClient(t, srv, wxpay.WithJSONCodec(cc))
	ctx := context.Background()

	order := nativeOrder(srv, "C1")
	order["description"] = "a<b>&c" // encoding/json would write \u003c; this codec does not
	resp, err := wx.Chain("v3/pay/transactions/native").Post(ctx, order)
	require.NoError(t, err, "the emulator verified the signature over the codec's bytes")
	require.Len(t, cc.encoded, 1)
	assert.Contains(t, string(cc.encoded[0]), `"a<b>&c"`)
	assert.Equal(t, cc.encoded[0], srv.LastRequest().Body, "the bytes sent are the codec's bytes")

	var out struct {
		CodeURL string `json:"code_url"`
	}
	require.NoError(t, resp.Decode(&out))
	require.Len(t, cc.decoded, 1)
	assert.Equal(t, resp.Body, cc.decoded[0], "the codec decodes the verified bytes")
	assert.NotEmpty(t, out.CodeURL)

	// Pre-serialized bodies never reach the codec: sent and signed byte for byte.
	raw := json.RawMessage(`{"mchid":"` + srv.MchID + `"}`)
	_, err = wx.Chain("v3/pay/transactions/out-trade-no/C1/close").Post(ctx, raw)
	require.NoError(t, err)
	assert.Len(t, cc.encoded, 1)
	assert.Equal(t, []byte(raw), srv.LastRequest().Body)

	// Callbacks decode through it too.
	h, body, err := srv.NotificationV3("TRANSACTION.SUCCESS", "transaction", map[string]any{"out_trade_no": "C1"})
	require.NoError(t, err)
	n, err := wx.ParseNotification(h, body)
	require.NoError(t, err)
	var tx struct {
		OutTradeNo string `json:"out_trade_no"`
	}
	require.NoError(t, n.Decode(&tx))
	assert.Equal(t, "C1", tx.OutTradeNo)
	assert.Len(t, cc.decoded, 2)

	_, err = wxpay.New(wxpay.WithJSONCodec(nil))
	assert.ErrorIs(t, err, wxpay.ErrConfig)
}
