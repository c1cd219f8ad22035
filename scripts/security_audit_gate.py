"""Judges pip-audit's JSON reports against the audit-exceptions table of
docs/security.md: a vulnerability passes only when its ID (or one of its
aliases) is listed there for the same package with a reason; any other
finding fails the build. A package pip-audit could not look up fails the
build too — an audit that could not ask the vulnerability service has not
shown that nothing is vulnerable — unless the caller explicitly allows it,
and then it is reported loudly, never silently.

Standard library only: it runs in the scanners’ venv (scripts/venv_path.sh tools) and is imported by the tests.

    python scripts/security_audit_gate.py --exceptions docs/security.md report.json ...
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, Iterable, List, Sequence, Tuple

EXCEPTIONS_HEADING = "audit exceptions"
EXCEPTIONS_COLUMNS = ("id", "package", "reason")

OK = 0
UNLISTED_FINDINGS = 1
NOT_AUDITED = 2


class ExceptionsTableError(ValueError):
    """The exceptions table is missing or has a row that cannot be trusted."""


@dataclass(frozen=True)
class AuditException:
    vulnerability_id: str
    package: str
    reason: str


@dataclass(frozen=True)
class Finding:
    package: str
    version: str
    vulnerability_id: str
    aliases: Tuple[str, ...] = ()
    fix_versions: Tuple[str, ...] = ()

    @property
    def ids(self) -> Tuple[str, ...]:
        return (self.vulnerability_id, *self.aliases)


@dataclass
class Verdict:
    accepted: List[Tuple[Finding, AuditException]] = field(default_factory=list)
    unlisted: List[Finding] = field(default_factory=list)
    not_audited: List[Tuple[str, str]] = field(default_factory=list)

    def exit_code(self, allow_not_audited: bool = False) -> int:
        if self.unlisted:
            return UNLISTED_FINDINGS
        if self.not_audited and not allow_not_audited:
            return NOT_AUDITED
        return OK


def normalise_package(name: str) -> str:
    """PEP 503 normalisation, so that `PyYAML`, `pyyaml` and `py_yaml` match."""
    return re.sub(r"[-_.]+", "-", name.strip().strip("`")).lower()


def _cells(line: str) -> List[str]:
    return [cell.strip().strip("`").strip() for cell in line.strip().strip("|").split("|")]


def parse_exceptions(markdown: str) -> Dict[str, AuditException]:
    """The rows of the `| ID | package | reason |` table under the
    "Audit exceptions" heading, by vulnerability ID (upper-case)."""
    lines = markdown.splitlines()
    start = next(
        (
            index
            for index, line in enumerate(lines)
            if line.lstrip().startswith("#") and EXCEPTIONS_HEADING in line.lower()
        ),
        None,
    )
    if start is None:
        raise ExceptionsTableError(f"no '{EXCEPTIONS_HEADING}' heading")
    exceptions: Dict[str, AuditException] = {}
    in_table = False
    for number, line in enumerate(lines[start + 1 :], start=start + 2):
        stripped = line.strip()
        if stripped.startswith("#"):
            break  # the next section: the table is over
        if not stripped.startswith("|"):
            if in_table:
                break
            continue
        cells = _cells(stripped)
        if not in_table:
            if tuple(cell.lower() for cell in cells) != EXCEPTIONS_COLUMNS:
                raise ExceptionsTableError(f"line {number}: the table's header must be | ID | package | reason |")
            in_table = True
            continue
        if all(set(cell) <= set("-: ") for cell in cells):
            continue  # the |---|---|---| rule
        if len(cells) != 3 or not all(cells):
            raise ExceptionsTableError(f"line {number}: every exception needs an ID, a package and a reason")
        vulnerability_id, package, reason = cells
        exceptions[vulnerability_id.upper()] = AuditException(vulnerability_id, normalise_package(package), reason)
    if not in_table:
        raise ExceptionsTableError("the audit-exceptions section has no | ID | package | reason | table")
    return exceptions


def read_report(report: dict) -> Tuple[List[Finding], List[Tuple[str, str]]]:
    """pip-audit's JSON (`-f json`): its findings, and the packages it could not audit."""
    findings: List[Finding] = []
    not_audited: List[Tuple[str, str]] = []
    for dependency in report.get("dependencies", []):
        name = dependency.get("name", "?")
        if "skip_reason" in dependency:
            not_audited.append((name, dependency["skip_reason"]))
            continue
        for vulnerability in dependency.get("vulns", []):
            findings.append(
                Finding(
                    package=normalise_package(name),
                    version=dependency.get("version", "?"),
                    vulnerability_id=vulnerability["id"],
                    aliases=tuple(vulnerability.get("aliases", [])),
                    fix_versions=tuple(vulnerability.get("fix_versions", [])),
                )
            )
    return findings, not_audited


