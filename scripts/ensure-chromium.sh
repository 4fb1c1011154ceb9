#!/usr/bin/env bash
# Installs Debian's Chromium and ChromeDriver (for browser tests and
# screenshots) plus CJK fonts (Chinese pages) when /usr/bin/chromium is absent.
# Tests must find the browser at /usr/bin/chromium; nothing is downloaded
# outside the Debian archive.
set -euo pipefail

if [[ -x /usr/bin/chromium && -x /usr/bin/chromedriver ]]; then
  exit 0
fi
if [[ $EUID -ne 0 ]]; then
  echo "ensure-chromium: run as root or: sudo apt-get install chromium chromium-driver fonts-noto-cjk" >&2
  exit 1
fi
echo "ensure-chromium: installing chromium, chromium-driver, fonts-noto-cjk" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >&2
apt-get install -y -qq --no-install-recommends chromium chromium-driver fonts-noto-cjk >&2
/usr/bin/chromium --version >&2
