package main

import (
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"sync"

	"github.com/wxpay-go/wxpay/catalog"
	"github.com/wxpay-go/wxpay/catalog/schema"
	"github.com/wxpay-go/wxpay/chain"
)

// anyPathFlag is the flag that sends a METHOD PATH the catalog does not list.
const anyPathFlag = "--any-path"

// sandboxPrefix starts the paths of the emulator's own endpoints (v3/wxpaytest/pay/{out_trade_no}
// …): they are not WeChat Pay's, so not in the catalog, and are sent without a check.
const sandboxPrefix = "v3/wxpaytest/"

// route is one catalog endpoint with its path split into segments, placeholders written {}.
type route struct {
	ep   catalog.Endpoint
	segs []string
}

var routes = sync.OnceValue(func() []route {
	all := catalog.All()
	rs := make([]route, len(all))
	for i, ep := range all {
		rs[i] = route{ep: ep, segs: strings.Split(catalog.Shape(ep.Path), "/")}
	}
	return rs
})

// target is what the command line's METHOD PATH resolved to.
type target struct {
	tpl   *chain.Template
	raw   string            // PATH as given, without a leading "/"
	path  string            // the template, canonical ({name} placeholders)
	ep    *catalog.Endpoint // the catalog endpoint; nil for --any-path and sandbox paths
	v2    bool
	label string // "METHOD PATH" for messages
}

// resolveTarget checks METHOD PATH against the catalog. A path is in the catalog when its
// shape is a catalog endpoint's, or when its literal segments stand where the endpoint has
// placeholders ("v3/pay/transactions/id/4200…" for ".../id/{transaction_id}"). Anything
// else is a usage error that says what the catalog has instead, unless anyPath is set.
func resolveTarget(method, raw string, anyPath bool) (*target, error) {
	raw = strings.TrimPrefix(raw, "/")
	if strings.Contains(raw, "://") {
		return nil, urlPathError(raw)
	}
	if p, q, ok := strings.Cut(raw, "?"); ok {
		return nil, queryInPathError(p, q)
	}
	tpl, err := chain.Parse(raw)
	if err != nil {
		return nil, usagef("%s", cliWords(strings.TrimPrefix(err.Error(), "wxpay: ")))
	}
	t := &target{tpl: tpl, raw: raw, path: tpl.String(), label: method + " " + tpl.String()}
	t.v2 = strings.HasPrefix(t.path, "v2/")
	if anyPath || strings.HasPrefix(t.path, sandboxPrefix) {
		return t, nil
	}
	segs := strings.Split(catalog.Shape(t.path), "/")
	same, other := matchRoutes(method, segs)
	if len(same) > 0 {
		ep := same[0].ep
		t.ep = &ep
		return t, nil
	}
	if len(other) > 0 {
		return nil, usagef("%s is not in the catalog: %s (%s sends it anyway)", t.label, allowedMethods(other), anyPathFlag)
	}
	if !strings.HasPrefix(t.path, "v2/") && !strings.HasPrefix(t.path, "v3/") {
		for _, v := range []string{"v2", "v3"} {
			same, other := matchRoutes(method, append([]string{v}, segs...))
			if len(same) == 0 && len(other) == 0 {
				continue
			}
			guess := v + "/" + t.path
			if len(same) == 0 {
				guess = methodList(other) + " " + guess
			}
			hint := fmt.Sprintf("%s is not in the catalog; did you mean %s?", t.label, guess)
			if v == "v2" {
				hint += " (APIv2 paths start with v2/ here; the official documents write them without it)"
			}
			return nil, usagef("%s", hint)
		}
	}
	msg := t.label + " is not in the catalog"
	switch near := nearest(method, segs, 3); len(near) {
	case 0:
		msg += " "
	case 1:
		msg += "; did you mean " + near[0] + "? "
	default:
		msg += "; did you mean one of\n  " + strings.Join(near, "\n  ") + "\n"
	}
	return nil, usagef("%s(%s sends it anyway; \"wxpay routes WORD\" searches the catalog)", msg, anyPathFlag)
}

// methodList is the methods of the routes, "GET" or "GET|POST".
func methodList(rs []route) string {
	var ms []string
	for _, r := range rs {
		if !slices.Contains(ms, r.ep.Method) {
			ms = append(ms, r.ep.Method)
		}
	}
	slices.Sort(ms)
	return strings.Join(ms, "|")
}

