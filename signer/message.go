package signer

import (
	"crypto/sha256"
	"strconv"
)

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
	return appendMessage(make([]byte, 0, len(method)+len(target)+len(ts)+len(nonce)+len(body)+5), method, target, ts, nonce, body)
}

// appendMessage appends [Message] to dst; ts is the timestamp already in decimal.
func appendMessage(dst []byte, method, target string, ts []byte, nonce string, body []byte) []byte {
	dst = appendMessageHead(dst, method, target, ts, nonce)
	dst = append(dst, body...)
	return append(dst, '\n')
}

// appendMessageHead appends the lines of [Message] that come before the body.
func appendMessageHead(dst []byte, method, target string, ts []byte, nonce string) []byte {
	dst = append(dst, method...)
	dst = append(dst, '\n')
	dst = append(dst, target...)
	dst = append(dst, '\n')
	dst = append(dst, ts...)
	dst = append(dst, '\n')
	dst = append(dst, nonce...)
	return append(dst, '\n')
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
	return appendResponseMessage(make([]byte, 0, len(timestamp)+len(nonce)+len(body)+3), timestamp, nonce, body)
}

func appendResponseMessage(dst []byte, timestamp, nonce string, body []byte) []byte {
	dst = appendResponseHead(dst, timestamp, nonce)
	dst = append(dst, body...)
	return append(dst, '\n')
}

// appendResponseHead appends the lines of [ResponseMessage] that come before the body.
func appendResponseHead(dst []byte, timestamp, nonce string) []byte {
	dst = append(dst, timestamp...)
	dst = append(dst, '\n')
	dst = append(dst, nonce...)
	return append(dst, '\n')
}

// stackMessage is the size up to which a message is assembled in a buffer on the stack
// for hashing; longer ones (large bodies) are hashed as a stream instead of copied.
const stackMessage = 1024

// messageDigest returns the SHA-256 of [Message](method, target, ts, nonce, body).
func messageDigest(method, target string, ts []byte, nonce string, body []byte) [sha256.Size]byte {
	if len(method)+len(target)+len(ts)+len(nonce)+len(body)+5 > stackMessage {
		h := sha256.New()
		h.Write(appendMessageHead(nil, method, target, ts, nonce))
		h.Write(body)
		h.Write(newline)
		return [sha256.Size]byte(h.Sum(nil))
	}
	var buf [stackMessage]byte
	return sha256.Sum256(appendMessage(buf[:0], method, target, ts, nonce, body))
}

// responseDigest returns the SHA-256 of [ResponseMessage](timestamp, nonce, body).
func responseDigest(timestamp, nonce string, body []byte) [sha256.Size]byte {
	if len(timestamp)+len(nonce)+len(body)+3 > stackMessage {
		h := sha256.New()
		h.Write(appendResponseHead(nil, timestamp, nonce))
		h.Write(body)
		h.Write(newline)
		return [sha256.Size]byte(h.Sum(nil))
	}
	var buf [stackMessage]byte
	return sha256.Sum256(appendResponseMessage(buf[:0], timestamp, nonce, body))
}

var newline = []byte{'\n'}
