#!/usr/bin/env bash
# make demo: runs a dev node (one validator, one hosted login per role, printed on start)
# with its data in DEMO_DATA, and seeds demo data through its REST API in the background
# (scripts/demo-seed.mjs). A new demo chain uses one-minute ISPs, so the demo's delivery
# is metered and settled about three minutes after the first start.
#   scripts/demo.sh BUILD_DIR DATA_DIR HOST:PORT
set -euo pipefail
build_dir=${1:-build}
data_dir=${2:-./data}
listen=${3:-127.0.0.1:8080}
here=$(cd "$(dirname "$0")" && pwd)

"$build_dir/node/flexnode" --dev --dev-isp-seconds 60 --data "$data_dir" --listen "$listen" &
node_pid=$!
# Ctrl-C stops the node cleanly (and the seed with it).
trap 'kill -TERM "$node_pid" 2>/dev/null || true' INT TERM

healthy=false
for _ in $(seq 1 300); do
  if curl -sf "http://$listen/api/v1/healthz" >/dev/null 2>&1; then healthy=true; break; fi
  kill -0 "$node_pid" 2>/dev/null || { wait "$node_pid"; exit $?; }
  sleep 0.1
done
if [ "$healthy" != true ]; then
  echo "demo: the node did not answer on http://$listen within 30 s; stopping it" >&2
  kill -TERM "$node_pid" 2>/dev/null || true
  wait "$node_pid" || true
  exit 1
fi
node "$here/demo-seed.mjs" --url "http://$listen" --data "$data_dir" &
seed_pid=$!
status=0
# A trapped signal interrupts `wait`; wait again until the node has really stopped.
while kill -0 "$node_pid" 2>/dev/null; do
  status=0
  wait "$node_pid" || status=$?
done
if kill -0 "$seed_pid" 2>/dev/null; then
  kill "$seed_pid" 2>/dev/null || true
elif ! wait "$seed_pid"; then
  echo "demo: the demo data is incomplete (see the 'demo: failed' line above); starting again completes it" >&2
  [ "$status" -eq 0 ] && status=1
fi
exit "$status"
