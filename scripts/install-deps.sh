#!/usr/bin/env bash
# Installs the Debian packages FlexLedger builds against, only those missing.
# Idempotent. When not run as root and sudo is unavailable, prints the exact command.
set -euo pipefail

packages=(
  build-essential
  cmake
  pkg-config
  libboost1.81-dev
  nlohmann-json3-dev
  libsecp256k1-dev
  libssl-dev
  libsqlite3-dev
  sqlite3
  catch2
  curl
  wrk
)

missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all dependencies present"
  exit 0
fi

echo "install-deps: missing: ${missing[*]}"
install_command="apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ${missing[*]}"

if [ "$(id -u)" -eq 0 ]; then
  apt-get update -q
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  sudo apt-get update -q
  sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
else
  echo "install-deps: not root. Run this, then try again:" >&2
  echo "  sudo sh -c '$install_command'" >&2
  exit 1
fi
