package mdcode

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestParse(t *testing.T) {
	md := "# t\n\n```go\nx := 1\n\n// c\n```\ntext\n~~~sh title\nmake demo\n```\n~~~\n```\nplain\n```\n"
	blocks, err := Parse("R.md", []byte(md))
	require.NoError(t, err)
	require.Equal(t, []Block{
		{File: "R.md", Line: 3, Lang: "go", Text: "x := 1\n\n// c\n"},
		{File: "R.md", Line: 9, Lang: "sh", Text: "make demo\n```\n"},
		{File: "R.md", Line: 13, Lang: "", Text: "plain\n"},
	}, blocks)
	require.Equal(t, []string{"x := 1", "", "// c"}, blocks[0].Lines())
	require.Equal(t, "R.md:9 (sh)", blocks[1].String())

	_, err = Parse("R.md", []byte("```go\nx := 1\n"))
	require.ErrorContains(t, err, "R.md:1: code block never closed")
}
