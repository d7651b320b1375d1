#!/usr/bin/env bash
# The whole test suite, from a fresh machine: installs what it needs, lints, then runs pytest.
# Extra arguments go to pytest, e.g. `bash tests/run.sh -k magic`.
set -euo pipefail
if ! command -v chromium >/dev/null; then
  # The browser tests drive Debian's Chromium (Playwright never downloads one here).
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi
source "$(dirname "${BASH_SOURCE[0]}")/../lite/env.sh"
cd "$ROOT"
# Lint first: a lint error fails the run as a failing test does.
python -m ruff check --quiet .
exec python -m pytest "$@"
