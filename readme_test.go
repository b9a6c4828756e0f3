package wxpay_test

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/scanner"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wxpay-go/wxpay/internal/mdcode"
	"github.com/wxpay-go/wxpay/transport"
)

// readmes are the documents whose every code block must be run by a test: Go blocks here
// (TestREADMEGoBlocks), sh blocks by cmd/wxpay's TestREADMECommands.
var readmes = []string{"README.md", "README.zh-CN.md"}

// TestREADMEGoBlocks keeps the READMEs' Go code honest: every Go block must occur in one
// test or example function that runs (a Test…, or an Example… with an Output comment), in
// order. Lines are compared as Go tokens, comments and blank lines aside; a README line
// must appear, token for token, within a line of the function, so the function may add
// error checks and output between the README's lines and may use a README expression
// inside a larger statement, but any edit to a README line, or to the code that runs it,
// fails here until the other follows. A line that is only "…" stands for elided code.
func TestREADMEGoBlocks(t *testing.T) {
	funcs := runnableFuncs(t)
	if len(funcs) == 0 {
		t.Fatal("no test functions found")
	}
	for _, readme := range readmes {
		blocks, err := mdcode.ParseFile(readme)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, b := range blocks {
			if b.Lang != "go" {
				continue
			}
			n++
			want := tokenLines(b.Lines())
			if len(want) == 0 {
				t.Errorf("%s: empty Go block", b)
				continue
			}
			best, bestAt, matched := "", 0, false
			for _, f := range funcs {
				if k := matchInOrder(want, f.lines); k == len(want) {
					matched = true
					break
				} else if k > bestAt {
					best, bestAt = f.name, k
				}
			}
			if !matched {
				msg := "no test or example function contains it"
				if best != "" {
					msg += fmt.Sprintf("; closest: %s, with %d of %d lines", best, bestAt, len(want))
				}
				msg += "; first line not found: " + want[bestAt].text
				t.Errorf("%s: %s", b, msg)
			}
		}
		if n == 0 {
			t.Errorf("%s has no Go block: is the parser broken?", readme)
		}
	}
}

// tokenLine is one non-blank code line as Go tokens (comments and automatic semicolons
// dropped), and its text for messages.
type tokenLine struct {
	toks []string
	text string
}

func tokenLines(lines []string) []tokenLine {
	var out []tokenLine
	for _, l := range lines {
		var toks []string
		var s scanner.Scanner
		fset := token.NewFileSet()
		src := []byte(l)
		s.Init(fset.AddFile("", -1, len(src)), src, func(token.Position, string) {}, 0)
		for {
			_, tok, lit := s.Scan()
			if tok == token.EOF {
				break
			}
			switch {
			case tok == token.SEMICOLON && lit == "\n":
				continue // inserted at the line's end
			case tok == token.ILLEGAL && (lit == "…" || lit == "\u2026"):
				continue // elided code
			case lit != "":
				toks = append(toks, lit)
			default:
				toks = append(toks, tok.String())
			}
		}
		if len(toks) > 0 {
			out = append(out, tokenLine{toks, strings.TrimSpace(l)})
		}
	}
	return out
}

// matchInOrder returns how many of want match, in order, lines of have (each want line's
// tokens a contiguous run within one have line).
func matchInOrder(want, have []tokenLine) int {
	k := 0
	for _, h := range have {
		if k == len(want) {
			break
		}
		if containsRun(h.toks, want[k].toks) {
			k++
		}
	}
	return k
}

func containsRun(hay, needle []string) bool {
outer:
	for i := 0; i+len(needle) <= len(hay); i++ {
		for j, n := range needle {
			if hay[i+j] != n {
				continue outer
			}
		}
		return true
	}
	return false
}

type runnableFunc struct {
	name  string // file:Func
	lines []tokenLine
}

// runnableFuncs returns the module's functions that go test runs: Test… functions, and
// Example… functions with an output comment.
func runnableFuncs(t *testing.T) []runnableFunc {
	t.Helper()
	var out []runnableFunc
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if path != "." && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, "_test.go") {
			return nil
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		fset := token.NewFileSet()
		f, err := parser.ParseFile(fset, path, src, parser.ParseComments)
		if err != nil {
			return err
		}
		for _, decl := range f.Decls {
			fd, ok := decl.(*ast.FuncDecl)
			if !ok || fd.Recv != nil || fd.Body == nil {
				continue
			}
			name := fd.Name.Name
			text := string(src[fset.Position(fd.Pos()).Offset:fset.Position(fd.End()).Offset])
			switch {
			case strings.HasPrefix(name, "Test") && name != "TestMain":
			case strings.HasPrefix(name, "Example") && hasOutput(f, fd):
			default:
				continue
			}
			out = append(out, runnableFunc{path + ":" + name, tokenLines(strings.Split(text, "\n"))})
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// hasOutput reports whether an example function has an output comment, without which go
// test compiles it but does not run it.
func hasOutput(f *ast.File, fd *ast.FuncDecl) bool {
	for _, cg := range f.Comments {
		if cg.Pos() < fd.Body.Lbrace || cg.End() > fd.Body.Rbrace {
			continue
		}
		for _, c := range cg.List {
			txt := strings.TrimSpace(strings.TrimPrefix(c.Text, "//"))
			if strings.HasPrefix(txt, "Output:") || strings.HasPrefix(txt, "Unordered output:") {
				return true
			}
		}
	}
	return false
}

// TestChangelogVersion: the newest release in CHANGELOG.md is the version the client sends
// in its User-Agent (and wxpay --version prints, which cmd/wxpay's tests check), and an
// Unreleased section stays on top for the next one.
func TestChangelogVersion(t *testing.T) {
	b, err := os.ReadFile("CHANGELOG.md")
	if err != nil {
		t.Fatal(err)
	}
	var headings []string
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, "## [") {
			headings = append(headings, l)
		}
	}
	if len(headings) < 2 || headings[0] != "## [Unreleased]" {
		t.Fatalf("want ## [Unreleased] and then the releases, got %q", headings)
	}
	if want := "## [" + transport.Version + "] - "; !strings.HasPrefix(headings[1], want) {
		t.Errorf("newest release %q, want %q… (transport.Version)", headings[1], want)
	}
}
