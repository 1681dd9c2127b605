#!/usr/bin/env bash
# Installs the laptop's healthcheck in one command: the server under /opt/healthcheck, its service
# user, the systemd unit and env file, then Tailscale Funnel, a local check of /health, and the
# public URL to give Terraform. Arch or Debian-like, with systemd. Idempotent: a second run
# changes nothing. Run from a clone of this repository: sudo scripts/install-laptop.sh
set -euo pipefail
# shellcheck source=scripts/lib/common.sh
source "$(dirname "$0")/lib/common.sh"

usage() {
  cat <<'EOF'
Usage: sudo scripts/install-laptop.sh [options]

  --port N      local port of the healthcheck, used for a new env file (default 8080)
  --no-funnel   do not touch Tailscale Funnel
  --uninstall   remove everything this script installs
  --dry-run     print every action without doing any (no root needed)
  --root DIR    with --dry-run: compare against files under DIR instead of / (for tests)
  -h, --help    this help
EOF
}

SERVICE=healthcheck
SERVICE_USER=healthcheck
BUNDLE_SRC=laptop/dist/healthcheck.mjs
UNIT_SRC=laptop/healthcheck.service
ENV_SRC=laptop/healthcheck.env.example
# systemd's default PATH for services: the node found here is the one the unit's `env node` runs.
SERVICE_PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin
MIN_NODE_MAJOR=20

dry_run=false
uninstall=false
funnel=true
port=""
root=""

die() {
  printf 'install-laptop: %s\n' "$*" >&2
  exit 1
}

while [ $# -gt 0 ]; do
  case "$1" in
    --dry-run) dry_run=true ;;
    --uninstall) uninstall=true ;;
    --no-funnel) funnel=false ;;
    --port)
      [ $# -ge 2 ] || { usage >&2; exit 2; }
      port=$2
      shift
      ;;
    --port=*) port=${1#--port=} ;;
    --root)
      [ $# -ge 2 ] || { usage >&2; exit 2; }
      root=$2
      shift
      ;;
    --root=*) root=${1#--root=} ;;
    -h | --help)
      usage
      exit 0
      ;;
    *)
      printf 'install-laptop: unknown option %s\n' "$1" >&2
      usage >&2
      exit 2
      ;;
  esac
  shift
done

if [ -n "$port" ] && { ! [[ $port =~ ^[0-9]+$ ]] || [ "$port" -lt 1 ] || [ "$port" -gt 65535 ]; }; then
  printf 'install-laptop: --port is "%s": expected a port number from 1 to 65535\n' "$port" >&2
  exit 2
fi
if [ -n "$root" ] && ! $dry_run; then
  printf 'install-laptop: --root only goes with --dry-run: a real install always goes to /\n' >&2
  exit 2
fi

OPT_DIR=$root/opt/healthcheck
BUNDLE_DEST=$OPT_DIR/healthcheck.mjs
UNIT_DEST=$root/etc/systemd/system/$SERVICE.service
ENV_DIR=$root/etc/healthcheck
ENV_DEST=$ENV_DIR/healthcheck.env
CACHE_DIR=$root/var/cache/healthcheck

changes=0
# The node the service will run; also runs this script's small JSON and HTTP helpers.
NODE=node

# Every action that changes the machine goes through here, so --dry-run shows exactly what a real run does.
act() {
  changes=$((changes + 1))
  if $dry_run; then
    printf '==> would run:'
    printf ' %q' "$@"
    printf '\n'
  else
    printf '==> running:'
    printf ' %q' "$@"
    printf '\n'
    "$@"
  fi
}

ok() { printf '==> ok: %s\n' "$*"; }
warn() { printf '==> warning: %s\n' "$*" >&2; }

have() { command -v "$1" >/dev/null 2>&1; }

require_root() {
  $dry_run && return 0
  [ "$(id -u)" -eq 0 ] || die "must run as root to install a system service: sudo $0 (or --dry-run to see the plan)"
}

require_systemd() {
  if [ -d /run/systemd/system ] && have systemctl; then return 0; fi
  $dry_run && { warn "systemd is not running here; a real run would stop"; return 0; }
  die "systemd is not running: this installs a systemd service"
}

node_for_service() { PATH=$SERVICE_PATH command -v node 2>/dev/null || true; }

require_node() {
  local node major
  node=$(node_for_service)
  if [ -z "$node" ]; then
    $dry_run && { warn "no node on $SERVICE_PATH; a real run would stop"; return 0; }
    die "Node.js $MIN_NODE_MAJOR or later must be installed system-wide (pacman -S nodejs, or apt-get install nodejs on Debian 13 / Ubuntu 24.04); a node under your home directory is hidden from the service"
  fi
  major=$("$node" -p 'process.versions.node.split(".")[0]')
  if [ "$major" -lt "$MIN_NODE_MAJOR" ]; then
    $dry_run && { warn "$node is Node $major, older than $MIN_NODE_MAJOR; a real run would stop"; return 0; }
    die "$node is Node $major; the healthcheck needs Node $MIN_NODE_MAJOR or later"
  fi
  NODE=$node
  ok "Node $major at $node"
}

