package main

import (
	"strings"

	"github.com/wxpay-go/wxpay/catalog"
)

// need is what a command needs of the configuration, checked before a client is built so
// that a missing credential is named by its flag and WXPAY_* variable.
type need struct {
	what       string // "APIv3 call v3/…", "certs download"
	merchant   bool   // --mchid, --serial, --private-key
	verifier   bool   // --platform-cert, or --public-key with --public-key-id
	apiv3Key   bool
	apiv2Key   bool
	clientCert bool
}

// callNeed is what a call to t needs: APIv3 signs with the merchant key and verifies the
// answer; APIv2 signs with the APIv2 key, and the catalog's certificate endpoints (and every
// secapi/ path) need the client certificate.
func callNeed(t *target) need {
	if !t.v2 {
		return need{what: "APIv3 call " + t.path, merchant: true, verifier: true}
	}
	n := need{what: "APIv2 call " + t.path, apiv2Key: true}
	n.clientCert = strings.HasPrefix(t.path, "v2/secapi/") || (t.ep != nil && t.ep.Flags&catalog.CertRequired != 0)
	return n
}

// flagRef names flags and their variables: "--apiv2-key (WXPAY_APIV2_KEY)",
// "--mchid, --serial and --private-key (WXPAY_MCHID, WXPAY_SERIAL, WXPAY_PRIVATE_KEY)".
func flagRef(names ...string) string {
	fl := make([]string, len(names))
	ev := make([]string, len(names))
	for i, n := range names {
		fl[i], ev[i] = "--"+n, envName(n)
	}
	list := fl[0]
	if len(fl) > 1 {
		list = strings.Join(fl[:len(fl)-1], ", ") + " and " + fl[len(fl)-1]
	}
	return list + " (" + strings.Join(ev, ", ") + ")"
}

// check reports the first thing n needs that s lacks, as a usage error naming the flags.
func (s *settings) check(n need) error {
	const cfg = `, or the same keys in --config FILE (WXPAY_CONFIG)`
	if n.merchant {
		var missing []string
		for _, f := range []struct{ name, v string }{{"mchid", s.mchid}, {"serial", s.serial}, {"private-key", s.privateKey}} {
			if f.v == "" {
				missing = append(missing, f.name)
			}
		}
		if len(missing) > 0 {
			return usagef("%s needs the merchant's identity: %s%s", n.what, flagRef(missing...), cfg)
		}
	}
	if n.verifier && len(s.platformCerts) == 0 && (s.publicKey == "" || s.publicKeyID == "") {
		return usagef("%s needs WeChat Pay's certificate or public key to verify the answer: %s (\"wxpay certs download\" fetches it), or %s%s",
			n.what, flagRef("platform-cert"), flagRef("public-key", "public-key-id"), cfg)
	}
	if n.apiv3Key && s.apiv3Key == "" {
		return usagef("%s needs the APIv3 key to decrypt the certificates: %s%s", n.what, flagRef("apiv3-key"), cfg)
	}
	if n.apiv2Key && s.apiv2Key == "" {
		return usagef("%s needs the APIv2 key: %s%s", n.what, flagRef("apiv2-key"), cfg)
	}
	if n.clientCert && s.clientCert == "" {
		return usagef("%s needs the merchant's client certificate for mutual TLS: %s, with %s when the key is in another file%s",
			n.what, flagRef("client-cert"), flagRef("client-key"), cfg)
	}
	return nil
}

// optionWords translates the SDK's Go option names in its configuration errors into the
// command's flags and variables. Longer names come first: a Replacer tries them in order.
var optionWords = strings.NewReplacer(
	"WithMerchant (mchid, serial, private key)", flagRef("mchid", "serial", "private-key"),
	"WithPlatformCertificates or WithPlatformPublicKey", flagRef("platform-cert")+" or "+flagRef("public-key", "public-key-id"),
	"WithMerchant", flagRef("mchid", "serial", "private-key"),
	"WithPlatformCertificates", flagRef("platform-cert"),
	"WithPlatformPublicKey", flagRef("public-key", "public-key-id"),
	"WithAPIv3Key", flagRef("apiv3-key"),
	"WithAPIv2Key", flagRef("apiv2-key"),
	"WithClientCertificate", flagRef("client-cert"),
	"WithTLSConfig", flagRef("ca"),
	"WithBaseURL", flagRef("base-url"),
	"set BaseURL", "set "+flagRef("base-url"),
)

// cliWords rewrites an SDK error message for the command line (see optionWords).
func cliWords(msg string) string { return optionWords.Replace(msg) }
