#!/bin/sh
# Install Samplan with its test tools in .venv and run the whole test suite.
# Browser tests need Debian's Chromium (/usr/bin/chromium); without it they skip, except under CI=true.
set -eu
cd "$(dirname "$0")/.."
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e '.[test]'
.venv/bin/pybabel -q compile -d translations
.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/mypy app
exec .venv/bin/python -m pytest "$@"
