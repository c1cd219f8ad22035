"""NLU quality on the held-out test set, for the model and a keyword baseline.
``python bench/nlu_benchmark.py --model models/kefu-<fingerprint>.tar.gz [--min-accuracy 0.9]``
prints the figures and writes them under var/results/ (see docs/bench.md)."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
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


def predict_with_model(model_path: str, texts: List[str]) -> List[Dict]:
    from rasa.core.agent import Agent

    agent = Agent.load(model_path)

    async def parse_all() -> List[Dict]:
        results = []
        for number, text in enumerate(texts, 1):
            results.append(await agent.parse_message(text))
            if number % 100 == 0 or number == len(texts):
                print(f"   parsed {number}/{len(texts)}", flush=True)
        return results

    return asyncio.run(parse_all())


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


def main(argv: List[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", required=True, help="trained model (.tar.gz)")
    parser.add_argument("--test-set", default=str(DEFAULT_TEST_SET))
    parser.add_argument("--min-accuracy", type=float, default=None)
    args = parser.parse_args(argv)
    logging.getLogger().setLevel(logging.WARNING)

    examples = load_examples(Path(args.test_set))
    texts = [e["text"] for e in examples]
    print(f">> held-out set: {len(examples)} messages from {args.test_set}")

    started = time.monotonic()
    model_predictions = predict_with_model(args.model, texts)
    model_seconds = time.monotonic() - started
    baseline_predictions = [keyword_baseline.parse(text) for text in texts]

    model_scores = score(examples, model_predictions)
    baseline_scores = score(examples, baseline_predictions)
    _print_table([("model", model_scores), ("keywords", baseline_scores)])
    trained = training_seconds(args.model)
    print(f"model training time: {trained:.0f}s" if trained else "model training time: unknown (model trained elsewhere)")
    print(f"model parse time: {1000 * model_seconds / len(texts):.1f} ms/message")
    print("most frequent confusions (gold -> predicted):")
    for confusion in model_scores["top_confusions"]:
        print(f"   {confusion['gold']:>24} -> {confusion['predicted']:<24} {confusion['count']}")

    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    errors = [
        {"text": e["text"], "gold": e["intent"], "predicted": p["intent"]["name"], "confidence": p["intent"]["confidence"]}
        for e, p in zip(examples, model_predictions)
        if _label(e["intent"]) != _label(p["intent"]["name"] or "nlu_fallback")
    ]
    (RESULTS_DIR / "nlu_benchmark.json").write_text(
        json.dumps({"model": model_scores, "keyword_baseline": baseline_scores, "errors": errors}, ensure_ascii=False, indent=2),
        encoding="utf-8",
    )
    _chart(model_scores, baseline_scores, RESULTS_DIR / "nlu_benchmark.png")
    print(f">> details in {RESULTS_DIR / 'nlu_benchmark.json'}, chart in {RESULTS_DIR / 'nlu_benchmark.png'}")

    if args.min_accuracy is not None and model_scores["intent_accuracy"] < args.min_accuracy:
        print(f"FAIL: intent accuracy {model_scores['intent_accuracy']:.3f} < {args.min_accuracy}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
