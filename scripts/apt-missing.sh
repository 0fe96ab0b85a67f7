# Sourced by audit-deps.sh and system-deps.sh: which Debian packages are missing, and
# installing them where this machine allows it (root with apt-get and a network).
# Never fails the caller: what cannot be installed is named, with the command that would.

# Packages the main job (`make audit`) needs: LibreOffice Writer converts the bundled
# legacy Word sample (.doc), the Noto CJK fonts draw Chinese when LibreOffice renders.
missing_for_audit() {
  command -v soffice >/dev/null 2>&1 || command -v libreoffice >/dev/null 2>&1 || echo libreoffice-writer-nogui
  fc-list 2>/dev/null | grep -qi "noto sans cjk" || echo fonts-noto-cjk
}

# Packages only the tests need beyond those: LibreOffice Calc (.xls round trips) and
# Chromium (the real-browser tests drive /usr/bin/chromium).
missing_for_tests() {
  installed libreoffice-calc-nogui || installed libreoffice-calc || echo libreoffice-calc-nogui
  [ -x /usr/bin/chromium ] || echo chromium
}

installed() {
  dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "ok installed"
}

# install_missing PURPOSE PACKAGE...: apt-get install the packages (no-op without any).
install_missing() {
  local purpose=$1 pkg
  shift
  local fresh=() broken=()
  for pkg in "$@"; do
    # A package dpkg calls installed whose program or files are gone: apt-get would do nothing.
    if installed "$pkg"; then broken+=("$pkg"); else fresh+=("$pkg"); fi
  done
  if [ ${#broken[@]} -gt 0 ]; then
    echo "系统软件包已安装但不可用 (installed but not usable, for $purpose): ${broken[*]}" \
         "— apt-get install --reinstall ${broken[*]}" >&2
  fi
  [ ${#fresh[@]} -eq 0 ] && return 0
  if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "缺少系统软件包 (missing system packages, for $purpose): ${fresh[*]}" \
         "— 以 root 运行，或 (run as root, or) sudo apt-get install ${fresh[*]}" >&2
    return 0
  fi
  echo "安装系统软件包 (installing system packages, for $purpose): ${fresh[*]}" >&2
  local apt_opts=(-qq -o Acquire::Retries=0 -o Acquire::http::Timeout=20)
  if apt-get "${apt_opts[@]}" update >/dev/null &&
     DEBIAN_FRONTEND=noninteractive apt-get "${apt_opts[@]}" install -y --no-install-recommends "${fresh[@]}" >/dev/null; then
    return 0
  fi
  echo "无法安装 (could not install; no network?): ${fresh[*]} — 稍后重试 (retry later) apt-get install ${fresh[*]}" >&2
  return 0
}
