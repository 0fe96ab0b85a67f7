# Two entry points, each working on a fresh machine with only Python 3.11 and make:
#   make audit   set up, then audit the bundled sample reports -> out/audit
#   make test    set up, then run the whole test suite
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
OUT ?= out/audit

.PHONY: setup audit test lint bench clean

$(BIN)/auditkit: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip uv
	$(BIN)/uv pip install --quiet --compile-bytecode --python $(BIN)/python -e '.[dev]'
	# bytecode ahead of time: start-up is a third of `auditkit parse` on a small batch, and
	# where PYTHONDONTWRITEBYTECODE is set every run would compile numpy and lxml again
	$(BIN)/python -m compileall -q auditkit > /dev/null
	touch $(BIN)/auditkit

setup: $(BIN)/auditkit

audit: setup
	$(BIN)/auditkit audit --out $(OUT)

test: setup
	bash scripts/system-deps.sh
	$(BIN)/python -m pytest -q

lint: setup
	$(BIN)/ruff check auditkit tests bench notebooks

bench: setup
	$(BIN)/python bench/parse_bench.py
	$(BIN)/python bench/validate_bench.py

clean:
	rm -rf $(VENV) out
