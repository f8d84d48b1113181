# Balcão — the two commands a newcomer needs: `make run` and `make test`.
GO      ?= go
DATA    ?= ./data
ADDR    ?= 127.0.0.1:8080

.PHONY: run test build vet bench microbench deps web web-check

## run: start the server on an embedded Pebble with the demo office and simulated WhatsApp;
## another address or data dir: make run ADDR=127.0.0.1:9090 DATA=./outro
# The built binary runs, not `go run`: go run exits 1 after Ctrl-C even when the server stopped
# cleanly, and make then reported the clean stop as "Error 1".
run: build
	./bin/balcao serve --data $(DATA) --addr $(ADDR) --demo

## build: the balcao binary in ./bin
build:
	$(GO) build -o bin/balcao ./cmd/balcao

## deps: install what the tests need that is missing
deps:
	$(GO) mod download
	command -v chromium >/dev/null || { s=$$([ "$$(id -u)" = 0 ] || echo sudo); $$s apt-get update && $$s apt-get install -y chromium; }

## web: rebuild the staff web client (ui/web) into ui/dist; needs Node and npm
web:
	cd ui/web && npm ci && npm run build

## web-check: rebuild ui/dist and fail if it differs from what is committed
web-check: web
	git diff --exit-code -- ui/dist
	@new=$$(git ls-files --others --exclude-standard -- ui/dist); \
	  if [ -n "$$new" ]; then echo "ui/dist has files that are not committed:"; echo "$$new"; exit 1; fi

## test: install what is missing, then run every check and test
# The browser tests (package ui) run on their own, after the others: Chromium and a server
# under the race detector share two cores badly with other packages' tests.
test: deps vet $(if $(shell command -v npm 2>/dev/null),web-check)
	$(GO) test -race -count=1 -timeout 15m $$($(GO) list ./... | grep -v '/ui$$')
	$(GO) test -race -count=1 -timeout 10m ./ui/

## vet: gofmt and go vet
vet:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	  if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...

## bench: the end-to-end load harness with its defaults (about a minute; see BENCHMARKS.md);
## pass flags with BENCH_FLAGS, e.g. make bench BENCH_FLAGS='--ramp --faults'
bench:
	$(GO) run ./cmd/balcao bench $(BENCH_FLAGS)

## microbench: Go micro-benchmarks next to the code
microbench:
	$(GO) test -run '^$$' -bench . -benchmem ./...
