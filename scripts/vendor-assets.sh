#!/usr/bin/env bash
# Installs the web UI's front-end libraries from the npm registry (versions pinned in
# package-lock.json) and copies the files the pages load, with their licences, into
# webui/static/vendor, which is served by Flask and never committed.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v npm >/dev/null 2>&1; then
  echo "npm is missing (Debian: apt-get install -y npm)" >&2
  exit 1
fi
# Optional dependencies are pdf.js's canvas for Node.js; the browser needs none of them.
npm ci --omit=optional --no-audit --no-fund --loglevel=error

vendor=webui/static/vendor
rm -rf "$vendor"
mkdir -p "$vendor/pdfjs"
cp node_modules/pdfjs-dist/build/pdf.min.mjs node_modules/pdfjs-dist/build/pdf.worker.min.mjs \
   node_modules/pdfjs-dist/LICENSE "$vendor/pdfjs/"
# Fonts and character maps, for PDFs that do not embed their fonts (many scanned or Word exports).
cp -r node_modules/pdfjs-dist/cmaps node_modules/pdfjs-dist/standard_fonts "$vendor/pdfjs/"
node -p "'pdfjs-dist ' + require('./node_modules/pdfjs-dist/package.json').version" > "$vendor/VERSIONS"
