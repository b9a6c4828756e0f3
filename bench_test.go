package wxpay_test

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wxpay-go/wxpay"
	"github.com/wxpay-go/wxpay/wxpaytest"
)

// The benchmarks talk to a lean loopback HTTP server that answers with pre-signed
// replies, so that they measure the client, not the emulator. Compare:
//
//	BenchmarkBareRoundTrip            net/http alone: JSON encode, POST the same headers, read, decode
//	BenchmarkAPIv3Call                full call: RSA sign + send + RSA verify + decode
//	BenchmarkAPIv3CallNoCostSigner    the same with a crypto.Signer that costs nothing
//	BenchmarkAPIv2Call                XML + MD5 sign + send + parse + sign check + decode
//
// The Paired benchmarks (paired_bench_test.go) are what `make bench` reports: they time
// the operations they compare in turn inside one loop, so that the machine's drift cancels.

type benchOrder struct {
	AppID       string `json:"appid"`
	MchID       string `json:"mchid"`
	Description string `json:"description"`
	OutTradeNo  string `json:"out_trade_no"`
	NotifyURL   string `json:"notify_url"`
	Amount      struct {
		Total    int    `json:"total"`
		Currency string `json:"currency"`
	} `json:"amount"`
}

func newBenchOrder() *benchOrder {
	o := &benchOrder{AppID: "wxd678efh567hg6787", MchID: "1900000109", Description: "Image形象店-深圳腾大-QQ公仔",
		OutTradeNo: "1217752501201407033233368018", NotifyURL: "https://www.weixin.qq.com/wxpay/pay.php"}
	o.Amount.Total, o.Amount.Currency = 100, "CNY"
	return o
}

// benchServer answers v3 calls with a body signed by the platform key (re-signed every
// minute, well inside the ±300 s window) and v2 calls with a signed XML answer.
type benchServer struct {
	*httptest.Server
	id        *wxpaytest.Server
	mu        sync.Mutex
	v3hdr     http.Header
	signed    time.Time
	v3body    []byte
	v2body    []byte
	v2req     *http.Request // the first APIv2 request, with its body in v2reqBody
	v2reqBody []byte
}

func newBenchServer(b *testing.B) *benchServer {
	id := wxpaytest.NewServer(b) // the identity; its own TLS server is not used here
	s := &benchServer{id: id, v3body: []byte(`{"code_url":"weixin://wxpay/bizpayurl?pr=NwY5Mz9&groupid=00"}`)}
	fields := [][2]string{{"return_code", "SUCCESS"}, {"return_msg", "OK"}, {"appid", "wx2421b1c4370ec43b"},
		{"mch_id", "1900000109"}, {"nonce_str", "IITRi8Iabbblz1Jc"}, {"result_code", "SUCCESS"},
		{"openid", "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"}, {"trade_type", "NATIVE"}, {"trade_state", "SUCCESS"},
		{"bank_type", "CMC"}, {"total_fee", "101"}, {"transaction_id", "1008450740201411110005820873"},
		{"out_trade_no", "1415757673"}, {"time_end", "20141111170043"}}
	var x bytes.Buffer
	x.WriteString("<xml>")
	for _, f := range append(fields, [2]string{"sign", id.SignV2(fields, "MD5")}) {
		x.WriteString("<" + f[0] + "><![CDATA[" + f[1] + "]]></" + f[0] + ">")
	}
	x.WriteString("</xml>")
	s.v2body = x.Bytes()
	s.Server = httptest.NewServer(http.HandlerFunc(s.handle))
	b.Cleanup(s.Close)
	return s
}

func (s *benchServer) handle(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	if r.URL.Path == "/pay/orderquery" {
		s.mu.Lock()
		if s.v2req == nil {
			s.v2req, s.v2reqBody = r.Clone(context.Background()), body
		}
		s.mu.Unlock()
		w.Header()["Content-Type"] = []string{"text/xml"}
		_, _ = w.Write(s.v2body)
		return
	}
	s.mu.Lock()
	if time.Since(s.signed) > time.Minute {
		ts := strconv.FormatInt(time.Now().Unix(), 10)
		nonce := "c5ac7061fccab6bf3e254dcf98995b8c"
		sum := sha256.Sum256([]byte(ts + "\n" + nonce + "\n" + string(s.v3body) + "\n"))
		sig, _ := rsa.SignPKCS1v15(nil, s.id.PlatformKey, crypto.SHA256, sum[:])
		s.v3hdr = http.Header{"Content-Type": {"application/json"}, "Wechatpay-Timestamp": {ts}, "Wechatpay-Nonce": {nonce},
			"Wechatpay-Serial": {s.id.PlatformSerial}, "Wechatpay-Signature": {base64.StdEncoding.EncodeToString(sig)},
			"Request-Id": {"08F78BB5AF0610D302102F1A8A06B6F8"}}
		s.signed = time.Now()
	}
	hdr := s.v3hdr
	s.mu.Unlock()
	for k, v := range hdr {
		w.Header()[k] = v
	}
	_, _ = w.Write(s.v3body)
}

