#!/usr/bin/env bash
# `npm run demo`: the main job on a shipped example, start to finish, touching nothing outside a
# temp directory: validate a keepalived.conf, run vigild on it, ask it for status, reload it,
# stop it.
set -euo pipefail
cd "$(dirname "$0")/.."
config=examples/lvs-dr.conf
tmp=$(mktemp -d /tmp/vigil-demo.XXXXXX)
daemon=
cleanup() {
  [ -n "$daemon" ] && kill "$daemon" 2>/dev/null && wait "$daemon" 2>/dev/null
  rm -rf "$tmp"
}
trap cleanup EXIT
export VIGIL_SOCKET=$tmp/vigil.sock

step() { printf '\n\033[1m$ %s\033[0m\n' "$*"; }

step vigil check --config "$config"
bin/vigil check --config "$config"

step vigild --config "$config" --socket "$VIGIL_SOCKET" --state-dir "$tmp/state" '&'
bin/vigild --config "$config" --socket "$VIGIL_SOCKET" --state-dir "$tmp/state" --log-level info > "$tmp/vigild.log" 2>&1 &
daemon=$!
for _ in $(seq 100); do [ -S "$VIGIL_SOCKET" ] && break; sleep 0.05; done
cat "$tmp/vigild.log"

step vigil status
bin/vigil status

step vigil reload
bin/vigil reload

step kill -TERM vigild
kill -TERM "$daemon"; wait "$daemon" || true; daemon=
tail -n 2 "$tmp/vigild.log"
