#!/usr/bin/env bash
# Debian packages the tests need: LibreOffice (legacy .doc/.wps/.xls conversion),
# Chromium (real-browser tests), Noto CJK fonts (rendering Chinese).
# Installs only what is missing, and only where it can (root with apt-get).
set -u
need=()
command -v soffice >/dev/null 2>&1 || need+=(libreoffice-writer-nogui)
dpkg -s libreoffice-calc-nogui >/dev/null 2>&1 || dpkg -s libreoffice-calc >/dev/null 2>&1 || need+=(libreoffice-calc-nogui)
[ -x /usr/bin/chromium ] || need+=(chromium)
fc-list 2>/dev/null | grep -qi "noto sans cjk" || need+=(fonts-noto-cjk)
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing system packages: ${need[*]}"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
else
  echo "missing system packages (install as root): ${need[*]}" >&2
fi
exit 0
