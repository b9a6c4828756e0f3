package wxpaytest_test

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"encoding/base64"
	"encoding/json"
	"encoding/xml"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/wxpay-go/wxpay/signer"
	"github.com/wxpay-go/wxpay/wxpaytest"
)

func TestNotificationV3Shape(t *testing.T) {
	srv := wxpaytest.NewServer(t)
	h, body, err := srv.NotificationV3("REFUND.SUCCESS", "refund", `{"out_refund_no":"R1"}`)
	require.NoError(t, err)

	var env struct {
		ID           string            `json:"id"`
		CreateTime   string            `json:"create_time"`
		ResourceType string            `json:"resource_type"`
		EventType    string            `json:"event_type"`
		Summary      string            `json:"summary"`
		Resource     map[string]string `json:"resource"`
	}
	require.NoError(t, json.Unmarshal(body, &env))
	require.Len(t, env.ID, 36)
	require.Equal(t, "encrypt-resource", env.ResourceType)
	require.Equal(t, "REFUND.SUCCESS", env.EventType)
	require.Equal(t, "退款成功", env.Summary)
	ct, err := time.Parse(time.RFC3339, env.CreateTime)
	require.NoError(t, err)
	require.WithinDuration(t, time.Now(), ct, time.Minute)
	r := env.Resource
	require.Equal(t, "AEAD_AES_256_GCM", r["algorithm"])
	require.Equal(t, "refund", r["original_type"])
	require.Equal(t, "refund", r["associated_data"])
	require.Len(t, r["nonce"], 12)

	// Decrypt with the standard library only.
	block, err := aes.NewCipher([]byte(srv.APIv3Key))
	require.NoError(t, err)
	aead, err := cipher.NewGCMWithNonceSize(block, 12)
	require.NoError(t, err)
	raw, err := base64.StdEncoding.DecodeString(r["ciphertext"])
	require.NoError(t, err)
	pt, err := aead.Open(nil, []byte(r["nonce"]), raw, []byte("refund"))
	require.NoError(t, err)
	require.Equal(t, `{"out_refund_no":"R1"}`, string(pt))

	// Headers verify with the SDK's verifier, in both key modes.
	ts, err := strconv.ParseInt(h.Get("Wechatpay-Timestamp"), 10, 64)
	require.NoError(t, err)
	require.InDelta(t, time.Now().Unix(), ts, 5)
	require.Equal(t, srv.PlatformSerial, h.Get("Wechatpay-Serial"))
	require.Equal(t, "WECHATPAY2-SHA256-RSA2048", h.Get("Wechatpay-Signature-Type"))
	require.NotEmpty(t, h.Get("Request-ID"))
	ks := signer.NewKeyStore()
	_, err = ks.AddCertificate(srv.PlatformCert)
	require.NoError(t, err)
	require.NoError(t, ks.AddPublicKey(srv.PublicKeyID, &srv.PlatformKey.PublicKey))
	v := &signer.Verifier{Keys: ks}
	require.NoError(t, v.Verify(h, body))

	pk := wxpaytest.NewServer(t, wxpaytest.PublicKeyMode())
	h, body, err = pk.NotificationV3("TRANSACTION.SUCCESS", "", map[string]int{"a": 1})
	require.NoError(t, err)
	require.Equal(t, pk.PublicKeyID, h.Get("Wechatpay-Serial"))
	require.NoError(t, v.Verify(h, body))
}

func TestNotificationV2Sign(t *testing.T) {
	srv := wxpaytest.NewServer(t)
	for _, st := range []string{"MD5", "HMAC-SHA256"} {
		body := srv.NotificationV2([][2]string{{"appid", "wx"}, {"sign_type", st}, {"total_fee", "1"}})
		var doc struct {
			ReturnCode string `xml:"return_code"`
			NonceStr   string `xml:"nonce_str"`
			Sign       string `xml:"sign"`
		}
		require.NoError(t, xml.Unmarshal(body, &doc))
		require.Equal(t, "SUCCESS", doc.ReturnCode)
		require.Len(t, doc.NonceStr, 32)
		want := srv.SignV2([][2]string{{"return_code", "SUCCESS"}, {"appid", "wx"}, {"sign_type", st}, {"total_fee", "1"}, {"nonce_str", doc.NonceStr}}, st)
		require.Equal(t, want, doc.Sign)
	}
}

// The published req_info vector for the key exposed_your_key_here_have_risks.
func TestRefundNotificationV2Vector(t *testing.T) {
	srv := wxpaytest.NewServer(t, wxpaytest.WithAPIv2Key("exposed_your_key_here_have_risks"))
	body, err := srv.RefundNotificationV2([][2]string{{"out_refund_no", "131811191610442717309"}})
	require.NoError(t, err)
	var doc struct {
		ReturnCode string `xml:"return_code"`
		MchID      string `xml:"mch_id"`
		ReqInfo    string `xml:"req_info"`
		Sign       *string
	}
	require.NoError(t, xml.Unmarshal(body, &doc))
	require.Equal(t, "SUCCESS", doc.ReturnCode)
	require.Equal(t, srv.MchID, doc.MchID)
	require.Nil(t, doc.Sign)
	require.Equal(t, "sQHh/cSF5F2ms58BHQoBmSe6PR7CX1bhrvBSH9Qhny+XrJMY2DfYIO50b51BFVxzk/GNmvI9NBWlrTMA5+VT+Ab/5JopDsr0SxnGBcoiwMA=", doc.ReqInfo)
}

func TestSendNotification(t *testing.T) {
	srv := wxpaytest.NewServer(t)
	var got *http.Request
	var gotBody []byte
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r
		gotBody, _ = io.ReadAll(r.Body)
		w.WriteHeader(http.StatusTeapot)
		_, _ = w.Write([]byte("reply"))
	}))
	defer hs.Close()
	h := http.Header{"Wechatpay-Nonce": {"n"}}
	status, reply, err := srv.SendNotification(context.Background(), hs.URL+"/cb", h, []byte("<xml></xml>"))
	require.NoError(t, err)
	require.Equal(t, http.StatusTeapot, status)
	require.Equal(t, "reply", string(reply))
	require.Equal(t, http.MethodPost, got.Method)
	require.Equal(t, "/cb", got.URL.Path)
	require.Equal(t, "n", got.Header.Get("Wechatpay-Nonce"))
	require.Equal(t, "text/xml", got.Header.Get("Content-Type"))
	require.Equal(t, "<xml></xml>", string(gotBody))
}
