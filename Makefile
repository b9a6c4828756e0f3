# wxpay — make test (the CI command), make demo, make bench, make lint.
GO ?= go
STATICCHECK ?= honnef.co/go/tools/cmd/staticcheck@v0.8.2

.PHONY: test demo bench lint fmt generate

## test: vet, then every test with the race detector
test:
	$(GO) vet ./...
	$(GO) test -race -count=1 ./...

## demo: the main job against the embedded emulator (no credentials needed)
demo:
	$(GO) run ./examples/demo

## bench: signing, verification and full calls over loopback, with allocations
bench:
	$(GO) test -run '^$$' -bench . -benchmem -benchtime=2s . ./signer

## lint: gofmt, vet and staticcheck (fetched from the Go module proxy)
lint:
	@test -z "$$(gofmt -l .)" || { gofmt -l .; echo "gofmt: files above need formatting"; exit 1; }
	$(GO) vet ./...
	$(GO) run $(STATICCHECK) ./...

fmt:
	gofmt -w .

generate:
	$(GO) generate ./...
