"""The security scan's gate (scripts/security_audit_gate.py): a vulnerability pip-audit reports
passes only when docs/security.md lists it for that package with a reason; an audit the
vulnerability service did not answer fails unless the caller explicitly allows it."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("security_audit_gate", ROOT / "scripts" / "security_audit_gate.py")
gate = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = gate  # dataclasses look their module up there
_spec.loader.exec_module(gate)

DOC = """# Security

## Audit exceptions

| ID | package | reason |
|---|---|---|
| PYSEC-2023-1 | `tensorflow` | in the training path; no fixed version that Rasa 3.6 accepts |
| GHSA-aaaa-bbbb-cccc | PyYAML | only our own files are parsed |

## Bandit

| ID | package | reason |
|---|---|---|
| B999 | nothing | another table, not read |
"""


def _report(*dependencies):
    return {"dependencies": list(dependencies), "fixes": []}


def _vulnerable(name, version, vulnerability_id, aliases=(), fix_versions=("9.9",)):
    return {"name": name, "version": version,
            "vulns": [{"id": vulnerability_id, "fix_versions": list(fix_versions), "aliases": list(aliases)}]}


def _judge(report, doc=DOC):
    findings, not_audited = gate.read_report(report)
    return gate.judge(findings, not_audited, gate.parse_exceptions(doc))


def test_only_the_rows_of_the_audit_exceptions_table_are_read():
    exceptions = gate.parse_exceptions(DOC)
    assert set(exceptions) == {"PYSEC-2023-1", "GHSA-AAAA-BBBB-CCCC"}
    assert exceptions["GHSA-AAAA-BBBB-CCCC"].package == "pyyaml"
    assert exceptions["PYSEC-2023-1"].reason.startswith("in the training path")


def test_a_listed_finding_passes():
    verdict = _judge(_report(_vulnerable("tensorflow", "2.12.0", "PYSEC-2023-1")))
    assert verdict.exit_code() == gate.OK
    assert [finding.vulnerability_id for finding, _ in verdict.accepted] == ["PYSEC-2023-1"]


def test_a_finding_listed_under_one_of_its_aliases_passes():
    verdict = _judge(_report(_vulnerable("pyyaml", "6.0", "PYSEC-2099-7", aliases=("GHSA-aaaa-bbbb-cccc",))))
    assert verdict.exit_code() == gate.OK


def test_an_unlisted_finding_fails():
    verdict = _judge(_report(_vulnerable("tensorflow", "2.12.0", "PYSEC-2023-1"),
                             _vulnerable("sanic", "21.12.2", "GHSA-new0-0000-0000")))
    assert verdict.exit_code() == gate.UNLISTED_FINDINGS
    assert [finding.package for finding in verdict.unlisted] == ["sanic"]
    # Even allowing unaudited packages never lets a finding through.
    assert verdict.exit_code(allow_not_audited=True) == gate.UNLISTED_FINDINGS


def test_an_id_listed_for_another_package_does_not_cover_this_one():
    verdict = _judge(_report(_vulnerable("keras", "2.12.0", "PYSEC-2023-1")))
    assert verdict.exit_code() == gate.UNLISTED_FINDINGS


def test_packages_the_service_did_not_answer_for_fail_unless_explicitly_allowed():
    skipped = {"name": "rasa", "skip_reason": "Dependency not found on PyPI and could not be audited: rasa (3.6.21)"}
    verdict = _judge(_report(skipped, {"name": "jieba", "version": "0.42.1", "vulns": []}))
    assert verdict.exit_code() == gate.NOT_AUDITED
    assert verdict.exit_code(allow_not_audited=True) == gate.OK
    assert any("could not be audited" in line for line in gate.describe(verdict, allow_not_audited=True))


@pytest.mark.parametrize("doc", [
    "# Security\n\nno table here\n",
    "## Audit exceptions\n\n| ID | reason |\n|---|---|\n| X | y |\n",
    "## Audit exceptions\n\n| ID | package | reason |\n|---|---|---|\n| PYSEC-1 | rasa |  |\n",
])
def test_a_missing_table_or_a_row_without_a_reason_is_refused(doc):
    with pytest.raises(gate.ExceptionsTableError):
        gate.parse_exceptions(doc)


def test_the_command_fails_without_a_report_and_passes_a_clean_one(tmp_path, capsys):
    doc = tmp_path / "security.md"
    doc.write_text(DOC, encoding="utf-8")
    clean = tmp_path / "clean.json"
    clean.write_text(json.dumps(_report({"name": "jieba", "version": "0.42.1", "vulns": []})), encoding="utf-8")
    assert gate.main(["--exceptions", str(doc), str(clean)]) == gate.OK
    assert gate.main(["--exceptions", str(doc), str(tmp_path / "never-written.json")]) == gate.NOT_AUDITED
    assert "no pip-audit report" in capsys.readouterr().out
    allowed = gate.main(["--exceptions", str(doc), "--allow-not-audited", str(tmp_path / "never-written.json")])
    assert allowed == gate.OK
    assert "passed only because AUDIT_UNREACHABLE=warn" in capsys.readouterr().out


def test_the_projects_own_exceptions_table_is_readable():
    # The scan reads docs/security.md on every `make test`: a broken table must fail here first.
    gate.parse_exceptions((ROOT / "docs" / "security.md").read_text(encoding="utf-8"))
