# livekit-sip: see README.md. Every target installs what it needs.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
export PATH := $(CURDIR)/.tools/bin:$(CURDIR)/$(VENV)/bin:$(PATH)
export PULUMI_SKIP_UPDATE_CHECK := true
export PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION := true
export PULUMI_HOME := $(CURDIR)/.tools/pulumi-home
export PULUMI_BACKEND_URL := file://$(CURDIR)/.pulumi-state
# The language host built by `make tools` (v3.79) takes the interpreter from here.
export PULUMI_PYTHON_CMD := $(CURDIR)/$(VENV)/bin/python
# Stack `local` only: its secrets are the dev server's throwaway keys.
LOCAL_PASSPHRASE := livekit-sip-local

.PHONY: up down test tools bench venv lint

$(VENV)/.installed: requirements.txt requirements-test.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements-test.txt
	touch $@

venv: $(VENV)/.installed

tools:
	scripts/tools.sh

up: venv tools
	$(PY) scripts/devserver.py start --local --port 7880
	mkdir -p .pulumi-state
	. .devserver/env && export PULUMI_CONFIG_PASSPHRASE="$${PULUMI_CONFIG_PASSPHRASE-$(LOCAL_PASSPHRASE)}" && \
	  pulumi stack select --create --secrets-provider passphrase local && \
	  pulumi up --yes --refresh --stack local && \
	  echo "trunk IDs:" && pulumi stack output trunkIds --stack local --json

down:
	$(PY) scripts/devserver.py stop

lint: venv
	$(VENV)/bin/ruff check livekit_sip tests scripts benchmarks __main__.py
	$(VENV)/bin/mypy --strict livekit_sip

test: venv tools lint
	$(PY) -m pytest -q tests

bench: venv tools
	$(PY) -m benchmarks.run
