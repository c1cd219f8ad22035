"""Trains the Rasa model only when what it is trained from has changed.
The model is named after a fingerprint of its inputs and reused from
``models/`` or the shared cache (README, "How training is cached"):
``python -m kefu.training`` trains if needed and prints the model's path,
``--check`` only prints it and exits 1 if it is not trained."""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Iterable, List, Optional

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


def train(settings: Settings, rasa_executable: str) -> Path:
    name = model_name(settings.project_root)
    settings.models_dir.mkdir(parents=True, exist_ok=True)
    print(f">> training model {name} (data or config changed)", flush=True)
    started = time.monotonic()
    subprocess.run(
        [
            rasa_executable, "train",
            "--config", "config.yml",
            "--domain", "domain.yml",
            "--data", "data",
            "--out", str(settings.models_dir),
            "--fixed-model-name", name,
        ],
        cwd=settings.project_root,
        check=True,
    )
    model = settings.models_dir / f"{name}.tar.gz"
    seconds = time.monotonic() - started
    print(f">> trained in {seconds:.0f}s: {model}", flush=True)
    metadata = metadata_path(model)
    metadata.write_text(json.dumps({"training_seconds": round(seconds, 1)}))
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
