"""Shop time: China Standard Time whatever the server's own time zone, so that
cut-off hours and "signed 2 days ago" mean the same on every machine."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

# China has no daylight saving time, so a fixed offset is exact.
SHOP_TZ = timezone(timedelta(hours=8), "Asia/Shanghai")


def shop_now() -> datetime:
    """The current moment as an aware datetime in shop time."""
    return datetime.now(SHOP_TZ)


def in_shop_time(moment: datetime) -> datetime:
    """``moment`` in shop time; a naive datetime is taken to be shop time already."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=SHOP_TZ)
    return moment.astimezone(SHOP_TZ)
