package codec

// Both parsers of DecodeXMLRoot, for the differential tests: XMLBody gives
// what they parse once the safety checks passed.
var (
	XMLBody     = xmlBody
	DecodeFlat  = decodeFlat
	DecodeETree = decodeETree
)