// matchRoutes returns the catalog routes whose segments match segs, those with method first
// (best match first: the most literal segments in common, mainland before other zones),
// then the others.
func matchRoutes(method string, segs []string) (same, other []route) {
	type scored struct {
		r   route
		lit int
	}
	var hits []scored
	for _, r := range routes() {
		if lit, ok := segmentsMatch(segs, r.segs); ok {
			hits = append(hits, scored{r, lit})
		}
	}
	slices.SortStableFunc(hits, func(a, b scored) int { return b.lit - a.lit }) // All is sorted by path, method, zone
	for _, h := range hits {
		if h.r.ep.Method == method {
			same = append(same, h.r)
		} else {
			other = append(other, h.r)
		}
	}
	return same, other
}

// segmentsMatch reports whether the path segments in fit the template segments tpl (a {} of
// tpl takes any literal), and how many segments are equal.
func segmentsMatch(in, tpl []string) (int, bool) {
	if len(in) != len(tpl) {
		return 0, false
	}
	lit := 0
	for i := range in {
		switch {
		case in[i] == tpl[i]:
			lit++
		case tpl[i] == "{}" && in[i] != "" && !strings.Contains(in[i], "{}"):
		default:
			return 0, false
		}
	}
	return lit, true
}

// allowedMethods says which methods the matched paths allow: "v3/x allows GET and POST".
func allowedMethods(rs []route) string {
	var paths []string
	methods := map[string][]string{}
	for _, r := range rs {
		p := r.ep.Path
		if _, seen := methods[p]; !seen {
			paths = append(paths, p)
		}
		if !slices.Contains(methods[p], r.ep.Method) {
			methods[p] = append(methods[p], r.ep.Method)
		}
	}
	parts := make([]string, len(paths))
	for i, p := range paths {
		ms := methods[p]
		slices.Sort(ms)
		list := strings.Join(ms, ", ")
		if n := len(ms); n > 1 {
			list = strings.Join(ms[:n-1], ", ") + " and " + ms[n-1]
		}
		parts[i] = p + " allows " + list
	}
	return strings.Join(parts, "; ")
}

// nearest returns up to n "METHOD PATH" lines of the catalog closest to segs, by an edit
// distance over path segments (see pathDistance); only reasonably close ones.
func nearest(method string, segs []string, n int) []string {
	limit := 2 * max(4, len(strings.Join(segs, "/"))/3)
	type cand struct {
		line string
		cost int
	}
	var cs []cand
	seen := map[string]bool{}
	for _, r := range routes() {
		line := r.ep.Method + " " + r.ep.Path
		if seen[line] {
			continue // the same path in another zone
		}
		seen[line] = true
		c := pathDistance(segs, r.segs)
		if r.ep.Method != method {
			c++
		}
		if c <= limit {
			cs = append(cs, cand{line, c})
		}
	}
	slices.SortStableFunc(cs, func(a, b cand) int { return a.cost - b.cost })
	var out []string
	for _, c := range cs[:min(n, len(cs))] {
		if c.cost > cs[0].cost+max(4, cs[0].cost/2) {
			break // much farther than the best: noise
		}
		out = append(out, c.line)
	}
	return out
}

