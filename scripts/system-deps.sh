#!/usr/bin/env bash
# Debian packages the whole test suite (`make test`) needs: those of the main job
# (audit-deps.sh: LibreOffice Writer, Noto CJK fonts) and LibreOffice Calc (.xls
# conversion) and Chromium (real-browser tests), installed in one apt-get run.
# Installs only what is missing, only where it can (root with apt-get).
set -u
. "$(dirname "${BASH_SOURCE[0]}")/apt-missing.sh"
# shellcheck disable=SC2046  # one package name per word
install_missing "make test" $(missing_for_audit) $(missing_for_tests)
