# gkgen — two commands on a fresh clone:
#   make site   set up .venv and build the archive into site/
#   make test   set up .venv and run every test
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
N ?= 1000

.PHONY: setup site check test lint format schema bench serve clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

setup: $(STAMP)

site: $(STAMP)
	$(BIN)/gkgen build $(if $(BASE_URL),--base-url $(BASE_URL))

check: $(STAMP)
	$(BIN)/gkgen check

serve: $(STAMP)
	$(BIN)/gkgen serve

test: $(STAMP)
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check gkgen tests bench
	$(BIN)/ruff format --check gkgen tests bench

format: $(STAMP)
	$(BIN)/ruff format gkgen tests bench
	$(BIN)/ruff check --fix gkgen tests bench

schema: $(STAMP)
	$(BIN)/python -m gkgen.schema

bench: $(STAMP)
	$(BIN)/python -m bench.run --n $(N)

clean:
	rm -rf site .gkgen-cache bench/out
