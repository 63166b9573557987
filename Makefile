# The commands the README shows. `make demo` and `make test` work on a fresh machine.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: install demo test lint bench clean redis-server chromium

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev,redis,parquet]"
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(PY) -m crawler demo

# The distributed tests start their own redis-server (Debian's package); CI runs as root.
# A package script that cannot start the system service is no failure while the binary is there.
redis-server:
	@command -v redis-server >/dev/null || (apt-get update && DEBIAN_FRONTEND=noninteractive \
		apt-get install -y --no-install-recommends redis-server) || command -v redis-server

# The run report is tested in a real headless Chromium: Debian's browser and its driver, never
# a browser download.
chromium:
	@(command -v chromium && command -v chromedriver) >/dev/null || (apt-get update && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
		chromium chromium-driver)

test: $(STAMP) redis-server chromium
	$(PY) -m pytest -n 2 --dist loadfile

lint: $(STAMP)
	$(VENV)/bin/ruff check crawler tests bench
	$(VENV)/bin/mypy crawler

bench: $(STAMP)
	$(PY) -m pip install --quiet -e ".[bench]"
	for b in bench/bench_*.py; do $(PY) $$b || exit 1; done

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
