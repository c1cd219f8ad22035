"""A bare `rasa test` from the project root (what a trainer types after activating the venv) is
`rasa test core --e2e --stories .`: Rasa's importer walks the whole root and reads every .yml/.yaml/.json
it meets, asking of each whether it is NLU data, stories or test stories. It must find our test stories
and nothing else, and no file under the root may stop the walk (Rasa's training cache used to: a bare
number in .rasa/cache/*/ted_policy.priority.json). So the training cache lives outside the project, for
`make`, for the training launched by `python -m kefu.training` and for an activated venv."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from kefu.settings import PROJECT_ROOT

MARK = "# kefu: Rasa's training cache outside the project"


def files_found_from(root: Path) -> dict:
    """What RasaFileImporter(training_data_paths=[root]) collects, the way `rasa test` builds it:
    the same three walks with the same predicates (any file they cannot read raises here, as in Rasa)."""
    import rasa.shared.data
    from rasa.shared.core.training_data.story_reader.yaml_story_reader import YAMLStoryReader

    predicates = {
        "nlu": rasa.shared.data.is_nlu_file,
        "stories": YAMLStoryReader.is_stories_file,
        "test stories": YAMLStoryReader.is_test_stories_file,
    }
    return {kind: {Path(path) for path in rasa.shared.data.get_data_files([str(root)], predicate)}
            for kind, predicate in predicates.items()}


def test_bare_rasa_test_finds_exactly_our_test_stories():
    assert not (PROJECT_ROOT / ".rasa").exists(), (
        "Rasa's training cache is inside the project (.rasa/): something trained without RASA_CACHE_DIRECTORY "
        "(make, python -m kefu.training and an activated venv set it); delete .rasa/")
    found = files_found_from(PROJECT_ROOT)

    ours = {path.resolve() for path in (PROJECT_ROOT / "tests" / "stories").glob("*.yml")}
    assert ours, "tests/stories/ has no test stories"
    assert {path.resolve() for path in found["test stories"]} == ours


def test_the_command_rasa_test_runs_uses_the_same_discovery(tmp_path):
    """files_found_from is what `rasa test` does: its importer, pointed at a tree, collects the same."""
    from rasa.shared.importers.rasa import RasaFileImporter

    (tmp_path / "tests").mkdir()
    story = "stories:\n- story: s\n  steps:\n  - user: 你好\n    intent: greet\n  - action: utter_greet\n"
    (tmp_path / "tests" / "test_a.yml").write_text(story, encoding="utf-8")
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "stories.yml").write_text(story, encoding="utf-8")
    (tmp_path / "data" / "nlu.yml").write_text("nlu:\n- intent: greet\n  examples: |\n    - 你好\n", encoding="utf-8")

    importer = RasaFileImporter(training_data_paths=[str(tmp_path)])

    found = files_found_from(tmp_path)
    assert {Path(p) for p in importer._conversation_test_files} == found["test stories"] == {tmp_path / "tests" / "test_a.yml"}
    assert {Path(p) for p in importer._story_files} == found["stories"]
    assert {Path(p) for p in importer._nlu_files} == found["nlu"] == {tmp_path / "data" / "nlu.yml"}


def test_a_training_cache_inside_the_root_would_stop_the_walk(tmp_path):
    """Why the cache must live elsewhere: the file Rasa's cache writes for a policy's priority."""
    cached = tmp_path / ".rasa" / "cache" / "tmpabc"
    cached.mkdir(parents=True)
    (cached / "ted_policy.priority.json").write_text("1")
    with pytest.raises(TypeError):
        files_found_from(tmp_path)


def _within_project(path: str) -> bool:
    resolved = Path(path).expanduser().resolve()
    return resolved == PROJECT_ROOT or PROJECT_ROOT in resolved.parents


def test_make_gives_rasa_a_training_cache_outside_the_project():
    environment = {k: v for k, v in os.environ.items() if k not in ("RASA_CACHE_DIRECTORY", "XDG_CACHE_HOME", "MAKEFLAGS")}
    printed = subprocess.run(
        ["make", "-s", "--no-print-directory", "--eval", "print-rasa-cache: ; @echo \"$$RASA_CACHE_DIRECTORY\"",
         "print-rasa-cache"],
        cwd=PROJECT_ROOT, env=environment, capture_output=True, text=True, check=True,
    ).stdout.strip()
    assert printed == str(Path.home() / ".cache" / "kefu" / "rasa-cache")
    assert not _within_project(printed)


def test_make_keeps_a_cache_directory_the_trainer_chose(tmp_path):
    environment = {**os.environ, "RASA_CACHE_DIRECTORY": str(tmp_path / "mine")}
    environment.pop("MAKEFLAGS", None)
    printed = subprocess.run(
        ["make", "-s", "--no-print-directory", "--eval", "print-rasa-cache: ; @echo \"$$RASA_CACHE_DIRECTORY\"",
         "print-rasa-cache"],
        cwd=PROJECT_ROOT, env=environment, capture_output=True, text=True, check=True,
    ).stdout.strip()
    assert printed == str(tmp_path / "mine")


@pytest.fixture
def fake_venv(tmp_path):
    """A venv setup_venv.sh takes as up to date (its requirements stamp is there), with a plain activate."""
    venv = tmp_path / "venv"
    (venv / "bin").mkdir(parents=True)
    (venv / "bin" / "activate").write_text('VIRTUAL_ENV="%s"\nexport VIRTUAL_ENV\n' % venv)
    pins = (PROJECT_ROOT / "requirements.txt").read_bytes() + (PROJECT_ROOT / "constraints.txt").read_bytes()
    import hashlib

    (venv / f".requirements-{hashlib.sha256(pins).hexdigest()[:16]}").touch()
    return venv


def _setup(venv: Path) -> None:
    subprocess.run(["bash", "scripts/setup_venv.sh"], cwd=PROJECT_ROOT, env={**os.environ, "VENV": str(venv)},
                   check=True, capture_output=True)


def _activated(venv: Path, **variables: str) -> str:
    """RASA_CACHE_DIRECTORY in a fresh bash after `source <venv>/bin/activate`."""
    environment = {k: v for k, v in os.environ.items() if k not in ("RASA_CACHE_DIRECTORY", "XDG_CACHE_HOME")}
    environment.update(variables)
    return subprocess.run(
        ["bash", "-c", f'source "{venv}/bin/activate" && echo "$RASA_CACHE_DIRECTORY"'],
        env=environment, capture_output=True, text=True, check=True,
    ).stdout.strip()


def test_an_activated_venv_keeps_rasas_cache_outside_the_project(fake_venv, tmp_path):
    _setup(fake_venv)
    _setup(fake_venv)  # run again (every `make setup`): the export is added once

    assert (fake_venv / "bin" / "activate").read_text().count(MARK) == 1
    home = tmp_path / "home"
    assert _activated(fake_venv, HOME=str(home)) == f"{home}/.cache/kefu/rasa-cache"
    assert _activated(fake_venv, HOME=str(home), XDG_CACHE_HOME=str(tmp_path / "xdg")) == f"{tmp_path}/xdg/kefu/rasa-cache"
    assert _activated(fake_venv, RASA_CACHE_DIRECTORY=str(tmp_path / "mine")) == str(tmp_path / "mine")
    assert not _within_project(_activated(fake_venv))


def test_the_projects_venv_exports_it_too():
    """The venv `make setup` built for this checkout has the export (a trainer's `rasa test` by hand)."""
    venv = subprocess.run(["make", "-s", "--no-print-directory", "venv-path"], cwd=PROJECT_ROOT,
                          capture_output=True, text=True, check=True).stdout.strip()
    assert MARK in (Path(venv) / "bin" / "activate").read_text()
    assert not _within_project(_activated(Path(venv)))
