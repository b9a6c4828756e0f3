package wxpay_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha1"
	"encoding/hex"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wxpay-go/wxpay"
	"github.com/wxpay-go/wxpay/wxpaytest"
)

var billCSV = []byte("交易时间,公众账号ID,商户号,微信订单号,商户订单号,交易状态,应结订单金额\n" +
	strings.Repeat("`2026-11-22 10:00:00,`wxd678efh567hg6787,`1900000109,`4200000001,`T1,`SUCCESS,`0.01\n", 300) +
	"总交易单数,应结订单总金额\n`300,`3.00\n")

func sha1Hex(b []byte) string {
	s := sha1.Sum(b)
	return hex.EncodeToString(s[:])
}

func billServer(t *testing.T) *wxpaytest.Server {
	srv := wxpaytest.NewServer(t)
	srv.Handle("GET", "v3/billdownload/file", func(r *wxpaytest.Request) *wxpaytest.Reply {
		if r.Query.Get("token") == "" {
			return &wxpaytest.Reply{Status: 400, JSON: map[string]string{"code": "PARAM_ERROR", "message": "token"}}
		}
		return &wxpaytest.Reply{Body: billCSV, Unsigned: true, Gzip: r.Query.Get("gz") == "1"}
	})
	return srv
}

func TestDownloadBill(t *testing.T) {
	srv := billServer(t)
	wx := newClient(t, srv)
	ctx := context.Background()
	const token = "6XIv5TUPto7pByrTQKhd6kwvyKLG2uY2wMMR8cNXqaA_Cv_isgaUtBzp4QtiozLO+/="
	dl := "https://api.mch.weixin.qq.com/v3/billdownload/file?token=" + url.QueryEscape(token) + "&gz="

	for _, gz := range []string{"", "1"} { // Content-Encoding: gzip is undone, the digest is of the file
		rc, err := wx.DownloadBill(ctx, dl+gz, "SHA1", strings.ToUpper(sha1Hex(billCSV)))
		require.NoError(t, err)
		got, err := io.ReadAll(rc)
		require.NoError(t, err)
		require.NoError(t, rc.Close())
		assert.Equal(t, billCSV, got)

		r := srv.LastRequest() // recorded only after checkV3 passed: the request was signed
		assert.Equal(t, "/v3/billdownload/file?token="+strings.NewReplacer("+", "%2B", "/", "%2F", "=", "%3D").Replace(token)+"&gz="+gz, r.RequestURI)
		assert.Equal(t, token, r.Query.Get("token"))
		assert.Contains(t, r.Header.Get("Authorization"), "WECHATPAY2-SHA256-RSA2048 ")
	}

	// A wrong digest: everything is read, then the error instead of io.EOF.
	rc, err := wx.DownloadBill(ctx, dl, "SHA1", sha1Hex([]byte("another file")))
	require.NoError(t, err)
	got, err := io.ReadAll(rc)
	assert.ErrorIs(t, err, wxpay.ErrVerification)
	assert.Equal(t, billCSV, got)
	_, err = rc.Read(make([]byte, 8))
	assert.ErrorIs(t, err, wxpay.ErrVerification, "the error sticks")
	require.NoError(t, rc.Close())

	// No hash_value: no check.
	rc, err = wx.DownloadBill(ctx, dl, "", "")
	require.NoError(t, err)
	got, err = io.ReadAll(rc)
	require.NoError(t, err)
	rc.Close()
	assert.Equal(t, billCSV, got)

	// Refused before sending.
	n := len(srv.Requests())
	for _, c := range [][3]string{
		{dl, "MD5", sha1Hex(billCSV)},
		{dl, "", sha1Hex(billCSV)},
		{dl, "SHA1", "zz"},
		{"/v3/billdownload/file?token=x", "SHA1", sha1Hex(billCSV)},
		{"https://api.mch.weixin.qq.com/billdownload/file?token=x", "", ""},
		{"ftp://api.mch.weixin.qq.com/v3/billdownload/file?token=x", "", ""},
	} {
		_, err := wx.DownloadBill(ctx, c[0], c[1], c[2])
		assert.Error(t, err, "%v", c)
	}
	assert.Len(t, srv.Requests(), n)

	// An error answer is an APIError, not a stream.
	_, err = wx.DownloadBill(ctx, "https://api.mch.weixin.qq.com/v3/billdownload/file", "SHA1", sha1Hex(billCSV))
	var ae *wxpay.APIError
	require.ErrorAs(t, err, &ae)
	assert.Equal(t, "PARAM_ERROR", ae.Code)
}

func TestDownloadTradeBillFlow(t *testing.T) {
	srv := billServer(t)
	wx := newClient(t, srv)
	ctx := context.Background()
	srv.Handle("GET", "v3/bill/tradebill", func(r *wxpaytest.Request) *wxpaytest.Reply {
		if r.Query.Get("bill_date") != "2026-11-22" {
			return &wxpaytest.Reply{Status: 400, JSON: map[string]string{"code": "PARAM_ERROR", "message": "bill_date"}}
		}
		return &wxpaytest.Reply{JSON: map[string]string{
			"download_url": srv.URL + "v3/billdownload/file?token=tok-" + r.Query.Get("bill_type") + "&tartype=",
			"hash_type":    "SHA1",
			"hash_value":   sha1Hex(billCSV),
		}}
	})

	resp, err := wx.Chain("v3/bill/tradebill").Get(ctx, wxpay.Query("bill_date", "2026-11-22"), wxpay.Query("bill_type", "ALL"))
	require.NoError(t, err)
	var apply struct {
		DownloadURL string `json:"download_url"`
		HashType    string `json:"hash_type"`
		HashValue   string `json:"hash_value"`
	}
	require.NoError(t, resp.Decode(&apply))
	rc, err := wx.DownloadBill(ctx, apply.DownloadURL, apply.HashType, apply.HashValue)
	require.NoError(t, err)
	defer rc.Close()
	var got bytes.Buffer
	_, err = io.Copy(&got, rc)
	require.NoError(t, err)
	assert.Equal(t, billCSV, got.Bytes())
	r := srv.LastRequest()
	assert.Equal(t, "/v3/billdownload/file?token=tok-ALL&tartype=", r.RequestURI)
}

// A tar_type=GZIP bill is a gzip file; hash_value is the SHA-1 of the bill inside it.
func TestDownloadBillGzipFile(t *testing.T) {
	srv := wxpaytest.NewServer(t)
	wx := newClient(t, srv)
	csv := []byte("交易时间,公众账号ID\n`2026-11-22 10:00:00,`wx8888888888888888\n")
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	_, _ = zw.Write(csv)
	require.NoError(t, zw.Close())
	srv.Handle("GET", "v3/billdownload/file", func(r *wxpaytest.Request) *wxpaytest.Reply {
		return &wxpaytest.Reply{Body: gz.Bytes(), Unsigned: true, Header: http.Header{"Content-Type": {"application/x-gzip"}}}
	})
	sum := sha1.Sum(csv)
	f, err := wx.DownloadBill(context.Background(), srv.URL+"v3/billdownload/file?token=t&tartype=GZIP", "SHA1", hex.EncodeToString(sum[:]))
	require.NoError(t, err)
	got, err := io.ReadAll(f)
	require.NoError(t, err, "the SHA-1 of the uncompressed bill matches")
	require.NoError(t, f.Close())
	assert.Equal(t, csv, got)
}