# The built server, rebuilt when a source is newer than it (after a git pull, say).
ensure_bundle() {
  if [ -f "$BUNDLE_SRC" ] && [ -z "$(find laptop/src -newer "$BUNDLE_SRC" -print -quit)" ]; then
    ok "built server $BUNDLE_SRC"
    return 0
  fi
  have npm || die "$BUNDLE_SRC is missing or older than laptop/src and npm is not installed: run make build on a machine with npm and copy laptop/dist/ here"
  # Build as the user who called sudo, so node_modules/ and dist/ stay theirs.
  if [ -n "${SUDO_USER:-}" ] && [ "$SUDO_USER" != root ]; then
    act sudo -u "$SUDO_USER" scripts/build
  else
    act scripts/build
  fi
}

# Content and mode decide "up to date"; install(1) sets owner and mode whenever it copies.
install_file() {
  local src=$1 dest=$2 mode=$3 group=$4
  if [ -f "$dest" ] && cmp -s "$src" "$dest" && [ "$(stat -c %a "$dest")" = "$mode" ]; then
    ok "$dest up to date"
    return 1
  fi
  act install -D -m "$mode" -o root -g "$group" "$src" "$dest"
}

user_exists() { getent passwd "$SERVICE_USER" >/dev/null 2>&1; }

ensure_user() {
  if user_exists; then
    ok "user $SERVICE_USER exists"
    return 0
  fi
  local nologin
  nologin=$(command -v nologin || echo /usr/sbin/nologin)
  act useradd --system --user-group --no-create-home --home-dir /nonexistent --shell "$nologin" --comment "home-failover healthcheck" "$SERVICE_USER"
}

# The port a running install uses: the env file's setting if it has one, else --port, else 8080.
configured_port() {
  local from_file=""
  if [ -f "$ENV_DEST" ]; then
    from_file=$(sed -n 's/^[[:space:]]*HEALTHCHECK_PORT=[[:space:]]*\([0-9][0-9]*\)[[:space:]]*$/\1/p' "$ENV_DEST" | tail -n 1)
  fi
  if [ -n "$from_file" ]; then
    if [ -n "$port" ] && [ "$port" != "$from_file" ]; then
      warn "keeping port $from_file from $ENV_DEST; edit HEALTHCHECK_PORT there to change it"
    fi
    echo "$from_file"
  else
    echo "${port:-8080}"
  fi
}

ensure_env_file() {
  local wanted_port=$1
  if [ -f "$ENV_DEST" ]; then
    ok "$ENV_DEST exists (kept as you edited it)"
    return 1
  fi
  # Readable by the service user: it may name a kubeconfig path, never a secret itself.
  act install -D -m 640 -o root -g "$SERVICE_USER" "$ENV_SRC" "$ENV_DEST"
  if [ "$wanted_port" != 8080 ]; then
    act sed -i "s/^#HEALTHCHECK_PORT=8080\$/HEALTHCHECK_PORT=$wanted_port/" "$ENV_DEST"
  fi
}

unit_state() { systemctl "$1" --quiet "$SERVICE" 2>/dev/null; }

# Prints "url" for the funnel that proxies to our port, from `tailscale funnel status --json`.
funnel_url_for_port() {
  # shellcheck disable=SC2016 # JavaScript, not shell: its ${} are template literals
  tailscale funnel status --json 2>/dev/null | "$NODE" -e '
    let text = "";
    process.stdin.on("data", (d) => (text += d)).on("end", () => {
      let status;
      try { status = JSON.parse(text || "{}"); } catch { return; }
      const target = `http://127.0.0.1:${process.argv[1]}`;
      for (const [hostPort, site] of Object.entries(status.Web ?? {})) {
        const ours = Object.values(site.Handlers ?? {}).some((h) => (h.Proxy ?? "").replace(/\/$/, "") === target);
        if (ours && status.AllowFunnel?.[hostPort]) console.log(`https://${hostPort.replace(/:443$/, "")}`);
      }
    });' "$1" | head -n 1
}

dns_name() {
  tailscale status --json 2>/dev/null | "$NODE" -e '
    let text = "";
    process.stdin.on("data", (d) => (text += d)).on("end", () => {
      try { console.log((JSON.parse(text).Self?.DNSName ?? "").replace(/\.$/, "")); } catch {}
    });'
}

