package signer

import "strconv"

// Message returns the exact APIv3 request message that is signed:
//
//	METHOD\nTARGET\nTIMESTAMP\nNONCE\nBODY\n
//
// Five lines, each terminated by LF, including the last one when body is
// empty (an empty GET ends in "…NONCE\n\n"). method and target are used
// verbatim: method must be the upper-case method sent on the wire and target
// the escaped path plus "?query" exactly as sent. timestamp is written in
// decimal. The result is built with a single allocation.
func Message(method, target string, timestamp int64, nonce string, body []byte) []byte {
	var tsb [20]byte
	ts := strconv.AppendInt(tsb[:0], timestamp, 10)
	b := make([]byte, 0, len(method)+len(target)+len(ts)+len(nonce)+len(body)+5)
	b = append(b, method...)
	b = append(b, '\n')
	b = append(b, target...)
	b = append(b, '\n')
	b = append(b, ts...)
	b = append(b, '\n')
	b = append(b, nonce...)
	b = append(b, '\n')
	b = append(b, body...)
	b = append(b, '\n')
	return b
}

// ResponseMessage returns the exact APIv3 response (or callback) message that
// WeChat Pay signs:
//
//	TIMESTAMP\nNONCE\nBODY\n
//
// timestamp and nonce are the Wechatpay-Timestamp and Wechatpay-Nonce header
// values as received; body is the raw (decompressed) response body, which may
// be empty (202/204 answers are signed over "TIMESTAMP\nNONCE\n\n").
func ResponseMessage(timestamp, nonce string, body []byte) []byte {
	b := make([]byte, 0, len(timestamp)+len(nonce)+len(body)+3)
	b = append(b, timestamp...)
	b = append(b, '\n')
	b = append(b, nonce...)
	b = append(b, '\n')
	b = append(b, body...)
	b = append(b, '\n')
	return b
}
