#!/bin/sh
# The image's entry point. Before flexnode starts, checks that a devnet node directory
# (flexctl devnet-init --docker-service-prefix node) is mounted at /data and that this
# container's user can read its keys and write there: flexnode --dev would otherwise start a
# fresh single-validator chain in an empty /data, or fail on a permission error deep in
# SQLite. Any other command (flexctl ...) runs unchecked.
set -eu
data=/data

fail() {
  echo "flexledger-entrypoint: $*" >&2
  exit 78  # EX_CONFIG: the mount or the user is wrong, not the node
}

if [ "${1:-}" = flexnode ]; then
  for file in config.json genesis.json node_key.json; do
    [ -f "$data/$file" ] ||
      fail "no devnet node directory at $data ($file is missing): run devnet-init first and mount devnet/nodeN at $data (docker/README.md)"
  done
  if [ ! -r "$data/node_key.json" ] || [ ! -w "$data" ]; then
    fail "$data belongs to uid $(stat -c %u "$data") but this container runs as uid $(id -u):" \
      "set FLEX_UID and FLEX_GID in docker/.env to the owner of docker/devnet (docker/README.md)"
  fi
fi
exec "$@"
