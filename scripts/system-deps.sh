#!/usr/bin/env bash
# Installs the Debian packages the platform and its test suite need, only those missing.
# PostgreSQL: the suite starts its own throwaway server (TESTING.md).
# fonts-noto-core: the Vietnamese serif of the printed registers (QLVB_PDF_FONT);
# poppler-utils: pdftoppm, which draws page 1 of a draft (to place its number and date on, and
# the clerk's preview before issuing); pdftotext, with which the tests read PDFs back, and pdfsig.
# Digital signatures: libnss3-tools (certutil, the NSS database pdfsig trusts the test root
# through), qpdf (draft rewrite, --check; joins a record's documents into one PDF),
# softhsm2 + opensc (a PKCS#11 token and pkcs11-tool),
# fonts-noto-core (Noto Sans, 1000 units per em, for the appearances) and fonts-liberation2
# (Liberation Serif, metric-compatible with Times New Roman, for the attachment stamp).
# libqpdf29 (with qpdf) and libpoppler-glib8: an upload is checked (qpdf's job) and its text read
# (poppler) as libraries, in a child forked by one helper per process (engine/documents/pdf_reader.py).
# xmlsec1: the reference XML-DSig implementation, a second verifier of our edXML signatures.
# chromium: the browser tests (Playwright drives Debian's build, never one of its own);
# npm: installs the web UI's front-end libraries (package-lock.json).
# `system-deps.sh runtime` installs only what the platform itself needs (`make run`): the
# fonts, qpdf, poppler-utils, libpoppler-glib8 and npm; without an argument, also what the tests need (`make test`).
set -euo pipefail

need=()
[ -f /usr/share/fonts/truetype/noto/NotoSerif-Regular.ttf ] || need+=(fonts-noto-core)
[ -f /usr/share/fonts/truetype/noto/NotoSans-Regular.ttf ] || need+=(fonts-noto-core)
[ -f /usr/share/fonts/truetype/liberation2/LiberationSerif-Regular.ttf ] || need+=(fonts-liberation2)
command -v qpdf >/dev/null 2>&1 || need+=(qpdf)
command -v pdftoppm >/dev/null 2>&1 || need+=(poppler-utils)
ls /usr/lib/*/libqpdf.so.29 >/dev/null 2>&1 || need+=(libqpdf29)
ls /usr/lib/*/libpoppler-glib.so.8 >/dev/null 2>&1 || need+=(libpoppler-glib8)
command -v npm >/dev/null 2>&1 || need+=(npm)
# ocrmypdf and Tesseract's Vietnamese data: scans of paper documents made two-layer PDF/A (engine/scans)
command -v ocrmypdf >/dev/null 2>&1 || need+=(ocrmypdf)
[ -f /usr/share/tesseract-ocr/5/tessdata/vie.traineddata ] || need+=(tesseract-ocr-vie)
if [ "${1:-}" != "runtime" ]; then
  ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
  command -v runuser >/dev/null 2>&1 || need+=(util-linux)
  command -v pdftotext >/dev/null 2>&1 || need+=(poppler-utils)
  command -v pdfsig >/dev/null 2>&1 || need+=(poppler-utils)
  command -v certutil >/dev/null 2>&1 || need+=(libnss3-tools)
  [ -f /usr/lib/softhsm/libsofthsm2.so ] || need+=(softhsm2)
  command -v pkcs11-tool >/dev/null 2>&1 || need+=(opensc)
  [ -x /usr/bin/chromium ] || need+=(chromium)
  command -v xmlsec1 >/dev/null 2>&1 || need+=(xmlsec1)
  command -v zbarimg >/dev/null 2>&1 || need+=(zbar-tools)  # reads printouts' QR codes back
fi

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
# a package can be named twice (poppler-utils, fonts-noto-core): apt-get takes it once
apt-get install -y -q --no-install-recommends "${need[@]}"