ensure_funnel() {
  local p=$1 url
  if ! $funnel; then
    ok "Tailscale Funnel left alone (--no-funnel)"
    return 0
  fi
  if ! have tailscale; then
    warn "tailscale is not installed: install it, run 'sudo tailscale up', then 'sudo tailscale funnel --bg $p'"
    return 0
  fi
  url=$(funnel_url_for_port "$p")
  if [ -n "$url" ]; then
    ok "Tailscale Funnel already serves $url -> http://127.0.0.1:$p"
    return 0
  fi
  act tailscale funnel --bg "$p"
}

check_local() {
  local p=$1 url="http://127.0.0.1:$1/health"
  if $dry_run; then
    printf '==> would check: %s answers 200 OK\n' "$url"
    return 0
  fi
  # The first check round takes up to the check timeout; allow a few rounds.
  local answer=""
  for _ in $(seq 1 30); do
    # shellcheck disable=SC2016 # JavaScript, not shell: its ${} are template literals
    answer=$("$NODE" -e '
      fetch(process.argv[1], { signal: AbortSignal.timeout(2000) })
        .then(async (r) => console.log(`${r.status} ${await r.text()}`))
        .catch(() => console.log("no answer"));' "$url")
    case "$answer" in
      "200 OK") ok "$url answers 200 OK"; return 0 ;;
      "503 starting" | "no answer") sleep 1 ;;
      *) break ;;
    esac
  done
  case "$answer" in
    "no answer") die "$url does not answer: see journalctl -u $SERVICE" ;;
    *) warn "$url answers '$answer': the server runs, but the node is not healthy yet (see journalctl -u $SERVICE and the README)" ;;
  esac
}

print_public_url() {
  local p=$1 url=""
  if $funnel && have tailscale; then
    url=$(funnel_url_for_port "$p")
    if [ -z "$url" ] && $dry_run; then
      local name
      name=$(dns_name)
      [ -n "$name" ] && url="https://$name"
    fi
  fi
  if [ -z "$url" ]; then
    warn "no public URL yet: once 'tailscale funnel --bg $p' runs, it is https://<this machine>.<tailnet>.ts.net/health"
    return 0
  fi
  printf '\nPublic healthcheck: %s/health\n' "$url"
  printf 'Check it from outside: curl %s/health\n' "$url"
  printf 'Give it to Terraform:  healthcheck_url = "%s/health"\n' "$url"
}

do_install() {
  log "installing the laptop healthcheck$mode_note"
  require_root
  require_systemd
  require_node
  ensure_bundle

  local p unit_changed=false code_changed=false
  p=$(configured_port)
  ensure_user
  if $dry_run && [ ! -f "$BUNDLE_SRC" ]; then
    ok "would install $BUNDLE_DEST once built"
    code_changed=true
  elif install_file "$BUNDLE_SRC" "$BUNDLE_DEST" 644 root; then
    code_changed=true
  fi
  if install_file "$UNIT_SRC" "$UNIT_DEST" 644 root; then unit_changed=true; fi
  if ensure_env_file "$p"; then code_changed=true; fi

  if $unit_changed; then act systemctl daemon-reload; fi
  if unit_state is-enabled; then ok "$SERVICE enabled"; else act systemctl enable "$SERVICE"; fi
  if ! unit_state is-active; then
    act systemctl start "$SERVICE"
  elif $unit_changed || $code_changed; then
    act systemctl restart "$SERVICE"
  else
    ok "$SERVICE running"
  fi

  ensure_funnel "$p"
  check_local "$p"
  print_public_url "$p"
  if $dry_run; then log "dry run: $changes change(s) planned, none made"; else log "done: $changes change(s)"; fi
}

do_uninstall() {
  log "removing the laptop healthcheck$mode_note"
  require_root
  local p
  NODE=$(node_for_service)
  NODE=${NODE:-node}
  p=$(configured_port)
  if $funnel && have tailscale && [ -n "$(funnel_url_for_port "$p")" ]; then
    act tailscale funnel --https=443 off
  fi
  if have systemctl && { unit_state is-enabled || unit_state is-active; }; then
    act systemctl disable --now "$SERVICE"
  fi
  if [ -f "$UNIT_DEST" ]; then
    act rm -f "$UNIT_DEST"
    if have systemctl; then act systemctl daemon-reload; fi
  fi
  for path in "$OPT_DIR" "$ENV_DIR" "$CACHE_DIR"; do
    if [ -e "$path" ]; then act rm -rf "$path"; fi
  done
  if user_exists; then act userdel "$SERVICE_USER"; fi
  [ "$changes" -gt 0 ] || ok "nothing installed"
  if $dry_run; then log "dry run: $changes change(s) planned, none made"; else log "done: $changes change(s)"; fi
}

mode_note=""
if $dry_run; then mode_note=" (dry run: nothing is changed)"; fi
if $uninstall; then do_uninstall; else do_install; fi
