#!/usr/bin/env bash
# Installs the Debian packages the test suite needs, only those missing.
# PostgreSQL: the suite starts its own throwaway server (TESTING.md).
# fonts-noto-core: the Vietnamese serif of the printed registers (QLVB_PDF_FONT);
# poppler-utils: pdftotext and pdftoppm, with which the tests read those PDFs back;
# qpdf: joins a record's documents into one PDF.
# chromium: the browser tests (Playwright drives Debian's build, never one of its own);
# npm: installs the web UI's front-end libraries (package-lock.json).
set -euo pipefail

need=()
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
command -v runuser >/dev/null 2>&1 || need+=(util-linux)
[ -f /usr/share/fonts/truetype/noto/NotoSerif-Regular.ttf ] || need+=(fonts-noto-core)
command -v pdftotext >/dev/null 2>&1 || need+=(poppler-utils)
command -v qpdf >/dev/null 2>&1 || need+=(qpdf)
[ -x /usr/bin/chromium ] || need+=(chromium)
command -v npm >/dev/null 2>&1 || need+=(npm)

if [ ${#need[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "Missing Debian packages: ${need[*]} (run as root, or: sudo apt-get install -y ${need[*]})" >&2
  exit 1
fi
echo "Installing Debian packages: ${need[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends "${need[@]}"
