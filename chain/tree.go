package chain

import (
	"sync"

	"github.com/wxpay-go/wxpay/internal/wire"
)

// The fluent tree (zz_tree.go) is generated from the endpoint catalog by internal/gen;
// these are the pieces it is built on. Its templates are parsed once, on first use.

var treeTemplates = sync.OnceValue(func() []*Template {
	ts := make([]*Template, len(treeTemplateText))
	for i, s := range treeTemplateText {
		ts[i] = MustParse(s)
	}
	return ts
})

func treeTemplate(i int) *Template { return treeTemplates()[i] }

// Generated node types hold a Node in a field; leaves of the tree are plain Nodes.

// at is the node for tree template i, keeping n's bound values.
func at(n Node, i int) Node {
	return Node{doer: n.doer, tmpl: treeTemplate(i), bound: n.bound}
}

// child is the node for tree template i, with value v bound to placeholder name.
func child(n Node, i int, name, v string) Node {
	bound := make([]wire.Param, len(n.bound), len(n.bound)+1)
	copy(bound, n.bound)
	return Node{doer: n.doer, tmpl: treeTemplate(i), bound: append(bound, wire.Param{Name: name, Value: v})}
}

// t 191137811
