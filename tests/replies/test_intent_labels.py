from pathlib import Path

import yaml

from kefu.replies.intent_labels import intent_labels, intent_names
from kefu.services.clarification import NOT_OFFERED

DOMAIN_INTENTS = yaml.safe_load((Path(__file__).resolve().parents[2] / "domain.yml").read_text(encoding="utf-8"))[
    "intents"
]


def test_every_intent_a_button_may_offer_has_a_title():
    offerable = {intent for intent in DOMAIN_INTENTS if intent not in NOT_OFFERED}
    assert offerable, "domain.yml lists intents"
    assert sorted(offerable - set(intent_labels())) == []


def test_titles_are_only_for_offerable_intents_of_the_domain():
    assert sorted(set(intent_labels()) - set(DOMAIN_INTENTS)) == []
    assert sorted(set(intent_labels()) & NOT_OFFERED) == []


def test_titles_are_short_and_tell_the_intents_apart():
    titles = list(intent_labels().values())
    assert all(0 < len(title) <= 8 for title in titles), [t for t in titles if not 0 < len(t) <= 8]
    assert len(set(titles)) == len(titles)


def test_every_intent_has_a_name_for_the_people_who_read_about_the_conversation():
    names = intent_names()
    assert sorted((set(DOMAIN_INTENTS) | {"nlu_fallback"}) - set(names)) == []
    assert names["request_human"] == "要求转人工"
    # A button title is the name too: one word per intent everywhere.
    assert all(names[intent] == title for intent, title in intent_labels().items())
