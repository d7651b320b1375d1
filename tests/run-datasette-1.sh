#!/usr/bin/env bash
# The unit, kernel and CPython browser tests against Datasette 1.0 (the alpha lite/versions.toml
# [datasette-1] pins), in an environment of its own: .venv/datasette-1. Run after tests/run.sh,
# which installs Chromium and checks the lint and types. Extra arguments go to pytest (a later
# -m replaces this one). What needs Datasette 0.65 (the JupyterLite site, plugins released for
# 0.65) is left out, and so are the slow tests of the widget's and the kernel's own timing (one_line).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export JLD_VENV="$ROOT/.venv/datasette-1"
source "$ROOT/lite/env.sh"
cd "$ROOT"
DATASETTE_1="$(python -c '
import tomllib
print(tomllib.load(open("lite/versions.toml", "rb"))["datasette-1"]["datasette"])
')"
python -m pip install --quiet "datasette==$DATASETTE_1"
python -c 'import datasette.version as v, sys; sys.exit(not v.__version__.startswith("1."))'
exec python -m pytest -m "not datasette_065 and not one_line" "$@"