def judge(
    findings: Iterable[Finding], not_audited: Iterable[Tuple[str, str]], exceptions: Dict[str, AuditException]
) -> Verdict:
    verdict = Verdict(not_audited=list(not_audited))
    for finding in findings:
        listed = next(
            (
                exceptions[vulnerability_id.upper()]
                for vulnerability_id in finding.ids
                if vulnerability_id.upper() in exceptions
                and exceptions[vulnerability_id.upper()].package == finding.package
            ),
            None,
        )
        if listed is None:
            verdict.unlisted.append(finding)
        else:
            verdict.accepted.append((finding, listed))
    return verdict


def describe(verdict: Verdict, allow_not_audited: bool) -> List[str]:
    lines = [
        f"accepted (listed in docs/security.md): {finding.package} {finding.version} {finding.vulnerability_id}"
        for finding, _ in verdict.accepted
    ]
    for finding in verdict.unlisted:
        fix = ", ".join(finding.fix_versions) or "none published"
        aliases = f" ({', '.join(finding.aliases)})" if finding.aliases else ""
        lines.append(
            f"NEW VULNERABILITY: {finding.package} {finding.version} {finding.vulnerability_id}{aliases}; "
            f"fixed in: {fix}. Upgrade it, or list it with a reason under 'Audit exceptions' in docs/security.md."
        )
    if verdict.not_audited:
        label = "WARNING (allowed by the caller)" if allow_not_audited else "FAILED"
        lines.append(
            f"{label}: {len(verdict.not_audited)} package(s) or report(s) could not be audited — the vulnerability "
            "service did not answer for them, so nothing is known about their vulnerabilities:"
        )
        lines.extend(f"    {name}: {reason}" for name, reason in verdict.not_audited[:10])
        if len(verdict.not_audited) > 10:
            lines.append(f"    … and {len(verdict.not_audited) - 10} more")
        lines.append(
            "    (pip-audit asks PyPI's JSON API, https://pypi.org/pypi/NAME/VERSION/json; only where that "
            "cannot be reached, AUDIT_UNREACHABLE=warn reports this instead of failing: docs/security.md)"
        )
    return lines


def main(argv: Sequence[str] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--exceptions", type=Path, required=True, help="docs/security.md")
    parser.add_argument(
        "--allow-not-audited",
        action="store_true",
        help="report packages the vulnerability service did not answer for, but do not fail",
    )
    parser.add_argument("reports", nargs="+", type=Path, help="pip-audit -f json outputs")
    arguments = parser.parse_args(argv)
    try:
        exceptions = parse_exceptions(arguments.exceptions.read_text(encoding="utf-8"))
    except (OSError, ExceptionsTableError) as error:
        print(f"security audit: cannot read the exceptions table of {arguments.exceptions}: {error}")
        return UNLISTED_FINDINGS
    findings: List[Finding] = []
    not_audited: List[Tuple[str, str]] = []
    for path in arguments.reports:
        try:
            report = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            # pip-audit writes no report when it cannot reach the service at all: nothing in it was audited.
            not_audited.append((path.name, "no pip-audit report: the vulnerability service could not be reached"))
            continue
        more_findings, more_not_audited = read_report(report)
        findings += more_findings
        not_audited += more_not_audited
    verdict = judge(findings, not_audited, exceptions)
    for line in describe(verdict, arguments.allow_not_audited):
        print(f"security audit: {line}")
    code = verdict.exit_code(arguments.allow_not_audited)
    if code == OK and verdict.not_audited:
        print(f"security audit: passed only because AUDIT_UNREACHABLE=warn: {len(verdict.not_audited)} "
              f"package(s) unaudited; {len(findings)} finding(s) among the rest, all listed with a reason")
    elif code == OK:
        print(f"security audit: ok ({len(findings)} finding(s), all listed with a reason)")
    return code


if __name__ == "__main__":
    sys.exit(main())
