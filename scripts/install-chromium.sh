#!/usr/bin/env bash
# Installs Debian's Chromium for the app's browser tests (pwa/e2e) and screenshots.
# Playwright's own browser download cannot work here: only the package registries are reachable.
set -euo pipefail
if command -v chromium >/dev/null 2>&1; then
  echo "chromium already installed: $(chromium --version 2>/dev/null | tail -1)"
  exit 0
fi
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core
chromium --version 2>/dev/null | tail -1
