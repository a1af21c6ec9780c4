# The two set-up commands of the README: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
export QLVB_DATA_DIR ?= $(CURDIR)/var
# The web UI's front-end libraries (npm, package-lock.json) and its compiled translations.
VENDOR := webui/static/vendor/VERSIONS
# The sign agent's own package and its autostart files, offered by the install guide (/help/sign-agent).
AGENT := webui/static/agent/.built
CATALOGS := $(patsubst %.po,%.mo,$(wildcard webui/translations/*/LC_MESSAGES/messages.po))

.PHONY: run test lint bench clean assets

# Two stamps: `make run` installs the runtime only, `make test` adds the test tools (pytest,
# Playwright, ruff, mypy…). setuptools says on every editable install that it is one: that notice
# is silenced, any other packaging warning still shows.
PIP_INSTALL := PYTHONWARNINGS='ignore:Editable installation' $(BIN)/pip install -q --disable-pip-version-check

$(BIN)/.runtime: setup.cfg pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PIP_INSTALL) -e '.[postgresql]'
	touch $@

$(BIN)/.installed: $(BIN)/.runtime
	$(PIP_INSTALL) -e '.[postgresql,test]'
	touch $@

$(VENDOR): package.json package-lock.json scripts/vendor-assets.sh assets/qlvb-properties-panel.js
	scripts/vendor-assets.sh

%.mo: %.po | $(BIN)/.runtime
	$(BIN)/pybabel -q compile -i $< -o $@

$(AGENT): agent/pyproject.toml $(wildcard signing/*.py) $(wildcard agent/autostart/*/*) | $(BIN)/.runtime
	rm -rf webui/static/agent
	PYTHONWARNINGS=ignore $(BIN)/pip wheel -q --disable-pip-version-check --no-deps ./agent -w webui/static/agent
	rm -rf agent/build agent/*.egg-info
	cp agent/autostart/*/* webui/static/agent/
	touch $@

assets: $(VENDOR) $(CATALOGS) $(AGENT)

run: $(BIN)/.runtime
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
	rm -rf $(VENV) var .pytest_cache .ruff_cache .mypy_cache node_modules webui/static/vendor webui/static/agent $(CATALOGS)
