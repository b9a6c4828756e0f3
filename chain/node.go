package chain

import (
	"context"
	"net/http"
	"strings"

	"github.com/wxpay-go/wxpay/internal/wire"
	"github.com/wxpay-go/wxpay/transport"
)

// Doer runs a resolved request: the client's transport pipeline. It is the SDK's own
// plumbing (its argument types are internal); users get nodes from the client.
type Doer interface {
	wire.Pipeline
	Do(ctx context.Context, req *wire.Request) (*transport.Response, error)
	Go(ctx context.Context, fn func(context.Context) (*transport.Response, error)) *transport.Future
}

// Node is one position in a path: a template and the values bound to its placeholders
// so far. A Node is an immutable value: extending it returns a new Node, so one Node may
// be shared by any number of goroutines. Get one from the client (wx.Chain, wx.V3, …):
// the zero Node has no client, and its verbs return ErrZeroNode without sending anything.
type Node struct {
	doer  Doer
	tmpl  *Template
	bound []wire.Param // capacity == length: appends always copy
	err   error        // a template error, reported by the verbs
}

// New returns the node for template s on doer. A malformed template gives a node whose
// verbs return the error (wrapping ErrInvalidTemplate) without sending anything.
func New(doer Doer, s string) Node {
	t, err := Parse(s)
	return Node{doer: doer, tmpl: t, err: err}
}

// FromTemplate returns the node for a parsed template (used by generated code).
func FromTemplate(doer Doer, t *Template) Node { return Node{doer: doer, tmpl: t} }

// Err returns the template error, if any.
func (n Node) Err() error { return n.err }

// Template returns the path template with placeholders in {name} form; bound values are
// not shown.
func (n Node) Template() string {
	if n.tmpl == nil {
		return ""
	}
	return n.tmpl.String()
}

// Chain extends the node with more segments, written like any template ("a/{b}/c").
// Values bound so far stay bound.
func (n Node) Chain(sub string) Node {
	if n.err != nil || n.tmpl == nil {
		return n
	}
	t, err := Parse(strings.TrimSuffix(n.tmpl.String(), "/") + "/" + strings.TrimPrefix(sub, "/"))
	return Node{doer: n.doer, tmpl: t, bound: n.bound, err: err}
}

// Get sends a GET.
func (n Node) Get(ctx context.Context, opts ...transport.CallOption) (*transport.Response, error) {
	return n.Do(ctx, http.MethodGet, nil, opts...)
}

// Delete sends a DELETE (a body, where the endpoint takes one, goes in the Body option).
func (n Node) Delete(ctx context.Context, opts ...transport.CallOption) (*transport.Response, error) {
	return n.Do(ctx, http.MethodDelete, nil, opts...)
}

// Post sends a POST with body: a struct or map (JSON for APIv3, XML fields for APIv2),
// []byte or json.RawMessage (sent and signed as is), or nil.
func (n Node) Post(ctx context.Context, body any, opts ...transport.CallOption) (*transport.Response, error) {
	return n.Do(ctx, http.MethodPost, body, opts...)
}

// Put sends a PUT; body as for Post.
func (n Node) Put(ctx context.Context, body any, opts ...transport.CallOption) (*transport.Response, error) {
	return n.Do(ctx, http.MethodPut, body, opts...)
}

// Patch sends a PATCH; body as for Post.
func (n Node) Patch(ctx context.Context, body any, opts ...transport.CallOption) (*transport.Response, error) {
	return n.Do(ctx, http.MethodPatch, body, opts...)
}

// GetAsync is Get on its own goroutine.
func (n Node) GetAsync(ctx context.Context, opts ...transport.CallOption) *transport.Future {
	return n.DoAsync(ctx, http.MethodGet, nil, opts...)
}

// DeleteAsync is Delete on its own goroutine.
func (n Node) DeleteAsync(ctx context.Context, opts ...transport.CallOption) *transport.Future {
	return n.DoAsync(ctx, http.MethodDelete, nil, opts...)
}

// PostAsync is Post on its own goroutine.
func (n Node) PostAsync(ctx context.Context, body any, opts ...transport.CallOption) *transport.Future {
	return n.DoAsync(ctx, http.MethodPost, body, opts...)
}

// PutAsync is Put on its own goroutine.
func (n Node) PutAsync(ctx context.Context, body any, opts ...transport.CallOption) *transport.Future {
	return n.DoAsync(ctx, http.MethodPut, body, opts...)
}

// PatchAsync is Patch on its own goroutine.
func (n Node) PatchAsync(ctx context.Context, body any, opts ...transport.CallOption) *transport.Future {
	return n.DoAsync(ctx, http.MethodPatch, body, opts...)
}

// Do resolves the path for one call and hands the request to the transport. A missing
// or invalid path value fails here, before anything is sent.
func (n Node) Do(ctx context.Context, method string, body any, opts ...transport.CallOption) (*transport.Response, error) {
	req, err := request(n, method, body, opts)
	if err != nil {
		return nil, err
	}
	return n.doer.Do(ctx, req)
}

// Prepare builds the request a call would send — method, URL, headers, body, mutual TLS —
// without signing or sending it: a dry run for tools and tests.
func (n Node) Prepare(method string, body any, opts ...transport.CallOption) (*wire.Prepared, error) {
	req, err := request(n, method, body, opts)
	if err != nil {
		return nil, err
	}
	return n.doer.Prepare(req)
}

func request(n Node, method string, body any, opts []transport.CallOption) (*wire.Request, error) {
	if n.err != nil {
		return nil, n.err
	}
	if n.tmpl == nil || n.doer == nil {
		return nil, ErrZeroNode
	}
	req := &wire.Request{Method: method, Template: n.tmpl.String(), Shape: n.tmpl.shape, Body: body}
	for _, o := range opts {
		o(&req.Call)
	}
	path, err := n.tmpl.Expand(n.bound, req.Call.PathParams)
	if err != nil {
		return nil, err
	}
	req.Path = path
	return req, nil
}

// DoAsync is Do on its own goroutine; the goroutine ends with the call.
func (n Node) DoAsync(ctx context.Context, method string, body any, opts ...transport.CallOption) *transport.Future {
	if n.doer == nil {
		return new(transport.Future) // the zero Future: Wait returns ErrInvalidRequest at once
	}
	return n.doer.Go(ctx, func(ctx context.Context) (*transport.Response, error) {
		return n.Do(ctx, method, body, opts...)
	})
}
