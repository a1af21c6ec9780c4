# The two set-up commands of the README: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
export QLVB_DATA_DIR ?= $(CURDIR)/var
# The web UI's front-end libraries (npm, package-lock.json) and its compiled translations.
VENDOR := webui/static/vendor/VERSIONS
CATALOGS := $(patsubst %.po,%.mo,$(wildcard webui/translations/*/LC_MESSAGES/messages.po))

.PHONY: run test lint bench clean assets

$(BIN)/.installed: setup.cfg pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[postgresql,test]'
	touch $@

$(VENDOR): package.json package-lock.json scripts/vendor-assets.sh
	scripts/vendor-assets.sh

%.mo: %.po | $(BIN)/.installed
	$(BIN)/pybabel -q compile -i $< -o $@

assets: $(VENDOR) $(CATALOGS)

run: $(BIN)/.installed
	scripts/system-deps.sh runtime
	$(MAKE) assets
	$(BIN)/qlvb init-db
	$(BIN)/qlvb seed-demo
	$(BIN)/qlvb serve --host $(HOST) --port $(PORT)

test: $(BIN)/.installed
	scripts/system-deps.sh
	$(MAKE) assets
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/lint-imports
	QLVB_BPMN_COVERAGE=1 $(BIN)/python -m pytest

lint: $(BIN)/.installed
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/lint-imports

bench: $(BIN)/.installed
	$(BIN)/python bench/task_completion.py

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache .mypy_cache node_modules webui/static/vendor $(CATALOGS)
