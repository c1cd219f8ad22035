import pytest

from bench.tune_fallback import falls_back, score, sweep

CLOSE_PAIR = [("ask_return", 0.26), ("ask_exchange", 0.24), ("greet", 0.02)]
SURE = [("track_order", 0.9), ("ask_delivery_time", 0.05)]
CHITCHAT = [("greet", 0.25), ("ask_promotion", 0.05)]


def test_fallback_below_the_threshold_or_within_the_gap():
    assert falls_back(CLOSE_PAIR, 0.3, 0.0)
    assert not falls_back(CLOSE_PAIR, 0.2, 0.0)
    assert falls_back(CLOSE_PAIR, 0.2, 0.05)
    assert not falls_back([("track_order", 0.5)], 0.3, 0.1)


def test_clarified_share_and_how_often_the_right_intent_is_offered():
    parsed = [
        ("ask_exchange", CLOSE_PAIR), ("ask_coupon", CLOSE_PAIR), ("track_order", SURE), ("out_of_scope", CHITCHAT),
    ]
    row = score(parsed, threshold=0.3, gap=0.0)
    # Both close pairs get buttons (once with the right intent); the small talk gets "rephrase".
    assert row["clarified"] == pytest.approx(2 / 4)
    assert row["clarified_right"] == pytest.approx(1 / 2)
    assert row["accuracy"] == pytest.approx(2 / 4)
    assert row["oos_recall"] == 1.0
    assert row["in_scope_to_fallback"] == pytest.approx(2 / 3)


def test_no_fallback_no_clarification():
    row = score([("track_order", SURE)], threshold=0.0, gap=0.0)
    assert (row["clarified"], row["clarified_right"]) == (0.0, 0.0)


def test_sweep_scores_every_setting():
    rows = sweep([("track_order", SURE)])
    assert {(r["threshold"], r["ambiguity"]) for r in rows} >= {(0.3, 0.0), (0.5, 0.1)}
    assert all("clarified" in r and "clarified_right" in r for r in rows)
