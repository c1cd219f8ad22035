"""Trains the Rasa model only when what it is trained from has changed.
The model is named after a fingerprint of its inputs and reused from
``models/`` or the shared cache (README, "How training is cached"):
``python -m kefu.training`` trains if needed and prints the model's path,
``--check`` only prints it and exits 1 if it is not trained."""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path
from typing import Dict, Iterable, List, Optional

from kefu.settings import Settings

# Paths (relative to the project root) whose content determines the model.
FINGERPRINT_INPUTS = (
    "config.yml",
    "domain.yml",
    "data",
    "kefu/nlu",
    "constraints.txt",
)
# Under those paths, but read by the action server at run time, not trained on:
# editing a reply's wording must not cost a retraining.
FINGERPRINT_EXCLUDED = ("data/responses",)


def _files_under(root: Path, inputs: Iterable[str]) -> List[Path]:
    files: List[Path] = []
    for name in inputs:
        path = root / name
        if path.is_file():
            files.append(path)
        elif path.is_dir():
            files.extend(
                p
                for p in sorted(path.rglob("*"))
                if p.is_file() and "__pycache__" not in p.parts and not _excluded(root, p)
            )
    return files


def _excluded(root: Path, path: Path) -> bool:
    relative = path.relative_to(root).as_posix()
    return any(relative == name or relative.startswith(name + "/") for name in FINGERPRINT_EXCLUDED)


def fingerprint(root: Path, inputs: Iterable[str] = FINGERPRINT_INPUTS) -> str:
    digest = hashlib.sha256()
    for path in _files_under(root, inputs):
        digest.update(str(path.relative_to(root)).encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()[:16]


def model_name(root: Path) -> str:
    return f"kefu-{fingerprint(root)}"


def metadata_path(model: Path) -> Path:
    """models/kefu-X.tar.gz -> models/kefu-X.json (how long training took)."""
    return model.with_name(model.name[: -len(".tar.gz")] + ".json")


def find_model(settings: Settings) -> Optional[Path]:
    """The up-to-date model in models/, copied there from the cache if needed."""
    name = model_name(settings.project_root) + ".tar.gz"
    local = settings.models_dir / name
    if local.exists():
        return local
    cached = settings.model_cache_dir / name
    if cached.exists():
        settings.models_dir.mkdir(parents=True, exist_ok=True)
        shutil.copy2(cached, local)
        if metadata_path(cached).exists():
            shutil.copy2(metadata_path(cached), metadata_path(local))
        return local
    return None


# Rasa logs when it starts and finishes training each component of the graph.
_COMPONENT_EVENT = re.compile(
    r"(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d)\s+INFO\s+rasa\.engine\.training\.hooks\s+-\s+"
    r"(Starting to train|Finished training) component '([^']+)'"
)


def component_seconds(log: str) -> Dict[str, float]:
    """Seconds each component took to train, from Rasa's training log (one-second resolution)."""
    started: Dict[str, datetime] = {}
    seconds: Dict[str, float] = {}
    for stamp, event, component in _COMPONENT_EVENT.findall(log):
        moment = datetime.strptime(stamp, "%Y-%m-%d %H:%M:%S")
        if event.startswith("Starting"):
            started[component] = moment
        elif component in started:
            # A component that appears twice (two CountVectorsFeaturizers) adds up.
            seconds[component] = seconds.get(component, 0.0) + (moment - started.pop(component)).total_seconds()
    return seconds


def time_report(total: float, components: Dict[str, float]) -> str:
    """Where the training time went, biggest first; the rest is loading, featurising and packing."""
    lines = [f">> trained in {total:.0f}s; where the time went:"]
    for component, seconds in sorted(components.items(), key=lambda item: -item[1]):
        lines.append(f"   {component:32} {seconds:6.0f}s")
    lines.append(f"   {'(loading data, graph, packing)':32} {max(total - sum(components.values()), 0):6.0f}s")
    return "\n".join(lines)


def _run_and_keep_log(command: List[str], cwd: Path, environment: Optional[Dict[str, str]] = None) -> str:
    """Runs Rasa, showing its output as it comes (progress bars included), and returns that output."""
    process = subprocess.Popen(command, cwd=cwd, env=environment, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    assert process.stdout is not None
    kept = bytearray()
    while chunk := process.stdout.read1(4096):
        kept += chunk
        sys.stderr.buffer.write(chunk)
        sys.stderr.buffer.flush()
    if process.wait() != 0:
        raise subprocess.CalledProcessError(process.returncode, command)
    return kept.decode("utf-8", errors="replace")


def training_environment(settings: Settings) -> Dict[str, str]:
    """This process's environment with Rasa's training cache outside the project (Settings.rasa_cache_dir):
    left in .rasa/cache, it would stop a bare `rasa test` (tests/test_rasa_test_discovery.py)."""
    environment = dict(os.environ)
    environment["RASA_CACHE_DIRECTORY"] = str(settings.rasa_cache_dir)
    return environment


def train(settings: Settings, rasa_executable: str) -> Path:
    name = model_name(settings.project_root)
    settings.models_dir.mkdir(parents=True, exist_ok=True)
    print(f">> training model {name} (data or config changed)", file=sys.stderr, flush=True)
    started = time.monotonic()
    log = _run_and_keep_log(
        [
            rasa_executable, "train",
            "--config", "config.yml",
            "--domain", "domain.yml",
            "--data", "data",
            "--out", str(settings.models_dir),
            "--fixed-model-name", name,
        ],
        settings.project_root,
        training_environment(settings),
    )
    model = settings.models_dir / f"{name}.tar.gz"
    seconds = time.monotonic() - started
    components = component_seconds(log)
    print(time_report(seconds, components), file=sys.stderr, flush=True)
    print(f">> model: {model}", file=sys.stderr, flush=True)
    metadata = metadata_path(model)
    metadata.write_text(json.dumps({"training_seconds": round(seconds, 1), "component_seconds": components}))
    try:
        settings.model_cache_dir.mkdir(parents=True, exist_ok=True)
        shutil.copy2(model, settings.model_cache_dir / model.name)
        shutil.copy2(metadata, settings.model_cache_dir / metadata.name)
    except OSError as error:  # a read-only cache only costs a retrain next time
        print(f">> could not cache the model: {error}", file=sys.stderr)
    return model


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="do not train; exit 1 if the model is out of date")
    parser.add_argument("--rasa", default=str(Path(sys.executable).parent / "rasa"), help="rasa executable")
    args = parser.parse_args(argv)

    settings = Settings.from_env()
    model = find_model(settings)
    if model is None:
        if args.check:
            print(f"model {model_name(settings.project_root)} is not trained", file=sys.stderr)
            return 1
        model = train(settings, args.rasa)
    else:
        print(f">> model is up to date: {model}", file=sys.stderr)
    print(model)
    return 0


if __name__ == "__main__":
    sys.exit(main())
