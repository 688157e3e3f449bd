# Quick start: `make run` (demo portal on SQLite) and `make test` (the whole suite).
PORT ?= 8501
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
DEV_STAMP := $(VENV)/.dev-installed-stamp

.PHONY: run test lint bench load install install-dev fonts browser-deps nginx-deps clean

# Runtime requirements only (what `make run` and production need), every file checked
# against its SHA-256 in requirements.lock. Both locks: pip-compile --generate-hashes
# (see the header of each file); requirements-dev.lock adds pytest, playwright, ruff, ...
$(STAMP): requirements.lock pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "Python 3.11 is required ($(PYTHON) not found)"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $(STAMP)

$(DEV_STAMP): $(STAMP) requirements-dev.lock
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements-dev.lock
	touch $(DEV_STAMP)

install: $(STAMP)

install-dev: $(DEV_STAMP)

# Debian's Noto fonts, when missing: certificates print names in the scripts DejaVu Sans
# (shipped in portal/certificates/fonts) lacks, and the portal does not start without them.
fonts: $(STAMP)
	@$(BIN)/python -c "from portal.certificates.font_files import fonts_missing as m; exit(bool(m()))" || { \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends \
			fonts-noto-core fonts-noto-cjk >/dev/null; \
	}

AXE := .cache/axe/node_modules/axe-core/axe.min.js

# Debian's Chromium (with a font for its pages) for the browser tests, pdftotext for reading
# certificates back and npm, each only when missing (a NodeSource npm conflicts with
# Debian's); then axe-core (the accessibility checker the browser
# tests inject) in .cache/.
browser-deps:
	@MISSING=$$( command -v chromium >/dev/null || echo chromium; \
		command -v pdftotext >/dev/null || echo poppler-utils; \
		command -v npm >/dev/null || echo npm; \
		[ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || echo fonts-dejavu-core ); \
	if [ -n "$$MISSING" ]; then \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$MISSING >/dev/null; \
	fi
	@test -f $(AXE) || npm install --prefix .cache/axe axe-core@4 --no-audit --no-fund --silent

run: $(STAMP) fonts
	PORTAL_ENV=$${PORTAL_ENV:-demo} $(BIN)/portal db upgrade
	PORTAL_ENV=$${PORTAL_ENV:-demo} $(BIN)/portal demo seed
	PORTAL_ENV=$${PORTAL_ENV:-demo} $(BIN)/streamlit run streamlit_app.py \
		--server.port $(PORT) --server.address 0.0.0.0 \
		--client.showErrorDetails $$( [ "$${PORTAL_ENV:-demo}" = demo ] && echo full || echo none )

lint: $(DEV_STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# Bytecode compiled once up front: the suite starts dozens of Python processes (servers and
# the command line), and with PYTHONDONTWRITEBYTECODE set each would compile the portal again.
test: $(DEV_STAMP) fonts browser-deps nginx-deps lint
	$(BIN)/python -m compileall -q -j 2 portal tests benchmarks
	$(BIN)/pytest -n 2 --dist loadfile

bench: $(DEV_STAMP) fonts browser-deps
	PORTAL_TEST_DATABASE_URL=$${PORTAL_TEST_DATABASE_URL:-postgresql://postgres@127.0.0.1:5432/test} \
		$(BIN)/python -m benchmarks

# Debian's nginx (the light build) for `make load PROCESSES=2`, when missing.
nginx-deps:
	@if ! command -v nginx >/dev/null && [ ! -x /usr/sbin/nginx ]; then \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq nginx-light >/dev/null; \
	fi

# 300 browsers over Streamlit's websocket against the portal as production runs it
# (PostgreSQL; nginx in front when PROCESSES > 1). FLOW=form types the code instead of the QR link.
USERS ?= 300
PROCESSES ?= 1
FLOW ?= qr
load: $(DEV_STAMP) fonts
	@if [ "$(PROCESSES)" -gt 1 ]; then $(MAKE) --no-print-directory nginx-deps; fi
	PORTAL_TEST_DATABASE_URL=$${PORTAL_TEST_DATABASE_URL:-postgresql://postgres@127.0.0.1:5432/test} \
		$(BIN)/python -m benchmarks.load --users $(USERS) --processes $(PROCESSES) --flow $(FLOW)

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .cache
