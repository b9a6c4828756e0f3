package main

import (
	"go/token"
	"go/types"
	"sort"
	"strconv"
	"strings"
	"unicode"
)

// ---- the fluent tree: naming rules 1–6 of the methods -------------------------------

type tnode struct {
	seg   string
	path  string
	kids  map[string]*tnode
	eps   []endpoint // endpoints at exactly this path
	order []string
}

func (n *tnode) child(seg string) *tnode {
	if c, ok := n.kids[seg]; ok {
		return c
	}
	p := seg
	if n.path != "" {
		p = n.path + "/" + seg
	}
	c := &tnode{seg: seg, path: p, kids: map[string]*tnode{}}
	n.kids[seg] = c
	n.order = append(n.order, seg)
	return c
}

func isPlaceholder(s string) bool { return len(s) > 2 && s[0] == '{' && s[len(s)-1] == '}' }

var reserved = map[string]bool{"Get": true, "Post": true, "Put": true, "Patch": true, "Delete": true,
	"GetAsync": true, "PostAsync": true, "PutAsync": true, "PatchAsync": true, "DeleteAsync": true,
	"Do": true, "DoAsync": true, "Prepare": true, "Chain": true, "Template": true, "Err": true, "Node": true}

// (Do, DoAsync, Prepare and Err are Node methods too: reserved so that a leaf, which is a
// Node, and a node type offer the same names.)

func pascal(s string) string {
	var b strings.Builder
	up := true
	for _, r := range s {
		if r == '-' || r == '_' || r == '.' {
			up = true
			continue
		}
		if up {
			r = unicode.ToUpper(r)
			up = false
		}
		b.WriteRune(r)
	}
	return b.String()
}

// lowerCamel is a placeholder's parameter name. It never clashes with the receiver N (it
// starts with a lower-case letter or v), a Go keyword, a predeclared identifier or a
// package the generated file imports.
func lowerCamel(s string) string {
	p := pascal(s)
	v := strings.ToLower(p[:1]) + p[1:]
	if v[0] >= '0' && v[0] <= '9' {
		v = "v" + v
	}
	if token.IsKeyword(v) || types.Universe.Lookup(v) != nil || v == "chain" || v == "context" || v == "transport" || v == "ctx" || v == "opts" || v == "req" {
		v += "Value"
	}
	return v
}

// edge is one fluent method: from a node to a child node, maybe taking a value.
type edge struct {
	name   string // method name
	param  string // placeholder name, "" for a literal
	target *tnode
	raw    string // the segment(s) it stands for, for docs and clash rules
}

func edges(n *tnode) []edge {
	var es []edge
	for _, seg := range n.order {
		c := n.kids[seg]
		switch {
		case isPlaceholder(seg):
			name := seg[1 : len(seg)-1]
			es = append(es, edge{name: pascal(name), param: name, target: c, raw: seg})
		case seg == "":
			es = append(es, edge{name: "Slash", target: c, raw: "/"})
		default:
			if len(c.kids) == 1 && len(c.eps) == 0 {
				only := c.order[0]
				if isPlaceholder(only) && only[1:len(only)-1] == strings.ReplaceAll(seg, "-", "_") {
					es = append(es, edge{name: pascal(seg), param: only[1 : len(only)-1], target: c.kids[only], raw: seg + "/" + only})
					continue
				}
			}
			es = append(es, edge{name: pascal(seg), target: c, raw: seg})
		}
	}
	// Rule 4, then rule 5 (and a numeric suffix should anything still clash).
	for i := range es {
		if reserved[es[i].name] {
			es[i].name += "Segment"
		}
	}
	sort.SliceStable(es, func(i, j int) bool { return strings.Contains(es[i].raw, "-") && !strings.Contains(es[j].raw, "-") })
	seen := map[string]int{}
	for i := range es {
		base := es[i].name
		if seen[base] > 0 {
			es[i].name = base + "Snake"
			if seen[base] > 1 {
				es[i].name = base + strconv.Itoa(seen[base]+1)
			}
		}
		seen[base]++
	}
	sort.SliceStable(es, func(i, j int) bool { return es[i].name < es[j].name })
	return es
}
