package main

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/wxpay-go/wxpay/internal/mdcode"
)

// readmes are the documents whose sh blocks TestREADMECommands runs (their Go blocks are
// checked by the root package's TestREADMEGoBlocks).
var readmes = []string{"../../README.md", "../../README.zh-CN.md"}

// TestREADMECommands runs every command of the READMEs' sh blocks, as written, in order:
// `wxpay …` lines execute the built binary (`wxpay sandbox` starts the sandbox, and the
// calls after it go to that sandbox through the README's own WXPAY_CONFIG export); a
// trailing "# exit N" comment is the exit status expected (0 otherwise), and a comment
// that starts with an upper-case word (NOTPAY, SUCCESS) names a word the output must
// contain. `make X` needs the Makefile target X (make demo is run by
// examples/demo's test, make test is the CI command), and `go get`/`go install` must name
// this module and, for install, a main package in it (the module proxy is not asked). Any
// other command fails the test until it is taught here. Paths under /tmp are replaced by
// the test's temporary directories.
func TestREADMECommands(t *testing.T) {
	module := modulePath(t)
	for _, readme := range readmes {
		blocks, err := mdcode.ParseFile(readme)
		if err != nil {
			t.Fatal(err)
		}
		t.Run(filepath.Base(readme), func(t *testing.T) {
			run := &readmeRun{t: t, module: module, dirs: map[string]string{}}
			n := 0
			for _, b := range blocks {
				switch b.Lang {
				case "sh", "bash", "shell":
					for _, c := range shellCommands(t, b) {
						run.do(c)
						n++
					}
				case "go", "text", "":
				default:
					t.Errorf("%s: no test runs ```%s blocks", b, b.Lang)
				}
			}
			if n == 0 {
				t.Errorf("%s: no sh commands found", readme)
			}
		})
	}
}

// shellCommand is one command of an sh block: its words (quotes removed) and the text of
// its comments.
type shellCommand struct {
	where   string
	words   []string
	comment string
}

// shellCommands splits a block into commands: lines joined at a trailing backslash,
// comments cut at a '#' that starts a word outside quotes, words split at blanks with
// '…' and "…" quoting (no expansion: the READMEs use none).
func shellCommands(t *testing.T, b mdcode.Block) []shellCommand {
	t.Helper()
	var out []shellCommand
	var cur *shellCommand
	for i, line := range b.Lines() {
		where := fmt.Sprintf("%s:%d", b.File, b.Line+1+i)
		words, comment, cont, err := splitShell(line)
		if err != nil {
			t.Fatalf("%s: %v", where, err)
		}
		if cur == nil {
			if len(words) == 0 {
				continue // a comment or blank line
			}
			cur = &shellCommand{where: where}
		}
		cur.words = append(cur.words, words...)
		cur.comment = strings.TrimSpace(cur.comment + " " + comment)
		if !cont {
			out = append(out, *cur)
			cur = nil
		}
	}
	if cur != nil {
		t.Fatalf("%s: the block ends inside a continued command", cur.where)
	}
	return out
}

func splitShell(line string) (words []string, comment string, cont bool, err error) {
	var w strings.Builder
	inWord := false
	flush := func() {
		if inWord {
			words = append(words, w.String())
			w.Reset()
			inWord = false
		}
	}
	for i := 0; i < len(line); i++ {
		c := line[i]
		switch {
		case c == ' ' || c == '\t':
			flush()
		case c == '#' && !inWord:
			return words, strings.TrimSpace(line[i+1:]), false, nil
		case c == '\\' && strings.TrimSpace(line[i+1:]) == "":
			flush()
			return words, "", true, nil
		case c == '\'' || c == '"':
			end := strings.IndexByte(line[i+1:], c)
			if end < 0 {
				return nil, "", false, fmt.Errorf("unclosed %c quote", c)
			}
			w.WriteString(line[i+1 : i+1+end])
			inWord = true
			i += end + 1
		default:
			w.WriteByte(c)
			inWord = true
		}
	}
	flush()
	return words, "", false, nil
}

// readmeRun is the state of one README's commands: the sandbox, the exported variables
// and the /tmp directories mapped to temporary ones.
type readmeRun struct {
	t       *testing.T
	module  string
	sandbox *sandbox
	env     []string
	dirs    map[string]string // "/tmp/wxpay-sandbox" → a temporary directory
}

var (
	exitComment = regexp.MustCompile(`^exit (\d+)\b(?::|：)?\s*([A-Z_]{3,})?`)
	wordComment = regexp.MustCompile(`^([A-Z_]{3,})\b`)
)

