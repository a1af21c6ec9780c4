# The two set-up commands of the README: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
export QLVB_DATA_DIR ?= $(CURDIR)/var

.PHONY: run test lint bench clean

$(BIN)/.installed: setup.cfg pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[postgresql,test]'
	touch $@

run: $(BIN)/.installed
	$(BIN)/qlvb init-db
	$(BIN)/qlvb seed-demo
	$(BIN)/qlvb serve --host $(HOST) --port $(PORT)

test: $(BIN)/.installed
	scripts/system-deps.sh
	$(BIN)/ruff check .
	$(BIN)/mypy
	QLVB_BPMN_COVERAGE=1 $(BIN)/python -m pytest

lint: $(BIN)/.installed
	$(BIN)/ruff check .
	$(BIN)/mypy

bench: $(BIN)/.installed
	$(BIN)/python bench/task_completion.py

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache .mypy_cache
