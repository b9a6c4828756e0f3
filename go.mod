module github.com/wxpay-go/wxpay

go 1.24.0

require (
	github.com/beevik/etree v1.8.1
	github.com/go-resty/resty/v2 v2.17.2
	github.com/golang-fips/openssl/v2 v2.0.3
	github.com/stretchr/testify v1.12.1
	software.sslmate.com/src/go-pkcs12 v0.7.4
)

require (
	go.yaml.in/yaml/v3 v3.0.5 // indirect
	golang.org/x/crypto v0.41.0 // indirect
	golang.org/x/net v0.43.0 // indirect
)
