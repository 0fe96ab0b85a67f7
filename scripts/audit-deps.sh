#!/usr/bin/env bash
# Debian packages the main job (`make audit`) needs: LibreOffice Writer for the bundled
# .doc sample and the Noto CJK fonts. Installs only what is missing, only where it can
# (root with apt-get); elsewhere it names them and the audit reads every other file.
set -u
. "$(dirname "${BASH_SOURCE[0]}")/apt-missing.sh"
# shellcheck disable=SC2046  # one package name per word
install_missing "make audit" $(missing_for_audit)
