#!/bin/sh
# Install Samplan in .venv and run the demo: SQLite, the demo world, demo sign-in.
# `sh scripts/demo.sh --reset` starts the demo afresh (everything removed, the world seeded again).
set -eu
cd "$(dirname "$0")/.."
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e .
.venv/bin/pybabel -q compile -d translations
export SAMPLAN_DEMO=1
exec .venv/bin/samplan demo "$@"
