#!/usr/bin/env bash
# Security scan run by `make security-scan` (and so by `make test`):
#   1. bandit over kefu/ and actions/: any high-severity finding fails;
#   2. pip-audit over our pinned set (constraints.txt, without installing it)
#      and over the scanners' own pins (requirements-tools.txt): a
#      vulnerability fails unless docs/security.md lists it under "Audit
#      exceptions" with a reason (scripts/security_audit_gate.py judges).
# When the vulnerability service cannot answer, the scan says so and FAILS;
# AUDIT_UNREACHABLE=warn turns that one case into a loud warning (for a
# machine that cannot reach PyPI's JSON API; bandit and any finding pip-audit
# did return still count).
set -euo pipefail
cd "$(dirname "$0")/.."

VENV=${VENV:-$(bash scripts/venv_path.sh)}
TOOLS_VENV=${TOOLS_VENV:-$(bash scripts/venv_path.sh tools)}
AUDIT_UNREACHABLE=${AUDIT_UNREACHABLE:-fail}

case "$AUDIT_UNREACHABLE" in
    fail) gate_options=() ;;
    warn) gate_options=(--allow-not-audited) ;;
    *) echo "AUDIT_UNREACHABLE must be 'fail' or 'warn', not '$AUDIT_UNREACHABLE'" >&2; exit 2 ;;
esac

# The scanners get their own venv so that their pins never meet Rasa's. It is
# made from the Python 3.10 that scripts/setup_venv.sh found for $VENV (make
# runs setup first): a venv created by a venv's python is based on that
# venv's base interpreter, so the finding logic lives in one place.
stamp="$TOOLS_VENV/.requirements-$(sha256sum requirements-tools.txt | cut -c1-16)"
mkdir -p "$(dirname "$TOOLS_VENV")"
exec 9>"$TOOLS_VENV.lock"
flock 9  # a shared venv: another clone may be building it right now
if [ ! -f "$stamp" ]; then
    if [ ! -x "$VENV/bin/python" ]; then
        echo "$VENV is missing: run 'make setup' first" >&2
        exit 1
    fi
    if [ ! -x "$TOOLS_VENV/bin/python" ]; then
        echo ">> creating $TOOLS_VENV"
        "$VENV/bin/python" -m venv "$TOOLS_VENV"
    fi
    echo ">> installing the pinned security scanners into $TOOLS_VENV"
    # --no-deps: requirements-tools.txt pins every package, nothing else comes in.
    "$TOOLS_VENV/bin/python" -m pip install --quiet --no-deps -r requirements-tools.txt
    "$TOOLS_VENV/bin/python" -m pip check
    rm -f "$TOOLS_VENV"/.requirements-*
    touch "$stamp"
fi

status=0

echo ">> bandit: high-severity findings in kefu/ and actions/ (any confidence)"
if ! "$TOOLS_VENV/bin/bandit" --quiet --recursive kefu actions --severity-level high --format txt; then
    echo "bandit: FAILED — fix the finding, or (a false positive) mark the line '# nosec BXXX' with the" \
         "reason and list it under 'Bandit' in docs/security.md" >&2
    status=1
fi

echo ">> pip-audit: the pinned requirements (constraints.txt) and the scanners (requirements-tools.txt)"
reports=$(mktemp -d)
trap 'rm -rf "$reports"' EXIT
# pip-audit exits 1 on any finding and writes no report when it cannot reach
# the service at all: the gate decides from the reports, so its exit code is ignored here.
for requirements in constraints.txt requirements-tools.txt; do
    "$TOOLS_VENV/bin/pip-audit" --requirement "$requirements" --no-deps --disable-pip \
        --vulnerability-service pypi --timeout 20 --progress-spinner off \
        --format json --output "$reports/$requirements.json" > "$reports/$requirements.log" 2>&1 || true
    # Its own summary ("No known vulnerabilities found" even when nothing could be looked up) and
    # its advice to hash the pins are left out: the gate below gives the verdict.
    if [ -s "$reports/$requirements.json" ]; then
        grep -v -e "--no-deps is supported" -e "pip-compile" -e "No known vulnerabilities found" \
            -e "Found [0-9]* known vulnerabilit" -e "^Name  *Version" -e "^---" -e "^Name  *Skip Reason" \
            "$reports/$requirements.log" >&2 || true
    else
        echo "pip-audit ($requirements): $(tail -n 1 "$reports/$requirements.log")" >&2
    fi
done
if ! "$TOOLS_VENV/bin/python" scripts/security_audit_gate.py --exceptions docs/security.md \
        ${gate_options[@]+"${gate_options[@]}"} "$reports/constraints.txt.json" "$reports/requirements-tools.txt.json"; then
    status=1
fi

if [ "$status" -eq 0 ]; then
    echo ">> security scan passed"
else
    echo ">> security scan FAILED" >&2
fi
exit "$status"
