// Command catalogimport converts the shared WeChat Pay endpoint catalog (endpoints.jsonl,
// derived from TheNorthMemory/wechatpay-openapi, MIT) into the project's own compact
// catalog file, catalog/endpoints.tsv. It is run by hand when the source catalog moves:
//
//	go run ./internal/catalogimport -in ../shared/catalog/endpoints.jsonl -out catalog/endpoints.tsv
//	go generate ./...
//
// The build and the tests read only catalog/endpoints.tsv (through the generated code),
// never the source catalog.
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"os"
	"strings"
)

type endpoint struct {
	Path         string   `json:"path"`
	Method       string   `json:"method"`
	Zone         string   `json:"zone"`
	BaseURI      string   `json:"base_uri"`
	Consumes     string   `json:"consumes"`
	Produces     string   `json:"produces"`
	CertRequired bool     `json:"cert_required"`
	Deprecated   bool     `json:"deprecated"`
	Flags        []string `json:"flags"`
	Tags         []string `json:"tags"`
}

func main() {
	in := flag.String("in", "../shared/catalog/endpoints.jsonl", "source catalog (JSON lines)")
	out := flag.String("out", "catalog/endpoints.tsv", "project catalog to write")
	flag.Parse()
	if err := run(*in, *out); err != nil {
		log.Fatal(err)
	}
}

func run(in, out string) error {
	f, err := os.Open(in)
	if err != nil {
		return err
	}
	defer f.Close()
	var b strings.Builder
	b.WriteString("# wxpay endpoint catalog: one endpoint a line, tab-separated. Derived from\n")
	b.WriteString("# TheNorthMemory/wechatpay-openapi @ 4d6325b (MIT, see LICENSE.wechatpay-openapi) by\n")
	b.WriteString("# internal/catalogimport; regenerate the code with `go generate ./...` after editing.\n")
	b.WriteString("# method\tpath\tzone\tbase\tconsumes\tproduces\tflags\ttags\n")
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	n := 0
	for sc.Scan() {
		var e endpoint
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			return fmt.Errorf("line %d: %v", n+1, err)
		}
		var flags []string
		if e.CertRequired {
			flags = append(flags, "cert")
		}
		for _, fl := range e.Flags {
			if fl == "delete_with_body" {
				flags = append(flags, "delbody")
			}
		}
		if e.Deprecated {
			flags = append(flags, "deprecated")
		}
		fields := []string{e.Method, e.Path, dash(e.Zone), dash(e.BaseURI), e.Consumes, e.Produces,
			dash(strings.Join(flags, ",")), dash(strings.Join(e.Tags, "|"))}
		for _, v := range fields {
			if strings.ContainsAny(v, "\t\n") {
				return fmt.Errorf("line %d: field %q has a tab or newline", n+1, v)
			}
		}
		b.WriteString(strings.Join(fields, "\t"))
		b.WriteByte('\n')
		n++
	}
	if err := sc.Err(); err != nil {
		return err
	}
	if err := os.WriteFile(out, []byte(b.String()), 0o644); err != nil {
		return err
	}
	log.Printf("wrote %d endpoints to %s", n, out)
	return nil
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