// pathDistance is a Levenshtein distance over path segments, in half-edits: substituting
// a segment costs twice the character edit distance between the two (a literal where the
// template has a placeholder costs 1), inserting or deleting one costs twice its length
// plus one. A typo inside one segment ("transaction" for "transactions") is thus cheap, a
// missing or extra segment dear.
func pathDistance(a, b []string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := 1; j <= len(b); j++ {
		prev[j] = prev[j-1] + 2*(len(b[j-1])+1)
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = prev[0] + 2*(len(a[i-1])+1)
		for j := 1; j <= len(b); j++ {
			best := prev[j-1] + segmentCost(a[i-1], b[j-1])
			best = min(best, prev[j]+2*(len(a[i-1])+1), cur[j-1]+2*(len(b[j-1])+1))
			cur[j] = best
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

func segmentCost(in, tpl string) int {
	switch {
	case in == tpl:
		return 0
	case tpl == "{}":
		return 1
	}
	return 2 * levenshtein(in, tpl)
}

// levenshtein is the edit distance between two strings, in bytes.
func levenshtein(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			sub := prev[j-1]
			if a[i-1] != b[j-1] {
				sub++
			}
			cur[j] = min(sub, prev[j]+1, cur[j-1]+1)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// urlPathError answers a full URL given as PATH: the path alone is wanted, and --base-url
// for another host.
func urlPathError(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return usagef("%q is a URL: pass the path (v3/…, v2/…) and, for another host, --base-url", raw)
	}
	p := strings.TrimPrefix(u.Path, "/")
	p = strings.TrimPrefix(p, "hk/") // the zone comes from the catalog
	if !strings.HasPrefix(p, "v2/") && !strings.HasPrefix(p, "v3/") && routeExists("v2/"+p) {
		p = "v2/" + p
	}
	hint := ""
	if u.RawQuery != "" {
		hint = ", with " + queryFlags(u.RawQuery)
	}
	return usagef("%q is a URL: pass the path alone (%s%s) and, for another host, --base-url", raw, p, hint)
}

// queryInPathError answers a PATH with a query: the query goes in -q.
func queryInPathError(p, q string) error {
	return usagef("%s?%s: put the query in -q flags: %s %s", p, q, p, queryFlags(q))
}

func queryFlags(q string) string {
	var fl []string
	for _, kv := range strings.Split(q, "&") {
		if kv == "" {
			continue
		}
		if k, v, err := unescapePair(kv); err == nil {
			fl = append(fl, "-q "+shellWord(k+"="+v))
		} else {
			fl = append(fl, "-q "+shellWord(kv))
		}
	}
	return strings.Join(fl, " ")
}

func unescapePair(kv string) (string, string, error) {
	k, v, _ := strings.Cut(kv, "=")
	k, err := url.QueryUnescape(k)
	if err != nil {
		return "", "", err
	}
	v, err = url.QueryUnescape(v)
	return k, v, err
}

// routeExists reports whether any method of the catalog has this path (a template).
func routeExists(path string) bool {
	same, other := matchRoutes("", strings.Split(catalog.Shape(path), "/"))
	return len(same)+len(other) > 0
}

// shellWord quotes s for a POSIX shell when it needs it.
func shellWord(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_=./:,@%+") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// bodyHint returns the usage error for a call made without -d to an endpoint whose catalog
// schema has a request body, or nil. The example shows the fields the catalog marks
// required, from the catalog's example values.
func bodyHint(t *target) error {
	if t.ep == nil {
		return nil
	}
	ep := t.ep
	s, ok := schema.Lookup(ep.Method, ep.Zone, ep.Path)
	if !ok || s.Request == nil {
		return nil
	}
	if ep.Consumes == "multipart" {
		return usagef("%s takes a multipart upload (a file and its meta), which the command line does not send; use Client.Upload from Go", t.label)
	}
	what := "a JSON body: pass it"
	if t.v2 {
		what = "APIv2 fields: pass them as a JSON object"
	}
	msg := fmt.Sprintf("%s takes %s with -d JSON, -d @FILE or -d - (stdin)", t.label, what)
	if ex := requiredExample(s.Request, s.Request.Example(), t.v2); ex != nil {
		if b, err := json.Marshal(ex); err == nil && len(b) <= 600 {
			msg += ", e.g. (the catalog's required fields, example values)\n  -d " + shellWord(string(b))
		}
	}
	return usagef("%s", msg)
}

// requiredExample keeps, of an example value built from s, the properties s requires, at
// every level. For APIv2 the fields the SDK fills (nonce_str, sign_type, sign) are left out.
func requiredExample(s *schema.Schema, v any, v2 bool) any {
	if s == nil {
		return v
	}
	switch x := v.(type) {
	case map[string]any:
		out := map[string]any{}
		for _, name := range s.Required {
			if v2 && (name == "sign" || name == "nonce_str" || name == "sign_type") {
				continue
			}
			if val, ok := x[name]; ok {
				out[name] = requiredExample(s.Prop(name), val, false)
			}
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, item := range x {
			out[i] = requiredExample(s.Items, item, false)
		}
		return out
	}
	return v
}
