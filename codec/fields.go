package codec

import (
	"encoding"
	"encoding/xml"
	"fmt"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// Field is one APIv2 field: an element name and its text. It names the plain
// struct type struct{ Name, Value string }, as signer.Field does, so the two
// are one type: a Fields list is passed to signer.SignV2 and signer.VerifyV2
// as it is, without a copy, and neither package imports the other.
type Field = struct{ Name, Value string }

// Fields is an ordered list of APIv2 fields, as written on the wire. A name
// may appear more than once (repeated elements); the order is significant
// for encoding and is preserved by decoding.
type Fields []Field

// Get returns the value of the first field called name, or "" if there is
// none. Use [Fields.Lookup] to tell an absent field from an empty one.
func (f Fields) Get(name string) string {
	v, _ := f.Lookup(name)
	return v
}

// Lookup returns the value of the first field called name and whether such
// a field exists.
func (f Fields) Lookup(name string) (string, bool) {
	for i := range f {
		if f[i].Name == name {
			return f[i].Value, true
		}
	}
	return "", false
}

// Map returns the fields as a new map. For a repeated name the first value
// wins, as with [Fields.Get]. The result is never nil.
func (f Fields) Map() map[string]string {
	m := make(map[string]string, len(f))
	for i := range f {
		if _, dup := m[f[i].Name]; !dup {
			m[f[i].Name] = f[i].Value
		}
	}
	return m
}

// Decode stores the fields in v, which must be one of:
//
//   - *map[string]string: the map gets the fields as by [Fields.Map] (first
//     value wins). A nil map is allocated; an existing map is added to, and
//     its entries with the same names are overwritten.
//   - *Fields: a copy of f.
//   - a pointer to a struct: each field is matched to the struct field whose
//     name (the `xml:"name"` tag, else the Go field name) equals it; the
//     struct is walked as by [FieldsOf] (exported fields, embedded structs
//     flattened, `xml:"-"` skipped). Fields without a match are ignored;
//     struct fields without a matching field are left untouched. A string
//     field gets the value as is; int, uint, float and bool fields are parsed
//     with strconv (ParseInt/ParseUint base 10 with the field's bit size,
//     ParseFloat, ParseBool) and a parse failure is an error naming the
//     field; an empty value leaves a number or bool field untouched. A
//     []string field collects every value of a repeated name, in order (it
//     is replaced, not appended to); any other field takes the first value
//     only. A pointer field is allocated when a value is stored in it. An
//     `any` field gets the value as a string. Other types are decoded with
//     encoding.TextUnmarshaler if they implement it; otherwise a matching
//     field is an error wrapping [ErrNested].
func (f Fields) Decode(v any) error {
	switch t := v.(type) {
	case *map[string]string:
		if t == nil {
			break
		}
		if *t == nil {
			*t = f.Map()
			return nil
		}
		for i := len(f) - 1; i >= 0; i-- { // backwards, so the first value wins
			(*t)[f[i].Name] = f[i].Value
		}
		return nil
	case *Fields:
		if t == nil {
			break
		}
		*t = append(make(Fields, 0, len(f)), f...)
		return nil
	}
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.IsNil() || rv.Elem().Kind() != reflect.Struct {
		return fmt.Errorf("codec: cannot decode fields into %T: want a non-nil *map[string]string, *Fields or pointer to a struct", v)
	}
	sv := rv.Elem()
	info := infoOf(sv.Type())
	var small [64]bool
	var seen []bool
	if len(info.fields) <= len(small) {
		seen = small[:len(info.fields)]
	} else {
		seen = make([]bool, len(info.fields))
	}
	for _, fl := range f {
		i, ok := info.byName[fl.Name]
		if !ok {
			if err := decodeNumbered(sv, info, fl); err != nil {
				return err
			}
			continue
		}
		fi := &info.fields[i]
		first := !seen[i]
		if !first && !fi.repeated {
			continue
		}
		seen[i] = true
		if err := setField(fieldAlloc(sv, fi.index), fi.name, fl.Value, first); err != nil {
			return err
		}
	}
	return nil
}

// FieldsOf turns v into Fields, ready for [EncodeXML] and APIv2 signing.
//
//   - nil (and a nil pointer) gives empty Fields.
//   - Fields, *Fields and []Field are copied as they are (order kept, nothing
//     validated).
//   - A map with string keys (map[string]string, map[string]any, url.Values,
//     …) gives one field per key, sorted by key in byte order (so "REMARK"
//     sorts before "re_openid"). Values are rendered as below; an empty
//     string is kept, a nil value is omitted.
//   - A struct or pointer to a struct gives its exported fields in
//     declaration order. The name comes from the `xml:"name,omitempty"` tag,
//     else the Go field name; `xml:"-"` and fields of type xml.Name are
//     skipped; with omitempty an empty string, zero number, false, empty
//     []string and nil pointer or interface are omitted (a non-nil pointer
//     to a zero value is kept, as in encoding/json). Embedded structs without a tag name are flattened (a nil
//     embedded pointer contributes nothing); when embedding produces the same
//     name twice, the shallower field wins.
//
// Values are rendered from scalar kinds only: string kinds (including
// json.Number) as is, int and uint kinds in base 10, bool as "true" or
// "false", float32/float64 with strconv.FormatFloat(f, 'f', -1, bits) (NaN
// and ±Inf are errors). A value of any other kind that implements
// fmt.Stringer is rendered with String (a scalar kind is rendered by kind even
// if it has a String method). Pointers and interfaces are followed; a nil one
// is omitted. A slice of a string kind ([]string) gives one field per
// element, all with the same name (repeated elements). Any other struct, map,
// slice or array value is an error wrapping [ErrNested] that names the field:
// serialize it first (for example to a JSON string).
//
// FieldsOf does not validate names or values; [EncodeXML] does.
func FieldsOf(v any) (Fields, error) {
	switch x := v.(type) {
	case nil:
		return Fields{}, nil
	case Fields:
		return append(make(Fields, 0, len(x)), x...), nil
	case []Field:
		return append(make(Fields, 0, len(x)), x...), nil
	case *Fields:
		if x == nil {
			return Fields{}, nil
		}
		return append(make(Fields, 0, len(*x)), (*x)...), nil
	case map[string]string:
		out := make(Fields, 0, len(x)+3) // room for an APIv2 call's nonce_str, sign_type and sign
		for k, v := range x {
			out = append(out, Field{k, v})
		}
		slices.SortFunc(out, func(a, b Field) int { return strings.Compare(a.Name, b.Name) })
		return out, nil
	}
	rv := reflect.ValueOf(v)
	for rv.Kind() == reflect.Pointer {
		if rv.IsNil() {
			return Fields{}, nil
		}
		rv = rv.Elem()
	}
	switch {
	case rv.Kind() == reflect.Struct:
		return structFields(rv)
	case rv.Kind() == reflect.Map && rv.Type().Key().Kind() == reflect.String:
		return mapFields(rv)
	}
	return nil, fmt.Errorf("codec: cannot make fields of %T: want a struct, a map with string keys or Fields", v)
}

func mapFields(rv reflect.Value) (Fields, error) {
	keys := rv.MapKeys()
	slices.SortFunc(keys, func(a, b reflect.Value) int { return strings.Compare(a.String(), b.String()) })
	out := make(Fields, 0, len(keys)+3) // room for nonce_str, sign_type and sign
	var err error
	for _, k := range keys {
		if out, err = appendValue(out, k.String(), rv.MapIndex(k), false); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func structFields(rv reflect.Value) (Fields, error) {
	info := infoOf(rv.Type())
	out := make(Fields, 0, len(info.fields)+3) // room for nonce_str, sign_type and sign
	var err error
	for i := range info.fields {
		fi := &info.fields[i]
		fv, ok := fieldRead(rv, fi.index)
		if !ok {
			continue
		}
		if fi.numbered {
			if out, err = numberedFields(out, fi.name, fv); err != nil {
				return nil, err
			}
			continue
		}
		if out, err = appendValue(out, fi.name, fv, fi.omitempty); err != nil {
			return nil, err
		}
	}
	return out, nil
}

var (
	stringerType        = reflect.TypeFor[fmt.Stringer]()
	textUnmarshalerType = reflect.TypeFor[encoding.TextUnmarshaler]()
	xmlNameType         = reflect.TypeFor[xml.Name]()
)

func isScalarKind(k reflect.Kind) bool {
	switch k {
	case reflect.String, reflect.Bool,
		reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
		reflect.Float32, reflect.Float64:
		return true
	}
	return false
}

// appendValue renders rv as one field (or several, for a string slice).
func appendValue(dst Fields, name string, rv reflect.Value, omitempty bool) (Fields, error) {
	for {
		switch rv.Kind() {
		case reflect.Invalid:
			return dst, nil
		case reflect.Interface, reflect.Pointer:
			if rv.IsNil() {
				return dst, nil
			}
			omitempty = false // a non-nil pointer or interface is a present value
			if rv.Kind() == reflect.Pointer && !isScalarKind(rv.Type().Elem().Kind()) {
				if s, ok := stringOf(rv); ok {
					if omitempty && s == "" {
						return dst, nil
					}
					return append(dst, Field{name, s}), nil
				}
			}
			rv = rv.Elem()
			continue
		}
		break
	}
	if rv.Kind() == reflect.Slice && rv.Type().Elem().Kind() == reflect.String {
		for i, n := 0, rv.Len(); i < n; i++ {
			dst = append(dst, Field{name, rv.Index(i).String()})
		}
		return dst, nil
	}
	s, err := scalarString(name, rv)
	if err != nil {
		return dst, err
	}
	if omitempty && (s == "" || rv.IsZero()) {
		return dst, nil
	}
	return append(dst, Field{name, s}), nil
}

func scalarString(name string, rv reflect.Value) (string, error) {
	switch rv.Kind() {
	case reflect.String:
		return rv.String(), nil
	case reflect.Bool:
		return strconv.FormatBool(rv.Bool()), nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return strconv.FormatInt(rv.Int(), 10), nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return strconv.FormatUint(rv.Uint(), 10), nil
	case reflect.Float32, reflect.Float64:
		f := rv.Float()
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return "", fmt.Errorf("codec: field %q: cannot encode %v", name, f)
		}
		return strconv.FormatFloat(f, 'f', -1, rv.Type().Bits()), nil
	}
	if s, ok := stringOf(rv); ok {
		return s, nil
	}
	switch rv.Kind() {
	case reflect.Struct, reflect.Map, reflect.Slice, reflect.Array:
		return "", fmt.Errorf("%w: field %q holds a %s; serialize it first (for example to a JSON string)", ErrNested, name, rv.Type())
	}
	return "", fmt.Errorf("codec: field %q: unsupported type %s", name, rv.Type())
}

// stringOf calls String on rv if its type implements fmt.Stringer.
func stringOf(rv reflect.Value) (string, bool) {
	if !rv.CanInterface() || !rv.Type().Implements(stringerType) {
		return "", false
	}
	return rv.Interface().(fmt.Stringer).String(), true
}

func setField(fv reflect.Value, name, s string, first bool) error {
	if fv.Kind() == reflect.Pointer {
		if s == "" && isScalarKind(fv.Type().Elem().Kind()) && fv.Type().Elem().Kind() != reflect.String {
			return nil
		}
		if fv.IsNil() {
			fv.Set(reflect.New(fv.Type().Elem()))
		}
		fv = fv.Elem()
	}
	k := fv.Kind()
	if !isScalarKind(k) && fv.CanAddr() && fv.Addr().Type().Implements(textUnmarshalerType) {
		if err := fv.Addr().Interface().(encoding.TextUnmarshaler).UnmarshalText([]byte(s)); err != nil {
			return fmt.Errorf("codec: field %q: %w", name, err)
		}
		return nil
	}
	if s == "" && isScalarKind(k) && k != reflect.String {
		return nil
	}
	switch k {
	case reflect.String:
		fv.SetString(s)
	case reflect.Bool:
		b, err := strconv.ParseBool(s)
		if err != nil {
			return fmt.Errorf("codec: field %q: invalid boolean %q: %w", name, s, err)
		}
		fv.SetBool(b)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		n, err := strconv.ParseInt(s, 10, fv.Type().Bits())
		if err != nil {
			return fmt.Errorf("codec: field %q: invalid integer %q: %w", name, s, err)
		}
		fv.SetInt(n)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		n, err := strconv.ParseUint(s, 10, fv.Type().Bits())
		if err != nil {
			return fmt.Errorf("codec: field %q: invalid unsigned integer %q: %w", name, s, err)
		}
		fv.SetUint(n)
	case reflect.Float32, reflect.Float64:
		n, err := strconv.ParseFloat(s, fv.Type().Bits())
		if err != nil {
			return fmt.Errorf("codec: field %q: invalid number %q: %w", name, s, err)
		}
		fv.SetFloat(n)
	case reflect.Slice:
		if fv.Type().Elem().Kind() != reflect.String {
			return fmt.Errorf("%w: field %q: cannot decode a value into %s", ErrNested, name, fv.Type())
		}
		if first {
			fv.Set(reflect.MakeSlice(fv.Type(), 0, 1))
		}
		fv.Set(reflect.Append(fv, reflect.ValueOf(s).Convert(fv.Type().Elem())))
	case reflect.Interface:
		if fv.NumMethod() != 0 {
			return fmt.Errorf("codec: field %q: cannot decode a value into %s", name, fv.Type())
		}
		fv.Set(reflect.ValueOf(s))
	case reflect.Struct, reflect.Map, reflect.Array:
		return fmt.Errorf("%w: field %q: cannot decode a value into %s", ErrNested, name, fv.Type())
	default:
		return fmt.Errorf("codec: field %q: cannot decode a value into %s", name, fv.Type())
	}
	return nil
}

// decodeNumbered stores a field that no struct field is named after in the numbered
// field whose pattern it matches, if any.
func decodeNumbered(sv reflect.Value, info *structInfo, fl Field) error {
	for i := range info.fields {
		fi := &info.fields[i]
		if !fi.numbered {
			continue
		}
		if n, m, ok := matchNumbered(fi.name, fl.Name); ok {
			return setNumbered(fieldAlloc(sv, fi.index), fl.Name, fl.Value, n, m)
		}
	}
	return nil
}

// Struct metadata, computed once per type.

type fieldInfo struct {
	name      string
	index     []int
	depth     int
	omitempty bool
	repeated  bool // []string (or *[]string): decoding collects every value
	numbered  bool // the name holds $n: one field per element (numbered.go)
}

type structInfo struct {
	fields []fieldInfo
	byName map[string]int // first field with the name
}

var structCache sync.Map // reflect.Type → *structInfo

func infoOf(t reflect.Type) *structInfo {
	if v, ok := structCache.Load(t); ok {
		return v.(*structInfo)
	}
	var all []fieldInfo
	collectFields(t, nil, 0, &all, map[reflect.Type]bool{t: true})
	minDepth := make(map[string]int, len(all))
	for _, f := range all {
		if d, ok := minDepth[f.name]; !ok || f.depth < d {
			minDepth[f.name] = f.depth
		}
	}
	info := &structInfo{byName: make(map[string]int, len(all))}
	for _, f := range all {
		if f.depth != minDepth[f.name] {
			continue
		}
		if _, dup := info.byName[f.name]; !dup {
			info.byName[f.name] = len(info.fields)
		}
		info.fields = append(info.fields, f)
	}
	v, _ := structCache.LoadOrStore(t, info)
	return v.(*structInfo)
}

func collectFields(t reflect.Type, index []int, depth int, out *[]fieldInfo, visiting map[reflect.Type]bool) {
	for i := 0; i < t.NumField(); i++ {
		sf := t.Field(i)
		tag := sf.Tag.Get("xml")
		if tag == "-" || sf.Type == xmlNameType {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		idx := append(slices.Clip(index), i)
		if sf.Anonymous && name == "" {
			ft := sf.Type
			ptr := ft.Kind() == reflect.Pointer
			if ptr {
				ft = ft.Elem()
			}
			if ft.Kind() == reflect.Struct {
				if (ptr && !sf.IsExported()) || visiting[ft] {
					continue // cannot allocate an unexported pointer; or a cycle
				}
				visiting[ft] = true
				collectFields(ft, idx, depth+1, out, visiting)
				delete(visiting, ft)
				continue
			}
		}
		if !sf.IsExported() {
			continue
		}
		if name == "" {
			name = sf.Name
		}
		ft := sf.Type
		if ft.Kind() == reflect.Pointer {
			ft = ft.Elem()
		}
		*out = append(*out, fieldInfo{
			name:      name,
			index:     idx,
			depth:     depth,
			omitempty: hasOption(opts, "omitempty"),
			repeated:  ft.Kind() == reflect.Slice && ft.Elem().Kind() == reflect.String && !isNumbered(name),
			numbered:  isNumbered(name),
		})
	}
}

func hasOption(opts, want string) bool {
	for opts != "" {
		var o string
		o, opts, _ = strings.Cut(opts, ",")
		if o == want {
			return true
		}
	}
	return false
}

// fieldRead follows index from the struct v; ok is false when it passes
// through a nil embedded pointer.
func fieldRead(v reflect.Value, index []int) (reflect.Value, bool) {
	for i, x := range index {
		if i > 0 && v.Kind() == reflect.Pointer {
			if v.IsNil() {
				return reflect.Value{}, false
			}
			v = v.Elem()
		}
		v = v.Field(x)
	}
	return v, true
}

// fieldAlloc follows index from the struct v, allocating nil embedded
// pointers on the way.
func fieldAlloc(v reflect.Value, index []int) reflect.Value {
	for i, x := range index {
		if i > 0 && v.Kind() == reflect.Pointer {
			if v.IsNil() {
				v.Set(reflect.New(v.Type().Elem()))
			}
			v = v.Elem()
		}
		v = v.Field(x)
	}
	return v
}
