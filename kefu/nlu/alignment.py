"""Finds entity annotations that do not start and end on a token boundary.

The entity extractor (CRFEntityExtractor) learns entities as labels of whole tokens: an annotation such as
``[耳机](product)`` inside the jieba token 蓝牙耳机 cannot be learnt, and Rasa
only warns "Misaligned entity annotation" in the middle of a long training
run. This check tokenizes every training example exactly as the pipeline in
config.yml does (the ShopperTextNormalizer's normalisation, then jieba with
the dictionaries the JiebaTokenizer loads) and lists each misaligned
annotation, in seconds and without training.

    python -m kefu.nlu.alignment [files ...]     # default: data/nlu/*.yml

Exit status 1 when any annotation is misaligned.
"""

from __future__ import annotations

import argparse
import glob
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, List, Optional, Sequence, Tuple

import yaml

from kefu.nlu.platform_residue import entities_outside_residue
from kefu.nlu.text_normalizer import (
    DEFAULT_TERMS_FILE,
    DEFAULT_TYPOS_FILE,
    TextNormalizer,
    load_terms,
    load_typos,
)

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_CONFIG = ROOT / "config.yml"
DEFAULT_DATA_GLOB = "data/nlu/*.yml"
NORMALIZER_COMPONENT = "ShopperTextNormalizer"
JIEBA_COMPONENT = "JiebaTokenizer"

Token = Tuple[str, int, int]


@dataclass(frozen=True)
class Misalignment:
    file: str
    intent: str
    text: str
    entity: str
    start: int
    end: int
    tokens: Tuple[Token, ...]

    @property
    def span(self) -> str:
        return self.text[self.start : self.end]

    def describe(self) -> str:
        around = [
            f"{word}[{start}:{end}]"
            for word, start, end in self.tokens
            if end > self.start - 4 and start < self.end + 4 and word.strip()
        ]
        return (
            f"{self.file}: intent {self.intent}: {self.text!r}\n"
            f"    {self.entity} [{self.start}:{self.end}] {self.span!r} "
            f"is not on token boundaries; tokens: {' '.join(around)}"
        )


def _pipeline_component(config_path: Path, name: str) -> Optional[dict]:
    config = yaml.safe_load(config_path.read_text(encoding="utf-8")) or {}
    for component in config.get("pipeline") or []:
        if str(component.get("name", "")).split(".")[-1] == name:
            return component
    return None


def pipeline_normalizer(config_path: Path = DEFAULT_CONFIG) -> Callable[[str], str]:
    """The text normalisation config.yml applies before tokenizing (identity if none)."""
    component = _pipeline_component(config_path, NORMALIZER_COMPONENT)
    if component is None:
        return lambda text: text
    terms = load_terms(_resolve(component.get("terms_path"), DEFAULT_TERMS_FILE))
    typos = load_typos(_resolve(component.get("typos_path"), DEFAULT_TYPOS_FILE))
    return TextNormalizer(terms, typos).normalize


def pipeline_tokenizer(config_path: Path = DEFAULT_CONFIG) -> Callable[[str], List[Token]]:
    """jieba with the user dictionaries loaded as Rasa's JiebaTokenizer loads them."""
    import jieba

    component = _pipeline_component(config_path, JIEBA_COMPONENT) or {}
    dictionary_path = component.get("dictionary_path")
    if dictionary_path is not None:
        # Same calls as JiebaTokenizer._load_custom_dictionary, in the same order.
        for userdict in glob.glob(f"{_resolve(dictionary_path, None)}/*"):
            jieba.load_userdict(userdict)
    return lambda text: list(jieba.tokenize(text))


def _resolve(path: Optional[str], default: Optional[Path]) -> Path:
    if path is None:
        return default
    resolved = Path(path)
    return resolved if resolved.is_absolute() else ROOT / resolved


def find_misalignments(
    examples: Iterable[Tuple[str, str, str, List[dict]]],
    normalize: Callable[[str], str],
    tokenize: Callable[[str], List[Token]],
) -> List[Misalignment]:
    """Checks (file, intent, text, entities) examples as Rasa's token-level entity extractors do."""
    found = []
    for file, intent, text, entities in examples:
        normalized = normalize(text)
        tokens = tuple(tokenize(normalized))
        starts = {start for _, start, _ in tokens}
        ends = {end for _, _, end in tokens}
        # Annotations on blanked residue (the second copy of a question pasted
        # twice) are dropped by the normaliser before the extractor sees them.
        for entity in entities_outside_residue(text, normalized, entities):
            start, end = entity["start"], entity["end"]
            if start not in starts or end not in ends:
                found.append(Misalignment(file, intent, text, entity["entity"], start, end, tokens))
    return found


def annotated_examples(paths: Sequence[Path]) -> List[Tuple[str, str, str, List[dict]]]:
    """Examples with entity annotations, read by Rasa's own YAML reader."""
    from rasa.shared.nlu.training_data.formats.rasa_yaml import RasaYAMLReader

    examples = []
    for path in paths:
        data = RasaYAMLReader().read(str(path))
        for message in data.training_examples:
            entities = message.get("entities") or []
            if entities:
                examples.append((_display(path), message.get("intent"), message.get("text"), entities))
    return examples


def _display(path: Path) -> str:
    try:
        return str(Path(path).resolve().relative_to(ROOT))
    except ValueError:
        return str(path)


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="*", type=Path, help=f"NLU files (default: {DEFAULT_DATA_GLOB})")
    parser.add_argument("--config", type=Path, default=DEFAULT_CONFIG)
    args = parser.parse_args(argv)
    files = args.files or sorted(ROOT.glob(DEFAULT_DATA_GLOB))
    examples = annotated_examples(files)
    misaligned = find_misalignments(
        examples, pipeline_normalizer(args.config), pipeline_tokenizer(args.config)
    )
    for misalignment in misaligned:
        print(misalignment.describe())
    total = sum(len(entities) for *_, entities in examples)
    print(f"{len(misaligned)} of {total} entity annotations misaligned in {len(files)} files")
    return 1 if misaligned else 0


if __name__ == "__main__":
    sys.exit(main())
