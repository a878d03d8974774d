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

for _ in $(seq 1 300); do
  curl -sf "http://$listen/api/v1/healthz" >/dev/null 2>&1 && break
  kill -0 "$node_pid" 2>/dev/null || { wait "$node_pid"; exit $?; }
  sleep 0.1
done
node "$here/demo-seed.mjs" --url "http://$listen" --data "$data_dir" &
seed_pid=$!
status=0
# A trapped signal interrupts `wait`; wait again until the node has really stopped.
while kill -0 "$node_pid" 2>/dev/null; do
  status=0
  wait "$node_pid" || status=$?
done
kill "$seed_pid" 2>/dev/null || true
exit "$status"
