# One command to run the assistant, one to test it. Both set themselves up.
SHELL := /bin/bash
# The venv lives outside the project tree (scripts/venv_path.sh says why and where).
VENV ?= $(shell bash scripts/venv_path.sh)
PY := $(VENV)/bin/python
RASA := $(VENV)/bin/rasa
export PYTHONPATH := $(CURDIR)
export SQLALCHEMY_SILENCE_UBER_WARNING := 1
export TF_CPP_MIN_LOG_LEVEL := 2
export RASA_TELEMETRY_ENABLED := false
# Rasa's training cache (default .rasa/cache in the working directory) lives outside the
# project: a bare `rasa test` reads every .yml/.json under the project root as possible
# training data and crashes on the cache's files. The venv's bin/activate exports the
# same default for a trainer who runs rasa by hand (scripts/setup_venv.sh).
export RASA_CACHE_DIRECTORY ?= $(or $(XDG_CACHE_HOME),$(HOME)/.cache)/kefu/rasa-cache

.PHONY: import import-chats tune-fallback help setup train seed reset-shop shop-api run shell test test-unit validate test-stories test-nlu bench-nlu lock clean

help:
	@echo "make venv-path  where the virtualenv is: source \"\$$(make -s venv-path)/bin/activate\""
	@echo "make run        set up, train if needed, start action server + Rasa (REST, API)"
	@echo "make shell      chat with the running assistant in the terminal"
	@echo "make test       set up and run every test"
	@echo "make bench-nlu  NLU figures on the held-out set, with the keyword baseline"
	@echo "make seed       build the demo shop database if it is empty or stale"
	@echo "make import     import the merchant's files: make import FILES=\"catalogue.xlsx faq.yml\""
	@echo "make import-chats  import Taobao/JD chat-log exports: make import-chats FILES=\"taobao.csv jd.json\""

setup:
	@VENV=$(VENV) bash scripts/setup_venv.sh

.PHONY: venv-path
venv-path:
	@echo $(VENV)

train: setup
	@$(PY) -m kefu.training >/dev/null

# Builds the demo shop when the database is empty, and rebuilds a demo shop
# seeded on an earlier day (its dates are relative to the day of seeding).
seed: setup
	@$(PY) -m kefu.demo_shop.seed --refresh-stale

# Imports the merchant's knowledge into the shop database (default: the sample
# files the demo shop is built from). IMPORT_OPTIONS=--skip-bad-rows, --check …
FILES ?= kefu/knowledge/samples/catalogue.csv kefu/knowledge/samples/size_charts.yml \
	kefu/knowledge/samples/promotions.yml kefu/knowledge/samples/policies.yml kefu/knowledge/samples/faq.yml \
	kefu/knowledge/samples/product_qa.yml
IMPORT_OPTIONS ?=
import: setup
	$(PY) -m kefu.knowledge.importer $(IMPORT_OPTIONS) $(FILES)

# Imports the marketplaces' chat-log exports (Taobao/JD, CSV or JSON) into the conversations
# (kefu/channels/chatlog_import.py, docs/channels/platforms.md). CHATS_OPTIONS=--platform jd, --dry-run
import-chats: setup
	$(PY) -m kefu.channels.chatlog_import $(CHATS_OPTIONS) $(FILES)

reset-shop: setup
	$(PY) -m kefu.demo_shop.seed --reset

shop-api: seed
	$(PY) -m kefu.demo_shop.api_server --port 5060

# KEFU_DEMO_MODE=1: the single-machine demo (the demo agent login; docs/security.md).
run: train seed
	@KEFU_DEMO_MODE=1 $(PY) -m kefu.launcher

shell: setup
	@$(PY) -m kefu.chat

# Rasa's own checks, then entity annotations against the tokens the pipeline makes
# (a misaligned span teaches DIET nothing and Rasa only warns about it).
validate: setup
	$(RASA) data validate --fail-on-warnings
	$(PY) -m kefu.nlu.alignment

test-unit: setup
	@bash scripts/setup_browser.sh
	$(PY) -m pytest -q --durations=25 tests

# `rasa test` as a trainer runs it bare from the project root: every test story in
# tests/stories/ (the only test_*.yml story files under the root, tests/test_rasa_test_discovery.py)
# with its user text through the real NLU, then the NLU evaluated on data/ (about 2 minutes).
# The first wrong intent, entity or action fails it, printing the story so far; without
# --fail-on-prediction-errors every failure goes to var/results/rasa-test/failed_test_stories.yml.
# How test stories are written: docs/dialogue.md, "Conversation tests".
test-stories: train
	$(RASA) test --model "$$($(PY) -m kefu.training --check)" \
	    --fail-on-prediction-errors --out var/results/rasa-test

test-nlu: train
	$(PY) bench/nlu_benchmark.py --model "$$($(PY) -m kefu.training --check)" --min-accuracy 0.94 \
	    --min-real-register-accuracy 0.88 --min-praise-recall 0.9 --max-praise-as-complaint 0.03

# bandit (high severity) and pip-audit, from their own venv (scripts/venv_path.sh tools).
# The CI machines reach a PyPI mirror that has no vulnerability data (pypi.org's JSON API answers
# 404, OSV is unreachable), so by default an audit that could not look a package up is a loud
# warning; a finding that was looked up always fails. Where PyPI is reachable (a release
# machine), `make test AUDIT_UNREACHABLE=fail` makes "could not check" fail too (docs/security.md).
AUDIT_UNREACHABLE ?= warn
.PHONY: security-scan
security-scan: setup
	@VENV=$(VENV) AUDIT_UNREACHABLE=$(AUDIT_UNREACHABLE) bash scripts/security_scan.sh

# validate first (cheap), then train once; the rest reuses that model.
test: validate security-scan train test-unit test-stories test-nlu
	@echo "all checks passed"

bench-nlu: train
	$(PY) bench/nlu_benchmark.py --model "$$($(PY) -m kefu.training --check)"

tune-fallback: setup
	$(PY) bench/tune_fallback.py

lock: setup
	$(PY) -m pip freeze --exclude-editable | grep -v '^pkg' > constraints.txt

clean:
	rm -rf var/results models/*.tar.gz

# Deletes personal data older than RETENTION_DAYS (default 180; 0 keeps all): silent conversations,
# closed handoff cases, old channel sessions and failed order proofs. PURGE_OPTIONS=--dry-run to count.
.PHONY: purge
PURGE_OPTIONS ?=
purge: setup
	$(PY) -m kefu.storage.retention $(PURGE_OPTIONS)
