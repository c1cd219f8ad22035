"""A fast proxy of the NLU for trying out text preprocessing and training data
without training Rasa: seconds instead of minutes.

It runs the text-stage components config.yml lists before the JiebaTokenizer
(normaliser, residue reducer, greeting step, augmentation …) on data/nlu the
way training does (``process_training_data``) and on the development sets the
way inference does (``process``), tokenises with jieba and the data/jieba
dictionaries, fits the character/word n-gram logistic regression of
``kefu/nlu/ngram_intent_ensemble.py`` and prints intent accuracy, per-intent
recall and per-family accuracy on each development set.

    python bench/quick_ngram.py                       # the pipeline as configured
    python bench/quick_ngram.py --skip GreetingPrefixBlanker
    python bench/quick_ngram.py --add kefu.nlu.augmentation.TrainingAugmenter:0

Only development sets are read; the held-out test sets are never evaluated
here (their figures come from ``make bench-nlu``).
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
# Rasa imports TensorFlow, whose start-up chatter would bury the figures.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

from bench.nlu_benchmark import families_by_text, score, score_families  # noqa: E402
from kefu.nlu.alignment import pipeline_tokenizer  # noqa: E402

DEFAULT_CONFIG = ROOT / "config.yml"
DEFAULT_TRAINING = ROOT / "data" / "nlu"
DEV_SETS = (ROOT / "tests" / "nlu" / "dev_set.yml", ROOT / "tests" / "nlu" / "real_register_dev.yml")
# The held-out sets: scoring on them while tuning would make their figures
# meaningless, so the proxy refuses them.
HELD_OUT = {"test_set.yml", "real_register_test.yml"}
TOKENIZER = "JiebaTokenizer"


@dataclass
class TextStep:
    """One text-stage pipeline component, instantiated as the recipe would."""

    name: str
    component: Any

    def on_training_data(self, training_data):
        return self.component.process_training_data(training_data)

    def on_messages(self, messages):
        return self.component.process(messages)


def _component_class(name: str):
    module_name, _, class_name = name.rpartition(".")
    if not module_name:
        raise ValueError(f"{name}: give the full module path of a custom component")
    return getattr(importlib.import_module(module_name), class_name)


def build_step(name: str, options: Dict[str, Any], storage_dir: Path) -> TextStep:
    from rasa.engine.graph import ExecutionContext
    from rasa.engine.storage.local_model_storage import LocalModelStorage
    from rasa.engine.storage.resource import Resource

    cls = _component_class(name)
    config = {**cls.get_default_config(), **options}
    component = cls.create(
        config,
        LocalModelStorage(storage_dir),
        Resource(cls.__name__),
        ExecutionContext(graph_schema=None, model_id="quick_ngram"),
    )
    return TextStep(cls.__name__, component)


def configured_text_stage(config_path: Path) -> List[Tuple[str, Dict[str, Any]]]:
    """(name, options) of every pipeline component before the tokenizer."""
    config = yaml.safe_load(config_path.read_text(encoding="utf-8")) or {}
    stage = []
    for component in config.get("pipeline") or []:
        options = dict(component)
        name = str(options.pop("name"))
        if name.split(".")[-1] == TOKENIZER:
            return stage
        stage.append((name, options))
    raise ValueError(f"{config_path}: no {TOKENIZER} in the pipeline")


def choose_steps(
    configured: List[Tuple[str, Dict[str, Any]]], skip: Sequence[str], add: Sequence[str]
) -> List[Tuple[str, Dict[str, Any]]]:
    """The configured text stage without the ``skip`` class names, plus ``add``
    entries ``dotted.Class`` (appended) or ``dotted.Class:index`` (inserted)."""
    skipped = set(skip)
    steps = [(name, options) for name, options in configured if name.split(".")[-1] not in skipped]
    for entry in add:
        name, _, position = entry.partition(":")
        index = int(position) if position else len(steps)
        steps.insert(index, (name, {}))
    return steps


def load_training_data(path: Path):
    from rasa.shared.nlu.training_data.loading import load_data

    return load_data(str(path))


def features_text(text: str, tokenize: Callable[[str], list]) -> str:
    """The tokens joined by spaces, as NgramIntentEnsemble feeds its vectorizers."""
    return " ".join(word for word, _, _ in tokenize(text))


def train(training_data, steps: List[TextStep], tokenize, c: float):
    from rasa.shared.nlu.constants import INTENT, TEXT

    from kefu.nlu.ngram_intent_ensemble import _new_model

    for step in steps:
        training_data = step.on_training_data(training_data)
    examples = [m for m in training_data.intent_examples if m.get(INTENT) and m.get(TEXT)]
    model = _new_model(c)
    model.fit([features_text(m.get(TEXT), tokenize) for m in examples], [m.get(INTENT) for m in examples])
    return model, len(examples)


def evaluate(model, dev_path: Path, steps: List[TextStep], tokenize) -> Dict:
    from rasa.shared.nlu.constants import INTENT, TEXT
    from rasa.shared.nlu.training_data.message import Message

    if dev_path.name in HELD_OUT:
        raise ValueError(f"{dev_path.name} is held out: the proxy scores development sets only")
    gold = [m for m in load_training_data(dev_path).intent_examples if m.get(INTENT) and m.get(TEXT)]
    # Fresh messages carrying only the text, as a shopper's message arrives.
    messages = [Message(data={TEXT: m.get(TEXT)}) for m in gold]
    for step in steps:
        messages = step.on_messages(messages)
    predicted = model.predict([features_text(m.get(TEXT), tokenize) for m in messages])
    examples = [{"text": m.get(TEXT), "intent": m.get(INTENT), "entities": []} for m in gold]
    predictions = [{"intent": {"name": name}, "entities": []} for name in predicted]
    figures = score(examples, predictions)
    figures.update(score_families(examples, predictions, families_by_text(dev_path)))
    figures["misses"] = [
        {"text": e["text"], "processed": m.get(TEXT), "gold": e["intent"], "predicted": p}
        for e, m, p in zip(examples, messages, predicted)
        if e["intent"] != p
    ]
    return figures


def report(name: str, figures: Dict, show_misses: int) -> str:
    lines = [f"== {name}: {figures['examples']} messages, intent accuracy {figures['intent_accuracy']:.3f}"
             f", macro F1 {figures['macro_f1']:.3f}"]
    recalls = sorted(figures["per_intent"].items(), key=lambda item: item[1]["recall"])
    lines.append("recall: " + "  ".join(
        f"{intent} {v['recall']:.2f}/{v['support']}" for intent, v in recalls))
    if len(figures["families"]) > 1 or "general" not in figures["families"]:
        for family, entry in figures["families"].items():
            top = ", ".join(f"{c['gold']}->{c['predicted']} {c['count']}" for c in entry["confusions"][:4])
            lines.append(f"family {family}: {entry['accuracy']:.3f} of {entry['examples']}  {top}")
    if figures["praise_recall"] is not None:
        lines.append(f"praise recall {figures['praise_recall']:.3f}, "
                     f"called a complaint {figures['praise_called_complaint']:.3f}")
    top = ", ".join(f"{c['gold']}->{c['predicted']} {c['count']}" for c in figures["top_confusions"])
    lines.append(f"top confusions: {top}")
    for miss in figures["misses"][:show_misses]:
        shown = miss["text"] if miss["processed"] == miss["text"] else f"{miss['text']}  ⇒  {miss['processed']!r}"
        lines.append(f"  miss {miss['gold']} -> {miss['predicted']}: {shown}")
    return "\n".join(lines)


def main(argv: Optional[Sequence[str]] = None) -> int:
    from kefu.nlu.ngram_intent_ensemble import NgramIntentEnsemble

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", type=Path, default=DEFAULT_CONFIG)
    parser.add_argument("--training", type=Path, default=DEFAULT_TRAINING,
                        help="training data file or directory (default: data/nlu)")
    parser.add_argument("--dev", type=Path, action="append",
                        help="development set(s) (default: tests/nlu/dev_set.yml and real_register_dev.yml)")
    parser.add_argument("--skip", action="append", default=[], metavar="CLASS",
                        help="leave out a configured text-stage component (class name); repeatable")
    parser.add_argument("--add", action="append", default=[], metavar="module.Class[:index]",
                        help="run a component config.yml does not list yet, at a text-stage index; repeatable")
    parser.add_argument("--C", type=float, default=NgramIntentEnsemble.get_default_config()["C"])
    parser.add_argument("--misses", type=int, default=0, help="print this many misclassified messages per set")
    args = parser.parse_args(argv)

    started = time.perf_counter()
    tokenize = pipeline_tokenizer(args.config)
    with tempfile.TemporaryDirectory() as storage_dir:
        chosen = choose_steps(configured_text_stage(args.config), args.skip, args.add)
        steps = [build_step(name, options, Path(storage_dir)) for name, options in chosen]
        print("text stage: " + (" -> ".join(step.name for step in steps) or "(none)"))
        model, trained_on = train(load_training_data(args.training), steps, tokenize, args.C)
        print(f"trained on {trained_on} examples in {time.perf_counter() - started:.1f} s")
        for dev_path in args.dev or [p for p in DEV_SETS if p.exists()]:
            print(report(dev_path.name, evaluate(model, dev_path, steps, tokenize), args.misses))
    return 0


if __name__ == "__main__":
    sys.exit(main())
