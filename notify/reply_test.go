package notify_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/wxpay-go/wxpay/notify"
	"github.com/wxpay-go/wxpay/wxpaytest"
)

// answer is what a callback endpoint sent back.
type answer struct {
	status      int
	contentType string
	body        string
}

// TestReplyMatchesHandler feeds the same callbacks to Parser.Handler and to a
// framework-style handler that has read the body itself and answers with Reply (and, for a
// framework without an http.ResponseWriter, ReplyFor): every answer must be the same,
// status, Content-Type and bytes.
func TestReplyMatchesHandler(t *testing.T) {
	srv := wxpaytest.NewServer(t)
	p := parserFor(t, srv)
	noV3Key := &notify.Parser{Verifier: p.Verifier, APIv2Key: p.APIv2Key}
	appErr := errors.New("database is down: secret dsn")

	v3Header, v3Body, err := srv.NotificationV3("TRANSACTION.SUCCESS", "transaction", txResource)
	require.NoError(t, err)
	v2Body := srv.NotificationV2([][2]string{{"appid", "wxd678efh567hg6787"}, {"mch_id", srv.MchID},
		{"result_code", "SUCCESS"}, {"out_trade_no", "T2002"}, {"total_fee", "101"}})
	tampered := append([]byte(nil), v3Body...)
	tampered[len(tampered)-2] ^= 1
	badV2 := []byte(strings.Replace(string(v2Body), "T2002", "T2003", 1))
	refusedV2 := []byte(strings.Replace(string(v2Body), "<return_code><![CDATA[SUCCESS]]>", "<return_code><![CDATA[FAIL]]>", 1))

	cases := []struct {
		name   string
		p      *notify.Parser
		header http.Header
		body   []byte
		fnErr  error
		status int
	}{
		{"v3 ok", p, v3Header, v3Body, nil, 200},
		{"v3 tampered", p, v3Header, tampered, nil, 401},
		{"v3 no headers", p, http.Header{}, v3Body, nil, 401},
		{"v3 parser without APIv3 key", noV3Key, v3Header, v3Body, nil, 400},
		{"v3 application error", p, v3Header, v3Body, appErr, 500},
		{"v2 ok", p, nil, v2Body, nil, 200},
		{"v2 bad sign", p, nil, badV2, nil, 400},
		{"v2 return_code FAIL", p, nil, refusedV2, nil, 400},
		{"v2 application error", p, nil, v2Body, appErr, 500},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			fn := func(context.Context, *notify.Notification) error { return c.fnErr }
			want := post(t, c.p.Handler(fn), c.header, c.body)
			require.Equal(t, c.status, want.status, want.body)

			// gin, echo, go-zero…: the framework has read the body; Parse, process, Reply.
			framework := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				body, err := io.ReadAll(r.Body)
				if err == nil {
					var n *notify.Notification
					if n, err = c.p.Parse(r.Header, body); err == nil {
						err = fn(r.Context(), n)
					}
				}
				notify.Reply(w, body, err)
			})
			require.Equal(t, want, post(t, framework, c.header, c.body))

			// fasthttp, hertz…: only the status, type and bytes are needed.
			bytesOnly := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				body, _ := io.ReadAll(r.Body)
				n, err := c.p.Parse(r.Header, body)
				if err == nil {
					err = fn(r.Context(), n)
				}
				status, contentType, reply := notify.ReplyFor(body, err)
				if contentType != "" {
					w.Header().Set("Content-Type", contentType)
				}
				w.WriteHeader(status)
				_, _ = w.Write(reply)
			})
			require.Equal(t, want, post(t, bytesOnly, c.header, c.body))
			require.NotContains(t, want.body, "secret", "the application's error text stays on the merchant's side")
		})
	}
}

// post sends a callback to h over a real loopback connection.
func post(t *testing.T, h http.Handler, header http.Header, body []byte) answer {
	t.Helper()
	hs := httptest.NewServer(h)
	defer hs.Close()
	req, err := http.NewRequest(http.MethodPost, hs.URL+"/notify", strings.NewReader(string(body)))
	require.NoError(t, err)
	for k, vs := range header {
		req.Header[k] = vs
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return answer{resp.StatusCode, resp.Header.Get("Content-Type"), string(b)}
}
