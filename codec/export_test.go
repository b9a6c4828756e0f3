package codec

// Both parsers of DecodeXMLRoot, for the differential tests: XMLBody gives
// what they parse once the safety checks passed.
var (
	XMLBody     = xmlBody
	DecodeFlat  = decodeFlat
	DecodeETree = decodeETree
)

// Classify and ScanUnsafe are the two checks XMLBody makes, apart.
func Classify(data []byte) (int, error) { return classify(data) }
func ScanUnsafe(b []byte) error         { return scanUnsafe(b, 0) }
