"""What a shopper says about their body ("170/130斤", "一米七 65公斤", "平时穿L",
"脚长25.5cm" …) read into numbers: heights and chest/waist in cm, weights in
kg, foot lengths in mm (how units are guessed: docs/knowledge.md)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Callable, List, Optional, Tuple, TypeVar

T = TypeVar("T")

JIN_PER_KG = 2
CM_PER_CHI = 100 / 3  # 1 市尺 = 33.3 cm ("腰围二尺二")

_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "俩": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CN = "零〇一二两俩三四五六七八九十百"
_NUMBER = rf"(?:\d+(?:\.\d+)?|[{_CN}]+)"

LOOSE = "loose"
FITTED = "fitted"

# Letter sizes as shops and the NLU's synonyms write them.
_SIZE_WORDS = (
    ("加加大码", "XXL"), ("加加大", "XXL"), ("特大号", "XXL"), ("加大码", "XL"), ("加大号", "XL"), ("加大", "XL"),
    ("小码", "S"), ("小号", "S"), ("中码", "M"), ("中号", "M"), ("大码", "L"), ("大号", "L"),
)
_LETTER_SIZE = re.compile(r"(?<![A-Za-z])(X{0,3}S|M|X{0,4}L|[2-5]XL)(?![A-Za-z])", re.IGNORECASE)


@dataclass(frozen=True)
class BodyMeasurements:
    height_cm: Optional[float] = None
    weight_kg: Optional[float] = None
    weight_in_jin: bool = False  # how the shopper gave it, to answer in the same unit
    usual_size: Optional[str] = None  # what they normally wear: "L", "42", "120"
    foot_length_mm: Optional[float] = None
    chest_cm: Optional[float] = None
    waist_cm: Optional[float] = None
    fit_preference: Optional[str] = None  # LOOSE, FITTED or None

    @property
    def is_empty(self) -> bool:
        values = (self.height_cm, self.weight_kg, self.usual_size, self.foot_length_mm, self.chest_cm, self.waist_cm)
        return all(value is None for value in values)


def chinese_number(text: str) -> Optional[float]:
    """一百三 -> 130, 一百零五 -> 105, 六十五 -> 65, 两百 -> 200, 1.75 -> 1.75."""
    text = text.strip()
    if not text:
        return None
    try:
        return float(text)
    except ValueError:
        pass
    if any(ch not in _CN for ch in text):
        return None
    total, rest = 0, text
    if "百" in rest:
        head, rest = rest.split("百", 1)
        if len(head) > 1 or (head and head not in _DIGITS):
            return None
        total += (_DIGITS[head] if head else 1) * 100
        if len(rest) == 1 and rest in _DIGITS and rest not in "零〇":
            return float(total + _DIGITS[rest] * 10)  # 一百三 = 130 (spoken short for 一百三十)
        rest = rest.lstrip("零〇")
    if "十" in rest:
        head, rest = rest.split("十", 1)
        if len(head) > 1 or (head and head not in _DIGITS):
            return None
        total += (_DIGITS[head] if head else 1) * 10
    if rest:
        if len(rest) != 1 or rest not in _DIGITS:
            return None
        total += _DIGITS[rest]
    return float(total)


def _half_width(text: str) -> str:
    # Full-width digits and letters (１７０ｃｍ) as typed on some input methods.
    return unicodedata.normalize("NFKC", text or "")


class _Reader:
    """The message with the parts already understood blanked out, so that
    "1.75m" is not read again as the size M, nor "65公斤" as a height."""

    def __init__(self, text: str):
        self.text = _half_width(text)

    def take(self, pattern: str, convert: Callable[[re.Match], Optional[T]]) -> Optional[T]:
        for match in re.finditer(pattern, self.text, re.IGNORECASE):
            value = convert(match)
            if value is not None:
                start, end = match.span()
                self.text = self.text[:start] + " " * (end - start) + self.text[end:]
                return value
        return None


def _digit_or_cn(text: Optional[str]) -> Optional[int]:
    if not text:
        return 0
    return int(text) if text.isdigit() else _DIGITS.get(text)


def _metres_and_cm(match: re.Match) -> Optional[float]:
    """一米七五 / 1米72 / 一米6 -> cm: the figures after 米 are tens and units of cm."""
    figures = [int(ch) if ch.isdigit() else _DIGITS[ch] for ch in match.group("rest")]
    return float(100 + figures[0] * 10 + (figures[1] if len(figures) > 1 else 0))


def _height_in_range(value: Optional[float]) -> Optional[float]:
    return value if value is not None and 50 <= value <= 230 else None


def _number_group(name: str, scale: float = 1.0, check=lambda v: v) -> Callable[[re.Match], Optional[float]]:
    def convert(match: re.Match) -> Optional[float]:
        value = chinese_number(match.group(name))
        return check(value * scale) if value is not None else None
    return convert


def read_height(reader: _Reader) -> Optional[float]:
    return (
        reader.take(r"(?:一|1)\s*米\s*(?P<rest>\d{1,2}(?!\d)|[一二三四五六七八九]{1,2})", _metres_and_cm)
        or reader.take(r"(?P<n>[12]\.\d{1,2})\s*(?:米|m(?![a-z]))", _number_group("n", 100, _height_in_range))
        or reader.take(r"(?P<n>\d{2,3}(?:\.\d)?)\s*(?:cm|厘米|公分)", _number_group("n", 1, _height_in_range))
        or reader.take(r"身高\s*(?:是|有)?\s*(?P<n>\d{2,3}(?:\.\d)?)(?![\d.])", _number_group("n", 1, _height_in_range))
        or reader.take(r"(?<![\d.])(?P<n>1\.\d{1,2})(?![\d.])", _number_group("n", 100, _height_in_range))
    )


def _weight_in_range(value: Optional[float]) -> Optional[float]:
    return value if value is not None and 5 <= value <= 250 else None


def read_weight(reader: _Reader) -> Tuple[Optional[float], bool]:
    """(kg, given in 斤) for a weight with its unit."""
    jin = reader.take(rf"(?P<n>{_NUMBER})\s*多?\s*斤", _number_group("n", 1 / JIN_PER_KG, _weight_in_range))
    if jin is not None:
        return jin, True
    kg = reader.take(rf"(?P<n>{_NUMBER})\s*多?\s*(?:kg|公斤|千克)", _number_group("n", 1, _weight_in_range))
    if kg is not None:
        return kg, False
    # 一百二 without a unit is still a weight in 斤: nobody says 一百二 for kg.
    spoken = reader.take(r"(?P<n>[一二两三]百[零一二三四五六七八九十]*)", _number_group("n", 1 / JIN_PER_KG, _weight_in_range))
    return spoken, spoken is not None


def guess_weight_kg(value: float, height_cm: Optional[float]) -> Tuple[float, bool]:
    """(kg, read as 斤) for a weight said without a unit."""
    if height_cm:
        as_kg, as_jin = value, value / JIN_PER_KG
        metres = height_cm / 100
        # Whichever gives a body-mass index nearer an ordinary one (about 20).
        if abs(as_jin / metres**2 - 20) < abs(as_kg / metres**2 - 20):
            return as_jin, True
        return as_kg, False
    # Without a height: 斤 for the figures a kg weight rarely reaches.
    return (value / JIN_PER_KG, True) if value >= 80 else (value, False)


def _preference(text: str) -> Optional[str]:
    if re.search(r"修身|合身|贴身|紧身|不想.{0,4}(?:宽松|大)|别太(?:宽松|大)|不要太(?:宽松|大)", text):
        return FITTED
    if re.search(r"宽松|大一码|宽大|oversize|松一点|松点|大一点", text, re.IGNORECASE):
        return LOOSE
    return None


def normalise_size(text: Optional[str]) -> Optional[str]:
    """"xl" -> "XL", "2XL" -> "XXL", "加大码" -> "XL", "42码" -> "42", "37.5" -> "37.5"."""
    text = _half_width(text or "").strip()
    if not text:
        return None
    for word, size in _SIZE_WORDS:
        if word in text:
            return size
    number = re.fullmatch(r"(\d{2,3}(?:\.5)?)\s*(?:码|号|的)?", text)
    if number:
        return number.group(1)
    letters = _LETTER_SIZE.search(text)
    if letters:
        size = letters.group(1).upper()
        multiple = re.fullmatch(r"([2-5])XL", size)
        return "X" * int(multiple.group(1)) + "L" if multiple else size
    return None


_SAID_USUAL_SIZE = (
    re.compile(
        r"(?:平时|平常|一般|日常|平日|通常|一直)\s*(?:都)?\s*(?:穿|买|拿|是)?\s*(?:的)?\s*"
        r"(?P<size>\d{2,3}(?:\.5)?|[A-Za-z0-9]{1,4}|加加大|加大|[大中小]码)"
    ),
    re.compile(r"穿\s*(?P<size>\d{2,3}(?:\.5)?|[2-5]?X{0,3}[SML]|加加大|加大|[大中小]码)(?![A-Za-z])", re.IGNORECASE),
)


def _said_usual_size(reader: _Reader) -> Optional[str]:
    """"平时穿L", "nike我穿42", "平时41的": read (and blanked out) before the
    measurements, so that 42 is not taken for a weight."""
    for pattern in _SAID_USUAL_SIZE:
        size = reader.take(pattern.pattern, lambda match: normalise_size(match.group("size")))
        if size is not None:
            return size
    return None


def _bare_usual_size(text: str) -> Optional[str]:
    # A size on its own ("42码", "L") answers "您平时穿多大"; beside a height
    # and weight it is more likely the size being asked about ("拿S还是M"),
    # so the caller only asks when nothing was measured.
    numbered = re.search(r"(?<![\d.])(\d{2,3}(?:\.5)?)\s*码", text)
    if numbered:
        return numbered.group(1)
    return normalise_size(text) if not re.search(r"\d", text) else None


def parse_body(text: Optional[str]) -> BodyMeasurements:
    """Everything the message says about the shopper's body and usual size."""
    reader = _Reader(text or "")
    original = reader.text
    usual_size = _said_usual_size(reader)
    foot = reader.take(r"脚长\s*(?P<n>\d{2,3}(?:\.\d)?)\s*(?P<unit>cm|厘米|mm|毫米)?", _foot_length)
    chest = reader.take(r"胸围\s*(?P<n>\d{2,3}(?:\.\d)?)\s*(?:cm|厘米)?", _number_group("n"))
    waist = reader.take(r"腰围?\s*(?P<n>[一二两三]尺[一二三四五六七八九]?|\d尺\d?)", _chi) or reader.take(
        r"腰围\s*(?P<n>\d{2,3}(?:\.\d)?)\s*(?:cm|厘米)?", _number_group("n")
    )
    weight = reader.take(r"体重\s*(?:是|有)?\s*(?P<n>\d{2,3}(?:\.\d)?)(?![\d.]|\s*(?:斤|kg|公斤|千克))", _number_group("n"))
    height = read_height(reader)
    weight_kg, in_jin = read_weight(reader)
    pair = _unitless_pair(reader, height is None, weight_kg is None and weight is None)
    height = height if height is not None else pair[0]
    weight = weight if weight is not None else pair[1]
    if weight_kg is None and weight is not None:
        weight_kg, in_jin = guess_weight_kg(weight, height)
    measured = any(v is not None for v in (height, weight_kg, foot, chest, waist))
    return BodyMeasurements(
        height_cm=height,
        weight_kg=weight_kg,
        weight_in_jin=in_jin if weight_kg is not None else False,
        usual_size=usual_size or (None if measured else _bare_usual_size(reader.text)),
        foot_length_mm=foot,
        chest_cm=chest,
        waist_cm=waist,
        fit_preference=_preference(original),
    )


