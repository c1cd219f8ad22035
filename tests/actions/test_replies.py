"""The action server reads data/responses/ when it starts (actions/replies.py): a broken file stops
it there, with the file, line and reason."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# What rasa-sdk does when `rasa run actions` starts: build the app, importing every module of the package.
START_ACTION_SERVER = "from rasa_sdk.endpoint import create_app; create_app('actions')"


def start_with_responses(project: Path) -> subprocess.CompletedProcess:
    environment = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "KEFU_PROJECT_ROOT": str(project),
        "PERSONA_FILE": str(ROOT / "persona.yml"),
    }
    return subprocess.run(
        [sys.executable, "-c", START_ACTION_SERVER], cwd=ROOT, env=environment, capture_output=True, text=True,
        timeout=120,
    )


def project_with_responses(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "data" / "responses", tmp_path / "data" / "responses")
    shutil.copy(ROOT / "domain.yml", tmp_path / "domain.yml")
    return tmp_path


def test_the_action_server_starts_with_the_shipped_texts(tmp_path):
    started = start_with_responses(project_with_responses(tmp_path))
    assert started.returncode == 0, started.stderr


def test_a_broken_response_file_stops_the_action_server_at_start(tmp_path):
    project = project_with_responses(tmp_path)
    broken = project / "data" / "responses" / "broken.yml"
    broken.write_text("phrases:\n  greeting: \"亲，{name\"\n", encoding="utf-8")
    started = start_with_responses(project)
    assert started.returncode != 0
    assert f"{broken}:2: phrase 'greeting': unbalanced {{ }}" in started.stderr
