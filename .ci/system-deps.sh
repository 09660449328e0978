#!/usr/bin/env bash
# Install the Debian packages Klankbord needs when they are missing: Chromium (browser tests)
# and the Pango/HarfBuzz libraries WeasyPrint renders PDFs with. Quiet when all is present.
set -euo pipefail
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v chromedriver >/dev/null 2>&1 || need+=(chromium-driver)
# Read each listing whole before searching it: `grep -q` closing a pipe early fails under pipefail.
libraries=$(ldconfig -p 2>/dev/null || true)
fonts=$(fc-list 2>/dev/null || true)
grep -q "libpango-1.0" <<<"$libraries" || need+=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libharfbuzz-subset0)
command -v fc-list >/dev/null 2>&1 || need+=(fontconfig)
grep -qi "noto" <<<"$fonts" || need+=(fonts-noto-core)
grep -qi "ethiopic" <<<"$fonts" || need+=(fonts-noto-extra)
if [ ${#need[@]} -eq 0 ]; then exit 0; fi
if [ "$(id -u)" != "0" ]; then
  echo "Missing system packages: ${need[*]} (install them with apt-get as root; browser/PDF tests will be skipped)" >&2
  exit 0
fi
echo "Installing system packages: ${need[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null
apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
