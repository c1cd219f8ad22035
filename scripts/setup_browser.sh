#!/usr/bin/env bash
# Installs what the agent workspace's browser test (tests/browser/) drives:
# Debian's chromium, a Chinese font and an emoji font (the screenshot should
# show the characters an agent reads, not boxes). Playwright (pip, in
# requirements.txt) is never asked to download a browser of its own: the test
# launches /usr/bin/chromium. Does nothing when all three are there.
set -euo pipefail

CHROMIUM=${CHROMIUM:-/usr/bin/chromium}

have_fonts() {
    command -v fc-list >/dev/null 2>&1 && [ -n "$(fc-list :lang=zh 2>/dev/null | head -n 1)" ] \
        && [ -n "$(fc-list 'Noto Color Emoji' 2>/dev/null | head -n 1)" ]
}

if [ -x "$CHROMIUM" ] && have_fonts; then
    exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
    SUDO=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    SUDO=(sudo -n)
else
    echo "The browser test needs Debian's chromium and fonts:" >&2
    echo "    apt-get install chromium fonts-wqy-microhei fonts-noto-color-emoji   (as root)" >&2
    exit 1
fi

echo ">> installing chromium and fonts for the browser test (apt-get)"
export DEBIAN_FRONTEND=noninteractive
"${SUDO[@]}" apt-get update -qq
"${SUDO[@]}" apt-get install -y -qq --no-install-recommends chromium fonts-wqy-microhei fonts-noto-color-emoji fontconfig >/dev/null
echo ">> $("$CHROMIUM" --version 2>/dev/null || echo chromium) ready"
