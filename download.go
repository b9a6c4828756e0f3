package wxpay

import (
	"bufio"
	"compress/gzip"
	"context"
	"crypto/sha1"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"net/url"
	"strings"

	"github.com/wxpay-go/wxpay/signer"
)

// DownloadBill downloads a bill or fund-flow file from the download_url an apply call
// returned (v3/bill/tradebill, v3/bill/fundflowbill and their sub-merchant forms answer
// {"download_url","hash_type":"SHA1","hash_value"}). The call goes to the client's own
// base URL — only the path from "v3/" on and the query of downloadURL are used, so the
// merchant's signature never goes to a host named in an answer — signed as usual, and the
// unsigned answer is streamed.
//
// The returned ReadCloser yields the bill itself: a tar_type=GZIP download (a gzip file)
// and a Content-Encoding: gzip answer are both decompressed, because WeChat Pay's
// hash_value is the SHA-1 of the uncompressed bill. The SHA-1 is computed as it is read;
// at the end, if hashValue is not empty and the digest differs, Read returns an error
// wrapping ErrVerification instead of io.EOF. hashType must be "SHA1" (any case) when
// hashValue is given. The caller must Close the reader.
func (c *Client) DownloadBill(ctx context.Context, downloadURL, hashType, hashValue string) (io.ReadCloser, error) {
	var want []byte
	if hashValue != "" {
		if !strings.EqualFold(hashType, "SHA1") {
			return nil, fmt.Errorf("wxpay: DownloadBill: unsupported hash_type %q", hashType)
		}
		var err error
		if want, err = hex.DecodeString(hashValue); err != nil || len(want) != sha1.Size {
			return nil, fmt.Errorf("wxpay: DownloadBill: hash_value %q is not a hex SHA-1", hashValue)
		}
	}
	p, opts, err := downloadPath(downloadURL)
	if err != nil {
		return nil, err
	}
	resp, err := c.Chain(p).Get(ctx, append(opts, Stream())...)
	if err != nil {
		return nil, err
	}
	if resp.Stream == nil { // not an unsigned download: the answer was read and verified
		return nil, fmt.Errorf("wxpay: DownloadBill: %s is not a file download", p)
	}
	// A tar_type=GZIP bill arrives as a gzip file; WeChat Pay's hash_value is the SHA-1 of
	// the bill inside it, so it is decompressed here and the caller reads the bill itself.
	br := bufio.NewReader(resp.Stream)
	var src io.Reader = br
	if magic, _ := br.Peek(2); len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			resp.Stream.Close()
			return nil, fmt.Errorf("%w: DownloadBill: gzip: %v", ErrBadAnswer, err)
		}
		src = zr
	}
	return &billReader{rc: readCloser{src, resp.Stream}, h: sha1.New(), want: want}, nil
}

type readCloser struct {
	io.Reader
	io.Closer
}

// downloadPath turns an absolute download URL into the relative path ("v3/…") and its
// query parameters, in their order.
func downloadPath(downloadURL string) (string, []CallOption, error) {
	u, err := url.Parse(downloadURL)
	if err != nil {
		return "", nil, fmt.Errorf("wxpay: DownloadBill: bad download_url: %w", err)
	}
	if (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return "", nil, fmt.Errorf("wxpay: DownloadBill: download_url %q is not an absolute URL", downloadURL)
	}
	p := u.EscapedPath()
	i := strings.Index(p, "/v3/")
	if i < 0 || strings.ContainsAny(p, "{}") {
		return "", nil, fmt.Errorf("wxpay: DownloadBill: download_url %q is not an APIv3 path", downloadURL)
	}
	p = p[i+1:]
	var opts []CallOption
	for _, kv := range strings.Split(u.RawQuery, "&") {
		if kv == "" {
			continue
		}
		k, v, _ := strings.Cut(kv, "=")
		ku, err1 := url.QueryUnescape(k)
		vu, err2 := url.QueryUnescape(v)
		if err := errors.Join(err1, err2); err != nil {
			return "", nil, fmt.Errorf("wxpay: DownloadBill: bad query in download_url: %w", err)
		}
		opts = append(opts, Query(ku, vu))
	}
	return p, opts, nil
}

// billReader hashes the file as it is read and checks the digest at EOF.
type billReader struct {
	rc   io.ReadCloser
	h    hash.Hash
	want []byte
	err  error // sticky end: io.EOF, a verification error or a read error
}

func (b *billReader) Read(p []byte) (int, error) {
	if b.err != nil {
		return 0, b.err
	}
	n, err := b.rc.Read(p)
	b.h.Write(p[:n])
	if err == io.EOF && b.want != nil {
		if got := b.h.Sum(nil); subtle.ConstantTimeCompare(got, b.want) != 1 {
			err = &VerificationError{Reason: fmt.Errorf("%w: bill file SHA-1 %x, hash_value %x", signer.ErrBadSignature, got, b.want)}
		}
	}
	if err != nil {
		b.err = err
	}
	return n, err
}

func (b *billReader) Close() error { return b.rc.Close() }
