# ibtpost: set-up, demo and tests. `make demo` and `make test` work on a fresh Debian machine.
VENV ?= .venv
PY := $(VENV)/bin/python
IBTPOST := $(VENV)/bin/ibtpost

.PHONY: setup system-deps demo test lint typecheck template signature clean-outbox

setup: system-deps $(VENV)/.installed

system-deps:
	@bash tools/system-deps.sh

$(VENV)/.installed: pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

demo: setup
	@bash tools/demo.sh $(IBTPOST)

test: setup
	$(PY) -m pytest

lint: $(VENV)/.installed  # ruff, and the layer contract (import-linter, pyproject.toml)
	$(VENV)/bin/ruff check src tests tools bench
	$(VENV)/bin/ruff format --check src tests tools bench
	$(VENV)/bin/lint-imports --no-logo

typecheck: $(VENV)/.installed
	$(VENV)/bin/mypy

# Regenerate the Word layout template and the specimen signature from their scripts.
template: $(VENV)/.installed
	$(PY) tools/build_template.py --out templates/brief.docx

signature: $(VENV)/.installed
	$(PY) tools/make_signature.py --out templates/signature.png
