# Balcão — the two commands a newcomer needs: `make run` and `make test`.
GO      ?= go
DATA    ?= ./data
ADDR    ?= 127.0.0.1:8080

.PHONY: run test build vet bench deps

## run: start the server on an embedded Pebble with the demo office and simulated WhatsApp
run:
	$(GO) run ./cmd/balcao serve --data $(DATA) --addr $(ADDR) --demo

## build: the balcao binary in ./bin
build:
	$(GO) build -o bin/balcao ./cmd/balcao

## deps: install what the tests need that is missing
deps:
	$(GO) mod download

## test: install what is missing, then run every check and test
test: deps vet
	$(GO) test -race -count=1 -timeout 15m ./...

## vet: gofmt and go vet
vet:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	  if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...

## bench: Go micro-benchmarks (the load harness comes with its own issue)
bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...
