"""NLU quality on the held-out test set and on its real-register section, for the
model and a keyword baseline.
``python bench/nlu_benchmark.py --model models/kefu-<fingerprint>.tar.gz [--min-accuracy 0.95 …]``
prints the figures and writes them under var/results/ (see docs/bench.md)."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import re
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Dict, Iterable, List, Tuple

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import keyword_baseline  # noqa: E402

OUT_OF_SCOPE_LABELS = {"out_of_scope", "nlu_fallback"}
DEFAULT_TEST_SET = ROOT / "tests" / "nlu" / "test_set.yml"
# Messages written the way platform chat logs read (long, residue, grievances,
# praise), each tagged with the family of misses it probes (issue 14).
DEFAULT_REAL_REGISTER_SET = ROOT / "tests" / "nlu" / "real_register_test.yml"
_ANNOTATION = re.compile(r"\[([^\]]+)\](?:\([^)]*\)|\{[^}]*\})")
RESULTS_DIR = ROOT / "var" / "results"

Example = Dict  # {"text", "intent", "entities"}


def load_examples(path: Path) -> List[Example]:
    from rasa.shared.nlu.training_data.loading import load_data

    data = load_data(str(path))
    return [
        {
            "text": message.get("text"),
            "intent": message.get("intent"),
            "entities": message.get("entities") or [],
        }
        for message in data.intent_examples
    ]


def families_by_text(path: Path) -> Dict[str, str]:
    """Plain message text -> the ``metadata: family`` of its block (``general`` when untagged)."""
    import yaml

    families: Dict[str, str] = {}
    for block in yaml.safe_load(path.read_text(encoding="utf-8")).get("nlu", []):
        if "intent" not in block:
            continue
        family = (block.get("metadata") or {}).get("family", "general")
        for line in block["examples"].splitlines():
            line = line.strip()
            if line.startswith("- "):
                families[_ANNOTATION.sub(lambda m: m.group(1), line[2:]).strip()] = family
    return families


def _label(intent: str) -> str:
    # Both count as "handled out of scope", as the outside evaluation counts it.
    return "out_of_scope" if intent in OUT_OF_SCOPE_LABELS else intent


def _spans(entities: Iterable[Dict]) -> Counter:
    return Counter((e["entity"], e["start"], e["end"]) for e in entities)


def score(examples: List[Example], predictions: List[Dict]) -> Dict:
    gold = [_label(e["intent"]) for e in examples]
    predicted = [_label(p["intent"]["name"] or "nlu_fallback") for p in predictions]
    labels = sorted(set(gold))

    per_intent = {}
    for label in labels:
        tp = sum(1 for g, p in zip(gold, predicted) if g == p == label)
        fp = sum(1 for g, p in zip(gold, predicted) if p == label and g != label)
        fn = sum(1 for g, p in zip(gold, predicted) if g == label and p != label)
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        per_intent[label] = {"precision": precision, "recall": recall, "f1": f1, "support": tp + fn}

    # Only entity types the test set annotates are scored: a type it never
    # marks (location, added after it was written) is neither right nor wrong.
    scored_types = {e["entity"] for example in examples for e in example["entities"]}
    entity_tp = entity_fp = entity_fn = 0
    for example, prediction in zip(examples, predictions):
        predicted_entities = [e for e in prediction["entities"] if e["entity"] in scored_types]
        gold_spans, predicted_spans = _spans(example["entities"]), _spans(predicted_entities)
        overlap = sum((gold_spans & predicted_spans).values())
        entity_tp += overlap
        entity_fp += sum(predicted_spans.values()) - overlap
        entity_fn += sum(gold_spans.values()) - overlap
    entity_p = entity_tp / (entity_tp + entity_fp) if entity_tp + entity_fp else 0.0
    entity_r = entity_tp / (entity_tp + entity_fn) if entity_tp + entity_fn else 0.0

    in_scope = [(g, p) for g, p in zip(gold, predicted) if g != "out_of_scope"]
    out_scope = [(g, p) for g, p in zip(gold, predicted) if g == "out_of_scope"]
    confusions = Counter((g, p) for g, p in zip(gold, predicted) if g != p)
    return {
        "examples": len(examples),
        "intent_accuracy": sum(g == p for g, p in zip(gold, predicted)) / len(gold),
        "macro_f1": sum(v["f1"] for v in per_intent.values()) / len(per_intent),
        "entity_precision": entity_p,
        "entity_recall": entity_r,
        "entity_f1": 2 * entity_p * entity_r / (entity_p + entity_r) if entity_p + entity_r else 0.0,
        "out_of_scope_recall": sum(p == "out_of_scope" for _, p in out_scope) / max(len(out_scope), 1),
        "in_scope_sent_to_fallback": sum(p == "out_of_scope" for _, p in in_scope) / max(len(in_scope), 1),
        "per_intent": per_intent,
        "top_confusions": [
            {"gold": g, "predicted": p, "count": n} for (g, p), n in confusions.most_common(10)
        ],
    }


def score_families(examples: List[Example], predictions: List[Dict], families: Dict[str, str]) -> Dict:
    """Accuracy and confusions per family, and how praise fares (recall, share taken for a complaint)."""
    by_family: Dict[str, Dict] = {}
    for example, prediction in zip(examples, predictions):
        family = families.get(example["text"].strip(), "general")
        gold, predicted = _label(example["intent"]), _label(prediction["intent"]["name"] or "nlu_fallback")
        entry = by_family.setdefault(family, {"examples": 0, "correct": 0, "confusions": Counter()})
        entry["examples"] += 1
        entry["correct"] += gold == predicted
        if gold != predicted:
            entry["confusions"][(gold, predicted)] += 1
    praise = [
        _label(p["intent"]["name"] or "nlu_fallback")
        for e, p in zip(examples, predictions) if e["intent"] == "praise"
    ]
    return {
        "families": {
            name: {
                "examples": entry["examples"],
                "accuracy": entry["correct"] / entry["examples"],
                "confusions": [
                    {"gold": g, "predicted": p, "count": n} for (g, p), n in entry["confusions"].most_common()
                ],
            }
            for name, entry in sorted(by_family.items())
        },
        "praise_recall": sum(p == "praise" for p in praise) / len(praise) if praise else None,
        "praise_called_complaint": sum(p == "complain" for p in praise) / len(praise) if praise else None,
    }


def _print_families(model: Dict, baseline: Dict) -> None:
    print(f"{'family':26}{'messages':>9}{'model':>9}{'keywords':>10}")
    for name, entry in model["families"].items():
        print(f"{name:26}{entry['examples']:>9}{entry['accuracy']:>9.3f}{baseline['families'][name]['accuracy']:>10.3f}")
    for name, entry in model["families"].items():
        if entry["confusions"]:
            print(f"   {name}: " + ", ".join(f"{c['gold']}->{c['predicted']} {c['count']}" for c in entry["confusions"][:8]))
    if model["praise_recall"] is not None:
        print(f"praise recall {model['praise_recall']:.3f}, praise taken for a complaint {model['praise_called_complaint']:.3f}")


def predict_with_model(model_path: str, text_sets: List[List[str]]) -> List[List[Dict]]:
    """Parses every text of every set with one loaded model."""
    from rasa.core.agent import Agent

    agent = Agent.load(model_path)

    async def parse_all(texts: List[str]) -> List[Dict]:
        results = []
        for number, text in enumerate(texts, 1):
            results.append(await agent.parse_message(text))
            if number % 100 == 0 or number == len(texts):
                print(f"   parsed {number}/{len(texts)}", flush=True)
        return results

    return [asyncio.run(parse_all(texts)) for texts in text_sets]


def training_seconds(model_path: str) -> float | None:
    from kefu.training import metadata_path

    meta = metadata_path(Path(model_path))
    if meta.exists():
        return json.loads(meta.read_text()).get("training_seconds")
    return None


def _print_table(rows: List[Tuple[str, Dict]]) -> None:
    header = f"{'':24}" + "".join(f"{name:>14}" for name, _ in rows)
    print(header)
    for key, title in (
        ("intent_accuracy", "intent accuracy"),
        ("macro_f1", "intent macro-F1"),
        ("entity_f1", "entity F1"),
        ("entity_precision", "entity precision"),
        ("entity_recall", "entity recall"),
        ("out_of_scope_recall", "out-of-scope recall"),
        ("in_scope_sent_to_fallback", "in-scope -> fallback"),
    ):
        print(f"{title:24}" + "".join(f"{r[key]:>14.3f}" for _, r in rows))


def _chart(model: Dict, baseline: Dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    intents = sorted(model["per_intent"], key=lambda i: model["per_intent"][i]["f1"])
    figure, axis = plt.subplots(figsize=(9, 8))
    positions = range(len(intents))
    axis.barh([p + 0.2 for p in positions], [model["per_intent"][i]["f1"] for i in intents], height=0.4, label="model")
    axis.barh([p - 0.2 for p in positions], [baseline["per_intent"][i]["f1"] for i in intents], height=0.4, label="keyword baseline")
    axis.set_yticks(list(positions))
    axis.set_yticklabels(intents)
    axis.set_xlabel("F1 on the held-out test set")
    axis.set_xlim(0, 1)
    axis.legend(loc="lower right")
    axis.set_title(f"Intent F1: model {model['macro_f1']:.3f} vs baseline {baseline['macro_f1']:.3f} (macro)")
    figure.tight_layout()
    figure.savefig(path, dpi=100)


def _errors(examples: List[Example], predictions: List[Dict]) -> List[Dict]:
    return [
        {"text": e["text"], "gold": e["intent"], "predicted": p["intent"]["name"], "confidence": p["intent"]["confidence"]}
        for e, p in zip(examples, predictions)
        if _label(e["intent"]) != _label(p["intent"]["name"] or "nlu_fallback")
    ]


def _failures(args: argparse.Namespace, held_out: Dict, real: Dict | None, real_families: Dict | None) -> List[str]:
    checks = [(args.min_accuracy, held_out["intent_accuracy"], "held-out intent accuracy", False)]
    if real is not None:
        checks += [
            (args.min_real_register_accuracy, real["intent_accuracy"], "real-register intent accuracy", False),
            (args.min_praise_recall, real_families["praise_recall"], "praise recall", False),
            (args.max_praise_as_complaint, real_families["praise_called_complaint"], "praise taken for a complaint", True),
        ]
    failures = []
    for limit, value, title, is_maximum in checks:
        if limit is None or value is None:
            continue
        if (value > limit) if is_maximum else (value < limit):
            failures.append(f"{title} {value:.3f} {'>' if is_maximum else '<'} {limit}")
    return failures


def _family_chart(model: Dict, baseline: Dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = list(model["families"])
    figure, axis = plt.subplots(figsize=(9, 5))
    positions = range(len(names))
    axis.barh([p + 0.2 for p in positions], [model["families"][n]["accuracy"] for n in names], height=0.4, label="model")
    axis.barh([p - 0.2 for p in positions], [baseline["families"][n]["accuracy"] for n in names], height=0.4,
              label="keyword baseline")
    axis.set_yticks(list(positions))
    axis.set_yticklabels(names)
    axis.set_xlabel("intent accuracy on the real-register section")
    axis.set_xlim(0, 1)
    axis.legend(loc="lower right")
    axis.set_title("Real-register section, per family of misses")
    figure.tight_layout()
    figure.savefig(path, dpi=100)


def main(argv: List[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", required=True, help="trained model (.tar.gz)")
    parser.add_argument("--test-set", default=str(DEFAULT_TEST_SET))
    parser.add_argument("--real-register-set", default=str(DEFAULT_REAL_REGISTER_SET),
                        help="the real-register section ('' to skip)")
    parser.add_argument("--min-accuracy", type=float, default=None, help="on the held-out set")
    parser.add_argument("--min-real-register-accuracy", type=float, default=None)
    parser.add_argument("--min-praise-recall", type=float, default=None)
    parser.add_argument("--max-praise-as-complaint", type=float, default=None)
    args = parser.parse_args(argv)
    logging.getLogger().setLevel(logging.WARNING)
    from rasa.utils.log_utils import configure_structlog

    configure_structlog(logging.WARNING)  # else Rasa's structlog prints every parse at debug level

    examples = load_examples(Path(args.test_set))
    print(f">> held-out set: {len(examples)} messages from {args.test_set}")
    real_path = Path(args.real_register_set) if args.real_register_set else None
    real_examples = load_examples(real_path) if real_path and real_path.exists() else []
    if real_examples:
        print(f">> real-register section: {len(real_examples)} messages from {real_path}")

    started = time.monotonic()
    model_predictions, real_predictions = predict_with_model(
        args.model, [[e["text"] for e in examples], [e["text"] for e in real_examples]]
    )
    model_seconds = time.monotonic() - started
    parsed = len(examples) + len(real_examples)

    model_scores = score(examples, model_predictions)
    baseline_scores = score(examples, [keyword_baseline.parse(e["text"]) for e in examples])
    print("\n== held-out set")
    _print_table([("model", model_scores), ("keywords", baseline_scores)])
    print("most frequent confusions (gold -> predicted):")
    for confusion in model_scores["top_confusions"]:
        print(f"   {confusion['gold']:>24} -> {confusion['predicted']:<24} {confusion['count']}")

    real_scores = real_families = None
    report = {"model": model_scores, "keyword_baseline": baseline_scores, "errors": _errors(examples, model_predictions)}
    if real_examples:
        families = families_by_text(real_path)
        real_baseline_predictions = [keyword_baseline.parse(e["text"]) for e in real_examples]
        real_scores = score(real_examples, real_predictions)
        real_baseline = score(real_examples, real_baseline_predictions)
        real_families = score_families(real_examples, real_predictions, families)
        baseline_families = score_families(real_examples, real_baseline_predictions, families)
        print("\n== real-register section")
        _print_table([("model", real_scores), ("keywords", real_baseline)])
        _print_families(real_families, baseline_families)
        report["real_register"] = {
            "model": {**real_scores, **real_families},
            "keyword_baseline": {**real_baseline, **baseline_families},
            "errors": _errors(real_examples, real_predictions),
        }

    trained = training_seconds(args.model)
    print(f"\nmodel training time: {trained:.0f}s" if trained else "\nmodel training time: unknown (model trained elsewhere)")
    print(f"model parse time: {1000 * model_seconds / max(parsed, 1):.1f} ms/message")

    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    (RESULTS_DIR / "nlu_benchmark.json").write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")
    _chart(model_scores, baseline_scores, RESULTS_DIR / "nlu_benchmark.png")
    if real_families is not None:
        _family_chart(real_families, baseline_families, RESULTS_DIR / "nlu_real_register.png")
    print(f">> details in {RESULTS_DIR / 'nlu_benchmark.json'}, charts in {RESULTS_DIR}/nlu_*.png")

    failures = _failures(args, model_scores, real_scores, real_families)
    for failure in failures:
        print(f"FAIL: {failure}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
