package main

import (
	"bytes"
	"embed"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"text/template"

	"github.com/wxpay-go/wxpay/catalog/schema"
)

//go:embed templates/*.tmpl
var templateFiles embed.FS

var templates = template.Must(template.New("").Funcs(template.FuncMap{
	"quote": strconv.Quote,
	"xjsonData": func(pkg, name string) map[string]string {
		return map[string]string{"Pkg": pkg, "Name": name}
	},
}).ParseFS(templateFiles, "templates/*.tmpl"))

type file struct {
	pkg  string // "apiv3", "apiv2"; "" for the test table
	name string
	src  []byte
}

type output struct{ files []file }

// pkgData is what the package templates are given.
type pkgData struct {
	Pkg, Root, Title string // apiv3, V3, APIv3
	Paths            []string
	Nodes            []*nodeData
	Types            []*goType
	UsesJSON         bool
	UsesChain        bool // x-json types call chain's JSON helpers
}

type nodeData struct {
	Name, Path, Doc string
	Edges           []*edgeData
	Verbs           []*verbData
}

type edgeData struct {
	Name, Doc    string
	Param, Value string // placeholder name and parameter name; "" for a literal
	Target       string
	Index        int
}

type verbData struct {
	Verb, Method, Doc string
	Req               string // request type; "" none; "any" a prepared body
	Ans               string // answer type; "" none
	Param, Arg        string // the request parameter ("req *T, ", "body any, " or "") and argument
}

// callData is one row of the test table.
type callData struct {
	Method, Path, Zone string
	Params             string
	Expr               string // the fluent expression of the node
	Pkg, Verb          string
	Req, Ans           string
}

func generate(eps []endpoint) (*output, error) { return generateWith(eps, schema.Lookup) }

// lookupFunc finds an endpoint's schemas (schema.Lookup; tests give their own).
type lookupFunc func(method, zone, path string) (*schema.Endpoint, bool)

func generateWith(eps []endpoint, lookup lookupFunc) (*output, error) {
	out := &output{}
	var calls []*callData
	for _, v := range []struct{ pkg, root, title string }{{"apiv2", "V2", "APIv2"}, {"apiv3", "V3", "APIv3"}} {
		d, c := buildPackage(eps, v.pkg, v.root, v.title, lookup)
		calls = append(calls, c...)
		for _, t := range []string{"doc", "tree", "models"} {
			var b bytes.Buffer
			if err := templates.ExecuteTemplate(&b, t+".tmpl", d); err != nil {
				return nil, err
			}
			out.files = append(out.files, file{pkg: v.pkg, name: "zz_" + t + ".go", src: b.Bytes()})
		}
	}
	var b bytes.Buffer
	if err := templates.ExecuteTemplate(&b, "fluent_test.tmpl", calls); err != nil {
		return nil, err
	}
	out.files = append(out.files, file{name: "zz_fluent_test.go", src: b.Bytes()})
	return out, nil
}

