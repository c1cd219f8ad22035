#!/usr/bin/env bash
# Creates the virtualenv with Python 3.10 (Rasa 3.6 needs Python < 3.11) and
# installs the pinned requirements. The venv lives outside the project tree, at
# the path scripts/venv_path.sh prints (named after the pins, shared by clones
# with the same pins). Re-running it does nothing unless the requirements changed.
set -euo pipefail
cd "$(dirname "$0")/.."

VENV=${VENV:-$(bash scripts/venv_path.sh)}

find_python310() {
    if command -v pyenv >/dev/null 2>&1; then
        local root
        root=$(pyenv root)
        for candidate in "$root"/versions/3.10.*/bin/python; do
            [ -x "$candidate" ] && { echo "$candidate"; return 0; }
        done
    fi
    for candidate in "$HOME"/.pyenv/versions/3.10.*/bin/python; do
        [ -x "$candidate" ] && { echo "$candidate"; return 0; }
    done
    if command -v python3.10 >/dev/null 2>&1; then
        # pyenv's shim exists even when 3.10 is not selected: make sure it runs.
        if python3.10 -c 'import sys; assert sys.version_info[:2] == (3, 10)' 2>/dev/null; then
            command -v python3.10; return 0
        fi
    fi
    return 1
}

# Rasa keeps its training cache in .rasa/cache under the working directory unless
# RASA_CACHE_DIRECTORY says otherwise, and a bare `rasa test` reads every .yml/.json under
# the project root as possible training data (it crashes on the cache's files). The
# Makefile exports the same default; this makes `source <venv>/bin/activate` export it
# too, for a trainer who runs rasa by hand. Appended once (venvs made before it get it on
# the next `make setup`); a RASA_CACHE_DIRECTORY already set is left alone.
ACTIVATE_MARK="# kefu: Rasa's training cache outside the project"
add_activate_hook() {
    local activate="$VENV/bin/activate"
    [ -f "$activate" ] || return 0
    grep -qF "$ACTIVATE_MARK" "$activate" && return 0
    cat >>"$activate" <<'HOOK'

# kefu: Rasa's training cache outside the project (scripts/setup_venv.sh says why)
if [ -z "${RASA_CACHE_DIRECTORY:-}" ] ; then
    RASA_CACHE_DIRECTORY="${XDG_CACHE_HOME:-$HOME/.cache}/kefu/rasa-cache"
    export RASA_CACHE_DIRECTORY
fi
HOOK
}

stamp="$VENV/.requirements-$(cat requirements.txt constraints.txt | sha256sum | cut -c1-16)"
if [ -f "$stamp" ]; then
    add_activate_hook
    exit 0
fi

# Two clones (or a test run and CI) may set up the same shared venv at once:
# one builds it, the other waits and then finds the stamp.
mkdir -p "$(dirname "$VENV")"
exec 9>"$VENV.lock"
flock 9
if [ -f "$stamp" ]; then
    add_activate_hook
    exit 0
fi

if [ ! -x "$VENV/bin/python" ]; then
    PYTHON=$(find_python310) || {
        echo "Python 3.10 not found. Install it (e.g. 'pyenv install 3.10') and retry." >&2
        exit 1
    }
    echo ">> creating $VENV with $PYTHON"
    "$PYTHON" -m venv "$VENV"
fi

echo ">> installing pinned requirements into $VENV (first time takes a few minutes)"
"$VENV/bin/python" -m pip install --quiet --upgrade "pip==24.0"
"$VENV/bin/python" -m pip install --quiet -r requirements.txt -c constraints.txt
rm -f "$VENV"/.requirements-*
add_activate_hook
touch "$stamp"
echo ">> $VENV ready"
