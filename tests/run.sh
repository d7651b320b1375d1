#!/usr/bin/env bash
# The whole test suite, from a fresh machine: installs what it needs, lints and type-checks, then runs pytest.
# Extra arguments go to pytest, e.g. `bash tests/run.sh -k magic`.
set -euo pipefail
if ! command -v chromium >/dev/null; then
  # The browser tests drive Debian's Chromium (Playwright never downloads one here).
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi
source "$(dirname "${BASH_SOURCE[0]}")/../lite/env.sh"
cd "$ROOT"
# Lint and type checks first: an error in either fails the run as a failing test does.
python -m ruff check --quiet .
# The front end is plain JavaScript with JSDoc types, checked by TypeScript's compiler.
npm install --silent --no-audit --no-fund --prefix .venv/js typescript@5.9.3 @anywidget/types@0.4.0 >/dev/null
.venv/js/node_modules/.bin/tsc -p jupyterlite_datasette/static/jsconfig.json
exec python -m pytest "$@"
