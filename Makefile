# rectify — build, test and deployment helpers (GNU make). `make help` lists targets.

SHELL := bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

GO          ?= go
BIN         := bin/rectify
STATICCHECK := honnef.co/go/tools/cmd/staticcheck@v0.8.2
# Pinned; npx keeps it in npm's cache, nothing is installed globally.
REDOCLY     := @redocly/cli@2.77.0
OPENAPI     ?= server/openapi.yaml
# Packages for `make race`; directories that do not exist yet are skipped.
RACE_PKGS   := $(foreach d,calendar domain config workflows,$(if $(wildcard $(d)),./$(d)/...))
# Space-separated package:FuzzFunc pairs for `make fuzz`; FUZZTIME per target.
FUZZ_TARGETS ?= ./calendar:FuzzDeadline ./server:FuzzParseRating ./server:FuzzSurveyToken ./server:FuzzRoutes
FUZZTIME     ?= 10s

# The database URL is the last stdout line of ensure-postgres.sh (which starts
# a private cluster when nothing answers at RECTIFY_DATABASE_URL).
DB_URL = $$(bash scripts/ensure-postgres.sh | tail -n 1)

.PHONY: help build release prod-local dev test race fuzz vulncheck bench lint openapi-lint compose-check clean

help: ## Show this help
	@echo "Targets:"
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F ':.*## ' '{printf "  %-14s %s\n", $$1, $$2}'

build: ## Build bin/rectify
	$(GO) build -o $(BIN) ./cmd/rectify

release: ## Build the production bin/rectify as the Dockerfile does (no dev server, SQLite or benchmarks)
	CGO_ENABLED=0 $(GO) build -tags release -trimpath -ldflags='-s -w' -o $(BIN) ./cmd/rectify
	@$(GO) version -m $(BIN) | grep -E 'go.temporal.io/server|modernc.org/sqlite|chromedp' \
	  && { echo "release: dev-only modules linked into $(BIN)"; exit 1; } || true
	@ls -l $(BIN) | awk '{print "release: " $$9 " " $$5 " bytes"}'

prod-local: ## Run the production shape here: Temporal on Postgres, migrate, server, two workers (Ctrl-C stops all)
	url=$(DB_URL); \
	RECTIFY_DATABASE_URL="$$url" $(GO) run ./cmd/prod-local

dev: ## Run everything in one process (Postgres ensured, in-process Temporal, demo data)
	url=$(DB_URL); \
	RECTIFY_DATABASE_URL="$$url" $(GO) run ./cmd/rectify dev

test: ## gofmt + go vet + all tests against a real Postgres (installs Postgres/Chromium if missing)
	url=$(DB_URL); \
	export RECTIFY_DATABASE_URL="$$url" RECTIFY_TEST_DATABASE_URL="$$url"; \
	echo "test database: $$url"; \
	bash scripts/ensure-chromium.sh; \
	unformatted=$$(gofmt -l $$($(GO) list -f '{{.Dir}}' ./...)); \
	if [ -n "$$unformatted" ]; then echo "gofmt needed on:"; echo "$$unformatted"; exit 1; fi; \
	$(GO) vet ./...; \
	$(GO) test -count=1 -timeout 40m ./...

race: ## go test -race on the pure packages (calendar, domain, config)
	$(if $(RACE_PKGS),$(GO) test -race -count=1 $(RACE_PKGS),@echo "race: none of calendar/ domain/ config/ exists yet")

# go.dev/issue/75804 (fixed in Go 1.27): on Go 1.26 the -fuzztime deadline can fail
# a run that found nothing ("context deadline exceeded"). Such a run is repeated
# once; a real finding says "Failing input written" and fails at once.
fuzz: ## Run each FUZZ_TARGETS entry (pkg:FuzzFunc) for FUZZTIME (FuzzRoutes needs Postgres: ensured)
	@url=$(DB_URL); export RECTIFY_TEST_DATABASE_URL="$$url"; \
	for t in $(FUZZ_TARGETS); do \
	  pkg=$${t%%:*}; fn=$${t#*:}; \
	  if [ ! -d "$$pkg" ]; then echo "fuzz: $$pkg does not exist, skipped"; continue; fi; \
	  echo "fuzz: $$pkg $$fn for $(FUZZTIME)"; \
	  out=$$(mktemp); \
	  if ! $(GO) test -run '^$$' -fuzz "^$$fn\$$" -fuzztime $(FUZZTIME) "$$pkg" 2>&1 | tee "$$out"; then \
	    if grep -q 'context deadline exceeded' "$$out" && ! grep -q 'Failing input written' "$$out"; then \
	      echo "fuzz: $$fn stopped by the Go 1.26 deadline race, not by an input; running it again"; \
	      $(GO) test -run '^$$' -fuzz "^$$fn\$$" -fuzztime $(FUZZTIME) "$$pkg"; \
	    else rm -f "$$out"; exit 1; fi; \
	  fi; \
	  rm -f "$$out"; \
	done

bench: ## Run the benchmarks, write BENCHMARKS.md (BENCH_FLAGS="-quick" for CI, "-scenario open" for one)
	url=$(DB_URL); \
	RECTIFY_DATABASE_URL="$$url" $(GO) run ./cmd/rectify bench $(BENCH_FLAGS)

vulncheck: ## govulncheck ./... on an offline copy of the Go vulnerability database (see .ci/govulncheck-accepted)
	bash scripts/vulncheck.sh

lint: ## go vet + staticcheck (run from the module proxy, not a go.mod dependency)
	$(GO) vet ./...
	$(GO) run $(STATICCHECK) ./...

openapi-lint: ## redocly lint $(OPENAPI) (recommended rules): fails on any error or warning
	out=$$(npx --yes $(REDOCLY) lint $(OPENAPI) 2>&1) || { echo "$$out"; exit 1; }; \
	echo "$$out" | tail -n 3; \
	if echo "$$out" | grep -Eq 'You have [0-9]+ warning'; then echo "$$out"; echo "openapi-lint: warnings count as failures"; exit 1; fi

# There is no Docker engine here; `docker compose config` needs only the
# client's compose plugin, which may be missing, so fall back to Debian's
# docker-compose. Variables come from the committed example env file.
COMPOSE_ENV := deploy/compose.env.example
compose-check: ## Validate docker-compose.yml (with deploy/compose.env.example)
	@if docker compose version >/dev/null 2>&1; then \
	  compose=(docker compose); \
	else \
	  command -v docker-compose >/dev/null || { \
	    echo "installing Debian's docker-compose"; \
	    export DEBIAN_FRONTEND=noninteractive; \
	    apt-get update -qq && apt-get install -y -qq --no-install-recommends docker-compose >/dev/null; }; \
	  compose=(docker-compose); \
	fi; \
	echo "$${compose[*]} --env-file $(COMPOSE_ENV) -f docker-compose.yml config -q"; \
	"$${compose[@]}" --env-file $(COMPOSE_ENV) -f docker-compose.yml config -q; \
	echo "docker-compose.yml is valid"

clean: ## Remove build output (keeps .data/; stop its Postgres with scripts/stop-postgres.sh)
	rm -rf bin/ coverage.out coverage.html *.test