// noCostSigner is a crypto.Signer whose signatures cost nothing (the server does not check
// them): not even an allocation, so that what is measured is the SDK's work around the
// signer. Every call returns the same zero signature, which the SDK only reads.
type noCostSigner struct{ pub crypto.PublicKey }

var noCostSignature = make([]byte, 256)

func (n noCostSigner) Public() crypto.PublicKey { return n.pub }
func (noCostSigner) Sign(io.Reader, []byte, crypto.SignerOpts) ([]byte, error) {
	return noCostSignature, nil
}

func benchClient(b *testing.B, s *benchServer, key crypto.Signer) *wxpay.Client {
	wx, err := wxpay.New(wxpay.WithBaseURL(s.URL+"/"), wxpay.WithMerchant(s.id.MchID, s.id.MerchantSerial, key),
		wxpay.WithPlatformCertificates(s.id.PlatformCert), wxpay.WithAPIv2Key(s.id.APIv2Key))
	if err != nil {
		b.Fatal(err)
	}
	return wx
}

// bareHeader is the header set an APIv3 request carries, as static strings: the bare
// round trip sends the same bytes a signed call does, so the difference is the SDK's work.
var bareHeader = http.Header{
	"Content-Type":     {"application/json"},
	"Accept":           {"application/json"},
	"User-Agent":       {"wxpay-go/0.1.0 (linux/amd64) go1.26.8"},
	"Wechatpay-Serial": {"5157F09EFDC096DE15EBE81A47057A7232F5B8E1"},
	"Authorization": {`WECHATPAY2-SHA256-RSA2048 mchid="1900000109",serial_no="3775B6A45ACD588826D15E583A95F5DD2C5C9DB8",timestamp="1554208460",nonce_str="593BEC0C930BF1AFEB40B4A08C8FB242",signature="` +
		strings.Repeat("A", 342) + `=="`},
}

// The loops below are the measured work; each runs a scenario n times.

// bareLoop is the floor: what any client does for this call with net/http alone (as in
// the research's baseline "net/http, manual JSON POST + decode"): encode the body, POST
// it with the same headers, read the answer, decode it.
func bareLoop(s *benchServer, hc *http.Client, n int) error {
	order := newBenchOrder()
	var out struct {
		CodeURL string `json:"code_url"`
	}
	for i := 0; i < n; i++ {
		body, err := json.Marshal(order)
		if err != nil {
			return err
		}
		req, _ := http.NewRequest(http.MethodPost, s.URL+"/v3/pay/transactions/native", bytes.NewReader(body))
		for k, v := range bareHeader {
			req.Header[k] = v
		}
		resp, err := hc.Do(req)
		if err != nil {
			return err
		}
		answer, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			return err
		}
		if err := json.Unmarshal(answer, &out); err != nil {
			return err
		}
	}
	return nil
}

func v3Loop(wx *wxpay.Client, n int) error {
	node, ctx, order := wx.Chain("v3/pay/transactions/native"), context.Background(), newBenchOrder()
	var out struct {
		CodeURL string `json:"code_url"`
	}
	for i := 0; i < n; i++ {
		resp, err := node.Post(ctx, order)
		if err != nil {
			return err
		}
		if err := resp.Decode(&out); err != nil {
			return err
		}
	}
	return nil
}

func v2Loop(wx *wxpay.Client, n int) error {
	node, ctx := wx.Chain("v2/pay/orderquery"), context.Background()
	body := map[string]string{"appid": "wx2421b1c4370ec43b", "mch_id": "1900000109", "out_trade_no": "1415757673"}
	var out struct {
		TradeState string `xml:"trade_state"`
	}
	for i := 0; i < n; i++ {
		resp, err := node.Post(ctx, body)
		if err != nil {
			return err
		}
		if err := resp.Decode(&out); err != nil || out.TradeState != "SUCCESS" {
			return fmt.Errorf("decode: %v %v", err, out)
		}
	}
	return nil
}

func run(b *testing.B, loop func(n int) error) {
	b.ReportAllocs()
	b.ResetTimer()
	if err := loop(b.N); err != nil {
		b.Fatal(err)
	}
}

func newHTTPClient() *http.Client {
	return &http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone()}
}

func BenchmarkBareRoundTrip(b *testing.B) {
	s, hc := newBenchServer(b), newHTTPClient()
	run(b, func(n int) error { return bareLoop(s, hc, n) })
}

func BenchmarkAPIv3Call(b *testing.B) {
	s := newBenchServer(b)
	wx := benchClient(b, s, s.id.MerchantKey)
	run(b, func(n int) error { return v3Loop(wx, n) })
}

func BenchmarkAPIv3CallNoCostSigner(b *testing.B) {
	s := newBenchServer(b)
	wx := benchClient(b, s, noCostSigner{&s.id.MerchantKey.PublicKey})
	run(b, func(n int) error { return v3Loop(wx, n) })
}

func BenchmarkAPIv2Call(b *testing.B) {
	s := newBenchServer(b)
	wx := benchClient(b, s, s.id.MerchantKey)
	run(b, func(n int) error { return v2Loop(wx, n) })
}
