# Two commands for a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin

.PHONY: run example test lint bench clean fuzz audit pip-audit

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip setuptools

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

run: $(VENV)/.installed
	$(BIN)/eligibility serve

example: $(VENV)/.installed
	$(BIN)/eligibility check examples/hps_sjukpenning.yaml

test: $(VENV)/.installed
	$(BIN)/eligibility lint
	$(BIN)/python .ci/audit_deps.py --allow-offline
	$(BIN)/python -m pytest -n auto --dist loadfile

# Hostile input: >= 10 000 generated requests (hypothesis-jsonschema + schemathesis), 0 5xx allowed.
fuzz: $(VENV)/.installed
	$(BIN)/python -m pytest -m fuzz tests/fuzz

# Known vulnerabilities in the installed dependencies, from PyPI's advisories (fails when PyPI is unreachable).
# `make test` runs the same check with --allow-offline; pip-audit itself needs PyPI's per-release API.
audit: $(VENV)/.installed
	$(BIN)/python .ci/audit_deps.py

pip-audit: $(VENV)/.installed
	$(BIN)/pip-audit --strict --progress-spinner off --skip-editable

bench: $(VENV)/.installed
	$(BIN)/python benchmarks/bench_engine.py

clean:
	rm -rf $(VENV) build *.egg-info src/*.egg-info
