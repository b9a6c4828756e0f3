package chain

import (
	"sync"

	"github.com/wxpay-go/wxpay/internal/wire"
)

// The fluent trees (packages apiv3 and apiv2) are generated from the endpoint catalog by
// internal/gen; Paths is what they are built on.

// Paths is the table of path templates of a generated fluent tree, parsed once, on first
// use. It is for generated code: applications get their nodes from the client.
type Paths struct {
	once sync.Once
	text []string
	t    []*Template
}

// NewPaths returns the table of the templates text. Every one must parse: a generated
// tree's templates are checked by its tests.
func NewPaths(text []string) *Paths { return &Paths{text: text} }

func (p *Paths) at(i int) *Template {
	p.once.Do(func() {
		p.t = make([]*Template, len(p.text))
		for j, s := range p.text {
			p.t[j] = MustParse(s)
		}
	})
	return p.t[i]
}

// Root is the node for template i on doer.
func (p *Paths) Root(doer Doer, i int) Node { return Node{doer: doer, tmpl: p.at(i)} }

// Step is the node for template i, keeping n's bound values.
func (p *Paths) Step(n Node, i int) Node {
	return Node{doer: n.doer, tmpl: p.at(i), bound: n.bound}
}

// Bind is the node for template i, with value v bound to placeholder name.
func (p *Paths) Bind(n Node, i int, name, v string) Node {
	bound := make([]wire.Param, len(n.bound), len(n.bound)+1)
	copy(bound, n.bound)
	return Node{doer: n.doer, tmpl: p.at(i), bound: append(bound, wire.Param{Name: name, Value: v})}
}
