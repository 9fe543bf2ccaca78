# The front door: `make book` builds the book, `make test` runs every test.
# Each creates the virtual environment .venv (pinned by constraints.txt) when it is missing
# or stale. Also: `make lab` (the notebooks in JupyterLab), `make verify` (every notebook at
# full size), `make sync` / `make format` (after editing book/), `make lock`.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# pytest-xdist workers for the unit tests and the notebooks
JOBS ?= 2
# `make verify PAGES="03-hand-rolled-cell-tf"` checks only these pages
PAGES ?=
# The notebook pages jupytext pairs with notebooks/ (_ext/unrolled/pages.py says which pages
# are notebooks); tools/twins.py writes the twin pages and their notebooks from book/twins/.
HAND_WRITTEN_PAGES = $(shell PYTHONPATH=_ext $(BIN)/python -m unrolled.pages hand-written)
LINTED = rnnlib tests tools _ext notebooks .ci/lock.py

.PHONY: book test look lint verify student lab sync format lock clean publish release

# The notebooks the build's cache lacks run first, $(JOBS) at a time (tools/verify.py), then the
# build renders every page from the cache. RNNLIB_QUICK=1 builds the quick book in _build/quick,
# with a cache of its own, so the two sizes never mix.
BOOK_OUT = $(if $(filter-out 0 false,$(RNNLIB_QUICK)),_build/quick,.)
book: $(STAMP)
	$(BIN)/python tools/verify.py --missing --jobs $(JOBS)
	$(BIN)/jupyter-book build . --path-output $(BOOK_OUT) --builder html -W -n --keep-going
	@echo "The book is in $(BOOK_OUT)/_build/html/index.html"

# Lint, then the unit tests and every notebook (nbval) in parallel, then the quick book
# build (which reuses the notebooks nbval executed) and the browser test.
test: $(STAMP) lint
	RNNLIB_QUICK=1 $(BIN)/python -m pytest -n $(JOBS) --dist loadfile -m "not slow"
	RNNLIB_QUICK=1 $(BIN)/python -m pytest -m slow

# Screenshots of every page (light, dark, phone) of the quick build, to look at:
# _build/quick/screenshots/. Runs the browser test after `make test` has built the book.
look: $(STAMP)
	RNNLIB_QUICK=1 RNNLIB_SCREENSHOTS=1 $(BIN)/python -m pytest -m slow -q tests/test_browser.py
	@echo "Screenshots in _build/quick/screenshots/"

lint: $(STAMP)
	$(BIN)/ruff check $(LINTED)
	$(BIN)/ruff format --check $(LINTED)
	$(BIN)/codespell book rnnlib tests tools _ext README.md CONTRIBUTING.md CONTRIBUTING-site.md

verify: $(STAMP)
	$(BIN)/python tools/verify.py --jobs $(JOBS) $(PAGES)

# The student edition of every chapter (see _ext/unrolled/editions.py), in _build/student/:
# read from the book without executing anything (students get no outputs), in seconds.
# The book's build also writes it, next to the reader notebooks.
student: $(STAMP)
	PYTHONPATH=_ext $(BIN)/python -m unrolled.editions

lab: $(STAMP)
	$(BIN)/jupyter lab notebooks/

# Publish the full book to the gh-pages branch of origin, for GitHub Pages: the site, and in it the reader
# notebooks (reader/NN-slug.ipynb) that the Colab and Binder buttons open. Never run by the tests.
publish: book
	test -x $(BIN)/ghp-import || $(BIN)/python -m pip install --quiet -c constraints.txt ghp-import
	$(BIN)/ghp-import --no-jekyll --push --force --branch gh-pages \
		--message "Publish the book built from $$(git rev-parse --short HEAD)" _build/html

# The twin pages from their sources (book/twins/), then jupytext for the other notebook pages.
sync: $(STAMP)
	$(BIN)/python tools/twins.py
	$(BIN)/jupytext --sync $(HAND_WRITTEN_PAGES)

# ruff sorts imports and formats the code: the twin sources' cells, the notebooks (jupytext carries them back
# into book/), rnnlib and the rest; then the twin pages are written again.
format: $(STAMP) sync
	$(BIN)/python tools/twins.py --format
	$(BIN)/ruff check --fix --select I,UP $(LINTED)
	$(BIN)/ruff format $(LINTED)
	sleep 1 && $(BIN)/jupytext --sync $(HAND_WRITTEN_PAGES)
	$(BIN)/python tools/twins.py

$(STAMP): pyproject.toml constraints.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Unrolled needs Python 3.11 or newer; $(PYTHON) is " + sys.version.split()[0] + ". Run: make PYTHON=python3.12 ...")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[all]"
	touch $(STAMP)

# Re-pin every dependency to what installs now (then commit constraints.txt).
lock: $(STAMP)
	$(BIN)/python -m pip install --quiet --upgrade -e ".[all]"
	$(BIN)/python .ci/lock.py > constraints.txt

clean:
	rm -rf _build

# A release instructors can pin (book/instructors.md, "Pinning a release"): the version in
# rnnlib/__init__.py, its entry in CHANGELOG.md; the book built with launch buttons on the
# tag book-vX.Y.Z, published, then the site and the source tagged.
VERSION = $(shell sed -n 's/^__version__ = "\(.*\)"/\1/p' rnnlib/__init__.py)
release: $(STAMP)
	@git diff --quiet HEAD || { echo "release: commit your changes first"; exit 1; }
	@grep -q "^## $(VERSION) " CHANGELOG.md || { echo "release: CHANGELOG.md has no '## $(VERSION) ' entry"; exit 1; }
	UNROLLED_LAUNCH_REF=book-v$(VERSION) $(BIN)/jupyter-book build . --all --builder html -W -n --keep-going
	test -x $(BIN)/ghp-import || $(BIN)/python -m pip install --quiet -c constraints.txt ghp-import
	$(BIN)/ghp-import --no-jekyll --push --force --branch gh-pages \
		--message "Release $(VERSION), built from $$(git rev-parse --short HEAD)" _build/html
	git tag -a book-v$(VERSION) gh-pages -m "The book, release $(VERSION)"
	git tag -a v$(VERSION) -m "Release $(VERSION)"
	git push origin book-v$(VERSION) v$(VERSION)
