# Two entry points, each working on a fresh machine with only Python 3.11 and make:
#   make audit   set up, then audit the bundled sample reports -> out/audit
#   make test    set up, then run the whole test suite
# and for development: make test-fast (the suite without its slow kinds), lint, bench.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
OUT ?= out/audit
UV_INSTALL = $(BIN)/uv pip install --quiet --python $(BIN)/python
# The slow kinds of test (markers registered in tests/conftest.py).
SLOW_KINDS := browser or libreoffice or notebooks or slow

.PHONY: setup audit test test-fast lint bench clean

$(BIN)/auditkit: pyproject.toml scripts/uv-excludes.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip uv
	# the ocr extra reads scanned reports (make audit and make test both read scans); the
	# excludes file keeps OpenCV's GUI build out, the extra brings the headless one
	$(UV_INSTALL) --compile-bytecode --excludes scripts/uv-excludes.txt -e '.[dev,ocr]'
	touch $(BIN)/auditkit

# Bytecode, regular expressions and dataclass methods compiled ahead, again whenever a module changes:
# start-up is a third of `auditkit parse` on a small batch; where PYTHONDONTWRITEBYTECODE is
# set every run would compile stale modules again, and a pattern the store lacks is compiled
# at every start-up (auditkit/precompiled.py says how the store is read). A failure to compile
# ahead is said and set-up goes on: runs then compile as usual.
COMPILED := $(VENV)/.compiled-ahead
$(COMPILED): $(BIN)/auditkit $(shell find auditkit -name '*.py')
	$(BIN)/python -m compileall -q auditkit > /dev/null
	$(BIN)/python -m auditkit.precompile > /dev/null || \
	  echo "预编译未完成，运行时照常编译（较慢） (compiling ahead failed: runs compile as usual, a little slower)" >&2
	touch $@

setup: $(BIN)/auditkit $(COMPILED)

# Status 1 means some input could not be read (e.g. the .doc sample without LibreOffice):
# the other reports were audited and each skipped file was named with its reason, so the
# bundled audit counts as done. Any other failure (2: usage, crash) still fails make.
audit: setup
	bash scripts/audit-deps.sh
	@echo "$(BIN)/auditkit audit --out $(OUT)"
	@status=0; $(BIN)/auditkit audit --out $(OUT) || status=$$?; \
	if [ $$status -eq 1 ]; then \
	  echo "部分文件未能读取，原因见上；其余报告已审核 (some files were skipped, see above; the rest were audited)" >&2; \
	elif [ $$status -ne 0 ]; then exit $$status; fi

test: setup
	bash scripts/system-deps.sh
	$(BIN)/python -m pytest -q

# Still reads the bundled .doc sample (the shared sample audit): needs what make audit needs.
test-fast: setup
	bash scripts/audit-deps.sh
	$(BIN)/python -m pytest -q -m "not ($(SLOW_KINDS))"

lint: setup
	$(BIN)/ruff check auditkit tests bench notebooks

$(VENV)/.bench-extra: $(BIN)/auditkit
	$(UV_INSTALL) --excludes scripts/uv-excludes.txt -e '.[bench]'
	touch $@

bench: setup $(VENV)/.bench-extra
	bash scripts/audit-deps.sh
	$(BIN)/python bench/parse_bench.py
	$(BIN)/python bench/validate_bench.py
	$(BIN)/python bench/cluster_bench.py
	$(BIN)/python bench/ocr_bench.py

clean:
	rm -rf $(VENV) out
