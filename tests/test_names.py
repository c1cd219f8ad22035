"""kefu/names.py and domain.yml name the same things: a rename in one alone fails here."""

from pathlib import Path

import pytest
import yaml
from rasa.shared.core.constants import DEFAULT_ACTION_NAMES, DEFAULT_INTENTS, DEFAULT_SLOT_NAMES

from kefu import names

DOMAIN = yaml.safe_load((Path(__file__).resolve().parents[1] / "domain.yml").read_text(encoding="utf-8"))
KINDS = ("_INTENTS", "_INTENT", "_ENTITY", "_SLOT", "_FORM", "_ACTION")


def constants(suffix):
    """{constant name: value} of kefu.names whose name ends in the suffix."""
    return {name: value for name, value in vars(names).items() if name.isupper() and name.endswith(suffix)}


@pytest.mark.parametrize(
    "suffix, in_domain, rasa_own",
    [
        ("_INTENT", DOMAIN["intents"], DEFAULT_INTENTS),
        ("_ENTITY", DOMAIN["entities"], ()),
        ("_SLOT", list(DOMAIN["slots"]), DEFAULT_SLOT_NAMES),
        ("_FORM", list(DOMAIN["forms"]), ()),
    ],
)
def test_every_name_of_the_domain_has_its_constant_and_every_constant_is_in_the_domain(suffix, in_domain, rasa_own):
    values = list(constants(suffix).values())
    assert sorted(set(values) - set(in_domain) - set(rasa_own)) == []
    assert sorted(set(in_domain) - set(values)) == []
    assert len(values) == len(set(values)), "two constants for one name"


def test_every_action_named_in_python_is_in_the_domain_or_rasas_own():
    known = set(DOMAIN["actions"]) | set(DEFAULT_ACTION_NAMES)
    assert sorted(set(constants("_ACTION").values()) - known) == []


def test_every_group_of_intents_holds_intents_of_the_domain():
    for name, group in constants("_INTENTS").items():
        assert group and set(group) <= set(DOMAIN["intents"]), name


def test_every_intent_is_small_talk_an_answer_a_request_or_out_of_scope():
    groups = (names.SMALL_TALK_INTENTS, names.ANSWER_INTENTS, names.REQUEST_INTENTS, (names.OUT_OF_SCOPE_INTENT,))
    placed = [intent for group in groups for intent in group]
    assert sorted(placed) == sorted(DOMAIN["intents"])


def test_every_constant_says_what_kind_of_name_it_is():
    public = [name for name in vars(names) if name.isupper()]
    assert [name for name in public if not name.endswith(KINDS)] == []
