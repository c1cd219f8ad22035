"""Tracking events a Chinese carrier would report for a parcel's journey
(揽收 → 转运中心 → 派送 → 签收), cut off at "now" for parcels still on their way."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import List, NamedTuple, Optional

COURIER_SURNAMES = "王李张刘陈杨赵黄周吴"
SIGNED_BY = ("本人签收", "家门口", "小区快递柜", "菜鸟驿站代收", "前台代收")


class PlannedEvent(NamedTuple):
    occurred_at: datetime
    location: str
    description: str
    status: str


def plan_journey(
    rng: random.Random,
    carrier: str,
    origin_city: str,
    destination_city: str,
    shipped_at: datetime,
    arrives_at: datetime,
    now: datetime,
) -> List[PlannedEvent]:
    """The events of a parcel from ``shipped_at`` to ``arrives_at``, those up to ``now`` only.

    The first three events (pick-up, arrival at and departure from the origin
    hub) fall within five hours of ``shipped_at``, so a parcel shipped more
    than five hours ago always has at least two events.
    """
    origin = f"{origin_city}市"
    destination = f"{destination_city}市"
    origin_hub = f"{origin_city}转运中心"
    destination_hub = f"{destination_city}转运中心"
    station = f"{destination_city}{rng.choice(('城东', '城西', '城南', '城北', '中心'))}营业部"
    courier = f"{rng.choice(COURIER_SURNAMES)}师傅"
    courier_phone = "1" + str(rng.choice((3, 5, 7, 8))) + "".join(str(rng.randrange(10)) for _ in range(9))

    events = [
        PlannedEvent(shipped_at, origin, f"【{origin}】{carrier} {origin_city}揽投部 已揽收", "picked_up"),
        PlannedEvent(
            shipped_at + timedelta(hours=2, minutes=rng.randrange(10, 50)),
            origin,
            f"【{origin}】快件已到达 {origin_hub}",
            "in_transit",
        ),
    ]
    if origin_city != destination_city:
        events += [
            PlannedEvent(
                shipped_at + timedelta(hours=4, minutes=rng.randrange(0, 55)),
                origin,
                f"【{origin}】快件已从 {origin_hub} 发出，下一站 {destination_hub}",
                "in_transit",
            ),
            PlannedEvent(
                arrives_at - timedelta(hours=9, minutes=rng.randrange(0, 50)),
                destination,
                f"【{destination}】快件已到达 {destination_hub}",
                "in_transit",
            ),
        ]
    events += [
        PlannedEvent(
            arrives_at - timedelta(hours=5, minutes=rng.randrange(0, 50)),
            destination,
            f"【{destination}】快件已从 {destination_hub} 发出，下一站 {station}",
            "in_transit",
        ),
        PlannedEvent(
            arrives_at - timedelta(hours=2, minutes=rng.randrange(0, 50)),
            destination,
            f"【{destination}】快件正在派送中，派送员：{courier}，电话：{courier_phone}，请保持电话畅通",
            "out_for_delivery",
        ),
        PlannedEvent(
            arrives_at,
            destination,
            f"【{destination}】您的快件已签收，签收人：{rng.choice(SIGNED_BY)}。感谢使用{carrier}，期待再次为您服务",
            "signed",
        ),
    ]
    # Keep the journey in order even when the transit is short, and show only
    # what has happened by now.
    ordered: List[PlannedEvent] = []
    previous: Optional[datetime] = None
    for event in events:
        moment = event.occurred_at
        if previous is not None and moment <= previous:
            moment = previous + timedelta(minutes=rng.randrange(20, 90))
        if moment > now:
            break
        ordered.append(event._replace(occurred_at=moment))
        previous = moment
    return ordered
