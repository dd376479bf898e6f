#!/usr/bin/env bash
# Install the Debian packages ibtpost needs at run time: LibreOffice Writer (headless PDF
# conversion) with its Python bridge python3-uno (the batch converters), the DejaVu fonts (the free stand-in for Verdana) and poppler-utils (pdftoppm,
# pdffonts for looking at results; pdftoppm also draws the page images of `ibtpost web`;
# pdfsig checks sealed letters), chromium (the browser the tests of `ibtpost web` drive), and
# for the e-seal's tests SoftHSM (softhsm2, a PKCS#11 token in software) and the NSS tools
# (certutil, a trust store for pdfsig). Does nothing when everything is present.
set -euo pipefail
packages=(libreoffice-writer-nogui python3-uno fonts-dejavu-core fonts-dejavu-extra poppler-utils
  chromium softhsm2 libnss3-tools)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ] && command -v soffice >/dev/null; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "ibtpost needs these Debian packages: ${missing[*]}" >&2
  echo "install them as root: apt-get install --no-install-recommends ${missing[*]}" >&2
  exit 1
fi
echo "installing Debian packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
