package main

import (
	"bytes"
	"fmt"
	"strings"
)

func catalogFile(eps []endpoint) []byte {
	var b bytes.Buffer
	b.WriteString(catalogHeader + "package catalog\n\n")
	fmt.Fprintf(&b, "var endpoints = [%d]Endpoint{\n", len(eps))
	for _, e := range eps {
		flags := []string{}
		for _, f := range e.flags {
			flags = append(flags, flagConst[f])
		}
		fl := "0"
		if len(flags) > 0 {
			fl = strings.Join(flags, "|")
		}
		fmt.Fprintf(&b, "\t{%q, %q, %q, %q, %q, %q, %s, %q},\n", e.method, e.path, e.zone, e.base, e.consumes, e.produces, fl, e.tags)
	}
	b.WriteString("}\n")
	return b.Bytes()
}
