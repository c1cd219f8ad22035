"""Provinces and cities of China: seed data for their tables, and the function
that turns "新疆维吾尔自治区" / "乌鲁木齐市" / "浙江杭州" into the names the tables use."""

from __future__ import annotations

from typing import List, NamedTuple, Optional, Tuple


class ProvinceInfo(NamedTuple):
    name: str  # short name, as shoppers say it
    full_name: str
    area: str
    latitude: float  # of the capital; used to derive transit days
    longitude: float


PROVINCES: Tuple[ProvinceInfo, ...] = (
    ProvinceInfo("北京", "北京市", "华北", 39.90, 116.40),
    ProvinceInfo("天津", "天津市", "华北", 39.13, 117.20),
    ProvinceInfo("河北", "河北省", "华北", 38.04, 114.51),
    ProvinceInfo("山西", "山西省", "华北", 37.87, 112.55),
    ProvinceInfo("内蒙古", "内蒙古自治区", "华北", 40.84, 111.75),
    ProvinceInfo("辽宁", "辽宁省", "东北", 41.80, 123.43),
    ProvinceInfo("吉林", "吉林省", "东北", 43.82, 125.32),
    ProvinceInfo("黑龙江", "黑龙江省", "东北", 45.80, 126.53),
    ProvinceInfo("上海", "上海市", "华东", 31.23, 121.47),
    ProvinceInfo("江苏", "江苏省", "华东", 32.06, 118.80),
    ProvinceInfo("浙江", "浙江省", "华东", 30.27, 120.15),
    ProvinceInfo("安徽", "安徽省", "华东", 31.82, 117.23),
    ProvinceInfo("福建", "福建省", "华东", 26.07, 119.30),
    ProvinceInfo("江西", "江西省", "华东", 28.68, 115.86),
    ProvinceInfo("山东", "山东省", "华东", 36.65, 117.12),
    ProvinceInfo("河南", "河南省", "华中", 34.75, 113.62),
    ProvinceInfo("湖北", "湖北省", "华中", 30.59, 114.30),
    ProvinceInfo("湖南", "湖南省", "华中", 28.23, 112.94),
    ProvinceInfo("广东", "广东省", "华南", 23.13, 113.26),
    ProvinceInfo("广西", "广西壮族自治区", "华南", 22.82, 108.37),
    ProvinceInfo("海南", "海南省", "华南", 20.04, 110.20),
    ProvinceInfo("重庆", "重庆市", "西南", 29.56, 106.55),
    ProvinceInfo("四川", "四川省", "西南", 30.57, 104.07),
    ProvinceInfo("贵州", "贵州省", "西南", 26.65, 106.63),
    ProvinceInfo("云南", "云南省", "西南", 25.04, 102.71),
    ProvinceInfo("西藏", "西藏自治区", "西南", 29.65, 91.13),
    ProvinceInfo("陕西", "陕西省", "西北", 34.34, 108.94),
    ProvinceInfo("甘肃", "甘肃省", "西北", 36.06, 103.83),
    ProvinceInfo("青海", "青海省", "西北", 36.62, 101.78),
    ProvinceInfo("宁夏", "宁夏回族自治区", "西北", 38.49, 106.23),
    ProvinceInfo("新疆", "新疆维吾尔自治区", "西北", 43.83, 87.62),
    ProvinceInfo("台湾", "台湾省", "港澳台", 25.03, 121.57),
    ProvinceInfo("香港", "香港特别行政区", "港澳台", 22.32, 114.17),
    ProvinceInfo("澳门", "澳门特别行政区", "港澳台", 22.20, 113.54),
)

# City (without 市) -> province short name. Municipalities are provinces and
# cities at once; they resolve as provinces.
CITIES = {
    "石家庄": "河北", "唐山": "河北", "保定": "河北", "廊坊": "河北",
    "太原": "山西", "大同": "山西",
    "呼和浩特": "内蒙古", "包头": "内蒙古", "鄂尔多斯": "内蒙古", "呼伦贝尔": "内蒙古",
    "沈阳": "辽宁", "大连": "辽宁", "长春": "吉林", "吉林市": "吉林",
    "哈尔滨": "黑龙江", "大庆": "黑龙江",
    "南京": "江苏", "苏州": "江苏", "无锡": "江苏", "常州": "江苏", "南通": "江苏", "徐州": "江苏",
    "杭州": "浙江", "宁波": "浙江", "温州": "浙江", "绍兴": "浙江", "嘉兴": "浙江", "金华": "浙江",
    "义乌": "浙江",
    "合肥": "安徽", "芜湖": "安徽",
    "福州": "福建", "厦门": "福建", "泉州": "福建",
    "南昌": "江西", "赣州": "江西",
    "济南": "山东", "青岛": "山东", "烟台": "山东", "潍坊": "山东",
    "郑州": "河南", "洛阳": "河南",
    "武汉": "湖北", "宜昌": "湖北", "襄阳": "湖北",
    "长沙": "湖南", "株洲": "湖南",
    "广州": "广东", "深圳": "广东", "东莞": "广东", "佛山": "广东", "珠海": "广东", "汕头": "广东",
    "惠州": "广东",
    "南宁": "广西", "桂林": "广西", "柳州": "广西",
    "海口": "海南", "三亚": "海南",
    "成都": "四川", "绵阳": "四川",
    "贵阳": "贵州", "遵义": "贵州",
    "昆明": "云南", "大理": "云南", "丽江": "云南",
    "拉萨": "西藏", "日喀则": "西藏",
    "西安": "陕西", "咸阳": "陕西",
    "兰州": "甘肃", "天水": "甘肃",
    "西宁": "青海", "格尔木": "青海",
    "银川": "宁夏",
    "乌鲁木齐": "新疆", "喀什": "新疆", "伊宁": "新疆", "克拉玛依": "新疆", "库尔勒": "新疆",
    "台北": "台湾", "高雄": "台湾",
}

# Longest first, so that "维吾尔自治区" goes before "自治区".
_SUFFIXES = (
    "维吾尔自治区", "壮族自治区", "回族自治区", "特别行政区", "自治区", "地区", "自治州", "省", "市",
)


def _strip_suffix(name: str) -> str:
    for suffix in _SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)]
    return name


def region_name_candidates(text: str) -> List[Tuple[str, Optional[str]]]:
    """Ways to read a place name, most specific first.

    Each candidate is ``(name, province)``: the name to look up (a city or a
    province, without 省/市/自治区) and, when the text started with a
    province ("浙江杭州", "广东省深圳市"), that province.
    """
    cleaned = "".join(text.split())
    if not cleaned:
        return []
    candidates: List[Tuple[str, Optional[str]]] = []
    for province in PROVINCES:
        for prefix in (province.full_name, province.name):
            if cleaned.startswith(prefix) and len(cleaned) > len(prefix):
                rest = cleaned[len(prefix):]
                candidates.append((_strip_suffix(rest), province.name))
                candidates.append((rest, province.name))
    candidates.append((cleaned, None))
    candidates.append((_strip_suffix(cleaned), None))
    # "吉林市" is a city whose name keeps 市, so the unstripped form is tried too.
    seen = set()
    unique = []
    for candidate in candidates:
        if candidate not in seen:
            seen.add(candidate)
            unique.append(candidate)
    return unique
