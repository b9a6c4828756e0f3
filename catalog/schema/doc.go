// Package schema gives the request and response schemas of every endpoint of the WeChat Pay
// catalog (1155 endpoints), for the embedded emulator: it validates requests against them and
// builds schema-shaped answers from the catalog's example values.
//
// The data is schemas.jsonl, embedded and parsed once, lazily, on the first call of All or
// Lookup. It is written by internal/catalogimport from the shared catalog (derived from
// TheNorthMemory/wechatpay-openapi @ 4d6325b, MIT, see ../LICENSE.wechatpay-openapi); the
// build never reads the source catalog. Everything returned is shared and read-only:
// callers must not modify an Endpoint, Schema or Param. Values built by Example are fresh
// on every call and belong to the caller.
//
// # File format
//
// Lines starting with '#' are comments. Every other line is one endpoint, in source order
// (sorted by path, method, zone), as compact JSON:
//
//	{"m":"POST","p":"v3/…/{out_trade_no}/reverse","z":"hk","pp":[param…],"q":[param…],
//	 "b":schema,"r":[{"c":200,"s":schema},{"c":204}]}
//
// "z", "pp", "q", "b" (no body) and "s" (empty response body) are omitted when empty.
// A param is {"n":name,"t":type,"f":format,"req":true,"e":[enum…],"x":example,
// "i":items schema,"j":x-json schema}. A schema is
//
//	{"t":type,"f":format,"e":[enum…],"x":example,"r":[required…],
//	 "p":[{"n":name,…schema…},…],"i":items,"j":x-json,"u":x-urlencode,"o":[oneOf…],
//	 "g":[[group…],…]}
//
// with empty keys omitted; properties ("p") keep the source order, each carrying its
// name in "n". Numbers keep their exact source text. Repeated schemas (the source inlines
// every $ref) are shared: the first occurrence in file order carries "$":id and every later
// one is written {"@":id} (with "n" when it is a property), so a line may refer to schemas
// defined on earlier lines. All other source keys (descriptions, lengths, patterns, bounds,
// defaults, nullable, deprecated, xml, x-key, x-is-sensitive, x-prop-one-of) are dropped.
package schema
