package transport

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wxpay-go/wxpay/internal/wire"
	"github.com/wxpay-go/wxpay/signer"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := "testdata/" + name
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update once to write it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs from the golden file (go test ./transport -run %s -update to accept):\n--- got\n%s--- want\n%s", name, t.Name(), got, want)
	}
}

// TestRetryDecisionTable pins the rule table: for every failure class, method and
// Idempotent mark, whether the failure may be retried at all (before Retryable).
func TestRetryDecisionTable(t *testing.T) {
	var b strings.Builder
	for f := FailureNone; f <= FailureVerification; f++ {
		for _, m := range []string{"GET", "POST", "PUT", "PATCH", "DELETE"} {
			for _, idem := range []bool{false, true} {
				if idem && m == "GET" {
					continue
				}
				open, why := retryDecision(f, m, idem)
				mark := ""
				if idem {
					mark = " Idempotent"
				}
				fmt.Fprintf(&b, "%-16s %-6s %-11s -> %-5v %s\n", f, m, mark, open, why)
			}
		}
	}
	golden(t, "retry_table.golden", b.String())
}

// TestStageOrder pins the pipeline's steps, in order, over one APIv3 call that meets two
// busy answers (retried, after a wait) and then an unsigned 200 (a verification failure:
// never retried), and one APIv2 call whose written request gets no answer.
func TestStageOrder(t *testing.T) {
	var mu sync.Mutex
	n := 0
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		if strings.HasPrefix(r.URL.Path, "/pay/") { // APIv2: hang up after reading
			if c, _, err := w.(http.Hijacker).Hijack(); err == nil {
				c.Close()
			}
			return
		}
		mu.Lock()
		n++
		busy := n <= 2
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		if busy {
			w.WriteHeader(503)
			_, _ = io.WriteString(w, `{"code":"SYSTEM_ERROR","message":"busy"}`)
			return
		}
		_, _ = io.WriteString(w, `{"unsigned":true}`)
	}))
	defer hs.Close()

	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	v3, err := signer.NewV3Signer("1900000109", "3775B6A45ACD588826D15E583A95F5DD2C5C9DB8", key)
	if err != nil {
		t.Fatal(err)
	}
	ks := signer.NewKeyStore()
	if err := ks.AddPublicKey("PUB_KEY_ID_0000000000000000000000000000", &key.PublicKey); err != nil {
		t.Fatal(err)
	}
	p, err := newPipeline(wire.Config{BaseURL: hs.URL, HTTPClient: hs.Client(), Signer: v3,
		Verifier: &signer.Verifier{Keys: ks}, APIv2Key: strings.Repeat("k", 32),
		Retry: RetryPolicy{MaxAttempts: 4, BaseDelay: time.Millisecond}})
	if err != nil {
		t.Fatal(err)
	}
	var steps []string
	p.trace = func(s string) { steps = append(steps, s) }

	steps = append(steps, "# APIv3 GET: 503, 503, unsigned 200")
	_, err = p.Do(context.Background(), &wire.Request{Method: "GET", Template: "v3/x", Shape: "v3/x", Path: "v3/x"})
	if FailureOf(err) != FailureVerification {
		t.Fatalf("want a verification failure, got %v", err)
	}
	steps = append(steps, "# APIv2 POST: written, no answer")
	_, err = p.Do(context.Background(), &wire.Request{Method: "POST", Template: "v2/pay/orderquery", Shape: "v2/pay/orderquery",
		Path: "v2/pay/orderquery", Body: map[string]string{"out_trade_no": "1"}})
	if FailureOf(err) != FailureOutcomeUnknown {
		t.Fatalf("want an unknown outcome, got %v", err)
	}
	golden(t, "stages.golden", strings.Join(steps, "\n")+"\n")
}
