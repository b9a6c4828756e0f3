// Command catalogimport converts the shared WeChat Pay endpoint catalog (endpoints.jsonl,
// derived from TheNorthMemory/wechatpay-openapi, MIT) into the project's own compact
// catalog files. It is run by hand when the source catalog moves:
//
//	go run ./internal/catalogimport -in ../shared/catalog/endpoints.jsonl \
//		-out catalog/endpoints.tsv -schemas-out catalog/schema/schemas.jsonl
//	go generate ./...
//
// It writes two files, both deterministic (the same input gives byte-identical output):
//
//   - -out (catalog/endpoints.tsv): one endpoint a line, tab-separated: method, path, zone,
//     base URL, content types, flags, tags. Package catalog is generated from it.
//   - -schemas-out (catalog/schema/schemas.jsonl): the request/response schemas, one
//     compact JSON object a line, in source order (sorted by path, method, zone), after a
//     "#" comment header. Package schema embeds it; the format is documented there
//     (see catalog/schema/doc.go). Only type, format, enum, example, required,
//     properties (in source order), items, x-json, x-urlencode, oneOf and
//     x-allof-required are kept; descriptions, lengths, patterns, bounds, defaults,
//     nullable, deprecated and xml are dropped. Pass -schemas-out "" to skip it.
//
// The build and the tests read only the files in catalog/ (through the generated code
// and go:embed), never the source catalog.
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
	schemasOut := flag.String("schemas-out", "catalog/schema/schemas.jsonl", "compact schema file to write (empty: skip)")
	flag.Parse()
	if err := run(*in, *out); err != nil {
		log.Fatal(err)
	}
	if *schemasOut != "" {
		if err := runSchemas(*in, *schemasOut); err != nil {
			log.Fatal(err)
		}
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
