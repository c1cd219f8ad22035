#!/usr/bin/env bash
# Prints where the project's virtualenv lives: outside the project tree, because
# a bare `rasa test` walks the whole project root for test stories and would run
# the sample stories that packages ship inside a venv (README, "Testing").
# The directory is named after a hash of the pins it is built from, so clones
# with the same requirements share one venv (it is built once, then reused, as
# the model cache is) and a change of pins builds a new one.
#   scripts/venv_path.sh          the assistant's venv (requirements.txt + constraints.txt)
#   scripts/venv_path.sh tools    the security scanners' venv (requirements-tools.txt)
# KEFU_VENV_HOME overrides the parent directory (default ~/.cache/kefu/venvs).
set -euo pipefail
cd "$(dirname "$0")/.."

home=${KEFU_VENV_HOME:-${XDG_CACHE_HOME:-$HOME/.cache}/kefu/venvs}
case "${1:-rasa}" in
    rasa) echo "$home/rasa-$(cat requirements.txt constraints.txt | sha256sum | cut -c1-16)" ;;
    tools) echo "$home/tools-$(sha256sum < requirements-tools.txt | cut -c1-16)" ;;
    *) echo "usage: $0 [rasa|tools]" >&2; exit 2 ;;
esac
