package wxpay_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestTypedCallsAreCompileChecked builds small programs against this module in a
// temporary module: the right typed call compiles; a misspelt request field and a verb the
// endpoint does not have are compile errors naming them.
func TestTypedCallsAreCompileChecked(t *testing.T) {
	if testing.Short() {
		t.Skip("builds programs with the go command")
	}
	gobin := goCommand()
	if _, err := os.Stat(gobin); err != nil {
		t.Skipf("no go command at %s", gobin)
	}
	root, err := os.Getwd()
	require.NoError(t, err)
	sum, err := os.ReadFile(filepath.Join(root, "go.sum"))
	require.NoError(t, err)

	build := func(body string) (string, error) {
		dir := t.TempDir()
		mod := "module snippet\n\ngo 1.23\n\nrequire github.com/wxpay-go/wxpay v0.0.0\n\nreplace github.com/wxpay-go/wxpay => " + root + "\n"
		require.NoError(t, os.WriteFile(filepath.Join(dir, "go.mod"), []byte(mod), 0o644))
		require.NoError(t, os.WriteFile(filepath.Join(dir, "go.sum"), sum, 0o644))
		src := `package main

import (
	"context"

	"github.com/wxpay-go/wxpay"
	"github.com/wxpay-go/wxpay/apiv3"
)

func main() {
	wx, _ := wxpay.New()
	ctx := context.Background()
` + body + `
}
`
		require.NoError(t, os.WriteFile(filepath.Join(dir, "main.go"), []byte(src), 0o644))
		cmd := exec.Command(gobin, "build", "-o", os.DevNull, ".")
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod", "GOPROXY=off", "GOWORK=off")
		out, err := cmd.CombinedOutput()
		return string(out), err
	}

	out, err := build(`	_, _, _ = wx.V3().Pay().Transactions().Native().Post(ctx, &apiv3.PayTransactionsNativeRequest{NotifyURL: "https://example.com/n"})`)
	require.NoError(t, err, "the right call must build:\n%s", out)

	out, err = build(`	_, _, _ = wx.V3().Pay().Transactions().Native().Post(ctx, &apiv3.PayTransactionsNativeRequest{NotifyUrl: "https://example.com/n"})`)
	require.Error(t, err, "a misspelt field must not build")
	assert.Contains(t, out, "unknown field NotifyUrl in struct literal of type apiv3.PayTransactionsNativeRequest")

	out, err = build(`	_, _, _ = wx.V3().Pay().Transactions().Native().Get(ctx)`)
	require.Error(t, err, "a verb the endpoint does not have must not build")
	assert.Contains(t, out, "wx.V3().Pay().Transactions().Native().Get undefined (type apiv3.PayTransactionsNativeNode has no field or method Get)")

	out, err = build(`	_, _, _ = wx.V3().Pay().Transactions().Native().Post(ctx, &apiv3.PayTransactionsJsapiRequest{})`)
	require.Error(t, err, "another endpoint's request must not build")
	assert.True(t, strings.Contains(out, "cannot use &apiv3.PayTransactionsJsapiRequest{}"), out)
}

// goCommand is the go command on PATH (the one running these tests, on CI and here).
func goCommand() string {
	if p, err := exec.LookPath("go"); err == nil {
		return p
	}
	return "go"
}
