import os
import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from kefu.settings import Settings
from kefu.training import find_model, fingerprint, metadata_path, model_name, train, training_environment


@pytest.fixture
def project(tmp_path):
    (tmp_path / "data" / "nlu").mkdir(parents=True)
    (tmp_path / "config.yml").write_text("pipeline: []\n")
    (tmp_path / "domain.yml").write_text("intents: [greet]\n")
    (tmp_path / "data" / "nlu" / "chitchat.yml").write_text("nlu: []\n")
    return tmp_path


def settings_for(root: Path) -> Settings:
    base = Settings.from_env()
    return Settings(
        project_root=root,
        models_dir=root / "models",
        model_cache_dir=root / "cache",
        rasa_port=base.rasa_port,
        action_port=base.action_port,
        action_endpoint_url=base.action_endpoint_url,
        tracker_db_dialect=base.tracker_db_dialect,
        tracker_db_host=base.tracker_db_host,
        tracker_db_name=base.tracker_db_name,
    )


def test_fingerprint_is_stable_for_unchanged_inputs(project):
    assert fingerprint(project) == fingerprint(project)


@pytest.mark.parametrize("path", ["config.yml", "domain.yml", "data/nlu/chitchat.yml"])
def test_fingerprint_changes_when_a_training_input_changes(project, path):
    before = fingerprint(project)
    with open(project / path, "a") as handle:
        handle.write("# edited\n")
    assert fingerprint(project) != before


def test_fingerprint_changes_when_a_data_file_is_added(project):
    before = fingerprint(project)
    (project / "data" / "nlu" / "more.yml").write_text("nlu: []\n")
    assert fingerprint(project) != before


def test_files_outside_the_inputs_do_not_change_the_fingerprint(project):
    before = fingerprint(project)
    (project / "README.md").write_text("docs")
    assert fingerprint(project) == before


def test_the_wording_read_at_run_time_does_not_change_the_fingerprint(project):
    before = fingerprint(project)
    (project / "data" / "responses").mkdir()
    (project / "data" / "responses" / "orders.yml").write_text("templates: {}\n")
    assert fingerprint(project) == before


def test_no_model_until_trained(project):
    assert find_model(settings_for(project)) is None


def test_a_cached_model_with_the_same_fingerprint_is_reused(project):
    settings = settings_for(project)
    settings.model_cache_dir.mkdir()
    cached = settings.model_cache_dir / f"{model_name(project)}.tar.gz"
    cached.write_bytes(b"model")
    metadata_path(cached).write_text('{"training_seconds": 12.0}')

    found = find_model(settings)

    assert found == settings.models_dir / cached.name
    assert found.read_bytes() == b"model"
    assert metadata_path(found).exists()


def test_a_model_of_other_inputs_is_not_reused(project):
    settings = settings_for(project)
    settings.models_dir.mkdir()
    (settings.models_dir / f"{model_name(project)}.tar.gz").write_bytes(b"old")
    (project / "domain.yml").write_text("intents: [greet, goodbye]\n")
    assert find_model(settings) is None


RASA_LOG = """\
2026-12-04 03:00:37 INFO     rasa.engine.training.hooks  - Starting to train component 'CountVectorsFeaturizer'.
2026-12-04 03:00:38 INFO     rasa.engine.training.hooks  - Finished training component 'CountVectorsFeaturizer'.
2026-12-04 03:00:40 INFO     rasa.engine.training.hooks  - Starting to train component 'DIETClassifier'.
Epochs: 100%|██████████| 40/40 [01:30<00:00, t_loss=1.2]
2026-12-04 03:02:10 INFO     rasa.engine.training.hooks  - Finished training component 'DIETClassifier'.
2026-12-04 03:02:11 INFO     rasa.engine.training.hooks  - Starting to train component 'CountVectorsFeaturizer'.
2026-12-04 03:02:13 INFO     rasa.engine.training.hooks  - Finished training component 'CountVectorsFeaturizer'.
"""


def test_component_times_are_read_from_rasas_training_log_and_repeated_components_add_up():
    from kefu.training import component_seconds

    assert component_seconds(RASA_LOG) == {"CountVectorsFeaturizer": 3.0, "DIETClassifier": 90.0}


def test_the_time_report_lists_the_slowest_component_first_and_the_rest_as_overhead():
    from kefu.training import time_report

    report = time_report(120.0, {"CountVectorsFeaturizer": 3.0, "DIETClassifier": 90.0}).splitlines()
    assert report[0] == ">> trained in 120s; where the time went:"
    assert report[1].split() == ["DIETClassifier", "90s"]
    assert report[-1].split()[-1] == "27s"


FAKE_RASA = """#!/usr/bin/env bash
# Stands in for `rasa train`: notes where the training cache would go, writes the model named on the command line.
echo "$RASA_CACHE_DIRECTORY" > "{noted}"
while [ $# -gt 0 ]; do
    case "$1" in --out) out=$2; shift ;; --fixed-model-name) name=$2; shift ;; esac
    shift
done
echo model > "$out/$name.tar.gz"
"""


def test_training_keeps_rasas_cache_where_the_settings_say_never_in_the_project(project, tmp_path, monkeypatch):
    monkeypatch.setenv("RASA_CACHE_DIRECTORY", str(project / ".rasa" / "cache"))  # a stray value is overridden
    noted = tmp_path / "cache-dir-seen-by-rasa"
    rasa = tmp_path / "rasa"
    rasa.write_text(FAKE_RASA.format(noted=noted))
    rasa.chmod(0o755)
    settings = replace(settings_for(project), rasa_cache_dir=tmp_path / "rasa-cache")

    model = train(settings, str(rasa))

    assert noted.read_text().strip() == str(tmp_path / "rasa-cache")
    assert model == settings.models_dir / f"{model_name(project)}.tar.gz" and model.exists()
    assert training_environment(settings)["PATH"] == os.environ["PATH"]  # the rest of the environment is kept
