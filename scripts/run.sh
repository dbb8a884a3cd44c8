#!/usr/bin/env bash
# The run command: installs what is missing, builds the site in release mode and serves it on
# http://127.0.0.1:8080. Change the port with --port N (or PORT=N).
set -euo pipefail
cd "$(dirname "$0")/.."
PORT=${PORT:-8080}
while [ $# -gt 0 ]; do
  case "$1" in
    --port) PORT=$2; shift 2 ;;
    --port=*) PORT=${1#--port=}; shift ;;
    *) echo "usage: scripts/run.sh [--port N]" >&2; exit 2 ;;
  esac
done
scripts/setup.sh --build
export PATH="$HOME/.cargo/bin:$PWD/node_modules/.bin:$PATH"
trunk build --release
exec node scripts/serve.mjs dist "$PORT"
