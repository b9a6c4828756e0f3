package wxpaytest

import (
	"bytes"
	"compress/gzip"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"strconv"
	"strings"
)

// Bills and receipts, consistent end to end: an endpoint whose answer carries a
// download_url (v3/bill/tradebill, v3/bill/fundflowbill, the sub-merchant and 收付通
// bills, transfer receipts, …) answers a URL on this server with a fresh token, and a
// hash_value that is the SHA-1 of the file that URL then serves (uncompressed, as the
// platform computes it; the file itself is gzip when the request asked tar_type=GZIP).
// Bills are served from v3/billdownload/file, receipts (PDF) from
// v3/transferdownload/signfile. A trade bill lists the server's paid orders.

// issued is a file handed out through a download_url.
type issued struct {
	body []byte // what is served
}

const maxIssued = 1000

// issueFiles rewrites every object of an answer that has a download_url: the URL points
// at this server with a new token, hash_type is SHA1 and hash_value the file's SHA-1.
func (s *Server) issueFiles(path string, v any, echo map[string]any) {
	switch t := v.(type) {
	case map[string]any:
		if _, ok := t["download_url"].(string); ok {
			file, at := s.fileFor(path), "v3/billdownload/file"
			if !strings.Contains(path, "bill") || strings.Contains(path, "receipt") {
				at = "v3/transferdownload/signfile"
			}
			served := file
			if tar, _ := echo["tar_type"].(string); tar == "GZIP" && at == "v3/billdownload/file" {
				var b bytes.Buffer
				zw := gzip.NewWriter(&b)
				_, _ = zw.Write(file)
				_ = zw.Close()
				served = b.Bytes()
			}
			token := strings.ToLower(nonce())
			s.mu.Lock()
			if len(s.files) >= maxIssued {
				s.files = map[string]issued{} // a test double: forget old tokens rather than grow
			}
			s.files[token] = issued{body: served}
			s.mu.Unlock()
			t["download_url"] = s.URL + at + "?token=" + token
			// The digest the endpoint's schema names (its example's hash_type): SHA1 for the
			// bills, SHA256 or SM3 for some receipts. SM3 is not in the standard library:
			// its hash_value stays the catalog's example.
			if _, ok := t["hash_value"]; ok {
				switch ht, _ := t["hash_type"].(string); strings.ToUpper(ht) {
				case "", "SHA1":
					sum := sha1.Sum(file)
					t["hash_value"] = hex.EncodeToString(sum[:])
				case "SHA256":
					sum := sha256.Sum256(file)
					t["hash_value"] = hex.EncodeToString(sum[:])
				}
			}
		}
		for _, x := range t {
			s.issueFiles(path, x, echo)
		}
	case []any:
		for _, x := range t {
			s.issueFiles(path, x, echo)
		}
	}
}

// fileFor is the file an apply endpoint hands out.
func (s *Server) fileFor(path string) []byte {
	switch {
	case strings.Contains(path, "receipt") || strings.Contains(path, "elecsign"):
		return binaryFile("v3/transferdownload/signfile")
	case strings.Contains(path, "fundflow") || strings.Contains(path, "withdraw"):
		return s.fundFlowBill()
	}
	return s.sampleBill()
}

// issuedFile is the file served for a token, or nil.
func (s *Server) issuedFile(token any) []byte {
	t, _ := token.(string)
	s.mu.Lock()
	defer s.mu.Unlock()
	if f, ok := s.files[t]; ok && t != "" {
		return f.body
	}
	return nil
}

// sampleBill is the trade bill: a line per paid order of this server (a sample line
// when there is none), then the totals, as the platform writes it (values after a `).
func (s *Server) sampleBill() []byte {
	var b strings.Builder
	b.WriteString("交易时间,公众账号ID,商户号,微信订单号,商户订单号,交易状态,应结订单金额\n")
	s.mu.Lock()
	var paid []order
	for _, o := range s.orders {
		if !o.Paid.IsZero() {
			paid = append(paid, *o)
		}
	}
	s.mu.Unlock()
	slices.SortFunc(paid, func(a, b order) int { return a.Paid.Compare(b.Paid) })
	if len(paid) == 0 {
		b.WriteString("`2026-11-24 10:00:00,`" + sandboxAppID + ",`" + s.MchID + ",`4200000000000000000000000001,`wxpaytest-1,`SUCCESS,`0.01\n")
	}
	total := 0
	for _, o := range paid {
		total += o.Total
		b.WriteString("`" + o.Paid.In(chinaTime).Format("2006-01-02 15:04:05") + ",`" + o.AppID + ",`" + o.MchID + ",`" +
			o.TransactionID + ",`" + o.OutTradeNo + ",`SUCCESS,`" + yuan(o.Total) + "\n")
	}
	if len(paid) > 0 {
		b.WriteString("总交易单数,应结订单总金额\n`" + strconv.Itoa(len(paid)) + ",`" + yuan(total) + "\n")
	}
	return []byte(b.String())
}

// fundFlowBill is a sample fund-flow bill.
func (s *Server) fundFlowBill() []byte {
	return []byte("记账时间,微信支付业务单号,资金流水单号,业务名称,业务类型,收支类型,收支金额（元）,账户结余（元）\n" +
		"`2026-11-24 10:00:00,`4200000000000000000000000001,`4200000000000000000000000001,`交易,`交易,`收入,`0.01,`0.01\n")
}

// yuan writes an amount in fen as yuan with two decimals.
func yuan(fen int) string {
	return strconv.Itoa(fen/100) + "." + strconv.Itoa(fen%100/10) + strconv.Itoa(fen%10)
}
