# idm: two commands. `make run` serves the demo province; `make test` runs the whole suite.
# Both install what is missing first (Debian packages when root, a virtualenv, requirements).
SHELL := /bin/bash
.DEFAULT_GOAL := help
PYTHON ?= python3
VENV := .venv
VPY := $(VENV)/bin/python
STAMP := $(VENV)/.requirements-$(shell sha256sum requirements.txt 2>/dev/null | cut -c1-16)

# what the servers and the python-ldap build need (postgresql: a private cluster for the tests, the benchmarks
# and `make run` against PostgreSQL; no system cluster is used); the tests also drive a real browser
RUN_DEBS := slapd ldap-utils redis-server postgresql dovecot-imapd dovecot-lmtpd dovecot-ldap libldap-dev libsasl2-dev gcc python3-dev python3-venv gettext fonts-dejavu-core libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0
TEST_DEBS := $(RUN_DEBS) chromium openssl

.PHONY: help run run-scaled test deps-run deps-test venv messages lint clean-dev

help:
	@echo "make run    start slapd, redis, the workers and the web server with the demo province"
	@echo "make run-scaled  the same on the scaled stack: PostgreSQL, 2 slapd providers + 1 consumer, 3 workers, gunicorn"
	@echo "make test   lint, translation check and the whole test suite against private servers"

deps-run:
	@./scripts/ensure-debs.sh $(RUN_DEBS)

deps-test:
	@./scripts/ensure-debs.sh $(TEST_DEBS)

$(STAMP): requirements.txt
	@test -x $(VPY) || $(PYTHON) -m venv $(VENV)
	@$(VPY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	@$(VPY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	@rm -f $(VENV)/.requirements-* && touch $@

venv: $(STAMP)

locale/vi/LC_MESSAGES/django.mo: locale/vi/LC_MESSAGES/django.po
	@cd $(CURDIR) && $(VPY) manage.py compilemessages -l vi -v 0 --settings=idm.settings.test

messages: venv locale/vi/LC_MESSAGES/django.mo

run: deps-run venv messages
	@$(VPY) scripts/devstack.py

# issue 13: every part a separate process (scripts/dev/scaled.py), in a temp folder that Ctrl-C deletes
run-scaled: deps-run venv messages
	@$(VPY) scripts/devstack_scaled.py

lint: venv
	@$(VENV)/bin/ruff check .
	@$(VENV)/bin/lint-imports --no-cache
	@$(VPY) scripts/check_translations.py

# The whole suite runs twice: on SQLite (the embedded default) and on a private PostgreSQL 15 that the
# session starts in a temp folder (IDM_TEST_DB=postgres, tests/postgres.py). The browser tests are kept in
# both passes: they cost about 15 s.
test: deps-test venv messages lint
	@DJANGO_SETTINGS_MODULE=idm.settings.test $(VPY) manage.py makemigrations --check --dry-run -v 0 \
		|| (echo "models changed without a migration: run makemigrations"; exit 1)
	@echo "== tests on SQLite =="
	@$(VENV)/bin/pytest
	@echo "== tests on PostgreSQL 15 (private cluster) =="
	@# the benchmark smoke runs, the make-run test and the fault suite (on the scaled stack, PostgreSQL
	@# already) start their own databases: once is enough
	@IDM_TEST_DB=postgres $(VENV)/bin/pytest --ignore=tests/test_bench_smoke.py --ignore=tests/test_make_run.py --ignore=tests/faults

clean-dev:
	@# as root Dovecot's files may live under /var/tmp (var/dovecot links there): see provisioning/mailserver.py
	@if [ -L var/dovecot ]; then rm -rf "$$(readlink var/dovecot)"; fi
	rm -rf var/
