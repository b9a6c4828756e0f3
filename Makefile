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

## bench: paired benchmarks (paired_bench_test.go), then a summary in calls per second per
## core (internal/benchsum): RSA sign/verify Go vs OpenSSL, the chained limits and the SDK's
## APIv3 call with Go crypto and with the OpenSSL backend (one goroutine, then two), the
## SDK's own work per call, and the APIv2 call against a bare round trip. About a minute.
## Without cgo or libcrypto.so.3 the OpenSSL benchmarks are skipped.
BENCH ?= Paired
BENCHTIME ?= 5s
bench:
	@{ $(GO) test -run '^$$' -bench '$(BENCH)' -benchtime=$(BENCHTIME) -cpu 1 . && \
	   $(GO) test -run '^$$' -bench 'PairedCalls' -benchtime=$(BENCHTIME) -cpu 2 . ; } 2>&1 | $(GO) run ./internal/benchsum

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
