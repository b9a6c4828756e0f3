// Package mdcode reads the fenced code blocks of a Markdown file, for the tests that run
// or check every code block of the READMEs.
package mdcode

import (
	"fmt"
	"os"
	"strings"
)

// Block is one fenced code block.
type Block struct {
	File string // the Markdown file
	Line int    // 1-based line of the opening fence
	Lang string // the info string's first word ("go", "sh"); "" for none
	Text string // the lines between the fences, each ending in "\n"
}

// String names the block for test messages: "README.md:42 (go)".
func (b Block) String() string { return fmt.Sprintf("%s:%d (%s)", b.File, b.Line, b.Lang) }

// Lines returns the block's lines without their line ends.
func (b Block) Lines() []string { return strings.Split(strings.TrimSuffix(b.Text, "\n"), "\n") }

// Parse returns the fenced blocks of md, opened by ``` or ~~~ at the start of a line and
// closed by the same fence. An unclosed block is an error: its code would silently go
// unchecked.
func Parse(file string, md []byte) ([]Block, error) {
	var blocks []Block
	var cur *Block
	var fence string
	var text strings.Builder
	for i, line := range strings.Split(string(md), "\n") {
		line = strings.TrimSuffix(line, "\r")
		if cur == nil {
			for _, f := range []string{"```", "~~~"} {
				if strings.HasPrefix(line, f) {
					fence = f
					lang, _, _ := strings.Cut(strings.TrimSpace(strings.TrimLeft(line, f[:1])), " ")
					cur = &Block{File: file, Line: i + 1, Lang: lang}
					text.Reset()
					break
				}
			}
			continue
		}
		if strings.TrimSpace(line) == fence {
			cur.Text = text.String()
			blocks = append(blocks, *cur)
			cur = nil
			continue
		}
		text.WriteString(line)
		text.WriteByte('\n')
	}
	if cur != nil {
		return nil, fmt.Errorf("%s:%d: code block never closed", file, cur.Line)
	}
	return blocks, nil
}

// ParseFile reads and parses a Markdown file.
func ParseFile(path string) ([]Block, error) {
	md, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return Parse(path, md)
}
