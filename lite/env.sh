# Sourced by the demo and test commands: makes .venv with everything installed.
# Safe to run again: each step is quick when its work is already done.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# JLD_VENV: another environment (tests/run-datasette-1.sh makes one for Datasette 1.0).
VENV="${JLD_VENV:-$ROOT/.venv}"
PYTHON="${PYTHON:-python3}"

if [ ! -x "$VENV/bin/python" ]; then
  "$PYTHON" -m venv "$VENV"
fi
"$VENV/bin/python" -m pip install --quiet --upgrade pip
# The package with its test tools, and the site builder at the versions
# lite/versions.toml pins.
BUILD_PINS="$("$VENV/bin/python" -c '
import tomllib, pathlib
pins = tomllib.loads(pathlib.Path("'"$ROOT"'/lite/versions.toml").read_text())["build"]
print(" ".join(f"{name}=={version}" for name, version in pins.items()))
')"
# shellcheck disable=SC2086
"$VENV/bin/python" -m pip install --quiet -e "$ROOT[test,lite]" $BUILD_PINS
export PATH="$VENV/bin:$PATH"
