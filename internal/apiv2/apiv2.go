// Package apiv2 holds the APIv2 field type that codec (which reads and writes
// the XML) and signer (which signs the fields) share without importing each
// other: codec.Field and signer.Field are both aliases of [Field], so a
// codec.Fields list is passed to signer.SignV2 as it is, with no copy.
package apiv2

// Field is one APIv2 field: an element name and its text.
type Field struct{ Name, Value string }
