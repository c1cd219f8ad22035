"""Chooses the FallbackClassifier thresholds on data, never on the held-out set.
``python bench/tune_fallback.py [--dev-share 0.2]`` trains on part of the
training data and shows, per threshold and ambiguity gap, what the shoppers
of the rest would get (see docs/bench.md)."""

from __future__ import annotations

import argparse
import asyncio
import random
import subprocess
import sys
import tempfile
from collections import defaultdict
from pathlib import Path
from typing import Dict, List, Tuple

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kefu.replies.intent_labels import intent_labels  # noqa: E402
from kefu.services.clarification import candidate_intents  # noqa: E402

THRESHOLDS = [0.0, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8]
AMBIGUITY_GAPS = [0.0, 0.02, 0.05, 0.1]


def split_training_data(nlu_data: Path, dev_share: float, seed: int = 7) -> Tuple[str, List[Tuple[str, str]]]:
    """Returns (training YAML text, [(dev message, intent)])."""
    from rasa.shared.nlu.training_data.loading import load_data
    from rasa.shared.nlu.training_data.training_data import TrainingData

    data = load_data(str(nlu_data))
    by_intent: Dict[str, list] = defaultdict(list)
    for message in data.intent_examples:
        by_intent[message.get("intent")].append(message)
    generator = random.Random(seed)
    train, dev = [], []
    for intent in sorted(by_intent):
        messages = by_intent[intent][:]
        generator.shuffle(messages)
        cut = max(1, int(len(messages) * dev_share))
        dev += [(m.get("text"), intent) for m in messages[:cut]]
        train += messages[cut:]
    subset = TrainingData(
        training_examples=train,
        entity_synonyms=data.entity_synonyms,
        regex_features=data.regex_features,
        lookup_tables=data.lookup_tables,
    )
    return subset.nlu_as_yaml(), dev


def config_without_fallback() -> str:
    config = yaml.safe_load((ROOT / "config.yml").read_text(encoding="utf-8"))
    config["pipeline"] = [c for c in config["pipeline"] if c["name"] != "FallbackClassifier"]
    config["policies"] = []
    return yaml.safe_dump(config, allow_unicode=True)


Ranking = List[Tuple[str, float]]


def falls_back(ranking: Ranking, threshold: float, gap: float) -> bool:
    """What the FallbackClassifier decides for a ranking (best first)."""
    confidence, second = ranking[0][1], ranking[1][1] if len(ranking) > 1 else 0.0
    return confidence < threshold or (confidence - second) < gap


def offered_intents(ranking: Ranking) -> List[str]:
    """The buttons action_clarify offers for a message that fell back (a first miss)."""
    return candidate_intents([{"name": n, "confidence": c} for n, c in ranking], offerable=intent_labels())


def score(parsed: List[Tuple[str, Ranking]], threshold: float, gap: float) -> Dict:
    right = oos_total = oos_caught = in_total = in_fallback = clarified = clarified_right = 0
    for gold, ranking in parsed:
        fallback = falls_back(ranking, threshold, gap)
        predicted = "out_of_scope" if fallback else ranking[0][0]
        right += predicted == gold
        if gold == "out_of_scope":
            oos_total += 1
            oos_caught += predicted == "out_of_scope"
        else:
            in_total += 1
            in_fallback += fallback
        offered = offered_intents(ranking) if fallback else []
        clarified += bool(offered)
        clarified_right += gold in offered
    return {
        "threshold": threshold, "ambiguity": gap,
        "accuracy": right / len(parsed),
        "oos_recall": oos_caught / max(oos_total, 1),
        "in_scope_to_fallback": in_fallback / max(in_total, 1),
        "clarified": clarified / len(parsed),
        "clarified_right": clarified_right / max(clarified, 1),
    }


def sweep(parsed: List[Tuple[str, Ranking]]) -> List[Dict]:
    return [score(parsed, threshold, gap) for threshold in THRESHOLDS for gap in AMBIGUITY_GAPS]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dev-share", type=float, default=0.2)
    parser.add_argument("--nlu-data", type=Path, default=ROOT / "data" / "nlu")
    args = parser.parse_args(argv)

    training_yaml, dev = split_training_data(args.nlu_data, args.dev_share)
    print(f">> {len(dev)} development messages held back from the training data")
    with tempfile.TemporaryDirectory() as workdir:
        work = Path(workdir)
        (work / "nlu.yml").write_text(training_yaml, encoding="utf-8")
        (work / "config.yml").write_text(config_without_fallback(), encoding="utf-8")
        print(">> training the NLU pipeline without fallback (progress below)", flush=True)
        subprocess.run(
            [str(Path(sys.executable).parent / "rasa"), "train", "nlu", "--config", str(work / "config.yml"),
             "--nlu", str(work / "nlu.yml"), "--out", str(work), "--fixed-model-name", "dev"],
            cwd=ROOT, check=True,
        )
        from rasa.core.agent import Agent

        agent = Agent.load(str(work / "dev.tar.gz"))

        async def parse_all():
            results = []
            for text, gold in dev:
                answer = await agent.parse_message(text)
                ranking = [(r["name"], r["confidence"]) for r in answer["intent_ranking"]]
                results.append((gold, ranking))
            return results

        parsed = asyncio.run(parse_all())

    rows = sweep(parsed)
    print(f"{'threshold':>10}{'ambiguity':>10}{'accuracy':>10}{'oos recall':>12}{'in->fallback':>14}"
          f"{'clarified':>11}{'right offered':>15}")
    for row in rows:
        print(f"{row['threshold']:>10.2f}{row['ambiguity']:>10.2f}{row['accuracy']:>10.3f}"
              f"{row['oos_recall']:>12.3f}{row['in_scope_to_fallback']:>14.3f}"
              f"{row['clarified']:>11.3f}{row['clarified_right']:>15.3f}")
    print(">> clarified: share of messages answered with buttons; right offered: of those, the true intent"
          " was a button (an out-of-scope message never is)")
    best = max(rows, key=lambda r: (round(r["accuracy"], 3), r["oos_recall"], -r["threshold"]))
    print(f">> best on the development split: threshold {best['threshold']}, ambiguity {best['ambiguity']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
