# Two commands do everything on a fresh machine:
#   make serve   virtualenv, dependencies, database, demo content, search index,
#                gunicorn on http://127.0.0.1:8000
#   make test    ruff, djhtml, migrations check and the whole pytest suite (browser included),
#                on SQLite and again on a throwaway PostgreSQL server

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
WORKERS ?= 2
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: serve test lint migrations-check pytest pytest-postgres test-deps reset-demo bench \
	soak clean

BENCH_ENV := DATABASE_URL=sqlite:///$(CURDIR)/var/bench/bench.sqlite3 \
	ARCHIVE_INDEX_DIR=$(CURDIR)/var/bench/index
# The ranking evaluation runs on the real KCNA articles, in an archive of its own.
EVAL_ENV := DATABASE_URL=sqlite:///$(CURDIR)/var/bench/eval/eval.sqlite3 \
	ARCHIVE_INDEX_DIR=$(CURDIR)/var/bench/eval/index

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed-runtime: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@ $(VENV)/.installed-runtime

# Debian's packages the tests use, installed in one go (two apt-gets at once would wait
# on each other's lock): Chromium, driven by Playwright, which never downloads a browser
# here; Noto CJK, so that Korean names render in screenshots (not as empty boxes); and
# PostgreSQL for the second run of the suite.
test-deps:
	@{ command -v chromium >/dev/null 2>&1 && \
		[ -e /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc ] && \
		ls -d /usr/lib/postgresql/*/bin >/dev/null 2>&1; } || { \
		$(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium fonts-noto-cjk \
			postgresql >/dev/null; }

# Links in mails, feeds, the sitemap and the API use this address (set it for production).
serve: export ARCHIVE_SITE_URL ?= http://$(HOST):$(PORT)
serve: $(VENV)/.installed-runtime
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0
	$(BIN)/python manage.py load_initial_data --if-empty
	@# The learned taggers (about 70 s), unless a model newer than the labelled sample is there.
	[ var/models/taggers.joblib -nt tests/data/tagged_sample.jsonl ] || \
		$(BIN)/python manage.py train_taggers --output var/models/taggers.joblib
	@echo "Serving on http://$(HOST):$(PORT)/ (admin at /admin/; links written as $$ARCHIVE_SITE_URL). Stop with Ctrl-C."
	@# The search indexer runs beside gunicorn and stops with it. gunicorn reads the rest
	@# of its settings (threaded workers, timeouts) from gunicorn.conf.py.
	$(BIN)/python manage.py run_indexer & INDEXER=$$!; \
	trap 'kill $$INDEXER 2>/dev/null' EXIT INT TERM; \
	$(BIN)/gunicorn archive.wsgi --bind $(HOST):$(PORT) --workers $(WORKERS)

# The SQLite and PostgreSQL runs go side by side (one core each), with lint and the
# migrations check beside them; each one's output is printed whole when it ends. (Four
# runs, the fuzzing apart, were tried: they took 5 min 50 s to these two's 5 min 15 s,
# back to back, as four processes, two Chromiums and two servers fought for the cores.)
test:
	$(MAKE) --no-print-directory -j4 --output-sync=target lint migrations-check \
		pytest pytest-postgres

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/djhtml --check --tabwidth 2 templates

migrations-check: $(VENV)/.installed-dev
	$(BIN)/python manage.py makemigrations --check --dry-run

PYTEST := $(BIN)/pytest -m "" -p no:cacheprovider

# The URL fuzz costs about 14 ms a URL (19 ms with the other run beside it): 1,500 on
# SQLite, 200 on PostgreSQL, to keep `make test` near five minutes in a fresh clone
# (`ARCHIVE_FUZZ_URLS=10000 make pytest` runs more; the draw is the same every run).
pytest: $(VENV)/.installed-dev test-deps
	ARCHIVE_FUZZ_URLS=$${ARCHIVE_FUZZ_URLS:-1500} $(PYTEST) -m "not browser"

# The tests that use the database again on PostgreSQL (installed from Debian's
# packages if missing, started on 127.0.0.1 in a temporary folder, stopped after),
# with a shorter URL fuzzing run, and the browser tests, which run here only: they
# drive pages in Chromium, and running them on both databases (about a minute each)
# kept make test past five minutes in a fresh clone. The hundred tests that never
# touch the database (folding, analysis, the structure) and those of how the engine
# reads and ranks (marked ``engine``) run on SQLite only.
pytest-postgres: $(VENV)/.installed-dev test-deps
	ARCHIVE_DATABASE_TESTS_ONLY=1 ARCHIVE_FUZZ_URLS=200 .ci/postgres run -- $(PYTEST)

# Throw away the local database and index and start again from the fixtures.
reset-demo: $(VENV)/.installed-runtime
	rm -f var/archive.sqlite3 var/archive-cache.sqlite3
	rm -rf var/index
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_initial_data

# Benchmarks: the worst texts at the length cap (comparisons of versions, tagging);
# search at 10k and 100k reports: build, time in process, over HTTP through gunicorn,
# the hostile list; incidents (10,000 over the 100k reports: their pages over HTTP,
# proposing for a report); then the ranking evaluation on the KCNA corpus. Prints
# figures, writes var/bench/limits.json, results.json, incidents.json, evaluation.json.
bench: $(VENV)/.installed-dev
	mkdir -p var/bench
	$(BENCH_ENV) $(BIN)/python manage.py migrate --noinput --verbosity 0
	$(BENCH_ENV) $(BIN)/python manage.py collectstatic --noinput --verbosity 0
	$(BENCH_ENV) $(BIN)/python manage.py bench_limits
	$(BENCH_ENV) $(BIN)/python manage.py bench_search $(BENCH_ARGS)
	$(BENCH_ENV) $(BIN)/python manage.py bench_incidents
	mkdir -p var/bench/eval
	$(EVAL_ENV) $(BIN)/python manage.py migrate --noinput --verbosity 0
	$(EVAL_ENV) $(BIN)/python manage.py evaluate_search \
		--corpus $${ARCHIVE_SHARED_DATA:-$(CURDIR)/../shared/data}/kcna_corpus.jsonl $(EVALUATE_ARGS)
	$(EVAL_ENV) $(BIN)/python manage.py evaluate_incidents

# Load and faults: gunicorn (2 workers) and the indexer on 127.0.0.1 under load while
# another process edits; then SIGKILL of the indexer mid-batch, then a rebuild under load.
SOAK_ENV := DATABASE_URL=sqlite:///$(CURDIR)/var/soak/soak.sqlite3 \
	ARCHIVE_INDEX_DIR=$(CURDIR)/var/soak/index
soak: $(VENV)/.installed-dev
	rm -rf var/soak && mkdir -p var/soak
	$(SOAK_ENV) $(BIN)/python manage.py migrate --noinput --verbosity 0
	$(SOAK_ENV) $(BIN)/python manage.py soak $(SOAK_ARGS)

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache
