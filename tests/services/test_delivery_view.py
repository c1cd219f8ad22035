from datetime import date, datetime
from decimal import Decimal

from kefu.backends.orders import DeliveryEstimate, ShippingQuote
from kefu.replies import render, using_persona
from kefu.replies.persona import Persona
from kefu.services.delivery_view import delivery_reply, shipping_reply


def estimate(quoted_at, ships_on, earliest, latest, days=(2, 3)):
    return DeliveryEstimate(
        destination="成都", province="四川", is_remote=False, warehouse_id="W1", warehouse_name="杭州仓",
        warehouse_city="杭州", carrier="中通快递", cutoff_hour=16, quoted_at=quoted_at, ships_on=ships_on,
        days_min=days[0], days_max=days[1], arrives_earliest=earliest, arrives_latest=latest,
    )


def test_paid_before_the_cut_off_ships_today():
    reply = delivery_reply(estimate(datetime(2026, 11, 24, 10), date(2026, 11, 24), date(2026, 11, 26), date(2026, 11, 27)))
    assert reply["ships"] == "今天16点前付款当天发货"
    assert reply["arrives"] == "后天到11月27日"
    assert reply["days"] == "2-3"


def test_paid_after_the_cut_off_ships_tomorrow():
    reply = delivery_reply(
        estimate(datetime(2026, 11, 24, 20), date(2026, 11, 25), date(2026, 11, 27), date(2026, 11, 27), days=(2, 2))
    )
    assert reply["ships"] == "现在付款明天发货"
    assert reply["arrives"] == "11月27日"
    assert reply["days"] == "2"


def quote(fee, threshold, amount="0"):
    return ShippingQuote(region="广州", province="广东", zone="普通地区", is_remote=False,
                         goods_amount=Decimal(amount), fee=Decimal(fee),
                         free_shipping_threshold=None if threshold is None else Decimal(threshold), note="")


def test_free_postage():
    assert shipping_reply(quote("0", "99", "120"))["template"] == "shipping_fee_free"


def test_postage_below_the_threshold_says_how_much_is_missing():
    reply = shipping_reply(quote("8", "99", "60"))
    assert (reply["template"], reply["fee"], reply["threshold"]) == ("shipping_fee_below_threshold", "8", "99")
    assert reply["short_text"] == "您现在还差39元～"


def test_without_an_amount_nothing_is_said_about_what_is_missing():
    assert shipping_reply(quote("8", "99"))["short_text"] == ""


def test_region_that_never_ships_free():
    reply = shipping_reply(quote("25", None, "500"))
    assert (reply["template"], reply["fee"]) == ("shipping_fee_never_free", "25")


def test_the_persona_words_what_the_view_composes():
    reply = shipping_reply(quote("8", "99", "60"))
    with using_persona(Persona(style="formal")):
        text = render(reply["template"], **{key: value for key, value in reply.items() if key != "template"})["text"]
    assert text == "寄到广东运费8元，满99元就包邮了，您现在还差39元。"
