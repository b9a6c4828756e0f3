package main

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wxpay-go/wxpay/catalog/schema"
)

// The generator's latent naming hazards, on a made-up catalog that has them all: a
// placeholder named like the receiver (n, N), like an import (chain, context) or a keyword
// (type); segments and fields whose names clash (a-b / a_b, a_b / aB); enum values whose
// constants clash. The generated package must compile (go vet in a temporary module), and
// no identifier may end in an underscore.
func TestNamingHazards(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a package with the go command")
	}
	str := &schema.Schema{Type: "string"}
	obj := func(props ...schema.Prop) *schema.Schema { return &schema.Schema{Type: "object", Props: props} }
	body := obj(
		schema.Prop{Name: "a_b", Schema: str},
		schema.Prop{Name: "aB", Schema: str},
		schema.Prop{Name: "n", Schema: &schema.Schema{Type: "integer"}},
		schema.Prop{Name: "kind", Schema: &schema.Schema{Type: "string", Enum: []any{"A-B", "A_B", "a b", "中文"}}},
		schema.Prop{Name: "amount", Schema: obj(schema.Prop{Name: "total", Schema: &schema.Schema{Type: "integer"}})},
		schema.Prop{Name: "detail", Schema: obj(schema.Prop{Name: "amount", Schema: obj(schema.Prop{Name: "refund", Schema: str})})},
	)
	eps := []endpoint{
		{method: "POST", path: "v3/hazard/{n}"},
		{method: "GET", path: "v3/hazard/{n}/x/{N}"},
		{method: "POST", path: "v3/hazard/{chain}/{context}"},
		{method: "GET", path: "v3/hazard/{type}/y"},
		{method: "POST", path: "v3/a-b/x"},
		{method: "POST", path: "v3/a_b/x"},
		{method: "PUT", path: "v3/a_b/x"},
		{method: "GET", path: "v2/pay/q"},
	}
	lookup := func(method, zone, path string) (*schema.Endpoint, bool) {
		return &schema.Endpoint{Method: method, Path: path, Request: body,
			Query:     []schema.Param{{Name: "n", Type: "integer"}, {Name: "opts", Type: "string"}},
			Responses: []schema.Response{{Status: 200, Schema: body}}}, true
	}
	out, err := generateWith(eps, lookup)
	if err != nil {
		t.Fatal(err)
	}
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	write := func(name, src string) {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("go.mod", "module hazard\n\ngo 1.23\n\nrequire github.com/wxpay-go/wxpay v0.0.0\n\nreplace github.com/wxpay-go/wxpay => "+root+"\n")
	sum, err := os.ReadFile(filepath.Join(root, "go.sum"))
	if err != nil {
		t.Fatal(err)
	}
	write("go.sum", string(sum))
	fset := token.NewFileSet()
	for _, f := range out.files {
		if f.pkg == "" {
			continue
		}
		write(filepath.Join(f.pkg, f.name), string(f.src))
		file, err := parser.ParseFile(fset, f.name, f.src, 0)
		if err != nil {
			t.Fatalf("%s/%s: %v", f.pkg, f.name, err)
		}
		ast.Inspect(file, func(n ast.Node) bool {
			if id, ok := n.(*ast.Ident); ok && strings.HasSuffix(id.Name, "_") && id.Name != "_" {
				t.Errorf("%s/%s: identifier %s ends in an underscore", f.pkg, f.name, id.Name)
			}
			return true
		})
	}
	tree := string(out.files[len(out.files)-3].src) // apiv3/zz_tree.go
	for _, want := range []string{
		"func (N HazardNode) N(n string) HazardNNode",
		"func (N HazardNNode) X() HazardNXNode",
		"func (N HazardNXNode) N(n string) XNNode",
		"ChainSegment(chainValue string)",
		"Context(contextValue string)",
		"Type(typeValue string)",
	} {
		if !strings.Contains(tree, want) {
			t.Errorf("the tree has no %q", want)
		}
	}
	cmd := exec.Command(goCommand(), "vet", "./...")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod", "GOPROXY=off", "GOWORK=off")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("the generated packages do not build: %v\n%s", err, b)
	}
}

// goCommand is the go command on PATH (the one running these tests, on CI and here).
func goCommand() string {
	if p, err := exec.LookPath("go"); err == nil {
		return p
	}
	return "go"
}
