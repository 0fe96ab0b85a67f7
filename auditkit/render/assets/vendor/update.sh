#!/usr/bin/env bash
# Refresh the vendored widget renderer: run by a developer at build time, never at run time.
#
# html-manager-embed.js is dist/embed.js of the npm package @jupyter-widgets/html-manager:
# the standalone bundle (widget manager, @jupyter-widgets/base, controls and output, jQuery)
# that draws ipywidgets from the widget state saved in a notebook. Its version follows
# ipywidgets 8.1 (html-manager 1.0.x). The trailing sourceMappingURL line is dropped: the
# map is not shipped. SHA256SUMS records what was shipped; tests check it.
set -euo pipefail
VERSION="${1:-1.0.15}"
here="$(cd "$(dirname "$0")" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "@jupyter-widgets/html-manager@${VERSION}" >/dev/null)
tar xzf "$work"/jupyter-widgets-html-manager-"${VERSION}".tgz -C "$work"
grep -v '^//# sourceMappingURL=' "$work/package/dist/embed.js" > "$here/html-manager-embed.js"
cp "$work/package/dist/embed.js.LICENSE.txt" "$here/html-manager-embed.js.LICENSE.txt"
echo "$VERSION" > "$here/HTML_MANAGER_VERSION"
(cd "$here" && sha256sum html-manager-embed.js > SHA256SUMS)
echo "vendored @jupyter-widgets/html-manager@${VERSION}"
