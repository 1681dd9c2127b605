# Shared by the scripts: run from the repository root, and install the npm dependencies
# when node_modules is missing or older than the lockfile (a fresh clone, or a pulled change).
# shellcheck shell=bash

cd "$(dirname "${BASH_SOURCE[0]}")/../.." || exit 1

log() { printf '==> %s\n' "$*"; }

ensure_node_modules() {
  if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    log "installing npm dependencies (npm ci)"
    npm ci --no-audit --no-fund
  fi
}