// buildPackage builds the tree and the types of one API version.
func buildPackage(all []endpoint, pkg, rootName, title string, lookup lookupFunc) (*pkgData, []*callData) {
	version := strings.ToLower(rootName)
	root := &tnode{seg: version, path: version, kids: map[string]*tnode{}}
	for _, e := range all {
		segs := strings.Split(e.path, "/")
		if segs[0] != version {
			continue
		}
		n := root
		for _, s := range segs[1:] {
			n = n.child(s)
		}
		n.eps = append(n.eps, e)
	}
	d := &pkgData{Pkg: pkg, Root: rootName, Title: title}

	// The typed nodes: the root and every edge target, in tree order.
	type typed struct {
		n     *tnode
		edges []edge
	}
	var nodes []*typed
	var walk func(n *tnode)
	walk = func(n *tnode) {
		t := &typed{n: n, edges: edges(n)}
		nodes = append(nodes, t)
		for _, e := range t.edges {
			walk(e.target)
		}
	}
	walk(root)
	var paths []string
	for _, t := range nodes[1:] {
		paths = append(paths, t.n.path)
	}
	base := baseNames(paths)
	taken := map[string]bool{"Root": true, "New": true, "Int64": true, "Uint64": true, "Float64": true, "Bool": true}
	typeOf := map[*tnode]string{root: "Root"}
	for _, t := range nodes[1:] {
		name := base[t.n.path] + "Node"
		for i := 2; taken[name]; i++ {
			name = base[t.n.path] + "Node" + strconv.Itoa(i)
		}
		taken[name] = true
		typeOf[t.n] = name
	}
	m := newModel(pkg == "apiv2", taken)
	m.lookup = lookup

	index := map[string]int{}
	addPath := func(p string) int {
		if i, ok := index[p]; ok {
			return i
		}
		index[p] = len(d.Paths)
		d.Paths = append(d.Paths, p)
		return index[p]
	}
	addPath(root.path)
	for _, t := range nodes {
		nd := &nodeData{Name: typeOf[t.n], Path: t.n.path, Doc: nodeDoc(t.n)}
		if t.n == root {
			nd.Doc = fmt.Sprintf("is the root of the %s tree. Get it from the client: wx.%s().", title, rootName)
		}
		for _, e := range t.edges {
			nd.Edges = append(nd.Edges, &edgeData{Name: e.name, Doc: docLine(e), Param: e.param,
				Value: paramName(e.param), Target: typeOf[e.target], Index: addPath(e.target.path)})
		}
		nd.Verbs = m.verbs(t.n, base[t.n.path])
		d.Nodes = append(d.Nodes, nd)
	}
	d.Types = m.types
	d.UsesChain = slices.ContainsFunc(m.types, func(t *goType) bool { return t.XJSON })
	d.UsesJSON = m.usesJSON || m.pkgV2 && slices.ContainsFunc(m.types, func(t *goType) bool { return t.XJSON })

	// The test table: every endpoint's fluent expression.
	var calls []*callData
	var rows func(n *tnode, expr string, params []string)
	rows = func(n *tnode, expr string, params []string) {
		for _, e := range edges(n) {
			x := expr + "." + e.name + "("
			ps := params
			if e.param != "" {
				x += fmt.Sprintf("v[%d]", len(params))
				ps = append(slices.Clip(params), e.param)
			}
			x += ")"
			nd := d.Nodes[slices.IndexFunc(nodes, func(t *typed) bool { return t.n == e.target })]
			for _, ep := range e.target.eps {
				c := &callData{Method: ep.method, Path: ep.path, Zone: ep.zone, Params: quoteList(ps), Expr: x, Pkg: pkg}
				for _, v := range nd.Verbs {
					if v.Method == ep.method {
						c.Verb, c.Req, c.Ans = v.Verb, qualify(pkg, v.Req), qualify(pkg, v.Ans)
					}
				}
				calls = append(calls, c)
			}
			rows(e.target, x, ps)
		}
	}
	rows(root, "c."+rootName+"()", nil)
	return d, calls
}

func qualify(pkg, t string) string {
	if t == "" || t == "any" {
		return t
	}
	return pkg + "." + t
}

func paramName(p string) string {
	if p == "" {
		return ""
	}
	return lowerCamel(p)
}

// verbs makes the typed verbs of a node, and the types of their requests and answers.
func (m *model) verbs(n *tnode, base string) []*verbData {
	methods := map[string]bool{}
	for _, ep := range n.eps {
		methods[ep.method] = true
	}
	var vs []*verbData
	for _, ep := range n.eps {
		if slices.ContainsFunc(vs, func(v *verbData) bool { return v.Method == ep.method }) {
			continue // the same path in another zone: one verb, the first zone's types
		}
		sc, ok := m.lookup(ep.method, ep.zone, ep.path)
		if !ok {
			sc = &schema.Endpoint{} // no schema: no request, no answer
		}
		verb := strings.ToUpper(ep.method[:1]) + strings.ToLower(ep.method[1:])
		name := base
		if len(methods) > 1 {
			name = verb + base
		}
		v := &verbData{Verb: verb, Method: ep.method}
		body, query := sc.Request, sc.Query
		if m.v2 {
			body, query = withoutSign(body), withoutSignQuery(query)
		}
		switch {
		case ep.consumes == "multipart" || (body != nil && !isObj(body)):
			v.Req = "any"
		case body != nil || len(query) > 0:
			v.Req = m.root(body, query, name+"Request", "the request of "+ep.method+" "+ep.path)
		}
		_, ans := sc.Success()
		raw := ep.produces == "binary" || ep.produces == "csv" || (m.v2 && slices.Contains(ep.flags, "file"))
		if isObj(ans) && !raw && m.v2 && ep.produces == "xml" && ans.Prop("sign") == nil {
			ans = withSign(ans) // every signed APIv2 answer carries one; the catalog forgets some
		}
		if isObj(ans) && !raw {
			v.Ans = m.root(ans, nil, name+"Answer", "the answer of "+ep.method+" "+ep.path)
		}
		switch v.Req {
		case "":
			v.Arg = "nil"
		case "any":
			v.Param, v.Arg = "body any, ", "body"
		default:
			v.Param, v.Arg = "req *"+v.Req+", ", "req"
		}
		v.Doc = verbDoc(n, ep, v)
		vs = append(vs, v)
	}
	return vs
}