def _foot_length(match: re.Match) -> Optional[float]:
    value = float(match.group("n"))
    unit = (match.group("unit") or "").lower()
    millimetres = value if unit in ("mm", "毫米") or (not unit and value >= 100) else value * 10
    return millimetres if 100 <= millimetres <= 350 else None


def _chi(match: re.Match) -> Optional[float]:
    chi, _, cun = match.group("n").partition("尺")
    whole, tenth = _digit_or_cn(chi), _digit_or_cn(cun)
    if whole is None or tenth is None:
        return None
    return round((whole + tenth / 10) * CM_PER_CHI, 1)


def _unitless_pair(reader: _Reader, want_height: bool, want_weight: bool) -> Tuple[Optional[float], Optional[float]]:
    """"170/130", "163 105", "我175": bare numbers, a height first (100–230) and then a weight."""
    bare_number = r"(?<![\d.])(\d{2,3}(?:\.\d)?)(?![\d.]|\s*(?:码|号|元|块|件|天|岁|%))"
    numbers: List[float] = [float(m.group(1)) for m in re.finditer(bare_number, reader.text)]
    height = weight = None
    if want_height:
        height = next((n for n in numbers if 100 <= n <= 230), None)
        if height is not None:
            numbers.remove(height)
    if want_weight:
        weight = next((n for n in numbers if 20 <= n <= 250), None)
    return height, weight

