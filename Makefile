# livekit-sip: see README.md. Every target installs what it needs.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
TOOLS_BIN := $(CURDIR)/.tools/bin
export PATH := $(TOOLS_BIN):$(CURDIR)/$(VENV)/bin:$(PATH)
export PULUMI_SKIP_UPDATE_CHECK := true
export PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION := true
export PULUMI_HOME := $(CURDIR)/.tools/pulumi-home
export PULUMI_BACKEND_URL := file://$(CURDIR)/.pulumi-state
# Stack `local` only: its secrets are the dev server's throwaway keys.
LOCAL_PASSPHRASE := livekit-sip-local

.PHONY: up down env test test-live tools bench venv lint

$(VENV)/.installed: requirements.txt requirements-test.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements-test.txt
	$(PY) -m pip install -q --no-deps -e .
	touch $@

# The policy pack's own virtualenv: pulumi-policy pins protobuf 5.29, the program's pulumi takes 6.
POLICY_VENV := policy/.venv
$(POLICY_VENV)/.installed: policy/requirements.txt
	$(PYTHON) -m venv $(POLICY_VENV)
	$(POLICY_VENV)/bin/python -m pip install -q --upgrade pip
	$(POLICY_VENV)/bin/python -m pip install -q -r policy/requirements.txt
	touch $@

venv: $(VENV)/.installed $(POLICY_VENV)/.installed

tools:
	scripts/tools.sh

up: venv tools
	$(PY) scripts/devserver.py start --local --port 7880
	mkdir -p .pulumi-state
	. .devserver/env && export PULUMI_CONFIG_PASSPHRASE="$${PULUMI_CONFIG_PASSPHRASE-$(LOCAL_PASSPHRASE)}" && \
	  pulumi stack select --create --secrets-provider passphrase local && \
	  pulumi up --yes --refresh --stack local && \
	  for ids in trunkIds inboundTrunkIds dispatchRuleIds; do \
	    echo "$$ids:" && pulumi stack output $$ids --stack local --json || exit 1; done

down:
	@$(PY) scripts/devserver.py stop

# Shell exports for plain `pulumi` here: eval "$$(make -s env)"
env:
	@echo 'export PATH="$(TOOLS_BIN):$(CURDIR)/$(VENV)/bin:$$PATH"'
	@echo 'export PULUMI_HOME="$(PULUMI_HOME)"'
	@echo 'export PULUMI_BACKEND_URL="$(PULUMI_BACKEND_URL)"'
	@echo 'export PULUMI_SKIP_UPDATE_CHECK=true'
	@echo 'export PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true'
	@echo '# stack local only; unset it before working on a stack with its own passphrase'
	@echo 'export PULUMI_CONFIG_PASSPHRASE="$${PULUMI_CONFIG_PASSPHRASE-$(LOCAL_PASSPHRASE)}"'
	@if [ -f .devserver/env ]; then echo '# the local dev server (make up)'; cat .devserver/env; \
	  else echo '# no local dev server: run make up for LIVEKIT_URL, LIVEKIT_API_KEY, LIVEKIT_API_SECRET'; fi

lint: venv
	$(VENV)/bin/ruff check livekit_sip tests scripts benchmarks policy __main__.py
	$(VENV)/bin/mypy --strict livekit_sip scripts benchmarks
	$(VENV)/bin/mypy --strict policy
	$(VENV)/bin/lint-imports --no-cache

# Test files run on TEST_WORKERS workers (pytest-xdist), each file on one worker with its fixtures.
TEST_WORKERS ?= 2
test: venv tools lint
	$(PY) -m pytest -q -n $(TEST_WORKERS) --dist loadfile --durations=15 tests

# The lifecycle suite against the LiveKit project in LIVEKIT_URL, LIVEKIT_API_KEY, LIVEKIT_API_SECRET.
test-live: venv tools
	@for v in LIVEKIT_URL LIVEKIT_API_KEY LIVEKIT_API_SECRET; do \
	  [ -n "$${!v}" ] || { echo "make test-live: set $$v to the LiveKit project to test against" >&2; exit 2; }; done
	LIVEKIT_SIP_LIVE=1 $(PY) -m pytest -q -s tests/live

# Results go to .bench/ (ignored by git); `make bench RECORD=1` updates benchmarks/results/.
bench: venv tools
	$(PY) -m benchmarks.run $(if $(RECORD),,--out .bench)
