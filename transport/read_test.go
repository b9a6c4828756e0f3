package transport

import (
	"bytes"
	"errors"
	"testing"
	"testing/iotest"
)

// readAll reads an answer whole up to limit bytes: exactly limit is fine, one more is
// ErrResponseTooLarge, whatever the size hint and however the reader splits its reads.
func TestReadAllLimit(t *testing.T) {
	const limit = 1000
	for _, n := range []int{0, 1, 511, 512, 513, limit - 1, limit, limit + 1, 3 * limit} {
		data := bytes.Repeat([]byte{'a'}, n)
		for _, size := range []int64{-1, 0, int64(n), int64(n) / 2, int64(n) + 7} {
			for _, name := range []string{"whole", "onebyte"} {
				src := bytes.NewReader(data)
				var got []byte
				var err error
				if name == "onebyte" {
					got, err = readAll(iotest.OneByteReader(src), size, limit)
				} else {
					got, err = readAll(src, size, limit)
				}
				if n > limit {
					if !errors.Is(err, ErrResponseTooLarge) {
						t.Errorf("%d bytes, size %d, %s: err %v, want ErrResponseTooLarge", n, size, name, err)
					}
					continue
				}
				if err != nil || !bytes.Equal(got, data) {
					t.Errorf("%d bytes, size %d, %s: got %d bytes, err %v", n, size, name, len(got), err)
				}
			}
		}
	}
	_, err := readAll(iotest.TimeoutReader(bytes.NewReader(bytes.Repeat([]byte{'a'}, 600))), -1, limit)
	var se *SendError
	if !errors.As(err, &se) {
		t.Errorf("a failing read: %v, want a *SendError", err)
	}
}