func (r *readmeRun) do(c shellCommand) {
	t := r.t
	t.Helper()
	w := c.words
	switch {
	case w[0] == "make" && len(w) == 2:
		mf, err := os.ReadFile("../../Makefile")
		if err != nil {
			t.Fatal(err)
		}
		if !regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(w[1]) + `:`).Match(mf) {
			t.Errorf("%s: the Makefile has no target %q", c.where, w[1])
		}
	case w[0] == "go" && len(w) == 3 && w[1] == "get":
		if w[2] != r.module {
			t.Errorf("%s: go get %s, but the module is %s", c.where, w[2], r.module)
		}
	case w[0] == "go" && len(w) == 3 && w[1] == "install":
		pkg, _, _ := strings.Cut(w[2], "@")
		rel, ok := strings.CutPrefix(pkg, r.module+"/")
		if !ok {
			t.Errorf("%s: go install %s is not in module %s", c.where, pkg, r.module)
			break
		}
		src, err := os.ReadFile(filepath.Join("../..", rel, "main.go"))
		if err != nil || !strings.Contains(string(src), "package main") {
			t.Errorf("%s: %s is not a main package of this module", c.where, pkg)
		}
	case w[0] == "export" && len(w) == 2 && strings.Contains(w[1], "="):
		r.env = append(r.env, r.mapPath(w[1]))
	case w[0] == "wxpay" && len(w) > 1 && w[1] == "sandbox":
		r.startSandbox(c)
	case w[0] == "wxpay":
		args := make([]string, len(w)-1)
		for i, a := range w[1:] {
			args[i] = r.mapPath(a)
		}
		want, word := 0, ""
		if m := exitComment.FindStringSubmatch(c.comment); m != nil {
			want, _ = strconv.Atoi(m[1])
			word = m[2]
		} else if m := wordComment.FindStringSubmatch(c.comment); m != nil {
			word = m[1]
		}
		res := runCLIEnv(t, r.env, "", args...)
		if res.code != want {
			t.Errorf("%s: %s: exit %d, want %d\nstdout: %s\nstderr: %s", c.where, strings.Join(w, " "), res.code, want, res.stdout, res.stderr)
		} else if word != "" && !strings.Contains(res.stdout+res.stderr, word) {
			t.Errorf("%s: %s: the README says %s, the output does not\nstdout: %s\nstderr: %s", c.where, strings.Join(w, " "), word, res.stdout, res.stderr)
		}
	default:
		t.Errorf("%s: TestREADMECommands does not know how to run %q", c.where, strings.Join(w, " "))
	}
}

// startSandbox runs the README's `wxpay sandbox --keys DIR --addr ADDR` on a free port
// and a temporary DIR, which stands for the README's DIR from then on.
func (r *readmeRun) startSandbox(c shellCommand) {
	t := r.t
	t.Helper()
	flags := map[string]string{}
	w := c.words[2:]
	for len(w) >= 2 && strings.HasPrefix(w[0], "--") {
		flags[w[0]], w = w[1], w[2:]
	}
	if len(w) != 0 || len(flags) != 2 || flags["--keys"] == "" || flags["--addr"] == "" {
		t.Fatalf("%s: the test knows `wxpay sandbox --keys DIR --addr ADDR`, not %q", c.where, strings.Join(c.words, " "))
	}
	if r.sandbox != nil {
		t.Fatalf("%s: a second sandbox", c.where)
	}
	r.sandbox = startSandbox(t)
	r.dirs[filepath.Clean(flags["--keys"])] = r.sandbox.dir
}

// mapPath replaces a /tmp/NAME prefix (in a word or after NAME=) by a temporary directory.
func (r *readmeRun) mapPath(word string) string {
	prefix, path := "", word
	if k, v, ok := strings.Cut(word, "="); ok && !strings.HasPrefix(word, "/") {
		prefix, path = k+"=", v
	}
	if !strings.HasPrefix(path, "/tmp/") {
		return word
	}
	top := "/tmp/" + strings.SplitN(strings.TrimPrefix(path, "/tmp/"), "/", 2)[0]
	dir, ok := r.dirs[top]
	if !ok {
		dir = r.t.TempDir()
		r.dirs[top] = dir
	}
	return prefix + dir + strings.TrimPrefix(path, top)
}

// modulePath reads the module line of the go.mod at the module root.
func modulePath(t *testing.T) string {
	t.Helper()
	f, err := os.Open("../../go.mod")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		if m, ok := strings.CutPrefix(s.Text(), "module "); ok {
			return strings.TrimSpace(m)
		}
	}
	t.Fatal("no module line in go.mod")
	return ""
}

func TestSplitShell(t *testing.T) {
	words, comment, cont, err := splitShell(`wxpay GET 'v3/x/{a}' -d '{"b":"c d"}' "e f"#g   # exit 1: PARAM_ERROR`)
	if err != nil || cont || comment != "exit 1: PARAM_ERROR" ||
		strings.Join(words, "|") != `wxpay|GET|v3/x/{a}|-d|{"b":"c d"}|e f#g` {
		t.Fatalf("%q %q %v %v", words, comment, cont, err)
	}
	words, _, cont, _ = splitShell(`wxpay POST v3/refund \`)
	if !cont || len(words) != 3 {
		t.Fatalf("%q %v", words, cont)
	}
	if _, _, _, err := splitShell(`wxpay -d '{`); err == nil {
		t.Fatal("unclosed quote accepted")
	}
}
