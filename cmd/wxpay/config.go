package main

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"

	"github.com/wxpay-go/wxpay"
	"github.com/wxpay-go/wxpay/keys"
)

// listFlag is a repeatable string flag.
type listFlag []string

func (l *listFlag) String() string { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error {
	*l = append(*l, v)
	return nil
}

// fileConfig is the JSON read by --config, and written by `wxpay sandbox` as sandbox.json
// (the keys API.md names, plus the files it writes), so that file works as --config. The
// keys only a hand-written config uses are omitted when empty. Relative paths are taken
// from the directory of the config file.
type fileConfig struct {
	URL            string `json:"url"`
	BaseURL        string `json:"base_url,omitempty"`
	MchID          string `json:"mchid"`
	MerchantSerial string `json:"merchant_serial"`
	Serial         string `json:"serial,omitempty"`
	PlatformSerial string `json:"platform_serial"`
	PublicKeyID    string `json:"public_key_id"`
	APIv3Key       string `json:"apiv3_key"`
	APIv2Key       string `json:"apiv2_key"`

	PrivateKey    string   `json:"private_key"`
	PlatformCert  string   `json:"platform_cert"`
	PlatformCerts []string `json:"platform_certs,omitempty"`
	PublicKey     string   `json:"public_key"`
	ClientCert    string   `json:"client_cert"`
	ClientKey     string   `json:"client_key"`
	CA            string   `json:"ca,omitempty"`
}

// clientFlags are the flags that configure a client; every one also has a WXPAY_* variable.
type clientFlags struct {
	fs     *flag.FlagSet
	values map[string]*string // flag name → value, for the single-valued flags
	certs  listFlag
}

// the single-valued client flags, in the order of the usage text.
var clientFlagNames = []struct{ name, usage string }{
	{"config", "JSON `FILE` with url, mchid, merchant_serial, public_key_id, apiv3_key, apiv2_key and file paths (private_key, platform_cert(s), public_key, client_cert, client_key, ca)"},
	{"mchid", "merchant `ID`"},
	{"serial", "merchant certificate serial `number`"},
	{"private-key", "merchant private key PEM `FILE`"},
	{"public-key", "WeChat Pay public key PEM `FILE`"},
	{"public-key-id", "WeChat Pay public key `ID` (PUB_KEY_ID_…)"},
	{"apiv3-key", "APIv3 `key`"},
	{"apiv2-key", "APIv2 `key`"},
	{"client-cert", "client certificate PEM `FILE` for mutual TLS (APIv2)"},
	{"client-key", "client certificate's key PEM `FILE` (default: the client-cert file)"},
	{"ca", "PEM `FILE` of extra roots trusted for the server's TLS (the sandbox's ca.pem)"},
	{"base-url", "base `URL` (default https://api.mch.weixin.qq.com/)"},
}

func envName(flagName string) string {
	return "WXPAY_" + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

func addClientFlags(fs *flag.FlagSet) *clientFlags {
	c := &clientFlags{fs: fs, values: map[string]*string{}}
	for _, f := range clientFlagNames {
		c.values[f.name] = fs.String(f.name, "", f.usage+" ["+envName(f.name)+"]")
	}
	fs.Var(&c.certs, "platform-cert", "platform certificate PEM `FILE`, repeatable ["+envName("platform-cert")+", list separated by '"+string(os.PathListSeparator)+"']")
	return c
}

// settings is the resolved configuration: flags > env > config file.
type settings struct {
	mchid, serial, privateKey, publicKey, publicKeyID string
	apiv3Key, apiv2Key, clientCert, clientKey, ca     string
	baseURL                                           string
	platformCerts                                     []string
}

func (c *clientFlags) resolve(getenv func(string) string) (*settings, error) {
	set := map[string]bool{}
	c.fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	pick := func(name, fromFile string) string {
		if set[name] {
			return *c.values[name]
		}
		if v := getenv(envName(name)); v != "" {
			return v
		}
		return fromFile
	}
	var fc fileConfig
	dir := ""
	if path := pick("config", ""); path != "" {
		data, err := os.ReadFile(path)
		if err != nil {
			return nil, usagef("--config: %v", err)
		}
		if err := json.Unmarshal(data, &fc); err != nil {
			return nil, usagef("--config %s: %v", path, err)
		}
		dir = filepath.Dir(path)
	}
	rel := func(p string) string {
		if p == "" || filepath.IsAbs(p) {
			return p
		}
		return filepath.Join(dir, p)
	}
	s := &settings{
		mchid:       pick("mchid", fc.MchID),
		serial:      pick("serial", first(fc.Serial, fc.MerchantSerial)),
		privateKey:  pick("private-key", rel(fc.PrivateKey)),
		publicKey:   pick("public-key", rel(fc.PublicKey)),
		publicKeyID: pick("public-key-id", fc.PublicKeyID),
		apiv3Key:    pick("apiv3-key", fc.APIv3Key),
		apiv2Key:    pick("apiv2-key", fc.APIv2Key),
		clientCert:  pick("client-cert", rel(fc.ClientCert)),
		clientKey:   pick("client-key", rel(fc.ClientKey)),
		ca:          pick("ca", rel(fc.CA)),
		baseURL:     pick("base-url", first(fc.BaseURL, fc.URL)),
	}
	switch {
	case len(c.certs) > 0:
		s.platformCerts = c.certs
	case getenv(envName("platform-cert")) != "":
		s.platformCerts = filepath.SplitList(getenv(envName("platform-cert")))
	default:
		for _, p := range append([]string{fc.PlatformCert}, fc.PlatformCerts...) {
			if p != "" {
				s.platformCerts = append(s.platformCerts, rel(p))
			}
		}
	}
	return s, nil
}

func first(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// options turns the settings into client options. Unreadable or malformed files are usage
// errors.
func (s *settings) options() ([]wxpay.Option, error) {
	var opts []wxpay.Option
	if s.mchid != "" || s.serial != "" || s.privateKey != "" {
		if s.mchid == "" || s.serial == "" || s.privateKey == "" {
			return nil, usagef("a merchant needs %s together", flagRef("mchid", "serial", "private-key"))
		}
		key, err := keys.LoadPrivateKeyFile(s.privateKey)
		if err != nil {
			return nil, usagef("--private-key: %v", err)
		}
		opts = append(opts, wxpay.WithMerchant(s.mchid, s.serial, key))
	}
	for _, p := range s.platformCerts {
		cert, err := keys.LoadCertificateFile(p)
		if err != nil {
			return nil, usagef("--platform-cert: %v", err)
		}
		opts = append(opts, wxpay.WithPlatformCertificates(cert))
	}
	if s.publicKey != "" || s.publicKeyID != "" {
		if s.publicKey == "" || s.publicKeyID == "" {
			return nil, usagef("a platform public key needs %s together", flagRef("public-key", "public-key-id"))
		}
		pk, err := keys.LoadPublicKeyFile(s.publicKey)
		if err != nil {
			return nil, usagef("--public-key: %v", err)
		}
		opts = append(opts, wxpay.WithPlatformPublicKey(s.publicKeyID, pk))
	}
	if s.apiv3Key != "" {
		opts = append(opts, wxpay.WithAPIv3Key(s.apiv3Key))
	}
	if s.apiv2Key != "" {
		opts = append(opts, wxpay.WithAPIv2Key(s.apiv2Key))
	}
	if s.clientCert != "" || s.clientKey != "" {
		if s.clientCert == "" {
			return nil, usagef("--client-key needs %s", flagRef("client-cert"))
		}
		certPEM, err := os.ReadFile(s.clientCert)
		if err != nil {
			return nil, usagef("--client-cert: %v", err)
		}
		keyPEM := certPEM
		if s.clientKey != "" {
			if keyPEM, err = os.ReadFile(s.clientKey); err != nil {
				return nil, usagef("--client-key: %v", err)
			}
		}
		pair, err := tls.X509KeyPair(certPEM, keyPEM)
		if err != nil {
			return nil, usagef("--client-cert/--client-key: %v", err)
		}
		opts = append(opts, wxpay.WithClientCertificate(pair))
	}
	if s.ca != "" {
		data, err := os.ReadFile(s.ca)
		if err != nil {
			return nil, usagef("--ca: %v", err)
		}
		pool, err := x509.SystemCertPool()
		if err != nil || pool == nil {
			pool = x509.NewCertPool()
		}
		if !pool.AppendCertsFromPEM(data) {
			return nil, usagef("--ca %s: no PEM certificate found", s.ca)
		}
		opts = append(opts, wxpay.WithTLSConfig(&tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}))
	}
	if s.baseURL != "" {
		opts = append(opts, wxpay.WithBaseURL(s.baseURL))
	}
	return opts, nil
}

// newClient resolves the flags, checks that they hold what n needs, and builds the client;
// every failure is a usage error that names the flags (not the SDK's Go options).
func (c *clientFlags) newClient(getenv func(string) string, n need) (*wxpay.Client, error) {
	s, err := c.resolve(getenv)
	if err != nil {
		return nil, err
	}
	if err := s.check(n); err != nil {
		return nil, err
	}
	opts, err := s.options()
	if err != nil {
		return nil, err
	}
	client, err := wxpay.New(opts...)
	if err != nil {
		return nil, usagef("%s", cliWords(strings.TrimPrefix(err.Error(), "wxpay: ")))
	}
	return client, nil
}

// exitCode classifies an error of a call.
func exitCode(err error) int {
	var ue *usageError
	switch {
	case errors.As(err, &ue),
		errors.Is(err, wxpay.ErrConfig),
		errors.Is(err, wxpay.ErrMissingPathParam),
		errors.Is(err, wxpay.ErrInvalidPathParam),
		errors.Is(err, wxpay.ErrInvalidTemplate):
		return exitUsage
	}
	return exitAPI
}
