# zhidu — two commands: `make run` and `make test`.
PY ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PORT ?= 8000
SIM_PORT ?= 9100
PG_URL ?= postgres://postgres@127.0.0.1:5432/test

.PHONY: run test test-pg lint typecheck pytest install messages bench clean demo

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	@bash scripts/run.sh $(PORT) $(SIM_PORT)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy zhidu wecomsim

pytest: $(STAMP)
	ZHIDU_ENV=test $(BIN)/pytest -n 2 $(PYTEST_ARGS)

test: lint typecheck pytest

test-pg: $(STAMP)
	ZHIDU_ENV=test DATABASE_URL=$(PG_URL) $(BIN)/pytest -n 2 $(PYTEST_ARGS)

messages: $(STAMP)
	cd zhidu && ../$(BIN)/django-admin makemessages -l zh_Hans --no-obsolete && ../$(BIN)/django-admin compilemessages

bench: $(STAMP)
	$(BIN)/python bench/scan.py
	$(BIN)/python bench/ingest.py
	$(BIN)/python bench/behaviour.py
	$(BIN)/python bench/eval_abuse.py
	$(BIN)/python bench/eval_rules.py
	$(BIN)/python bench/flood.py

clean:
	rm -rf var/ .mypy_cache .ruff_cache
