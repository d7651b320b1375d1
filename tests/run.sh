#!/usr/bin/env bash
# The whole test suite, from a fresh machine: installs what it needs, then runs pytest.
# Extra arguments go to pytest, e.g. `bash tests/run.sh -k magic`.
set -euo pipefail
if ! command -v chromium >/dev/null; then
  # The browser tests drive Debian's Chromium (Playwright never downloads one here).
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi
source "$(dirname "${BASH_SOURCE[0]}")/../lite/env.sh"
cd "$ROOT"
exec python -m pytest "$@"
