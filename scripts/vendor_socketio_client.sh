#!/usr/bin/env bash
# Vendors the socket.io v4 browser client the web chat widget loads (kefu/channels/webchat_static/):
# its minified dist file and its MIT licence, from the npm package pinned in package.json. The files are
# committed, so neither `make run` nor a shopper's browser ever needs the registry or a CDN; run this
# only to move to another version (edit package.json first).
set -euo pipefail
cd "$(dirname "$0")/.."
VERSION=$(python3 -c 'import json; print(json.load(open("package.json"))["dependencies"]["socket.io-client"])')
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
(cd "$WORK" && npm pack --silent "socket.io-client@$VERSION" >/dev/null && tar xzf "socket.io-client-$VERSION.tgz")
TARGET=kefu/channels/webchat_static
cp "$WORK/package/dist/socket.io.min.js" "$TARGET/socket.io.min.js"
cp "$WORK/package/LICENSE" "$TARGET/socket.io.LICENSE"
echo ">> socket.io-client $VERSION vendored into $TARGET"
