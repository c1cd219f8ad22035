import re
from pathlib import Path

import pytest

from kefu.replies import identify, placeholders, render, templates, templates_matching

ACTIONS = Path(__file__).resolve().parents[2] / "actions"
first = lambda variations: variations[0]


def test_placeholders_are_filled():
    reply = render("order_summary", chooser=first, order_id="2024111100001", items="T恤×1", status="已签收")
    assert reply["text"] == "亲，帮您查到啦📦 订单 2024111100001：T恤×1，当前状态【已签收】。"


def test_a_missing_value_is_an_error_not_a_broken_reply():
    with pytest.raises(KeyError):
        render("order_summary", order_id="2024111100001")


def test_buttons_are_copied_so_callers_cannot_change_the_template():
    reply = render("backend_unavailable")
    reply["buttons"][0]["title"] = "changed"
    assert render("backend_unavailable")["buttons"][0]["title"] == "转人工客服"


@pytest.mark.parametrize("name", sorted(templates()))
def test_every_variation_can_be_told_apart(name):
    values = {placeholder: f"值{index}" for index, placeholder in enumerate(sorted(placeholders(name)))}
    for variation in templates()[name]:
        text = variation["text"].format(**values)
        assert identify(text) == name
        # No other template's wording is so loose that it could be mistaken for this one.
        assert templates_matching(text) == [name]


def test_every_template_the_actions_use_exists():
    used = set()
    for source in ACTIONS.glob("*.py"):
        used |= set(re.findall(r'(?:say\(dispatcher, |render\()"(\w+)"', source.read_text(encoding="utf-8")))
    assert used, "the actions send template replies"
    assert used <= set(templates())
