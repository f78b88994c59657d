# Two commands set up everything on a fresh machine:
#   make build   virtual environment, install, ingest seeds/, build output/
#   make test    the same set-up, then lint, import rules, type check and every test (browser tests included)
VENV ?= .venv
PYTHON ?= python3
BIN := $(VENV)/bin

.PHONY: build test lint imports typecheck unit browser-deps bench fuzz golden screenshots clean

build: $(VENV)/.installed
	$(BIN)/digest ingest
	$(BIN)/digest build

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

# Debian's Chromium (tests drive it headless) and a Java runtime for the Nu HTML Checker.
browser-deps:
	@command -v chromium >/dev/null 2>&1 && command -v java >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium default-jre-headless >/dev/null; \
	  else echo "browser tests need Debian's chromium and default-jre-headless: sudo apt-get install chromium default-jre-headless"; exit 1; fi; }

# axe-core and the Nu HTML Checker for the theme's tests (npm dev dependencies, pinned by the lockfile;
# --ignore-scripts: vnu-jar's install script would fetch a Java runtime, Debian's is used instead).
node_modules/.installed: package.json package-lock.json
	@command -v npm >/dev/null 2>&1 || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq npm >/dev/null; }
	npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	touch $@

lint: $(VENV)/.installed
	$(BIN)/ruff check digest tests bench

# The layer rules of pyproject.toml's [tool.importlinter] (which module may import which)
imports: $(VENV)/.installed
	$(BIN)/lint-imports --no-cache

typecheck: $(VENV)/.installed
	$(BIN)/mypy

test: build browser-deps node_modules/.installed lint imports typecheck
	$(BIN)/pytest -n 2 tests

bench: $(VENV)/.installed
	$(BIN)/python bench/run.py

fuzz: $(VENV)/.installed
	HYPOTHESIS_PROFILE=long $(BIN)/pytest tests/test_fuzz.py

# After an intended change to the output: the demo site's expected tree (tests/golden/demo/) written again
golden: $(VENV)/.installed
	$(BIN)/python -m tests.test_golden --update

# The README's pictures: front page, edition, article and topic page, light and dark, phone and desktop.
screenshots: $(VENV)/.installed browser-deps
	$(BIN)/python scripts/screenshots.py --out docs/screenshots

clean:
	rm -rf output .digest/cache .pytest_cache .mypy_cache .ruff_cache
