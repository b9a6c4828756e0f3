package transport

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/wxpay-go/wxpay/codec"
)

// Response is a verified answer. For APIv3, Body holds exactly the bytes received and
// their signature has been checked (unless the endpoint is one of the unsigned downloads
// listed in rules.go). For APIv2, the return_code/result_code and the sign field have
// been checked and Body holds the XML as received.
type Response struct {
	StatusCode int
	Header     http.Header
	Body       []byte
	// Stream is the unread answer of a download made with the Stream option (Body is then
	// nil). The caller must read and Close it.
	Stream io.ReadCloser

	v2     bool
	fields codec.Fields // APIv2: the parsed answer (nil for non-XML answers)
	json   codec.Codec  // APIv3: the client's JSON codec (nil: encoding/json)
}

// APIv2 reports whether the answer came from an APIv2 (XML) endpoint.
func (r *Response) APIv2() bool { return r.v2 }

// RequestID returns the Request-ID header WeChat Pay sets on APIv3 answers.
func (r *Response) RequestID() string { return r.Header.Get("Request-Id") }

// Decode decodes the body into v: JSON for APIv3 (with the client's JSON codec, see
// WithJSONCodec, over the verified bytes in Body); for APIv2 the answer's fields into a
// *map[string]string, a *codec.Fields or a pointer to a struct with xml tags.
func (r *Response) Decode(v any) error {
	if r.v2 {
		if r.fields == nil {
			return errors.New("wxpay: this APIv2 answer is not XML; read Body instead")
		}
		return r.fields.Decode(v)
	}
	return codec.DecodeJSONWith(r.json, r.Body, v)
}

// Future is the pending result of an …Async call. The call runs on its own goroutine,
// which ends when the call ends; cancelling the call's context ends it early. A panic on
// that goroutine (a custom crypto.Signer, a RetryPolicy.Retryable) is recovered and
// becomes the Future's error: the process survives. The zero Future is not a call: Wait
// returns ErrInvalidRequest at once, and Done is closed.
type Future struct {
	done chan struct{}
	resp *Response
	err  error
}

// goFuture runs fn on a new goroutine and returns its Future. A nil ctx fails the Future
// without starting fn.
func goFuture(ctx context.Context, fn func(context.Context) (*Response, error)) *Future {
	f := &Future{done: make(chan struct{})}
	if ctx == nil {
		f.err = fmt.Errorf("%w: nil context", ErrInvalidRequest)
		close(f.done)
		return f
	}
	go func() {
		defer close(f.done)
		defer func() {
			if r := recover(); r != nil {
				f.resp, f.err = nil, fmt.Errorf("wxpay: the call panicked: %v", r)
			}
		}()
		f.resp, f.err = fn(ctx)
	}()
	return f
}

// closedDone is the Done channel of the zero Future.
var closedDone = func() chan struct{} { c := make(chan struct{}); close(c); return c }()

// Wait blocks until the call ends and returns its result. It may be called any number
// of times from any goroutine.
func (f *Future) Wait() (*Response, error) {
	if f == nil || f.done == nil {
		return nil, fmt.Errorf("%w: the zero Future is not a call", ErrInvalidRequest)
	}
	<-f.done
	return f.resp, f.err
}

// Done is closed when the call has ended; Wait then returns at once.
func (f *Future) Done() <-chan struct{} {
	if f == nil || f.done == nil {
		return closedDone
	}
	return f.done
}
