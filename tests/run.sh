#!/usr/bin/env bash
# The whole test suite, from a fresh machine: installs what it needs, lints and type-checks, then runs pytest.
# Extra arguments go to pytest, e.g. `bash tests/run.sh -k magic`.
set -euo pipefail
# The browser tests drive Debian's Chromium (Playwright never downloads one here); the
# type check and the script-rewrite tests run in Node.
MISSING=""
command -v chromium >/dev/null || MISSING="chromium"
command -v npm >/dev/null || MISSING="$MISSING npm"
if [ -n "$MISSING" ]; then
  apt-get update -qq
  # shellcheck disable=SC2086
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $MISSING >/dev/null
fi
source "$(dirname "${BASH_SOURCE[0]}")/../lite/env.sh"
cd "$ROOT"
# Lint and type checks first: an error in either fails the run as a failing test does.
python -m ruff check --quiet .
python -m ruff format --check --quiet .
python -m mypy
# The front end is plain JavaScript with JSDoc types, checked by TypeScript's compiler.
npm install --silent --no-audit --no-fund --prefix .venv/js typescript@5.9.3 @anywidget/types@0.4.0 >/dev/null
.venv/js/node_modules/.bin/tsc -p jupyterlite_datasette/static/jsconfig.json
# Released Datasette plugins, at the versions lite/versions.toml pins, in a folder of their
# own: only the tests that load them (tests/test_real_plugins.py) see them.
PLUGIN_PINS="$(python -c '
import tomllib
pins = tomllib.load(open("lite/versions.toml", "rb"))["plugins"]
print(" ".join(f"{name}=={version}" for name, version in pins.items()))
')"
if [ "$(cat .venv/plugins/.pins 2>/dev/null)" != "$PLUGIN_PINS" ]; then
  rm -rf .venv/plugins
  # shellcheck disable=SC2086
  python -m pip install --quiet --no-deps --target .venv/plugins $PLUGIN_PINS
  echo "$PLUGIN_PINS" > .venv/plugins/.pins
fi
exec python -m pytest "$@"
