# wxpay — make test (the CI command), make demo, make bench, make lint, make fuzz.
GO ?= go
STATICCHECK ?= honnef.co/go/tools/cmd/staticcheck@v0.8.2

.PHONY: test demo bench lint fuzz fmt generate

## test: gofmt and vet, then every test with the race detector
test:
	@test -z "$$(gofmt -l .)" || { gofmt -l .; echo "gofmt: files above need formatting"; exit 1; }
	$(GO) vet ./...
	$(GO) test -race -count=1 ./...

## demo: the main job against the embedded emulator (no credentials needed)
demo:
	$(GO) run ./examples/demo

## bench: RSA sign/verify, a bare net/http round trip, full APIv3 calls (real and no-cost
## signer), a full APIv2 call and the derived SDK overhead, with allocations. -cpu 1 runs
## client and loopback server on one P, so the subtraction measures work, not scheduling;
## -cpu 2 is the machine as it is.
BENCH ?= RSASign$$|RSAVerify$$|BareRoundTrip|APIv3Call|APIv2Call|SDKOverhead
bench:
	$(GO) test -run '^$$' -bench '$(BENCH)' -benchmem -benchtime=2s -cpu 1,2 . ./signer

## lint: gofmt, vet and staticcheck (fetched from the Go module proxy)
lint:
	@test -z "$$(gofmt -l .)" || { gofmt -l .; echo "gofmt: files above need formatting"; exit 1; }
	$(GO) vet ./...
	$(GO) run $(STATICCHECK) ./...

## fuzz: each fuzz target for FUZZTIME (make fuzz FUZZTIME=5m). `make test` runs their seed
## corpora (testdata fixtures and testdata/fuzz/) as unit tests. Add a target as package:Name.
FUZZTIME ?= 30s
FUZZ_TARGETS ?= \
	./keys:FuzzLoadPrivateKey \
	./keys:FuzzLoadEncryptedPrivateKey \
	./keys:FuzzLoadPKCS12 \
	./keys:FuzzLoadPublicKey \
	./codec:FuzzDecodeXML \
	./codec:FuzzDecodeXMLFastPath \
	./codec:FuzzXMLRoundTrip \
	./notify:FuzzParseV3 \
	./notify:FuzzParseV2 \
	./chain:FuzzParseExpand
fuzz:
	@set -e; for t in $(FUZZ_TARGETS); do \
		pkg=$${t%%:*}; name=$${t##*:}; \
		echo "== $$pkg $$name ($(FUZZTIME))"; \
		$(GO) test $$pkg -run '^$$' -fuzz "^$$name$$" -fuzztime $(FUZZTIME); \
	done

fmt:
	gofmt -w .

generate:
	$(GO) generate ./...
