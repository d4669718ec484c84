# Two commands do all the set-up on a fresh machine with Python 3.11+:
#   make run   - create the venv, install, build the database if missing, start the app
#   make test  - ruff, then the whole test suite (browser tests need Debian chromium, deck
#                rendering LibreOffice Impress; see .ci/run)

PYTHON ?= $(shell for p in python3.13 python3.12 python3.11 python3; do \
	command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' && { echo $$p; break; }; done)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DB := data/built/cybercrime.duckdb
PORT ?= 8501

.PHONY: run test bench db clean

$(STAMP): requirements.txt
	@test -n "$(PYTHON)" || { echo "Python 3.11 or newer is required (python3.11, python3.12 or python3.13 on PATH)."; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $(STAMP)

$(DB): | $(STAMP)
	$(BIN)/python -m etl build

db: $(DB)

run: $(STAMP) $(DB)
	$(BIN)/python -m streamlit run dashboard.py --server.port $(PORT) --server.headless true

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/python -m pytest

bench: $(STAMP)
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) data/built tests/artifacts .pytest_cache
