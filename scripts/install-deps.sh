#!/usr/bin/env bash
# Installs the Debian packages FlexLedger builds against, only those missing, then the
# dashboard's npm packages from webui/package-lock.json (npm ci, when the lock changed).
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
  chromium
)

missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done

# The dashboard's packages: Node.js 20.19 or later with npm (on the machine image; Debian's
# own nodejs is too old for Vite), and a clean npm ci whenever package-lock.json changed.
install_webui_packages() {
  local webui
  webui="$(cd "$(dirname "$0")/.." && pwd)/webui"
  # Vite needs Node.js 20.19 or later (22.12 on the 22 line).
  if ! command -v npm >/dev/null 2>&1 ||
     ! node -e 'const [a, b] = process.versions.node.split(".").map(Number); process.exit((a === 20 && b >= 19) || (a === 22 && b >= 12) || a >= 23 ? 0 : 1)'; then
    echo "install-deps: the dashboard needs Node.js 20.19 or later with npm (https://nodejs.org or NodeSource's Debian packages)" >&2
    exit 1
  fi
  if [ ! -f "$webui/node_modules/.package-lock.json" ] || [ "$webui/package-lock.json" -nt "$webui/node_modules/.package-lock.json" ]; then
    echo "install-deps: npm ci in webui/"
    # Playwright drives Debian's chromium (/usr/bin/chromium); it never downloads a browser.
    (cd "$webui" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error)
  fi
}

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all Debian packages present"
  install_webui_packages
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

install_webui_packages
