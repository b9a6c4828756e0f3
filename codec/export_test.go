package codec

// Both parsers of DecodeXMLRoot, for the differential tests: XMLBody gives
// what they parse once the safety checks passed.
var (
	DecodeFlat  = decodeFlat
	DecodeETree = decodeETree
)

// XMLBody is the part of data the parsers see once both checks passed (classify, then
// scanUnsafe): what etree is given.
func XMLBody(data []byte) ([]byte, error) {
	start, err := classify(data)
	if err != nil {
		return nil, err
	}
	body := data[start:]
	if err := scanUnsafe(body, start); err != nil {
		return nil, err
	}
	return body, nil
}

// Classify and ScanUnsafe are the two checks XMLBody makes, apart.
func Classify(data []byte) (int, error) { return classify(data) }
func ScanUnsafe(b []byte) error         { return scanUnsafe(b, 0) }
