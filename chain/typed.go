package chain

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"sync"

	"github.com/wxpay-go/wxpay/transport"
)

// The typed verbs of the generated trees (packages apiv3 and apiv2) are one call each to
// Call, Exec, CallAsync or ExecAsync.
//
// A request is a pointer to a generated struct, or nil. Its fields tagged url:"name" are
// query parameters: each set one is sent as a Query option (a nil pointer, an empty string
// or an empty slice is not sent; a slice is sent comma-separated). The struct itself, when
// it has any other field, is the body: JSON for APIv3, XML fields for APIv2 (the query
// fields are tagged json:"-" xml:"-"). Any other non-nil request value (the []byte of
// a multipart upload) is sent as the body as it is.

// The generated trees name transport's types through these aliases, so that they import
// chain alone: an edit to transport that leaves chain's compiled form as it was does not
// recompile them.
type (
	// CallOption is transport.CallOption (wxpay.CallOption).
	CallOption = transport.CallOption
	// Response is transport.Response (wxpay.Response): a verified answer.
	Response = transport.Response
	// Pending is transport.Future: the pending result of an …Async call with no typed answer.
	Pending = transport.Future
)

// Call sends the request and decodes a successful answer into out, a pointer to a new
// answer value, which it returns. On error the answer is nil, and the *Response is
// returned when there was one (an APIError's answer, say). An empty answer body leaves
// out zero. (The answer is a type parameter of pointer shape, so that every generated
// verb shares one compiled body.)
func Call[P any](ctx context.Context, n Node, method string, req any, out P, opts []CallOption) (P, *Response, error) {
	resp, err := call(ctx, n, method, req, out, opts)
	if err != nil {
		var none P
		return none, resp, err
	}
	return out, resp, nil
}

// Exec sends the request of an endpoint that answers no body.
func Exec(ctx context.Context, n Node, method string, req any, opts []CallOption) (*Response, error) {
	return call(ctx, n, method, req, nil, opts)
}

func call(ctx context.Context, n Node, method string, req, out any, opts []CallOption) (*Response, error) {
	body, opts, err := prepare(req, opts)
	if err != nil {
		return nil, err
	}
	resp, err := n.Do(ctx, method, body, opts...)
	if err != nil || out == nil {
		return resp, err
	}
	return resp, decodeAnswer(resp, out)
}

// Future is the pending typed answer of a generated …Async verb; P is a pointer to the
// answer type.
type Future[P any] struct {
	f    *Pending
	once sync.Once
	out  P
	err  error
}

// CallAsync is Call on its own goroutine.
func CallAsync[P any](ctx context.Context, n Node, method string, req any, out P, opts []CallOption) *Future[P] {
	return &Future[P]{f: callAsync(ctx, n, method, req, opts), out: out}
}

// ExecAsync is Exec on its own goroutine.
func ExecAsync(ctx context.Context, n Node, method string, req any, opts []CallOption) *Pending {
	return callAsync(ctx, n, method, req, opts)
}

func callAsync(ctx context.Context, n Node, method string, req any, opts []CallOption) *Pending {
	body, opts, err := prepare(req, opts)
	if err != nil {
		if n.doer == nil {
			return new(Pending) // the zero Future: Wait reports ErrInvalidRequest
		}
		return n.doer.Go(ctx, func(context.Context) (*Response, error) { return nil, err })
	}
	return n.DoAsync(ctx, method, body, opts...)
}

// Wait blocks until the call ends and returns its typed answer, as Call does. It may be
// called any number of times from any goroutine.
func (f *Future[P]) Wait() (P, *Response, error) {
	resp, err := f.f.Wait()
	if err == nil {
		f.once.Do(func() { f.err = decodeAnswer(resp, f.out) })
		err = f.err
	}
	if err != nil {
		var none P
		return none, resp, err
	}
	return f.out, resp, nil
}

// Done is closed when the call has ended; Wait then returns at once.
func (f *Future[P]) Done() <-chan struct{} { return f.f.Done() }

// decodeAnswer decodes a verified answer with Response.Decode: JSON for APIv3 and for the
// APIv2 endpoints that answer JSON (the pipeline marks those as JSON), the XML fields for
// the other APIv2 endpoints.
func decodeAnswer(resp *Response, out any) error {
	if len(bytes.TrimSpace(resp.Body)) == 0 && resp.Stream == nil {
		return nil
	}
	if err := resp.Decode(out); err != nil {
		return fmt.Errorf("wxpay: decoding the answer into %T: %w", out, err)
	}
	return nil
}

// prepare splits a generated request into its body and its query options.
func prepare(req any, opts []CallOption) (any, []CallOption, error) {
	if req == nil {
		return nil, opts, nil
	}
	rv := reflect.ValueOf(req)
	if rv.Kind() != reflect.Pointer || rv.Type().Elem().Kind() != reflect.Struct {
		return req, opts, nil // a prepared body: multipart bytes
	}
	if rv.IsNil() {
		return nil, opts, nil
	}
	info := requestInfoOf(rv.Type().Elem())
	sv := rv.Elem()
	var q []CallOption
	for _, f := range info.query {
		if v, ok := queryText(sv.Field(f.index)); ok {
			q = append(q, transport.Query(f.name, v))
		}
	}
	if len(q) > 0 {
		opts = append(q, opts...)
	}
	if !info.body {
		return nil, opts, nil
	}
	return req, opts, nil
}

type requestInfo struct {
	query []queryField
	body  bool // a field that is not a query parameter
}

type queryField struct {
	index int
	name  string
}

var requestInfos sync.Map // reflect.Type → *requestInfo

func requestInfoOf(t reflect.Type) *requestInfo {
	if v, ok := requestInfos.Load(t); ok {
		return v.(*requestInfo)
	}
	info := &requestInfo{}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		if name, ok := f.Tag.Lookup("url"); ok {
			info.query = append(info.query, queryField{i, strings.Split(name, ",")[0]})
		} else {
			info.body = true
		}
	}
	v, _ := requestInfos.LoadOrStore(t, info)
	return v.(*requestInfo)
}

// queryText renders a query field; ok is false for an unset one.
func queryText(v reflect.Value) (string, bool) {
	if v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return "", false
		}
		v = v.Elem()
	}
	switch v.Kind() {
	case reflect.String:
		return v.String(), v.Len() > 0
	case reflect.Bool:
		return strconv.FormatBool(v.Bool()), true
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return strconv.FormatInt(v.Int(), 10), true
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return strconv.FormatUint(v.Uint(), 10), true
	case reflect.Float32, reflect.Float64:
		return strconv.FormatFloat(v.Float(), 'f', -1, v.Type().Bits()), true
	case reflect.Slice:
		if v.Len() == 0 {
			return "", false
		}
		parts := make([]string, v.Len())
		for i := range parts {
			parts[i], _ = queryText(v.Index(i))
		}
		return strings.Join(parts, ","), true
	}
	return "", false
}

// JSONText returns v's JSON as a string: the value of a field that holds JSON in a string
// (x-json fields, APIv2 fields such as detail and scene_info). For generated code.
func JSONText(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return ""
	}
	return string(b)
}

// MarshalJSONText encodes v as a JSON string holding v's JSON. For generated code.
func MarshalJSONText(v any) ([]byte, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return json.Marshal(string(b))
}

// UnmarshalJSONText decodes a JSON string holding JSON into v. For generated code.
func UnmarshalJSONText(data []byte, v any) error {
	var s string
	if err := json.Unmarshal(data, &s); err != nil {
		return err
	}
	return json.Unmarshal([]byte(s), v)
}
