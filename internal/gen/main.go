// Command gen generates, from catalog/endpoints.tsv and the schemas of catalog/schema:
//
//   - the catalog table, catalog/zz_catalog.go;
//   - the typed fluent trees with their request and answer types, packages apiv3 and
//     apiv2 (zz_doc.go, zz_tree.go, zz_models.go in each);
//   - the table of fluent and typed calls the tests walk, zz_fluent_test.go.
//
// It runs from `go generate ./...` (the go:generate line in catalog/catalog.go); its output
// is byte-for-byte reproducible (sorted input, no maps iterated unsorted, no timestamps,
// gofmt'ed). The Go source is written by the text/template files in templates/; this
// program only decides names and shapes.
//
// Naming rules of the fluent tree (methods; also in README.md and the package docs):
//
//  1. Each segment is a method named in PascalCase: out-trade-no → OutTradeNo,
//     apply4subject → Apply4subject, queryInstitutionsub → QueryInstitutionsub.
//  2. A segment followed by a placeholder of the same name (dashes read as
//     underscores), with nothing else below it, is one method taking the value:
//     out-trade-no/{out_trade_no} → OutTradeNo(outTradeNo).
//  3. Any other placeholder is a method named after it, taking the value:
//     applyment/{applyment_id} → ApplymentId(applymentId), and beside it
//     applyment/{business_code} → BusinessCode(businessCode).
//  4. A segment whose name is taken by a node method (Get, Post, Put, Patch, Delete, their
//     Async forms, Do, DoAsync, Prepare, Chain, Template, Err, Node) gets the suffix
//     Segment: receivers/delete → Receivers().DeleteSegment().
//  5. Two spellings of one name under one node: the dashed one keeps the name, the other
//     gets the suffix Snake: policy-periods → PolicyPeriods, policy_periods → PolicyPeriodsSnake
//     (a third would get the suffix 3, and so on).
//  6. A trailing "/" is the method Slash: applyment4sub/applyment/ → Applyment().Slash().
//
// A method's value parameter is the placeholder in lowerCamelCase; a Go keyword, a
// predeclared identifier or an imported package name gets the suffix Value (type →
// typeValue, chain → chainValue), and a name starting with a digit the prefix v. The
// receiver of every generated method is N, which no parameter can be (parameters start
// with a lower-case letter).
//
// Naming rules of the types (the rules of the fields open models.go):
//
//  1. Every node of the tree is a type: Root for the version's root, else the node's name
//     and Node. A node's name is the shortest run of the path's last segments, starting at
//     a literal segment, that no other node of the tree ends with; segments in PascalCase
//     with Go initialisms (id → ID, url → URL), a placeholder that repeats the segment
//     before it left out: v3/pay/transactions/jsapi → PayTransactionsJsapiNode,
//     v3/refund/domestic/refunds/{out_refund_no} → RefundsOutRefundNoNode.
//  2. An endpoint's request and answer are the node's name and Request / Answer; where a
//     path has several verbs the verb comes first: GetCardMemberCardsCardIDAnswer, PatchCardMemberCardsCardIDRequest.
//  3. A nested object, list item or enum is named after its field (goods_detail →
//     GoodsDetail); when a different shape already has that name, after its owner and the
//     field (JsapiRequestAmount); then with a number (Amount2).
//  4. Enum constants are the enum type's name and the value in PascalCase (TradeState +
//     SUCCESS → TradeStateSuccess); a value that gives no identifier, or a taken one, is
//     the type's name, Value and its position (TradeStateValue3).
//  5. Identical shapes are one type: structs compare by their fields (names, Go types,
//     required marks, formats), in any order; enums by their values. An endpoint whose
//     request or answer is the shape of an earlier endpoint's gets its own name as an alias.
//  6. Names never end in an underscore: every clash is resolved by a suffix from the
//     rules above.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"go/format"
	"log"
	"os"
	"path/filepath"
	"strings"
)

type endpoint struct {
	method, path, zone, base, consumes, produces, tags string
	flags                                              []string
}

func main() {
	in := flag.String("catalog", "endpoints.tsv", "catalog file")
	rulesIn := flag.String("rules", "rules.tsv", "the project's endpoint rules, merged into the catalog table (rules.go)")
	catOut := flag.String("catalog-out", "zz_catalog.go", "catalog table to write")
	v3Out := flag.String("apiv3-out", "../apiv3", "directory of package apiv3")
	v2Out := flag.String("apiv2-out", "../apiv2", "directory of package apiv2")
	testOut := flag.String("test-out", "../zz_fluent_test.go", "fluent test table to write")
	flag.Parse()
	eps, err := read(*in)
	if err != nil {
		log.Fatal(err)
	}
	rules, err := readRules(*rulesIn)
	must(err)
	table, err := mergeRules(eps, rules)
	must(err)
	must(write(*catOut, catalogFile(table)))
	out, err := generate(treeRows(table))
	if err != nil {
		log.Fatal(err)
	}
	dirs := map[string]string{"apiv3": *v3Out, "apiv2": *v2Out}
	for _, f := range out.files {
		path := *testOut
		if f.pkg != "" {
			path = filepath.Join(dirs[f.pkg], f.name)
		}
		must(write(path, f.src))
	}
}

func must(err error) {
	if err != nil {
		log.Fatal(err)
	}
}

// readTSV calls row with the tab-separated cells of each line of path that is neither
// empty nor a comment (#), and its line number, stopping at the first error.
func readTSV(path string, row func(n int, cells []string) error) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		if line := sc.Text(); line != "" && line[0] != '#' {
			if err := row(n, strings.Split(line, "\t")); err != nil {
				return err
			}
		}
	}
	return sc.Err()
}

func read(path string) ([]endpoint, error) {
	var eps []endpoint
	err := readTSV(path, func(n int, c []string) error {
		if len(c) != 8 {
			return fmt.Errorf("%s:%d: %d fields, want 8", path, n, len(c))
		}
		for i := range c {
			if c[i] == "-" {
				c[i] = ""
			}
		}
		e := endpoint{method: c[0], path: c[1], zone: c[2], base: c[3], consumes: c[4], produces: c[5], tags: c[7]}
		if c[6] != "" {
			e.flags = strings.Split(c[6], ",")
		}
		eps = append(eps, e)
		return nil
	})
	return eps, err
}

func write(path string, src []byte) error {
	out, err := format.Source(src)
	if err != nil {
		return fmt.Errorf("%s: %v\n%s", path, err, src)
	}
	return os.WriteFile(path, out, 0o644)
}
