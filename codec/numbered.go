package codec

import (
	"reflect"
	"strconv"
	"strings"
)

// Numbered fields. APIv2 answers and requests carry lists as numbered fields:
// coupon_id_0, coupon_id_1, … (and coupon_refund_id_0_1 for a list of lists). A struct
// field tagged with the pattern — `xml:"coupon_id_$n"`, `xml:"coupon_refund_id_$n_$m"` —
// of slice type (a slice of slices for $n_$m) stands for all of them: FieldsOf gives one
// field per element, $n (and $m) replaced by its index; Fields.Decode stores each numbered
// field at its index, growing the slice. Elements are scalars, rendered and parsed as
// single fields are.

func isNumbered(name string) bool { return strings.Contains(name, "$n") }

// numberedFields appends the elements of a numbered field.
func numberedFields(dst Fields, pattern string, rv reflect.Value) (Fields, error) {
	for rv.Kind() == reflect.Pointer || rv.Kind() == reflect.Interface {
		if rv.IsNil() {
			return dst, nil
		}
		rv = rv.Elem()
	}
	if rv.Kind() != reflect.Slice {
		return appendValue(dst, pattern, rv, true)
	}
	var err error
	for i := 0; i < rv.Len(); i++ {
		name := strings.Replace(pattern, "$n", strconv.Itoa(i), 1)
		el := rv.Index(i)
		if strings.Contains(name, "$m") && el.Kind() == reflect.Slice {
			for j := 0; j < el.Len(); j++ {
				if dst, err = appendValue(dst, strings.Replace(name, "$m", strconv.Itoa(j), 1), el.Index(j), false); err != nil {
					return nil, err
				}
			}
			continue
		}
		if dst, err = appendValue(dst, name, el, false); err != nil {
			return nil, err
		}
	}
	return dst, nil
}

// matchNumbered reports whether name is an instance of pattern, and its indexes ($m is
// -1 when the pattern has none).
func matchNumbered(pattern, name string) (n, m int, ok bool) {
	n, m = -1, -1
	for pattern != "" {
		i := strings.IndexByte(pattern, '$')
		if i < 0 || i+1 >= len(pattern) {
			return n, m, pattern == name
		}
		if !strings.HasPrefix(name, pattern[:i]) {
			return 0, 0, false
		}
		name = name[i:]
		d := 0
		for d < len(name) && name[d] >= '0' && name[d] <= '9' {
			d++
		}
		if d == 0 || d > 6 {
			return 0, 0, false
		}
		v, _ := strconv.Atoi(name[:d])
		switch pattern[i+1] {
		case 'n':
			n = v
		case 'm':
			m = v
		default:
			return 0, 0, false
		}
		name, pattern = name[d:], pattern[i+2:]
	}
	return n, m, name == "" && n >= 0
}

// setNumbered stores one numbered field's value at its index in the slice fv.
func setNumbered(fv reflect.Value, name, value string, n, m int) error {
	if fv.Kind() == reflect.Pointer {
		if fv.IsNil() {
			fv.Set(reflect.New(fv.Type().Elem()))
		}
		fv = fv.Elem()
	}
	if fv.Kind() != reflect.Slice {
		return setField(fv, name, value, true)
	}
	el := growTo(fv, n)
	if m >= 0 && el.Kind() == reflect.Slice {
		el = growTo(el, m)
	}
	return setField(el, name, value, true)
}

// growTo makes the slice s at least i+1 long and returns its element i.
func growTo(s reflect.Value, i int) reflect.Value {
	if s.Len() <= i {
		grown := reflect.MakeSlice(s.Type(), i+1, i+1)
		reflect.Copy(grown, s)
		s.Set(grown)
	}
	return s.Index(i)
}
