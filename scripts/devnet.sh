#!/usr/bin/env bash
# A local FlexLedger network on loopback: 4 validators (market operator, DSO, TSO,
# regulator) and 2 full nodes, each with its own data directory, API port and P2P port.
#   scripts/devnet.sh start            creates the devnet on first use, then starts every node
#   scripts/devnet.sh stop|kill|restart [N]   SIGTERM / SIGKILL / stop-and-start node N, or all
#   scripts/devnet.sh pause|resume N   SIGSTOP / SIGCONT node N
#   scripts/devnet.sh status           each node's height, peers and role
#   scripts/devnet.sh reset            stops everything and deletes the devnet's data
# Environment: DEVNET_DIR (default ./devnet), BUILD_DIR (build), DEVNET_VALIDATORS (4),
# DEVNET_FULL_NODES (2), DEVNET_API_PORT (8080: node N serves http://127.0.0.1:8080+N),
# DEVNET_P2P_PORT (26656). Logs: $DEVNET_DIR/nodeN/node.log; logins: nodeN/dev_logins.json.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
dir=${DEVNET_DIR:-./devnet}
build=${BUILD_DIR:-build}
validators=${DEVNET_VALIDATORS:-4}
full_nodes=${DEVNET_FULL_NODES:-2}
api_port=${DEVNET_API_PORT:-8080}
p2p_port=${DEVNET_P2P_PORT:-26656}
nodes=$((validators + full_nodes))

usage() { sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }

node_ids() {
  if [ $# -gt 0 ] && [ -n "$1" ]; then
    [[ "$1" =~ ^[0-9]+$ ]] && [ "$1" -lt "$nodes" ] || { echo "devnet: no node $1 (0..$((nodes - 1)))" >&2; exit 2; }
    echo "$1"
  else
    seq 0 $((nodes - 1))
  fi
}

pid_of() { cat "$dir/node$1/node.pid" 2>/dev/null || true; }
# Alive and not a zombie (an orphaned node may wait a while to be reaped).
running() {
  local pid
  pid=$(pid_of "$1")
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && [ "$(ps -o stat= -p "$pid" 2>/dev/null | cut -c1)" != "Z" ]
}

start_node() {
  local n=$1
  if running "$n"; then echo "node$n: already running (pid $(pid_of "$n"))"; return; fi
  # --dev keeps the devnet's key and genesis and adds a login per hosted role.
  "$build/node/flexnode" --dev --config "$dir/node$n/config.json" >>"$dir/node$n/node.log" 2>&1 &
  echo $! >"$dir/node$n/node.pid"
  echo "node$n: started (pid $!), http://127.0.0.1:$((api_port + n)), log $dir/node$n/node.log"
}

signal_node() {
  local n=$1 signal=$2
  if ! running "$n"; then echo "node$n: not running"; return; fi
  kill "-$signal" "$(pid_of "$n")"
  echo "node$n: sent SIG$signal"
}

wait_stopped() {
  local n=$1
  for _ in $(seq 1 100); do running "$n" || return 0; sleep 0.1; done
  echo "node$n: still running after 10 s" >&2
  return 1
}

command=${1:-}
case "$command" in
  start)
    if [ ! -f "$dir/genesis.json" ]; then
      "$build/node/flexctl" devnet-init --dir "$dir" --validators "$validators" --full-nodes "$full_nodes" \
        --api-port "$api_port" --p2p-port "$p2p_port"
    fi
    for n in $(node_ids "${2:-}"); do start_node "$n"; done
    ;;
  stop) for n in $(node_ids "${2:-}"); do signal_node "$n" TERM; wait_stopped "$n"; done ;;
  kill) for n in $(node_ids "${2:-}"); do signal_node "$n" KILL; wait_stopped "$n"; done ;;
  restart)
    for n in $(node_ids "${2:-}"); do
      if running "$n"; then signal_node "$n" TERM; wait_stopped "$n"; fi
      start_node "$n"
    done
    ;;
  pause) [ -n "${2:-}" ] || usage; signal_node "$(node_ids "$2")" STOP ;;
  resume) [ -n "${2:-}" ] || usage; signal_node "$(node_ids "$2")" CONT ;;
  status)
    for n in $(node_ids "${2:-}"); do
      if running "$n"; then
        curl -sf "http://127.0.0.1:$((api_port + n))/api/v1/status" |
          node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const j=JSON.parse(s);
            console.log(`node'"$n"': height ${j.height} ${j.consensus.role} round ${j.consensus.round} peers ${j.peers.length}` +
              (j.sync.catching_up ? ` catching up to ${j.sync.target_height}` : ""))})' ||
          echo "node$n: running, API not answering"
      else
        echo "node$n: stopped"
      fi
    done
    ;;
  reset)
    for n in $(seq 0 $((nodes - 1))); do if running "$n"; then signal_node "$n" KILL; fi; done
    rm -rf "$dir"
    echo "devnet: $dir removed"
    ;;
  *) usage ;;
esac
