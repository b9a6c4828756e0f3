package wxpaytest_test

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wxpay-go/wxpay"
	"github.com/wxpay-go/wxpay/wxpaytest"
)

// An applied-for bill downloads and verifies with the client's DownloadBill as it comes:
// the answer's download_url and hash_value describe the file the server then serves.
func TestBillApplyThenDownload(t *testing.T) {
	srv := wxpaytest.NewServer(t)
	wx, err := wxpay.New(srv.ClientOptions()...)
	require.NoError(t, err)
	ctx := context.Background()

	for _, c := range []struct {
		path  string
		query []wxpay.CallOption
		want  string // a line of the file
	}{
		{"v3/bill/tradebill", []wxpay.CallOption{wxpay.Query("bill_date", "2026-11-24")}, "交易时间"},
		{"v3/bill/tradebill", []wxpay.CallOption{wxpay.Query("bill_date", "2026-11-24"), wxpay.Query("tar_type", "GZIP")}, "交易时间"},
		{"v3/bill/fundflowbill", []wxpay.CallOption{wxpay.Query("bill_date", "2026-11-24")}, "记账时间"},
	} {
		resp, err := wx.Chain(c.path).Get(ctx, c.query...)
		require.NoError(t, err, c.path)
		var apply struct {
			DownloadURL string `json:"download_url"`
			HashType    string `json:"hash_type"`
			HashValue   string `json:"hash_value"`
		}
		require.NoError(t, resp.Decode(&apply))
		require.True(t, strings.HasPrefix(apply.DownloadURL, srv.URL+"v3/billdownload/file?token="), apply.DownloadURL)

		file, err := wx.DownloadBill(ctx, apply.DownloadURL, apply.HashType, apply.HashValue)
		require.NoError(t, err, c.path)
		bill, err := io.ReadAll(file)
		require.NoError(t, err, "%s: the digest verifies", c.path)
		require.NoError(t, file.Close())
		assert.Contains(t, string(bill), c.want)
		sum := sha1.Sum(bill)
		assert.Equal(t, apply.HashValue, hex.EncodeToString(sum[:]))

		// A wrong digest is still caught: the check is real.
		file, err = wx.DownloadBill(ctx, apply.DownloadURL, "SHA1", strings.Repeat("0", 40))
		require.NoError(t, err)
		_, err = io.ReadAll(file)
		file.Close()
		assert.True(t, errors.Is(err, wxpay.ErrVerification), "%v", err)
	}

	// The sub-merchant bills list their files; each one verifies too.
	resp, err := wx.Chain("v3/bill/sub-merchant-fundflowbill").Get(ctx, wxpay.Query("sub_mchid", "1900000110"),
		wxpay.Query("bill_date", "2026-11-24"), wxpay.Query("account_type", "BASIC"), wxpay.Query("algorithm", "AEAD_AES_256_GCM"))
	require.NoError(t, err)
	var sub struct {
		List []struct {
			DownloadURL string `json:"download_url"`
			HashType    string `json:"hash_type"`
			HashValue   string `json:"hash_value"`
		} `json:"download_bill_list"`
	}
	require.NoError(t, resp.Decode(&sub))
	require.NotEmpty(t, sub.List)
	for _, f := range sub.List {
		file, err := wx.DownloadBill(ctx, f.DownloadURL, f.HashType, f.HashValue)
		require.NoError(t, err)
		_, err = io.ReadAll(file)
		file.Close()
		assert.NoError(t, err)
	}
}
