"""What the shopper reads about an address change: the phone appears masked (issue 13: a forged
identity must not read the recipient's number off the confirmation); and how many photos went with a
problem report."""

from dataclasses import replace
from datetime import datetime

import pytest

from kefu.replies import render, using_persona
from kefu.replies.persona import Persona
from kefu.services import after_sales as tasks
from kefu.backends.after_sales import ProblemReport
from kefu.services.after_sales_replies import confirmation_reply, photos_attached_reply, submitted_reply
from kefu.storage.clock import SHOP_TZ
from tests.services.test_after_sales import order


def shown(reply):
    """The text the shopper reads, worded as written (no merchant persona)."""
    with using_persona(Persona()):
        values = {key: value for key, value in reply.items() if key != "template"}
        return render(reply["template"], chooser=lambda variations: variations[0], **values)["text"]


def unshipped_order():
    return order(status="paid")


@pytest.mark.parametrize("new_address, phone_on_file, masked", [
    ("上海市浦东新区世纪大道88号", "13800000001", "138****0001"),            # the number on file
    ("上海市浦东新区世纪大道88号 王五 13700001111", "13800000001", "137****1111"),  # the one typed with it
])
def test_the_confirmation_shows_the_phone_masked(new_address, phone_on_file, masked):
    text = shown(confirmation_reply(tasks.CHANGE_ADDRESS, unshipped_order(), {"new_address": new_address}))
    assert masked in text
    assert phone_on_file not in text and "13700001111" not in text


def test_the_change_done_reply_shows_the_phone_masked():
    the_order = unshipped_order()
    changed = replace(the_order, recipient=replace(the_order.recipient, province="上海", city="上海",
                                                   address="浦东新区世纪大道88号"))
    text = shown(submitted_reply(tasks.CHANGE_ADDRESS, the_order, changed, {}))
    assert "138****0001" in text and "13800000001" not in text
    assert "上海浦东新区世纪大道88号" in text  # the rest of the reply is as before


def test_the_photos_a_problem_report_keeps_are_counted_after_its_confirmation():
    report = ProblemReport("Q2024111100001-01", "2024111100001", None, "damaged", "碎了", "reship", "reship_pending",
                           datetime(2026, 12, 2, 10, 0, tzinfo=SHOP_TZ), photo_ids=("a1", "b2", "c3"))

    text = shown(photos_attached_reply(report))

    assert "3 张照片" in text and "Q2024111100001-01" in text and text.startswith("亲")
    assert photos_attached_reply(replace(report, photo_ids=())) is None
    assert photos_attached_reply(order()) is None  # a change that is no report
