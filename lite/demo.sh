#!/usr/bin/env bash
# The demo: build the offline JupyterLite site and serve it on 127.0.0.1.
# Datasette then runs in the browser's Pyodide kernel; nothing else is needed.
set -euo pipefail
# The site's build compiles the kernel's modules in Pyodide, which runs under Node.
if ! command -v node >/dev/null; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs >/dev/null
fi
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$ROOT"
python lite/build.py --output lite/_output
PORT="${PORT:-8000}"
echo
echo "Open http://127.0.0.1:$PORT/lab/index.html?path=quickstart.ipynb"
echo "and choose Run > Run All Cells. (Notebook 7: /notebooks/index.html?path=quickstart.ipynb)"
echo
exec python -m http.server "$PORT" --bind 127.0.0.1 --directory lite/_output
