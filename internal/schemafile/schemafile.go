// Package schemafile holds the line format of catalog/schema/schemas.jsonl, shared by its
// writer (internal/catalogimport) and its reader (catalog/schema), so that the two cannot
// drift apart. The keys are documented in catalog/schema's package comment.
package schemafile

// Schema is one compact schema.
type Schema struct {
	N   string     `json:"n,omitempty"` // property name (only inside "p")
	Def int        `json:"$,omitempty"` // this schema is shared: later {"@":Def} nodes stand for it
	Ref int        `json:"@,omitempty"` // a copy of the schema defined earlier with "$":Ref
	T   string     `json:"t,omitempty"`
	F   string     `json:"f,omitempty"`
	E   []any      `json:"e,omitempty"`
	X   any        `json:"x,omitempty"`
	R   []string   `json:"r,omitempty"`
	P   []*Schema  `json:"p,omitempty"`
	I   *Schema    `json:"i,omitempty"`
	J   *Schema    `json:"j,omitempty"`
	U   *Schema    `json:"u,omitempty"`
	O   []*Schema  `json:"o,omitempty"`
	G   [][]string `json:"g,omitempty"`
}

// Param is a path or query parameter.
type Param struct {
	N   string  `json:"n"`
	T   string  `json:"t,omitempty"`
	F   string  `json:"f,omitempty"`
	Req bool    `json:"req,omitempty"`
	E   []any   `json:"e,omitempty"`
	X   any     `json:"x,omitempty"`
	I   *Schema `json:"i,omitempty"`
	J   *Schema `json:"j,omitempty"`
}

// Response is one status and its body's schema (nil: no body).
type Response struct {
	C int     `json:"c"`
	S *Schema `json:"s,omitempty"`
}

// Endpoint is one line of the file.
type Endpoint struct {
	M  string     `json:"m"`
	P  string     `json:"p"`
	Z  string     `json:"z,omitempty"`
	PP []Param    `json:"pp,omitempty"`
	Q  []Param    `json:"q,omitempty"`
	B  *Schema    `json:"b,omitempty"`
	R  []Response `json:"r,omitempty"`
}
