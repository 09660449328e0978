#!/usr/bin/env bash
# Install the Debian packages Klankbord needs when they are missing: Chromium (browser tests),
# the Pango/HarfBuzz libraries WeasyPrint renders PDFs with, Noto fonts for all seven scripts and
# poppler-utils (pdftotext: the PDF tests read their text back) and ffmpeg (staff recordings of
# questions are converted to small Opus clips; the audio tests convert a generated tone). Says what is missing and what it
# installs; never asks a question (a CI run has nobody to answer). Set KLANKBORD_NO_APT=1 to only
# report what is missing.
set -euo pipefail
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v chromedriver >/dev/null 2>&1 || need+=(chromium-driver)
command -v pdftotext >/dev/null 2>&1 || need+=(poppler-utils)
{ command -v ffmpeg >/dev/null 2>&1 && command -v ffprobe >/dev/null 2>&1; } || need+=(ffmpeg)
# Read each listing whole before searching it: `grep -q` closing a pipe early fails under pipefail.
libraries=$(ldconfig -p 2>/dev/null || true)
fonts=$(fc-list 2>/dev/null || true)
grep -q "libpango-1.0" <<<"$libraries" || need+=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libharfbuzz-subset0)
command -v fc-list >/dev/null 2>&1 || need+=(fontconfig)
grep -qi "noto" <<<"$fonts" || need+=(fonts-noto-core)
grep -qi "ethiopic" <<<"$fonts" || need+=(fonts-noto-extra)
if [ ${#need[@]} -eq 0 ]; then
  echo "System packages: all present (Chromium, WeasyPrint's libraries, Noto fonts, pdftotext, ffmpeg)."
  exit 0
fi
echo "Missing system packages: ${need[*]}"
if [ "$(id -u)" != "0" ] || [ "${KLANKBORD_NO_APT:-}" = "1" ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "Install them with: sudo apt-get install --no-install-recommends ${need[*]}" >&2
  echo "(until then the browser, PDF and audio conversion tests are skipped)" >&2
  exit 0
fi
echo "Installing with apt-get (non-interactive): ${need[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends -o Dpkg::Options::=--force-confold "${need[@]}"
echo "Installed: ${need[*]}"
