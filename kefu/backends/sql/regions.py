"""Place names as shoppers write them -> the province rows that shipping rules use."""

from __future__ import annotations

from typing import Optional

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from kefu.storage.geography import region_name_candidates
from kefu.storage.models import City, Province


def resolve_province(session: Session, place: str) -> Optional[Province]:
    """The province of a province or city name (新疆, 乌鲁木齐市, 浙江杭州), or None."""
    leading_province = None
    for name, province_prefix in region_name_candidates(place):
        city = session.get(City, name)
        if city is not None and province_prefix in (None, city.province_name):
            return city.province
        if province_prefix is None:
            province = session.execute(
                select(Province).where(or_(Province.name == name, Province.full_name == name))
            ).scalar_one_or_none()
            if province is not None:
                return province
        elif leading_province is None:
            leading_province = province_prefix
    # "北京市朝阳区", "浙江某某县": a known province followed by a place we do not list.
    return session.get(Province, leading_province) if leading_province else None
