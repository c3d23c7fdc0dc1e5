#!/usr/bin/env bash
# Sets up everything Mingli needs on Debian: system packages, the virtualenv, Python packages.
# Usage: scripts/bootstrap.sh [run|test]   (test also installs what the test suite needs)
# Safe to run again: it installs only what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
mode="${1:-run}"

# Debian packages: Python with venv, WeasyPrint's libraries, and a CJK font with a real bold face.
apt_packages=(
  python3 python3-venv
  libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libharfbuzz-subset0 fontconfig
  fonts-noto-cjk
)

if [ "$mode" = test ]; then
  # The suite also runs on PostgreSQL (a throwaway cluster that scripts/with-postgres starts).
  # … and in a real browser: Debian's build of Chromium's headless shell (the browser Playwright
  # itself runs headless), driven by Playwright, which downloads no browser.
  apt_packages+=(postgresql chromium-headless-shell)
fi

missing=()
for pkg in "${apt_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if ((${#missing[@]})); then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "==> Installing Debian packages: ${missing[*]}"
  if [[ " ${missing[*]} " == *" postgresql "* ]] && [ ! -e /etc/postgresql-common/createcluster.conf ]; then
    # Only our throwaway test clusters are wanted, not a system-wide one.
    $sudo mkdir -p /etc/postgresql-common
    echo "create_main_cluster = false" | $sudo tee /etc/postgresql-common/createcluster.conf >/dev/null
  fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

if [ ! -x .venv/bin/python ]; then
  echo "==> Creating the virtualenv in .venv"
  python3 -m venv .venv
fi

requirements=requirements.txt
[ "$mode" = test ] && requirements=requirements-test.txt
stamp=".venv/.installed-$(cat requirements.txt "$requirements" pyproject.toml | sha256sum | cut -c1-16)"
if [ ! -f "$stamp" ]; then
  echo "==> Installing Python packages from $requirements"
  .venv/bin/python -m pip install -q --upgrade pip
  .venv/bin/python -m pip install -q -r "$requirements"
  .venv/bin/python -m pip install -q --no-deps -e .
  touch "$stamp"
fi
