"""Which size fits, from a product's size chart and what the shopper says ("170cm/65kg 建议 L，
偏瘦可选 M"): each measurement is placed on the chart (on a size, between two, or outside it)
and the advice takes the largest size any of them asks for — too short or too tight cannot
be fixed, a little loose can — with the smallest as the alternative; a usual size ("平时穿L")
is the best evidence, shifted by how the product runs; outside the chart, a clear answer and
the offer of a human. The texts are phrases (kefu.storage.phrases) for the reply layer."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import List, Optional, Tuple, Union

from kefu.knowledge.body_measurements import FITTED, LOOSE, BodyMeasurements, parse_body
from kefu.knowledge.size_charts import CHEST, CLOTHING, FOOT_LENGTH, HEIGHT, WAIST, WEIGHT, SizeChart
from kefu.storage.phrases import Joined, Phrase

RECOMMENDED = "recommended"
OUT_OF_CHART = "out_of_chart"
NEED_MORE = "need_more"

_BELOW, _ABOVE = "below", "above"


@dataclass(frozen=True)
class SizeAdvice:
    status: str  # RECOMMENDED, OUT_OF_CHART or NEED_MORE
    text: str  # phrases (kefu.storage.phrases), for the reply layer to word
    size: Optional[str] = None
    alternative: Optional[str] = None
    missing: Tuple[str, ...] = ()  # measurements that would help (or are needed)
    suggest_human: bool = False


def _value_of(body: BodyMeasurements, measure: str) -> Optional[float]:
    return {
        HEIGHT: body.height_cm, WEIGHT: body.weight_kg, CHEST: body.chest_cm,
        WAIST: body.waist_cm, FOOT_LENGTH: body.foot_length_mm,
    }[measure]


def _shown(body: BodyMeasurements, measure: str, value: float) -> str:
    """170cm, 130斤, 脚长25.5cm — in the unit the shopper used."""
    if measure == WEIGHT:
        if body.weight_in_jin:
            return Phrase("size_weight_jin", value=f"{value * 2:g}")
        return Phrase("size_weight_kg", value=f"{value:g}")
    if measure == FOOT_LENGTH:
        return Phrase("size_foot", value=f"{value / 10:g}")
    return Phrase(f"size_{measure}", value=f"{value:g}")


def _range_shown(measure: str, low: float, high: float) -> str:
    if measure == FOOT_LENGTH:
        return Phrase("size_range_foot", low=f"{low / 10:g}", high=f"{high / 10:g}")
    if measure == WEIGHT:
        return Phrase("size_range_weight", low=f"{low * 2:g}", high=f"{high * 2:g}")
    return Phrase("size_range_cm", measure=Phrase(f"measure_{measure}"), low=f"{low:g}", high=f"{high:g}")


def position(chart: SizeChart, measure: str, value: float) -> Union[float, str]:
    """The index of the size the value fits (x.5 between two sizes), or below/above the chart."""
    ranges = [row.range_of(measure) for row in chart.rows]
    if value < ranges[0][0]:
        return _BELOW
    if value > ranges[-1][1]:
        return _ABOVE
    fitting = [i for i, (low, high) in enumerate(ranges) if low <= value <= high]
    if fitting:
        return (fitting[0] + fitting[-1]) / 2
    return next(i + 0.5 for i in range(len(ranges) - 1) if ranges[i][1] < value < ranges[i + 1][0])


def advise_size_for_text(chart: SizeChart, text: str) -> SizeAdvice:
    return advise_size(chart, parse_body(text))


def advise_size(chart: SizeChart, body: BodyMeasurements) -> SizeAdvice:
    given = [(m, _value_of(body, m)) for m in chart.measures if _value_of(body, m) is not None]
    usual = chart.position_of_size(body.usual_size) if body.usual_size else None
    if usual is not None:
        return _from_usual_size(chart, body, usual + chart.size_offset, given)
    if not given:
        return _need_more(chart, body)
    placed = [(m, v, position(chart, m, v)) for m, v in given]
    outside = next(((m, v, p) for m, v, p in placed if isinstance(p, str)), None)
    if outside is not None:
        return _out_of_chart(chart, body, *outside)
    return _from_measurements(chart, body, placed)


def _from_measurements(chart: SizeChart, body: BodyMeasurements, placed: List[Tuple[str, float, float]]) -> SizeAdvice:
    sizes = chart.sizes
    smallest = min(placed, key=lambda item: item[2])
    largest = max(placed, key=lambda item: item[2])
    low, high = math.floor(smallest[2]), math.ceil(largest[2])
    described = Joined((_shown(body, m, v) for m, v, _ in placed), "/")
    if high - low >= 2:
        text = Phrase("size_spread", body=described, small=sizes[low], large=sizes[high], size=sizes[high])
        return SizeAdvice(RECOMMENDED, text, sizes[high], suggest_human=True)
    size, alternative = high, (low if low != high else None)
    why = _why_smaller(chart, smallest, largest) if alternative is not None else None
    if body.fit_preference == FITTED and alternative is not None:
        size, alternative, why = low, high, "alt_loose"
    elif body.fit_preference == LOOSE and alternative is None and size + 1 < len(sizes):
        alternative, why = size + 1, "alt_loose"
    single_between = len(placed) == 1 and placed[0][2] != int(placed[0][2])
    if single_between:
        said = [Phrase("size_between", body=described, small=sizes[low], large=sizes[high], size=sizes[size])]
    else:
        said = [Phrase("size_recommend", body=described, size=sizes[size])]
    if alternative is not None:
        said.append(Phrase("size_alternative", why=Phrase(why), alternative=sizes[alternative]))
    said.append(_fit_note(chart))
    missing = tuple(m for m in (HEIGHT, WEIGHT) if m in chart.measures and m not in {p[0] for p in placed})
    if missing and chart.kind == CLOTHING:
        said.append(Phrase("size_more_precise", missing=_measures(missing)))
    alternative_size = sizes[alternative] if alternative is not None else None
    return SizeAdvice(RECOMMENDED, Joined(said), sizes[size], alternative_size, missing)


def _measures(measures: Tuple[str, ...]) -> str:
    return Joined((Phrase(f"measure_{m}") for m in measures), "、")


def _fit_note(chart: SizeChart) -> str:
    return Phrase("size_fit_note", note=chart.fit_note) if chart.fit_note else ""


def _why_smaller(chart: SizeChart, smallest: Tuple[str, float, float], largest: Tuple[str, float, float]) -> str:
    """Who should take the smaller size: the slim (their height asks for the
    larger size, their girth for the smaller), else those who like a closer fit."""
    if chart.kind != CLOTHING:
        return "alt_narrow_foot"
    if largest[0] == HEIGHT and smallest[0] in (WEIGHT, CHEST, WAIST):
        return "alt_slim"
    return "alt_fitted"


def _from_usual_size(chart: SizeChart, body: BodyMeasurements, at: float, given: List[Tuple[str, float]]) -> SizeAdvice:
    sizes = chart.sizes
    if at < 0 or at > len(sizes) - 1:
        edge = Phrase("size_only_smallest", size=sizes[0]) if at < 0 else Phrase("size_only_largest", size=sizes[-1])
        text = Phrase("size_usual_out_of_chart", usual=body.usual_size, note=_fit_note(chart), edge=edge)
        return SizeAdvice(OUT_OF_CHART, text, suggest_human=True)
    size, smaller = math.ceil(at), math.floor(at)
    said = [Phrase("size_usual", usual=body.usual_size, size=sizes[size])]
    alternative = None
    if smaller != size:
        alternative = smaller
        why = Phrase("alt_fitted" if chart.kind == CLOTHING else "alt_narrow_foot")
        said.append(Phrase("size_alternative", why=why, alternative=sizes[smaller]))
    measured = _from_measurements_quietly(chart, given)
    if measured is not None and measured not in (size, alternative):
        alternative = measured
        said.append(Phrase("size_by_measurements", size=sizes[measured]))
    said.append(_fit_note(chart) or Phrase("size_fit_standard"))
    return SizeAdvice(RECOMMENDED, Joined(said), sizes[size], sizes[alternative] if alternative is not None else None)


def _from_measurements_quietly(chart: SizeChart, given: List[Tuple[str, float]]) -> Optional[int]:
    """The size the measurements alone ask for, if they all fall on the chart."""
    placed = [position(chart, m, v) for m, v in given]
    if not placed or any(isinstance(p, str) for p in placed):
        return None
    return math.ceil(max(placed))


def _out_of_chart(chart: SizeChart, body: BodyMeasurements, measure: str, value: float, where: str) -> SizeAdvice:
    row = chart.rows[0] if where == _BELOW else chart.rows[-1]
    low, high = row.range_of(measure)
    edge_phrase = "size_edge_smallest" if where == _BELOW else "size_edge_largest"
    edge = Phrase(edge_phrase, size=row.size, range=_range_shown(measure, low, high))
    text = Phrase("size_measure_out_of_chart", value=_shown(body, measure, value), edge=edge)
    return SizeAdvice(OUT_OF_CHART, text, suggest_human=True)


def _need_more(chart: SizeChart, body: BodyMeasurements) -> SizeAdvice:
    needed = tuple(m for m in chart.measures if m in (HEIGHT, WEIGHT, FOOT_LENGTH)) or chart.measures
    phrase = "size_need_shoes" if chart.kind != CLOTHING else "size_need_clothing"
    text = Phrase(phrase, needed=_measures(needed))
    if body.usual_size:
        text = Joined((Phrase("size_usual_unknown", usual=body.usual_size, sizes="、".join(chart.sizes)), text))
    return SizeAdvice(NEED_MORE, text, missing=needed)