// withoutSign is an APIv2 request without the sign, which the SDK computes, and with an
// optional nonce_str, which the SDK adds when it is not given.
func withoutSign(s *schema.Schema) *schema.Schema {
	if s == nil || s.Prop("sign") == nil && !slices.Contains(s.Required, "nonce_str") && !slices.Contains(s.Required, "sign") {
		return s
	}
	c := *s
	c.Props = slices.DeleteFunc(slices.Clone(s.Props), func(p schema.Prop) bool { return p.Name == "sign" })
	c.Required = slices.DeleteFunc(slices.Clone(s.Required), func(r string) bool { return r == "sign" || r == "nonce_str" })
	return &c
}

// withSign is an APIv2 answer with the sign field, which the client has checked.
func withSign(s *schema.Schema) *schema.Schema {
	c := *s
	c.Props = append(slices.Clip(s.Props), schema.Prop{Name: "sign", Schema: &schema.Schema{Type: "string"}})
	return &c
}

func withoutSignQuery(q []schema.Param) []schema.Param {
	var out []schema.Param
	for _, p := range q {
		switch p.Name {
		case "sign":
			continue
		case "nonce_str":
			p.Required = false
		}
		out = append(out, p)
	}
	return out
}

func nodeDoc(n *tnode) string {
	if len(n.eps) == 0 {
		return "is the path " + n.path + "."
	}
	return docLine(edge{target: n})
}

func verbDoc(n *tnode, ep endpoint, v *verbData) string {
	where := ep.method + " " + n.path
	if ep.zone != "" {
		where += " (zone " + ep.zone + ")"
	}
	s := v.Verb + " sends " + where
	if ep.tags != "" {
		s += " — " + strings.ReplaceAll(ep.tags, "|", ", ")
	}
	s += "."
	switch {
	case v.Req == "any" && ep.consumes == "multipart":
		s += " The body is a prepared multipart form: see wxpay.UploadBody and wxpay.FormBody."
	case v.Req == "any":
		s += " The body is sent as it is."
	}
	if v.Ans == "" {
		s += " The answer has no typed body: read the *chain.Response."
	}
	return s
}

// baseNames gives every path its name: the shortest run of its last segments, starting at
// a literal segment, that no other path ends with (naming rule 1 of the types).
func baseNames(paths []string) map[string]string {
	segs := map[string][]string{}
	for _, p := range paths {
		var ss []string
		var lit []bool
		prev := ""
		for _, s := range strings.Split(p, "/")[1:] {
			switch {
			case s == "":
				continue
			case isPlaceholder(s):
				name := s[1 : len(s)-1]
				if name == strings.ReplaceAll(prev, "-", "_") {
					continue
				}
				ss = append(ss, goName(name))
				lit = append(lit, false)
			default:
				ss = append(ss, goName(s))
				lit = append(lit, true)
			}
			prev = s
		}
		// Runs that start at a literal segment, shortest first.
		var runs []string
		for k := 1; k <= len(ss); k++ {
			if lit[len(ss)-k] {
				runs = append(runs, strings.Join(ss[len(ss)-k:], ""))
			}
		}
		if len(runs) == 0 {
			runs = []string{strings.Join(ss, "")}
		}
		segs[p] = runs
	}
	ends := map[string]int{} // how many paths end with a run
	for _, p := range paths {
		seen := map[string]bool{}
		for _, r := range segs[p] {
			if !seen[r] {
				ends[r]++
				seen[r] = true
			}
		}
	}
	out := map[string]string{}
	used := map[string]bool{}
	sorted := slices.Clone(paths)
	sort.Strings(sorted)
	for _, p := range sorted {
		runs := segs[p]
		name := runs[len(runs)-1]
		for _, r := range runs {
			if ends[r] == 1 {
				name = r
				break
			}
		}
		name = ident(name)
		n := name
		for i := 2; used[n]; i++ {
			n = name + strconv.Itoa(i)
		}
		used[n] = true
		out[p] = n
	}
	return out
}

// docLine describes where an edge leads: the endpoints there, or the path.
func docLine(e edge) string {
	t := e.target
	if len(t.eps) == 0 {
		return fmt.Sprintf("is the path %s.", t.path)
	}
	var parts []string
	for _, ep := range t.eps {
		s := ep.method
		if ep.zone != "" {
			s += " (" + ep.zone + ")"
		}
		parts = append(parts, s)
	}
	tags := ""
	if t.eps[0].tags != "" {
		tags = " — " + strings.ReplaceAll(t.eps[0].tags, "|", ", ")
	}
	return fmt.Sprintf("is %s %s%s.", strings.Join(parts, ", "), t.path, tags)
}

func quoteList(ss []string) string {
	q := make([]string, len(ss))
	for i, s := range ss {
		q[i] = strconv.Quote(s)
	}
	return "[]string{" + strings.Join(q, ", ") + "}"
}
