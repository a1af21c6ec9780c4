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
# bpmn-js: the modeler (designers) and the navigated viewer (auditors, case pages). Its licence
# asks that the bpmn.io watermark stay visible in the diagram; the pages keep it.
mkdir -p "$vendor/bpmn-js" "$vendor/chartjs"
cp node_modules/bpmn-js/dist/bpmn-modeler.production.min.js \
   node_modules/bpmn-js/dist/bpmn-navigated-viewer.production.min.js node_modules/bpmn-js/LICENSE "$vendor/bpmn-js/"
cp -r node_modules/bpmn-js/dist/assets/. "$vendor/bpmn-js/"
# bpmn-js-properties-panel (MIT) with the platform's own group of properties inside it: its browser
# build keeps its preact and entry components to itself, so assets/qlvb-properties-panel.js (the
# provider) is bundled with the panel from npm by esbuild (its WebAssembly build: one package for
# every machine, no native binary to fetch) into one script defining window.QlvbPropertiesPanel.
mkdir -p "$vendor/qlvb-properties-panel"
node node_modules/esbuild-wasm/bin/esbuild assets/qlvb-properties-panel.js --bundle --minify --format=iife \
  --target=es2020 --legal-comments=external --log-level=warning \
  --outfile="$vendor/qlvb-properties-panel/qlvb-properties-panel.js"
cp node_modules/@bpmn-io/properties-panel/dist/assets/properties-panel.css "$vendor/qlvb-properties-panel/"
for package in bpmn-js-properties-panel @bpmn-io/properties-panel @bpmn-io/properties-panel/preact; do
  cp "node_modules/$package/LICENSE" "$vendor/qlvb-properties-panel/LICENSE.$(echo "$package" | tr '/@' '-_')"
done
# Chart.js (MIT) draws the reports' charts.
cp node_modules/chart.js/dist/chart.umd.min.js node_modules/chart.js/LICENSE.md "$vendor/chartjs/"
for package in pdfjs-dist bpmn-js bpmn-js-properties-panel @bpmn-io/properties-panel esbuild-wasm chart.js; do
  node -p "'$package ' + require('./node_modules/$package/package.json').version"
done > "$vendor/VERSIONS"
